// Package report turns a run's summaries into tables a person reads:
// medians over the repeats with their spread, and a mark on every figure
// the generator, not the server, limited.
package report

import (
	"fmt"
	"sort"
	"strings"

	"netmodels/bench/summary"
)

// Cell is a median over repeats with its range.
type Cell struct {
	Median, Min, Max float64
	N                int
}

func cell(v []float64) Cell {
	if len(v) == 0 {
		return Cell{}
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return Cell{m, s[0], s[len(s)-1], len(s)}
}

// Format writes the median with its range when there are repeats.
func (c Cell) Format(digits int) string {
	if c.N == 0 {
		return "–"
	}
	f := "%." + fmt.Sprint(digits) + "f"
	if c.N == 1 || c.Min == c.Max {
		return fmt.Sprintf(f, c.Median)
	}
	return fmt.Sprintf(f+" ["+f+"–"+f+"]", c.Median, c.Min, c.Max)
}

// Row is one model in one scenario, over its repeats.
type Row struct {
	Scenario, Model string
	Load            string
	Kind            string // the load's kind (summary.Summary.LoadKind)
	Throughput      Cell
	Success         Cell
	P50, P95, P99   Cell
	Max             Cell
	CPUPerAnswer    Cell
	// Syscalls and CtxSwitches are the kernel's work per answer (perf
	// stat over the server's tree); N is 0 where it was not counted.
	Syscalls, CtxSwitches Cell
	PeakRSSMiB            Cell
	PeakThreads           Cell
	PeakProcs             Cell
	GeneratorBound        int // repeats marked generator-bound
	GeneratorNote         string
	// Disturbed counts the repeats the machine disturbed
	// (summary.Disturbed): the hypervisor took summary.StealLimit or more
	// of a CPU, or connection tracking dropped packets. MostStolen is the
	// largest share the hypervisor took in any repeat, StealRead whether
	// any repeat read it; Dropped counts the repeats connection tracking
	// dropped packets in, Drops the packets, ConntrackRead whether any
	// repeat read its counters.
	Disturbed     int
	Stolen        int
	MostStolen    float64
	StealRead     bool
	Dropped       int
	Drops         uint64
	ConntrackRead bool
	// Stamped counts the repeats whose latencies end at the kernel's
	// receive stamps (netbench run -rx-stamps); MostReadWait is the
	// largest p99 of the answers' wait for the generator among them (ms).
	Stamped      int
	MostReadWait float64
	// SendStamped counts the repeats whose latencies start at the
	// kernel's send stamps (netbench run -tx-stamps); MostSendWait is
	// the largest p99 of the requests' wait for the kernel to send them
	// among them (ms).
	SendStamped  int
	MostSendWait float64
	Knee, Break  Cell
	// FirstStep and TopStep are the stress test's lowest and highest
	// offered rates: a knee below the first step and a break beyond the
	// top one are written against them.
	FirstStep, TopStep float64
	// PeakStep is the stress test's best step: its most answers/s.
	PeakStep      Cell
	BeforeFailure Cell
	Recovery      Cell
	Repeats       int
	// MemPerConnKiB is the model's memory per idle connection from the
	// run's idle.json (0: not measured); the same in every scenario.
	MemPerConnKiB float64

	stressCols bool // Markdown: the row's table has the stress columns
}

// Aggregate groups summaries by scenario and model, in first-seen order.
func Aggregate(rows []*summary.Summary) []*Row {
	var out []*Row
	idx := map[string]*Row{}
	vals := map[*Row]map[string][]float64{}
	for _, s := range rows {
		k := s.Scenario + "\x00" + s.Model
		r := idx[k]
		if r == nil {
			r = &Row{Scenario: s.Scenario, Model: s.Model, Load: s.Load, Kind: s.LoadKind()}
			idx[k] = r
			vals[r] = map[string][]float64{}
			out = append(out, r)
		}
		v := vals[r]
		r.Repeats++
		add := func(name string, x float64) { v[name] = append(v[name], x) }
		add("thr", s.Throughput)
		add("ok", 100*s.Success)
		add("p50", s.P50)
		add("p95", s.P95)
		add("p99", s.P99)
		add("max", s.Max)
		if s.ServerCPUPerAnswer > 0 {
			add("cpu", s.ServerCPUPerAnswer)
		}
		if k := s.Kernel; k != nil {
			add("sys", k.Syscalls)
			add("ctx", k.CtxSwitches)
		}
		if s.PeakRSSKiB > 0 {
			add("rss", float64(s.PeakRSSKiB)/1024)
			add("thr#", float64(s.PeakThreads))
			if s.PeakProcs > 0 { // container runs can't count processes
				add("procs", float64(s.PeakProcs))
			}
		}
		if s.GeneratorBound {
			r.GeneratorBound++
			r.GeneratorNote = s.GeneratorNote
		}
		if s.Steal != nil {
			r.StealRead = true
			r.MostStolen = max(r.MostStolen, s.Steal.Share)
		}
		if s.Disturbed() {
			r.Disturbed++
		}
		if s.ConntrackDrops != nil {
			r.ConntrackRead = true
			r.Drops += *s.ConntrackDrops
		}
		if s.Dropped() {
			r.Dropped++
		}
		if s.Stolen() {
			r.Stolen++
		}
		if s.ReadWait != nil {
			r.Stamped++
			r.MostReadWait = max(r.MostReadWait, s.ReadWait.P99)
		}
		if s.SendWait != nil {
			r.SendStamped++
			r.MostSendWait = max(r.MostSendWait, s.SendWait.P99)
		}
		if st := s.Stress; st != nil {
			for i, x := range st.Steps {
				if i == 0 || x.Offered < r.FirstStep {
					r.FirstStep = x.Offered
				}
				r.TopStep = max(r.TopStep, x.Offered)
			}
			peak := 0.0
			for _, x := range st.Steps {
				peak = max(peak, x.Throughput)
			}
			add("peak", peak)
			add("knee", st.KneeRPS)
			add("break", st.BreakRPS)
			add("bff", float64(st.BeforeFirstFailure))
			add("rec", st.RecoverySeconds)
		}
	}
	// Group by scenario, scenarios and models in first-seen order.
	order := map[string]int{}
	for _, r := range out {
		if _, ok := order[r.Scenario]; !ok {
			order[r.Scenario] = len(order)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return order[out[i].Scenario] < order[out[j].Scenario] })
	for r, v := range vals {
		r.Throughput, r.Success = cell(v["thr"]), cell(v["ok"])
		r.P50, r.P95, r.P99, r.Max = cell(v["p50"]), cell(v["p95"]), cell(v["p99"]), cell(v["max"])
		r.CPUPerAnswer, r.PeakRSSMiB = cell(v["cpu"]), cell(v["rss"])
		r.Syscalls, r.CtxSwitches = cell(v["sys"]), cell(v["ctx"])
		r.PeakThreads, r.PeakProcs = cell(v["thr#"]), cell(v["procs"])
		r.Knee, r.Break, r.BeforeFailure, r.Recovery = cell(v["knee"]), cell(v["break"]), cell(v["bff"]), cell(v["rec"])
		r.PeakStep = cell(v["peak"])
	}
	return out
}

// Markdown writes one table per scenario. A † marks a throughput that the
// generator limited in at least one repeat: it is not the server's
// capacity. A ‡ marks a p99 from a repeat the hypervisor disturbed.
func Markdown(rows []*Row) string {
	var b strings.Builder
	var scenario string
	bound, stolen, dropped := false, false, false
	mem, kernel := false, false
	for _, r := range rows {
		mem = mem || r.MemPerConnKiB > 0
		kernel = kernel || r.Syscalls.N > 0
	}
	for i, r := range rows {
		if r.Scenario != scenario {
			scenario = r.Scenario
			fmt.Fprintf(&b, "\n### %s\n\n%s; medians over repeats [min–max].\n\n", r.Scenario, r.Load)
			stressCols := false
			for _, o := range rows[i:] {
				if o.Scenario == scenario && o.Knee.N > 0 {
					stressCols = true
				}
			}
			cols := []string{"model", "answers/s", "success %", "p50 ms", "p95 ms", "p99 ms", "max ms", "server CPU µs/answer"}
			if kernel {
				cols = append(cols, "syscalls/answer", "ctx switches/answer")
			}
			cols = append(cols, "peak RSS MiB", "threads", "procs")
			if mem {
				cols = append(cols, "KiB/idle conn")
			}
			if stressCols {
				cols = append(cols, "knee /s", "break /s", "before 1st failure", "recovery s")
			}
			b.WriteString("| " + strings.Join(cols, " | ") + " |\n|" + strings.Repeat("---|", len(cols)) + "\n")
			r.stressCols = stressCols
		} else if i > 0 {
			r.stressCols = rows[i-1].stressCols
		}
		mark := ""
		if r.GeneratorBound > 0 {
			mark = " †"
			bound = true
		}
		tail := ""
		if r.Disturbed > 0 {
			tail = " ‡"
			stolen = stolen || r.Stolen > 0
			dropped = dropped || r.Dropped > 0
		}
		fmt.Fprintf(&b, "| %s | %s%s | %s | %s | %s | %s%s | %s | %s |", r.Model, r.Throughput.Format(0), mark,
			r.Success.Format(1), r.P50.Format(2), r.P95.Format(2), r.P99.Format(2), tail, r.Max.Format(1), r.CPUPerAnswer.Format(1))
		if kernel {
			fmt.Fprintf(&b, " %s | %s |", r.Syscalls.Format(2), r.CtxSwitches.Format(2))
		}
		fmt.Fprintf(&b, " %s | %s | %s |", r.PeakRSSMiB.Format(1), r.PeakThreads.Format(0), r.PeakProcs.Format(0))
		if mem {
			if r.MemPerConnKiB > 0 {
				fmt.Fprintf(&b, " %.1f |", r.MemPerConnKiB)
			} else {
				b.WriteString(" – |")
			}
		}
		if r.stressCols {
			if r.Knee.N > 0 {
				fmt.Fprintf(&b, " %s | %s | %s | %s |", r.KneeText(), r.BreakText(), r.BeforeFailure.Format(0), none(r.Recovery))
			} else {
				b.WriteString(" – | – | – | – |")
			}
		}
		b.WriteString("\n")
	}
	if bound {
		b.WriteString("\n† the generator limited this figure in at least one repeat (its CPU saturated or it fell behind its schedule): a lower bound on the server's capacity, not the capacity.\n")
	}
	if stolen {
		fmt.Fprintf(&b, "\n‡ in at least one repeat the hypervisor took %.0f%% or more of one of the machine's CPUs (steal time): a stalled CPU delays whatever runs on it, so this tail is the machine's as much as the model's. Run it again, or on a machine of your own.\n", 100*summary.StealLimit)
	}
	if dropped {
		b.WriteString("\n‡ in at least one repeat " + summary.DroppedNote + ".\n")
	}
	return b.String()
}

// KneeText writes the knee; one that no step reached is below the first.
func (r *Row) KneeText() string {
	if none(r.Knee) == "none" && r.FirstStep > 0 {
		return fmt.Sprintf("< %.0f", r.FirstStep)
	}
	return none(r.Knee)
}

// BreakText writes the breaking point; where nothing broke, it says up to
// which rate nothing did.
func (r *Row) BreakText() string {
	if none(r.Break) == "none" && r.TopStep > 0 {
		return fmt.Sprintf("none to %.0f", r.TopStep)
	}
	return none(r.Break)
}

// none writes -1 (not reached) as "none".
func none(c Cell) string {
	if c.N > 0 && c.Median < 0 && c.Max < 0 {
		return "none"
	}
	return c.Format(0)
}
