package report

import (
	"fmt"
	"strings"

	"netmodels/bench/scenario"
	"netmodels/bench/store"
	"netmodels/bench/summary"
)

// findings is the report's opening: what the run shows, computed from its
// rows, each line linking to the table it comes from. "" for a run with
// nothing to compare (one model, no CPU samples).
func findings(m *store.Meta, agg []*Row, idle []store.IdleRow, shapes map[string]string, rows []*summary.Summary) string {
	lines := findingLines(m, agg, idle, shapes, rows)
	if len(lines) == 0 {
		return ""
	}
	return "\n## What this run shows\n\nComputed from the tables below; each line links to its table. " + tieRule + "\n\n- " + strings.Join(lines, "\n- ") + "\n"
}

// findingLines are the findings' lines, in Markdown.
func findingLines(m *store.Meta, agg []*Row, idle []store.IdleRow, shapes map[string]string, rows []*summary.Summary) []string {
	var lines []string
	bound := 0
	for _, r := range agg {
		if r.GeneratorBound > 0 {
			bound++
		}
	}
	for _, sc := range rowScenarios(agg) {
		rows := scenarioRows(agg, sc)
		if l := cpuRanking(sc, rows); l != "" {
			lines = append(lines, l)
		}
		if l := breaking(sc, rows); l != "" {
			lines = append(lines, l)
		}
	}
	if l := latencyFinding(rows); l != "" {
		lines = append(lines, l)
	}
	if len(idle) > 1 {
		var parts, none []string
		var measured []store.IdleRow
		for _, r := range idle {
			if !r.Measured() {
				none = append(none, fmt.Sprintf("%s held %d at once", r.Model, r.Conns))
				continue
			}
			measured = append(measured, r)
		}
		per := make([]Cell, len(measured))
		for i, r := range measured {
			per[i] = one(r.PSSPerConnKiB)
		}
		if len(measured) > 0 {
			parts = append(parts, rankLine(per, false, func(i, _ int) string {
				return fmt.Sprintf("%s %s", measured[i].Model, Figure(per[i].Median))
			}))
		}
		l := fmt.Sprintf("**Memory per idle connection**, least first (KiB): %s", strings.Join(parts, ", "))
		if len(none) > 0 {
			l += fmt.Sprintf(" (no figure: %s)", strings.Join(none, ", "))
		}
		lines = append(lines, l+". [table](#memory-per-idle-connection)")
	}
	var heads []string
	for _, sc := range rowScenarios(agg) {
		if h := headroomFigure(m, shapes[sc], scenarioRows(agg, sc)); h > 0 {
			heads = append(heads, fmt.Sprintf("[%s](#%s) %.1f×", sc, sc, h))
		}
	}
	if len(heads) > 0 || len(lines) > 0 {
		g := "**The generator**: "
		if len(heads) > 0 {
			g += "headroom (its ceiling over the best model's answers/s) " + strings.Join(heads, ", ") + "; "
		}
		if bound == 0 {
			g += "no figure is marked †: the server set every one."
		} else {
			g += fmt.Sprintf("%d of %d rows are marked †: there the generator, not the server, set the figure.", bound, len(agg))
		}
		lines = append(lines, g)
	}
	if l := machine(agg); l != "" {
		lines = append(lines, l)
	}
	if l := conntrack(agg); l != "" {
		lines = append(lines, l)
	}
	if l := latencyClock(agg); l != "" {
		lines = append(lines, l)
	}
	return lines
}

// machine says how much the hypervisor took of the machine's CPUs during
// the attacks, and which rows it disturbed; "" when no attack read it.
func machine(agg []*Row) string {
	most, read := 0.0, false
	var hit []string
	for _, r := range agg {
		if !r.StealRead {
			continue
		}
		read = true
		most = max(most, r.MostStolen)
		if r.Disturbed > 0 {
			hit = append(hit, r.Scenario+"/"+r.Model)
		}
	}
	if !read {
		return ""
	}
	l := fmt.Sprintf("**The machine**: the hypervisor took at most %.1f%% of a CPU during any attack (steal time); ", 100*most)
	if len(hit) == 0 {
		return l + fmt.Sprintf("no attack lost %.0f%% or more, so no p99 is marked ‡.", 100*summary.StealLimit)
	}
	verb, tail := "are", "their tails"
	if len(hit) == 1 {
		verb, tail = "is", "its tail"
	}
	return l + fmt.Sprintf("%d of %d rows %s marked ‡ (%.0f%% or more), %s partly the machine's: %s.", len(hit), len(agg), verb, 100*summary.StealLimit, tail, strings.Join(hit, ", "))
}

// conntrack says whether the kernel's connection tracking dropped
// packets during the attacks, and in which rows; "" when no attack read
// its counters (no nf_conntrack loaded).
func conntrack(agg []*Row) string {
	read := false
	var hit []string
	var drops uint64
	for _, r := range agg {
		read = read || r.ConntrackRead
		drops += r.Drops
		if r.Dropped > 0 {
			hit = append(hit, r.Scenario+"/"+r.Model)
		}
	}
	switch {
	case !read:
		return ""
	case len(hit) == 0:
		return "**Connection tracking** was on (nf_conntrack) and dropped no packet during any attack."
	}
	return fmt.Sprintf("**Connection tracking** dropped %d packets in %d of %d rows, marked ‡ (%s): %s.", drops, len(hit), len(agg), strings.Join(hit, ", "), summary.DroppedNote)
}

// latencyClock says where the latencies end when some were stamped by
// the kernel at the answer (netbench run -rx-stamps), where they start
// when some were stamped at the request (-tx-stamps), and how long the
// generator kept each out of them; "" when none was.
func latencyClock(agg []*Row) string {
	var rx, tx, rxPlain, txPlain []string
	mostRead, mostSend := 0.0, 0.0
	for _, r := range agg {
		name := r.Scenario + "/" + r.Model
		if r.Stamped > 0 {
			rx = append(rx, name)
			mostRead = max(mostRead, r.MostReadWait)
		}
		if r.Stamped < r.Repeats {
			rxPlain = append(rxPlain, name)
		}
		if r.SendStamped > 0 {
			tx = append(tx, name)
			mostSend = max(mostSend, r.MostSendWait)
		}
		if r.SendStamped < r.Repeats {
			txPlain = append(txPlain, name)
		}
	}
	var parts []string
	if len(rx) > 0 {
		l := fmt.Sprintf("latencies end when the kernel received each answer (netbench run -rx-stamps), not when netbench read it; answers then waited for netbench up to %s ms at p99 in an attack, a wait left out of every latency here", Figure(mostRead))
		if len(rxPlain) > 0 {
			l += fmt.Sprintf(". In at least one repeat of %s the latencies end when netbench read the answer: those are not comparable with the stamped ones", strings.Join(rxPlain, ", "))
		}
		parts = append(parts, l)
	}
	if len(tx) > 0 {
		l := fmt.Sprintf("latencies start when the kernel sent each request (netbench run -tx-stamps), not when netbench began it; requests waited for that up to %s ms at p99 in an attack, a wait left out too", Figure(mostSend))
		if len(txPlain) > 0 {
			l += fmt.Sprintf(". In at least one repeat of %s the latencies start when netbench began the request: those are not comparable with the send-stamped ones", strings.Join(txPlain, ", "))
		}
		parts = append(parts, l)
	}
	if len(parts) == 0 {
		return ""
	}
	if len(parts) == 2 {
		parts[1] = "They " + strings.TrimPrefix(parts[1], "latencies ")
	}
	return "**The latency clock**: " + strings.Join(parts, ". ") + "."
}

// cpuRanking ranks a scenario's models by server CPU per answer, with
// each one's ratio to the cheapest, tied where the noise does not separate
// them, and says whether the ranking by answers/s agrees (Kendall's tau
// between the two orders, over the pairs the noise separates in both).
func cpuRanking(sc string, rows []*Row) string {
	var rs []*Row
	for _, r := range rows {
		if r.CPUPerAnswer.N > 0 && r.CPUPerAnswer.Median > 0 {
			rs = append(rs, r)
		}
	}
	if len(rs) < 2 {
		return ""
	}
	cpu := make([]Cell, len(rs))
	for i, r := range rs {
		cpu[i] = r.CPUPerAnswer
	}
	order := rankLine(cpu, false, func(i, first int) string {
		if i == first {
			return fmt.Sprintf("%s %s µs", rs[i].Model, Figure(cpu[i].Median))
		}
		return fmt.Sprintf("%s %s×", rs[i].Model, Figure(cpu[i].Median/cpu[first].Median))
	})
	out := fmt.Sprintf("**[%s](#%s)**, server CPU per answer, cheapest first: %s.", sc, sc, order)
	// Where the load let each model go as fast as it could (closed loads,
	// and a stress test's best step), the order by answers/s should be the
	// order by CPU: Kendall's tau says how far it is.
	cheap := make([]Cell, len(rs))
	fast := make([]Cell, len(rs))
	for i, r := range rs {
		cheap[i] = neg(r.CPUPerAnswer)
		switch {
		case r.PeakStep.N > 0:
			fast[i] = r.PeakStep
		case r.Kind == scenario.Closed:
			fast[i] = r.Throughput
		default:
			return out
		}
	}
	what := "answers/s"
	if rs[0].PeakStep.N > 0 {
		what = "the best step's answers/s"
	}
	tau, ok := kendall(cheap, fast)
	if !ok {
		return out + fmt.Sprintf(" Ranked by %s instead, no two models are apart in both orders.", what)
	}
	return out + fmt.Sprintf(" Ranked by %s instead, the order agrees with Kendall's τ = %.2f (1: the same order; over the pairs apart in both).", what, tau)
}

// breaking says which models broke first in a stress scenario and at
// what offered rate, and which did not break at all.
func breaking(sc string, rows []*Row) string {
	var broke, held []*Row
	for _, r := range rows {
		if r.Break.N == 0 {
			continue
		}
		if r.Break.Median < 0 {
			held = append(held, r)
		} else {
			broke = append(broke, r)
		}
	}
	if len(broke)+len(held) == 0 {
		return ""
	}
	at := make([]Cell, len(broke))
	for i, r := range broke {
		at[i] = r.Break
	}
	s := fmt.Sprintf("**[%s](#%s)**, breaking points, lowest rate first: ", sc, sc)
	if len(broke) == 0 {
		s += "none broke"
	} else {
		s += rankLine(at, false, func(i, _ int) string {
			return fmt.Sprintf("%s at %s/s", broke[i].Model, Figure(at[i].Median))
		})
	}
	if len(held) > 0 {
		var names []string
		for _, r := range held {
			names = append(names, r.Model)
		}
		s += fmt.Sprintf("; nothing broke up to %s/s for %s", Figure(held[0].TopStep), strings.Join(names, ", "))
	}
	return s + "."
}

// rowScenarios lists the scenarios of aggregated rows in order.
func rowScenarios(agg []*Row) []string {
	var out []string
	for i, r := range agg {
		if i == 0 || agg[i-1].Scenario != r.Scenario {
			out = append(out, r.Scenario)
		}
	}
	return out
}

func scenarioRows(agg []*Row, sc string) []*Row {
	var out []*Row
	for _, r := range agg {
		if r.Scenario == sc {
			out = append(out, r)
		}
	}
	return out
}
