package report

import (
	"fmt"
	"strings"

	"netmodels/bench/reference"
	"netmodels/bench/summary"
)

// The seeds' own figures, as their documents give them (../shared/seeds).
// They are the other side of the reproduction tables; nothing here is
// measured by netmodels.

// BlogHardware is the blog's setup, in its words.
const BlogHardware = "Python socket servers in Docker inside a VMware Linux guest on a Windows laptop; Locust on a second machine (a MacBook) over the same Wi-Fi, through a forwarded port"

// SlidesHardware is the course slides' setup.
const SlidesHardware = "Django (Python) views under Locust, 500 users, 1-3 s think time; the machine is not stated"

// BlogServer is one of the blog's servers and the model that is its
// analogue here.
type BlogServer struct {
	Name, Model     string
	RPS, MeanMS     float64 // 0: the blog gives no figure
	BeforeFailure   int
	OrderOfOverview int // place in the blog's closing ranking by RPS (1 best)
}

// BlogServers are the blog's four servers. Its figures come from its first
// round (single process, multi-process, multi-thread); its closing summary
// ranks, after a fix to the threads' join, select > multi-process >
// multi-thread > single process by RPS, with no figure for select.
var BlogServers = []BlogServer{
	{"single process", "iterative", 765.7, 83, 18367, 4},
	{"multi-process", "fork", 768, 90, 19221, 2},
	{"multi-thread", "thread", 554.3, 151, 10727, 3},
	{"select", "select", 0, 0, 0, 1},
}

// SlidesRun is one of the slides' Locust runs and its scenario here.
type SlidesRun struct {
	Scenario string
	View     string
	Spawn    float64
	RPS      float64 // 0: no result (the server timed out)
	Latency  string  // the slides' words on response times
}

// SlidesRuns are the slides' seven runs.
var SlidesRuns = []SlidesRun{
	{"slides-1-builtin", "built-in sort, n=1000", 20, 212.0, "all within 0.6 s"},
	{"slides-1-bubble", "bubble sort, n=1000", 20, 59.3, "median 0.2 s, max 21 s; failures grow"},
	{"slides-1-bubble-slow", "bubble sort, n=1000", 5, 19.2, "all within 2.5 s"},
	{"slides-1-heap-slow", "priority queue, n=1000", 5, 219.5, "all within 1.1 s"},
	{"slides-2-builtin", "built-in sort, n=10000", 20, 90.7, "median 0.2 s, max 8.5 s"},
	{"slides-2-bubble", "bubble sort, n=10000", 20, 0, "no result: the server timed out"},
	{"slides-2-heap", "priority queue, n=10000", 20, 47.0, "median 8.1 s, p99 15 s, max 22 s; 0.5 failures/s"},
}

// blogFigures are the blog's metrics measured on one stress attack: the
// highest throughput of a step or probe below the breaking point (the
// test's definition of failing, not one stray failure;
// summary.Stress.MaxRPS), the mean latency of the whole run, the
// requests sent before the first failure (-1: none failed).
func blogFigures(s *summary.Summary) (maxRPS, meanMS float64, before int) {
	if s.Stress == nil {
		return 0, s.Mean, -1
	}
	maxRPS = s.Stress.MaxRPS()
	before = -1
	if s.Stress.Failed {
		before = s.Stress.BeforeFirstFailure
	}
	return maxRPS, s.Mean, before
}

// blogTable writes the blog's figures beside ours, from the blog scenario:
// for each of the blog's servers, its own Python code run here (as first
// written, with join() in the accept loop, and with the blog's fix, where
// the blog had both) and the netmodels model of the same family.
func blogTable(rows []*summary.Summary) string {
	got := map[string]*summary.Summary{}
	capacity := map[string][]float64{} // MaxRPS of every repeat
	for _, s := range rows {
		if s.Scenario == "blog" && s.Stress != nil {
			rps, _, _ := blogFigures(s)
			capacity[s.Model] = append(capacity[s.Model], rps)
		}
	}
	for _, s := range firstRepeats(rows, "blog") {
		got[s.Model] = s
	}
	if len(got) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("| blog's server | its RPS until failure | blog's mean ms | blog: requests before failure | here: system | what it is | capacity: most answers/s held below the breaking point | mean ms | requests before failure |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|\n")
	type ranked struct {
		model string
		rps   Cell
	}
	var first, fixed, models []ranked
	bound := false
	for _, bs := range BlogServers {
		var systems [][2]string // name, what it is
		for _, r := range reference.Of("blog") {
			if r.Family == bs.Model {
				systems = append(systems, [2]string{r.Name, r.Label})
			}
		}
		systems = append(systems, [2]string{bs.Model, "netmodels' model (Go)"})
		seed := func(v float64, f string) string {
			if v == 0 {
				return "–"
			}
			return fmt.Sprintf(f, v)
		}
		sb := "–"
		if bs.BeforeFailure > 0 {
			sb = fmt.Sprint(bs.BeforeFailure)
		}
		lead := fmt.Sprintf("%s | %s | %s | %s", bs.Name, seed(bs.RPS, "%.1f"), seed(bs.MeanMS, "%.0f"), sb)
		printed := false
		for _, sys := range systems {
			s := got[sys[0]]
			if s == nil {
				continue
			}
			_, m, bf := blogFigures(s)
			c := cell(capacity[sys[0]])
			rps := c.Median
			here, mean := capacityText(c, s.Stress), fmt.Sprintf("%.1f", m)
			if rps == 0 && s.Stress != nil && len(s.Stress.Steps) > 0 && s.Stress.BreakRPS > 0 && s.Stress.BreakRPS <= s.Stress.Steps[0].Offered {
				here = fmt.Sprintf("none: broke at the first step, %.0f/s", s.Stress.BreakRPS)
			}
			if s.GeneratorBound {
				here += " †"
				bound = true
			}
			before := "none failed"
			if bf >= 0 {
				before = fmt.Sprint(bf)
			} else if s.Stress != nil && s.Stress.BreakRPS > 0 {
				// It broke by requests it could not be sent: every
				// connection was waiting on it.
				before = fmt.Sprintf("every one sent answered; %d not sent", s.NotSent)
			}
			l := lead
			if printed {
				l = " | | | "
			}
			printed = true
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", l, sys[0], sys[1], here, mean, before)
			r := ranked{sys[0], c}
			switch ref, ok := reference.Lookup(sys[0]); {
			case !ok:
				models = append(models, r)
			case ref.Join():
				first = append(first, r)
			default:
				fixed = append(fixed, r)
				if bs.Model != "select" { // the blog's first round had no select server
					if !hasJoinVariant(bs.Model) {
						first = append(first, r)
					}
				}
			}
		}
	}
	order := func(rs []ranked) string {
		cs := make([]Cell, len(rs))
		for i, r := range rs {
			cs[i] = r.rps
		}
		return rankLine(cs, true, func(i, _ int) string { return fmt.Sprintf("%s %.0f", rs[i].model, rs[i].rps.Median) })
	}
	if bound {
		fmt.Fprintf(&b, "\n† the generator limited this attack: the figure is what it could offer, a lower bound.\n")
	}
	fmt.Fprintf(&b, "\nThe capacity is the most answers/s of a step the server held, below the first rate at which it broke (more than 1%% failed, or any request timed out)%s.\n", refineText(rows))
	b.WriteString("\nRanking by capacity here, answers/s, " + repeatsText(capacity) + ":\n\n")
	if len(first) > 0 {
		fmt.Fprintf(&b, "- the blog's code as it first ran (join() in the accept loop): %s; the blog's: multi-process 768 ≈ single process 765.7 > multi-thread 554.3.\n", order(first))
	}
	if len(fixed) > 0 {
		fmt.Fprintf(&b, "- the blog's code with its fix, and its select server: %s; the blog's closing ranking: select > multi-process > multi-thread > single process.\n", order(fixed))
	}
	if len(models) > 0 {
		fmt.Fprintf(&b, "- netmodels' models of the same families: %s.\n", order(models))
	}
	return b.String()
}

// capacityText is a blog capacity with what bounds it: its range over
// the repeats, or, measured once, the rates the probes held and broke at.
func capacityText(c Cell, st *summary.Stress) string {
	if c.N != 1 || st == nil || len(st.Probes) == 0 || st.CleanRPS <= 0 {
		return c.Format(0)
	}
	return fmt.Sprintf("%.0f (held %.0f/s, broke at %.0f/s)", c.Median, st.CleanRPS, st.BreakRPS)
}

// refineText says how the breaking points of the blog's rows were found:
// on the steps alone, or narrowed by probes.
func refineText(rows []*summary.Summary) string {
	probes, n := 0, 0
	for _, s := range rows {
		if s.Scenario == "blog" && s.Stress != nil && s.Stress.BreakRPS > 0 {
			n++
			if len(s.Stress.Probes) > 0 {
				probes++
			}
		}
	}
	switch {
	case probes == 0:
		return "; the breaking point is the first broken step of the grid, so the capacity is known only to within the grid's doubling"
	case probes < n:
		return fmt.Sprintf("; in %d of the %d attacks that broke, probes between the last clean step and the first broken one narrowed the breaking point to within 10%%, in the others it is the grid's", probes, n)
	}
	return "; after the steps, probes between the last clean step and the first broken one narrowed the breaking point to within 10% (held, broke at)"
}

// repeatsText says how many times each capacity was measured and how
// ranks are read from them.
func repeatsText(capacity map[string][]float64) string {
	most := 0
	for _, v := range capacity {
		most = max(most, len(v))
	}
	if most <= 1 {
		return fmt.Sprintf("each model measured once (≈: within %g× of each other, tied)", NoGap)
	}
	return fmt.Sprintf("medians of up to %d repeats [min–max] (≈: ranges that overlap, tied)", most)
}

// hasJoinVariant reports whether the blog's server of family model had a
// version with join() in its accept loop.
func hasJoinVariant(model string) bool {
	for _, r := range reference.Of("blog") {
		if r.Family == model && r.Join() {
			return true
		}
	}
	return false
}

// slidesTable writes the slides' runs beside ours.
func slidesTable(rows []*Row) string {
	byScenario := map[string][]*Row{}
	for _, r := range rows {
		byScenario[r.Scenario] = append(byScenario[r.Scenario], r)
	}
	var b strings.Builder
	n := 0
	for _, sr := range SlidesRuns {
		for _, r := range byScenario[sr.Scenario] {
			if n == 0 {
				b.WriteString("| run | spawn/s | slides: RPS | slides: response times | here: model | answers/s | success % | p50 ms | p99 ms | max ms | server CPU µs/answer |\n")
				b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|\n")
			}
			n++
			seed := "no result"
			if sr.RPS > 0 {
				seed = fmt.Sprintf("%.1f", sr.RPS)
			}
			model := r.Model
			if ref, ok := reference.Lookup(r.Model); ok {
				model += " (" + ref.Label + ")"
			}
			fmt.Fprintf(&b, "| %s | %.0f | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", sr.View, sr.Spawn, seed, sr.Latency,
				model, r.Throughput.Format(1), r.Success.Format(1), r.P50.Format(1), r.P99.Format(1), r.Max.Format(0), r.CPUPerAnswer.Format(0))
		}
	}
	return b.String()
}
