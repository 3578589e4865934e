package report

import (
	"fmt"
	"slices"
	"strings"

	"netmodels/bench/store"
	"netmodels/bench/summary"
)

// A latency pass (hello-latency and hello-latency-whole) offers the same
// open rates, shares of a capacity measured in the run (summary.Of),
// under the run's CPU quota and on a whole CPU (summary.WholeCPU). Its
// rows carry one figure per share (summary.Levels).

// latencyPass is one model's latency pass over its repeats: per level,
// the p99s under the quota and on a whole CPU, and the rates offered.
type latencyPass struct {
	model        string
	of           string    // the capacity's scenario
	fractions    []float64 // of the capacity, per level
	rates        [][]float64
	quota, whole [][]float64 // p99 ms per level, one per repeat
	capacity     []float64   // the capacity the rates came from, per repeat
	genSoftirq   []float64   // softirq on the generator's CPUs under the quota, CPUs
	srvSoftirq   []float64   // softirq on the other CPUs (the server's), CPUs
	srvCPU       []float64   // the server's CPU under the quota, CPUs
}

// latencyPasses gathers the latency passes of rows, in the models' first
// order. The shares are the first repeat's rates over the capacity they
// came from (the summary keeps the rates, not the scenario's fractions).
func latencyPasses(rows []*summary.Summary) []*latencyPass {
	var out []*latencyPass
	by := map[string]*latencyPass{}
	capacity := map[[3]string]float64{} // model, scenario, repeat
	for _, s := range rows {
		capacity[[3]string{s.Model, s.Scenario, fmt.Sprint(s.Repeat)}] = summary.Capacity(s)
	}
	for _, s := range rows {
		if len(s.Levels) == 0 || s.Of == "" {
			continue
		}
		p := by[s.Model+" "+s.Of]
		if p == nil {
			p = &latencyPass{model: s.Model, of: s.Of}
			by[s.Model+" "+s.Of] = p
			out = append(out, p)
		}
		grow := func(v [][]float64) [][]float64 {
			for len(v) < len(s.Levels) {
				v = append(v, nil)
			}
			return v
		}
		p.quota, p.whole, p.rates = grow(p.quota), grow(p.whole), grow(p.rates)
		for i, l := range s.Levels {
			ms := float64(l.P99.Microseconds()) / 1000
			if s.WholeCPU {
				p.whole[i] = append(p.whole[i], ms)
				continue
			}
			p.quota[i] = append(p.quota[i], ms)
			p.rates[i] = append(p.rates[i], l.Offered)
		}
		if !s.WholeCPU {
			c := capacity[[3]string{s.Model, s.Of, fmt.Sprint(s.Repeat)}]
			p.capacity = append(p.capacity, c)
			if c > 0 && len(p.fractions) == 0 {
				for _, l := range s.Levels {
					p.fractions = append(p.fractions, l.Offered/c)
				}
			}
			if s.Softirq != nil {
				p.genSoftirq = append(p.genSoftirq, s.Softirq.Generator)
				p.srvSoftirq = append(p.srvSoftirq, s.Softirq.Others)
				p.srvCPU = append(p.srvCPU, s.ServerCPUShare)
			}
		}
	}
	return out
}

// middle is the index of the level nearest half the capacity.
func (p *latencyPass) middle() int {
	best := 0
	for i, f := range p.fractions {
		if d, b := abs(f-0.5), abs(p.fractions[best]-0.5); d < b {
			best = i
		}
	}
	return best
}

func abs(x float64) float64 { return max(x, -x) }

// latencySection is REPORT.md's section on latency below capacity; ""
// when the run has no latency pass.
func latencySection(rows []*summary.Summary, m *store.Meta) string {
	ps := latencyPasses(rows)
	if len(ps) == 0 {
		return ""
	}
	var b strings.Builder
	quota := "the run's CPU quota"
	if m != nil && m.ServerCPUShare > 0 {
		quota = fmt.Sprintf("the run's quota, %.2f of a CPU per %s period", m.ServerCPUShare, m.ServerCPUPeriod)
	}
	var shares []string
	for _, f := range ps[0].fractions {
		shares = append(shares, fmt.Sprintf("%.0f%%", 100*f))
	}
	fmt.Fprintf(&b, "A closed load runs a server flat out, so under a CPU quota its tail is the quota's: the server runs until its quota for the period is spent, and every request that arrives after waits for the next period. Here each model was offered open loads at %s of the rate it held in `%s`, first under %s, then at the same rates on a whole CPU. The p99s under the quota carry its throttling; those on a whole CPU are the model's own at those arrivals. p99 in ms; medians over repeats [min–max].\n\n",
		strings.Join(shares, ", "), ps[0].of, quota)
	b.WriteString("| model | capacity held, /s | rates offered, /s | p99 under the quota | p99 on a whole CPU | quota ÷ whole at " + shares[ps[0].middle()] + " | softirq, CPUs: on the generator's · on the others | the server's own CPU, CPUs |\n|---|---|---|---|---|---|---|---|\n")
	for _, p := range ps {
		var rates, q, w []string
		for i := range p.quota {
			rates = append(rates, fmt.Sprintf("%.0f", cell(p.rates[i]).Median))
			q = append(q, cell(p.quota[i]).Format(2))
			w = append(w, cell(p.whole[i]).Format(2))
		}
		ratio := "–"
		if i := p.middle(); i < len(p.whole) && len(p.whole[i]) > 0 && cell(p.whole[i]).Median > 0 {
			ratio = fmt.Sprintf("%.1f×", cell(p.quota[i]).Median/cell(p.whole[i]).Median)
		}
		soft, own := "–", "–"
		if len(p.genSoftirq) > 0 {
			soft = fmt.Sprintf("%.3f · %.3f", cell(p.genSoftirq).Median, cell(p.srvSoftirq).Median)
			own = fmt.Sprintf("%.3f", cell(p.srvCPU).Median)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", p.model, cell(p.capacity).Format(0), strings.Join(rates, " · "),
			strings.Join(q, " · "), strings.Join(w, " · "), ratio, soft, own)
	}
	b.WriteString("\nThe softirq column is the software interrupts' CPU time during the attack under the quota, on the generator's CPUs and on the others (the server's, and any idle one), beside the server's own CPU time. On loopback a packet's receive work runs in a softirq on the CPU that sent it: the requests' on the generator's CPUs, outside the server's process and its quota, and the answers' (the client's side of the work) on the server's. What that means for CPU per answer: docs/measurements/latency-quota.md.\n")
	return b.String()
}

// latencyFinding ranks the models by p99 at the middle share on a
// whole CPU, ties as ties, and says how far the quota moved it.
func latencyFinding(rows []*summary.Summary) string {
	ps := latencyPasses(rows)
	var cs []Cell
	var names []string
	var ratios []float64
	for _, p := range ps {
		i := p.middle()
		if i >= len(p.whole) || len(p.whole[i]) == 0 {
			continue
		}
		w := cell(p.whole[i])
		cs, names = append(cs, w), append(names, p.model)
		if q := cell(p.quota[i]); w.Median > 0 && q.N > 0 {
			ratios = append(ratios, q.Median/w.Median)
		}
	}
	if len(cs) == 0 {
		return ""
	}
	share := fmt.Sprintf("%.0f%%", 100*ps[0].fractions[ps[0].middle()])
	s := fmt.Sprintf("**[Latency below capacity](#latency-below-capacity)**, p99 on a whole CPU at %s of each model's capacity, lowest first: %s", share,
		rankLine(cs, false, func(i, _ int) string { return fmt.Sprintf("%s %s ms", names[i], Figure(cs[i].Median)) }))
	if len(ratios) > 0 {
		slices.Sort(ratios)
		s += fmt.Sprintf("; under the quota the same rates' p99 was %.1f–%.1f× the whole CPU's", ratios[0], ratios[len(ratios)-1])
	}
	return s + "."
}

// latencyChart draws, per model, the p99 at the middle share under the
// quota and on a whole CPU (medians over the repeats), on one log axis.
func latencyChart(dir string, ps []*latencyPass) (*Chart, error) {
	share := fmt.Sprintf("%.0f%%", 100*ps[0].fractions[ps[0].middle()])
	c := Chart{Name: "latency-below-capacity", Title: "p99 at " + share + " of each model's open capacity",
		Caption: "Each model at the same offered rate twice: under the run's CPU quota and on a whole CPU. Where the two dots are apart, the quota, not the model, set the tail; on a whole CPU the models' own tails are what is left, this machine's noise among it (its p99 at light load is about a millisecond). Log scale; each dot the median of the repeats (their ranges are in the table)."}
	var models []string
	quota, whole := map[string]float64{}, map[string]float64{}
	for _, p := range ps {
		i := p.middle()
		if i >= len(p.quota) {
			continue
		}
		models = append(models, p.model)
		if len(p.quota[i]) > 0 {
			quota[p.model] = cell(p.quota[i]).Median
		}
		if len(p.whole[i]) > 0 {
			whole[p.model] = cell(p.whole[i]).Median
		}
	}
	if err := dotChart(dir, c, "p99 latency, ms (log)", true, models, []string{"under the quota", "on a whole CPU"},
		func(m, s string) float64 {
			if s == "under the quota" {
				return quota[m]
			}
			return whole[m]
		}); err != nil {
		return nil, err
	}
	return &c, nil
}
