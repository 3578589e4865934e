package report

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	vplot "github.com/tsenart/vegeta/v12/lib/plot"

	"netmodels/bench/reference"
	"netmodels/bench/scenario"
	"netmodels/bench/store"
	"netmodels/bench/summary"
)

// File names in a run directory.
const (
	ReportFile = "REPORT.md"
	ChartsDir  = "charts"
	PlotsDir   = "plots"
)

// Input is everything a report is made of; Read collects it from a run
// directory.
type Input struct {
	Meta    *store.Meta
	Rows    []*summary.Summary
	Idle    []store.IdleRow
	Series  map[string][]summary.Second // "<scenario>/<model>": repeat 1
	Docs    map[string]string           // scenario name: its description and load
	Shapes  map[string]string           // scenario name: its request shape (scenario.Shape)
	Steps   map[string][]StepMark       // scenario name: its load's steps, for vegeta's plot
	HasGobs map[string]bool             // scenarios with stored vegeta results
	// Timeouts are the scenarios' request timeouts, the ceiling a
	// latency cannot pass.
	Timeouts map[string]time.Duration
}

// Read loads a run directory.
func Read(dir, scenarioDir string) (*Input, error) {
	in := &Input{Series: map[string][]summary.Second{}, Docs: map[string]string{}, Shapes: map[string]string{},
		Steps: map[string][]StepMark{}, HasGobs: map[string]bool{}, Timeouts: map[string]time.Duration{}}
	var err error
	if in.Meta, err = store.ReadMeta(dir); err != nil {
		return nil, err
	}
	if in.Rows, err = store.ReadSummaries(dir); err != nil {
		return nil, err
	}
	if in.Idle, err = store.ReadIdle(dir); err != nil {
		return nil, err
	}
	for _, s := range in.Rows {
		if sc, err := scenario.Find(scenarioDir, s.Scenario); err == nil {
			in.Docs[s.Scenario] = sc.Doc
			in.Shapes[s.Scenario] = sc.Shape()
			in.Steps[s.Scenario] = stepMarks(sc)
			in.Timeouts[s.Scenario] = sc.Timeout.Duration
		}
		if s.Repeat != 1 {
			continue
		}
		base := store.AttackBase(dir, s.Scenario, s.Model, s.Repeat)
		if series, err := store.ReadSeries(base + store.SeriesExt); err == nil {
			in.Series[s.Scenario+"/"+s.Model] = series
		}
		if _, err := os.Stat(base + store.ResultsExt); err == nil {
			in.HasGobs[s.Scenario] = true
		}
	}
	return in, nil
}

// Write makes dir/REPORT.md, dir/report.html, dir/charts/*.png|svg and
// dir/plots/*.html from a run directory.
func Write(dir, scenarioDir string) error {
	in, err := Read(dir, scenarioDir)
	if err != nil {
		return err
	}
	charts := filepath.Join(dir, ChartsDir)
	if err := os.MkdirAll(charts, 0o755); err != nil {
		return err
	}
	made, err := DrawCharts(in, charts)
	if err != nil {
		return err
	}
	plots, err := vegetaPlots(dir, in)
	if err != nil {
		return err
	}
	if err := writeHTML(dir, in, made); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, ReportFile), []byte(Document(in, made, plots)), 0o644)
}

// Drawn are the charts of a report, by section.
type Drawn struct {
	Scenario map[string][]Chart // per scenario
	Breaking *Chart
	Latency  *Chart
	Memory   *Chart
}

// DrawCharts draws every chart the input has data for into dir.
func DrawCharts(in *Input, dir string) (*Drawn, error) {
	d := &Drawn{Scenario: map[string][]Chart{}}
	st := newModelStyle(in.Rows)
	for _, sc := range scenarios(in.Rows) {
		stressed := false
		for _, s := range firstRepeats(in.Rows, sc) {
			stressed = stressed || s.Stress != nil
		}
		if stressed {
			cs, err := stressCharts(dir, sc, in.Rows, st, in.Timeouts[sc])
			if err != nil {
				return nil, fmt.Errorf("%s: %v", sc, err)
			}
			d.Scenario[sc] = append(d.Scenario[sc], cs...)
		}
		// Time series where the load changes over time: stress tests and
		// user ramps (what Locust's Charts tab shows).
		for _, s := range firstRepeats(in.Rows, sc) {
			series := in.Series[sc+"/"+s.Model]
			if len(series) == 0 || !(s.Stress != nil || s.LoadKind() == scenario.Users) {
				continue
			}
			c, err := seriesChart(dir, sc, s.Model, series)
			if err != nil {
				return nil, fmt.Errorf("%s/%s: %v", sc, s.Model, err)
			}
			d.Scenario[sc] = append(d.Scenario[sc], c)
		}
		// Throughput and CPU per answer by model, where several models
		// ran it; a stress test's mean over its steps says nothing, its
		// own charts show the steps.
		if len(firstRepeats(in.Rows, sc)) > 1 {
			cs, err := modelCharts(dir, sc, scenarioRows(Aggregate(in.Rows), sc), stressed)
			if err != nil {
				return nil, fmt.Errorf("%s: %v", sc, err)
			}
			d.Scenario[sc] = append(d.Scenario[sc], cs...)
		}
	}
	// Breaking points of every stress scenario's models.
	var models []string
	knee, brk, below := map[string]float64{}, map[string]float64{}, map[string]float64{}
	stressScenarios := map[string]bool{}
	for _, r := range Aggregate(in.Rows) {
		if r.Knee.N > 0 {
			stressScenarios[r.Scenario] = true
		}
	}
	for _, r := range Aggregate(in.Rows) {
		if r.Knee.N == 0 {
			continue
		}
		label := r.Model
		if len(stressScenarios) > 1 {
			label = r.Model + " · " + r.Scenario
		}
		models = append(models, label)
		knee[label], brk[label] = r.Knee.Median, r.Break.Median
		if r.Knee.Median < 0 && r.FirstStep > 0 {
			// No step held: the knee is below the first step, drawn
			// at a floor below every point, which the legend names.
			below[label] = r.FirstStep
		}
	}
	if len(below) > 0 {
		at := math.Inf(1)
		for _, m := range models {
			if brk[m] > 0 {
				at = math.Min(at, brk[m])
			}
			if knee[m] > 0 {
				at = math.Min(at, knee[m])
			}
			if v, ok := below[m]; ok {
				at = math.Min(at, v)
			}
		}
		for m := range below {
			below[m] = at / 2
		}
	}
	if len(models) > 0 {
		sort.SliceStable(models, func(i, j int) bool { return score(knee, brk, models[i]) < score(knee, brk, models[j]) })
		c := Chart{Name: "breaking-points", Title: "Knee and breaking point by model",
			Caption: "The knee is the highest offered rate a model still served on time (throughput ≥ 95% of offered, p99 within 3× of the first step); the breaking point the first rate at which it failed requests (more than 1%, or any timeout), narrowed between the steps by probes to within 10% where the scenario refines it (the blog's). A model with no breaking point shows its knee only: nothing the test offered broke it."}
		series := []string{"knee", "breaking point"}
		floor := ""
		for _, v := range below {
			floor = fmt.Sprintf("knee below the first step (at %s/s)", Figure(v))
		}
		if floor != "" {
			series = append(series, floor)
			c.Caption += " A model no step of which held has its knee below the first step: it is drawn apart, at a floor below every other point that the legend names."
		}
		if err := dotChart(dir, c, "offered requests/s (log)", true, models, series,
			func(m, s string) float64 {
				switch s {
				case "knee":
					return knee[m]
				case "breaking point":
					return brk[m]
				}
				return below[m]
			}); err == nil {
			d.Breaking = &c
		}
	}
	if ps := latencyPasses(in.Rows); len(ps) > 0 {
		c, err := latencyChart(dir, ps)
		if err != nil {
			return nil, err
		}
		d.Latency = c
	}
	if len(in.Idle) > 0 {
		c, err := idleChart(dir, in.Idle)
		if err != nil {
			return nil, err
		}
		c.Caption += " Measured on a whole CPU, once per model (netbench idle)."
		d.Memory = &c
	}
	for sc, cs := range d.Scenario {
		for i := range cs {
			// Series and a stress test's lines draw repeat 1; the others
			// the medians of every repeat.
			first := strings.HasSuffix(cs[i].Name, "-series") || strings.HasSuffix(cs[i].Name, "-throughput") || strings.HasSuffix(cs[i].Name, "-p99")
			cs[i].Caption += " " + settingText(in.Meta, in.Rows, first, sc)
		}
	}
	if d.Breaking != nil {
		var scs []string
		for sc := range stressScenarios {
			scs = append(scs, sc)
		}
		sort.Strings(scs)
		d.Breaking.Caption += " " + settingText(in.Meta, in.Rows, false, scs...)
	}
	if d.Latency != nil {
		var scs []string
		for _, s := range in.Rows {
			if len(s.Levels) > 0 && !slices.Contains(scs, s.Scenario) {
				scs = append(scs, s.Scenario)
			}
		}
		d.Latency.Caption += " " + settingText(in.Meta, in.Rows, false, scs...)
	}
	return d, nil
}

// settingText says, for a chart's caption, what the server had and how
// many times each point was measured: the CPU share and period (or a
// whole CPU, for a scenario that ran without the quota), and the repeats,
// of which a chart of repeat 1 (first) draws one.
func settingText(m *store.Meta, rows []*summary.Summary, first bool, scs ...string) string {
	reps, whole := 0, true
	for _, s := range rows {
		if slices.Contains(scs, s.Scenario) {
			reps = max(reps, s.Repeat)
			whole = whole && s.WholeCPU
		}
	}
	cpu := "each server on a whole CPU"
	if m != nil && m.ServerCPUShare > 0 && !whole {
		cpu = fmt.Sprintf("each server held to %.2f of a CPU per %s period", m.ServerCPUShare, m.ServerCPUPeriod)
	}
	how := "measured once"
	switch {
	case reps > 1 && first:
		how = fmt.Sprintf("repeat 1 of %d", reps)
	case reps > 1:
		how = fmt.Sprintf("%d repeats", reps)
	}
	return "Here: " + cpu + "; " + how + "."
}

// score orders models by how much they withstood.
func score(knee, brk map[string]float64, m string) float64 {
	if brk[m] < 0 {
		return 1e12 + knee[m]
	}
	return brk[m]*1e3 + knee[m]
}

// scenarios lists the scenarios of rows in first-seen order.
func scenarios(rows []*summary.Summary) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range rows {
		if !seen[s.Scenario] {
			seen[s.Scenario] = true
			out = append(out, s.Scenario)
		}
	}
	return out
}

// vegetaPlots writes vegeta's own HTML plot of each scenario, the models'
// attacks (repeat 1) overlaid, and returns scenario → relative path.
func vegetaPlots(dir string, in *Input) (map[string]string, error) {
	out := map[string]string{}
	st := newModelStyle(in.Rows)
	for _, sc := range scenarios(in.Rows) {
		rel := filepath.Join(PlotsDir, sc+".html")
		if !in.HasGobs[sc] {
			// A run whose raw results were left out (the committed
			// reference) keeps the plots it had.
			if _, err := os.Stat(filepath.Join(dir, rel)); err == nil {
				out[sc] = rel
			}
			continue
		}
		p := vplot.New(vplot.Title("netmodels: "+sc), vplot.Downsample(600))
		for _, s := range firstRepeats(in.Rows, sc) {
			if err := addGob(p, store.AttackBase(dir, sc, s.Model, s.Repeat)+store.ResultsExt); err != nil {
				return nil, fmt.Errorf("%s/%s: %v", sc, s.Model, err)
			}
		}
		p.Close()
		if err := os.MkdirAll(filepath.Join(dir, PlotsDir), 0o755); err != nil {
			return nil, err
		}
		f, err := os.Create(filepath.Join(dir, rel))
		if err != nil {
			return nil, err
		}
		var html bytes.Buffer
		if _, err := p.WriteTo(&html); err != nil {
			f.Close()
			return nil, err
		}
		b, err := restylePlot(html.Bytes(), st.index, in.Steps[sc])
		if err != nil {
			fmt.Fprintf(os.Stderr, "report: %s: vegeta's plot kept as it is: %v\n", sc, err)
			b = html.Bytes()
		}
		if _, err := f.Write(b); err != nil {
			f.Close()
			return nil, err
		}
		if err := f.Close(); err != nil {
			return nil, err
		}
		out[sc] = rel
	}
	return out, nil
}

func addGob(p *vplot.Plot, path string) error {
	rs, err := store.ReadResults(path)
	if err != nil {
		return err
	}
	// vegeta's plot orders results by sequence number, wants their
	// timestamps non-decreasing in that order, and holds back every result
	// after a gap until the gap fills. Neither holds for every load: an
	// open load's requests not sent leave gaps that never fill, and a
	// users load's users stamp their requests concurrently. So plot the
	// results in the order they were sent, numbered without gaps.
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].Timestamp.Before(rs[j].Timestamp) })
	for i := range rs {
		rs[i].Seq = uint64(i)
		if err := p.Add(&rs[i]); err != nil {
			return err
		}
	}
	return nil
}

// Document writes REPORT.md.
func Document(in *Input, d *Drawn, plots map[string]string) string {
	var b strings.Builder
	m := in.Meta
	fmt.Fprintf(&b, "# netmodels run %s\n\n", m.RunID)
	// Run directories sit at results/<run-id>/, two levels below the docs.
	fmt.Fprintf(&b, "Made by `netbench report` from this directory's `summary.json`, `meta.json`, time series and vegeta results. How to read it: [docs/reading-results.md](../../docs/reading-results.md); how it was measured: [docs/methodology.md](../../docs/methodology.md).\n\n")
	b.WriteString("## Where and how\n\n")
	fmt.Fprintf(&b, "- Machine: %s, %d CPUs, %.1f GiB; kernel %s\n", m.CPUModel, m.CPUs, float64(m.MemoryKiB)/(1<<20), m.Kernel)
	fmt.Fprintf(&b, "- Software: %s, vegeta %s", m.Go, m.Vegeta)
	if m.Docker != "" {
		fmt.Fprintf(&b, ", Docker %s", m.Docker)
	}
	fmt.Fprintf(&b, "; netmodels %s\n", m.Git)
	fmt.Fprintf(&b, "- Server on CPUs %s (GOMAXPROCS %d), load generator on CPUs %s\n", m.ServerCPUs, m.ServerGOMAXPROCS, m.HarnessCPUs)
	if m.ServerCPUShare > 0 {
		how := "set with -server-cpu"
		if len(m.Calibration) > 0 {
			how = "calibrated (-server-cpu auto) so that the fastest model's capacity is at most half the generator's ceiling; the calibration is in meta.json"
		}
		fmt.Fprintf(&b, "- The server had %.2f of a CPU per %s period, every model the same: %s\n", m.ServerCPUShare, m.ServerCPUPeriod, how)
	}
	fmt.Fprintf(&b, "- Command: `%s`\n", strings.Join(m.Command, " "))
	if !m.Finished.IsZero() {
		fmt.Fprintf(&b, "- Started %s, took %v\n", m.Started.UTC().Format(time.RFC3339), m.Finished.Sub(m.Started).Round(time.Second))
	}
	for _, n := range m.Notes {
		fmt.Fprintf(&b, "- Note: %s\n", n)
	}
	agg := Aggregate(in.Rows)
	for _, r := range agg {
		for _, i := range in.Idle {
			if i.Model == r.Model && i.Measured() {
				r.MemPerConnKiB = i.PSSPerConnKiB
			}
		}
	}
	b.WriteString(findings(m, agg, in.Idle, in.Shapes, in.Rows))
	b.WriteString("\n## Scenarios\n")
	for _, sc := range scenarios(in.Rows) {
		var rows []*Row
		for _, r := range agg {
			if r.Scenario == sc {
				rows = append(rows, r)
			}
		}
		tab := strings.TrimPrefix(Markdown(rows), "\n")
		// Markdown's own heading names the scenario; add what it is.
		lead := ""
		if doc := in.Docs[sc]; doc != "" {
			lead = doc + ".\n\n"
		}
		lead += headroom(m, in.Shapes[sc], rows)
		if lead != "" {
			tab = strings.Replace(tab, "\n\n", "\n\n"+lead, 1)
		}
		b.WriteString("\n" + tab)
		b.WriteString(failuresTable(in.Rows, sc))
		b.WriteString(statisticsTable(in.Rows, sc))
		if p, ok := plots[sc]; ok {
			fmt.Fprintf(&b, "\nvegeta's own plot of every request's latency, models overlaid: [%s](%s)\n", p, p)
		}
		for _, c := range d.Scenario[sc] {
			writeChart(&b, c)
		}
	}
	if d.Breaking != nil {
		b.WriteString("\n## Breaking points\n")
		writeChart(&b, *d.Breaking)
	}
	if l := latencySection(in.Rows, m); l != "" {
		b.WriteString("\n## Latency below capacity\n\n" + l)
		if d.Latency != nil {
			writeChart(&b, *d.Latency)
		}
	}
	if len(in.Idle) > 0 {
		b.WriteString("\n## Memory per idle connection\n\n")
		b.WriteString("| model | connections held | PSS KiB/conn | RSS KiB/conn | threads/conn | processes/conn | note |\n|---|---|---|---|---|---|---|\n")
		for _, r := range in.Idle {
			if !r.Measured() {
				fmt.Fprintf(&b, "| %s | %d | – | – | – | – | %s |\n", r.Model, r.Conns, r.Note)
				continue
			}
			fmt.Fprintf(&b, "| %s | %d | %.1f | %.1f | %.3f | %.3f | %s |\n", r.Model, r.Conns, r.PSSPerConnKiB, r.RSSPerConnKiB, r.ThreadsPerConn, r.ProcsPerConn, r.Note)
		}
		if d.Memory != nil {
			writeChart(&b, *d.Memory)
		}
	}
	b.WriteString(seedsSection(in, agg))
	return b.String()
}

// seedsSection is REPORT.md's section on the seeds, "" when the run
// has none of their scenarios.
func seedsSection(in *Input, agg []*Row) string {
	var b strings.Builder
	blog, slides := blogTable(in.Rows), slidesTable(agg)
	if blog != "" || slides != "" {
		b.WriteString("\n## Reproducing the seeds\n\n")
		b.WriteString("The seeds' figures come from their documents; the figures beside them from this run. Why they agree or not: docs/reading-results.md.\n")
		if blog != "" {
			fmt.Fprintf(&b, "\n### The blog: Python servers under Locust\n\nThe blog's setup: %s. Here: the `blog` scenario (a stress test of `GET /hello`, a new connection per request, rising steps), on this run's machine%s, %s.\n\n%s", BlogHardware, shareText(in.Meta), seedSystems(in.Rows, "blog"), blog)
		}
		if slides != "" {
			fmt.Fprintf(&b, "\n### The course slides: sorting views under 500 Locust users\n\nThe slides' setup: %s. Here: one scenario per run of the slides, the same users, spawn rates and think time%s, %s.\n\n%s", SlidesHardware, shareText(in.Meta), seedSystems(in.Rows, "course"), slides)
		}
	}
	return b.String()
}

// shareText says the run's CPU share for the seeds' section, "" without
// one.
func shareText(m *store.Meta) string {
	if m == nil || m.ServerCPUShare <= 0 {
		return ", each server with a whole CPU"
	}
	return fmt.Sprintf(", each server (model or seed's system alike) held to %.2f of a CPU per %s period", m.ServerCPUShare, m.ServerCPUPeriod)
}

// headroom says how far the generator was from its limit in a scenario:
// its ceiling for the scenario's request shape (from the run's
// calibration) over the best model's answers/s. "" without a calibration.
func headroom(m *store.Meta, shape string, rows []*Row) string {
	h, c, best := headroomOf(m, shape, rows)
	if h <= 0 {
		return ""
	}
	verdict := "the server, not the generator, set these figures"
	if h < 1.25 {
		verdict = "the generator was near its limit: read the fastest models' figures as lower bounds"
	}
	return fmt.Sprintf("**Headroom %.1f×**: the generator's ceiling for %s is %.0f answers/s (calibration, on %s with a whole CPU); the best model here gave %.0f/s (%s): %s.\n\n",
		h, shape, c.Ceiling, c.Model, best.Throughput.Median, best.Model, verdict)
}

// headroomFigure is headroom's figure alone, 0 without one.
func headroomFigure(m *store.Meta, shape string, rows []*Row) float64 {
	h, _, _ := headroomOf(m, shape, rows)
	return h
}

// headroomOf computes the generator's headroom in a scenario, the
// calibration row it comes from and the best model's row; 0 without a
// calibration for the shape.
func headroomOf(m *store.Meta, shape string, rows []*Row) (float64, store.CalibrationRow, *Row) {
	c, ok := store.Fastest(m.Calibration, shape)
	if !ok || c.Ceiling <= 0 || c.HarnessShare < 0.5 {
		return 0, c, nil
	}
	var best *Row
	for _, r := range rows {
		if best == nil || r.Throughput.Median > best.Throughput.Median {
			best = r
		}
	}
	if best == nil || best.Throughput.Median <= 0 {
		return 0, c, nil
	}
	return c.Ceiling / best.Throughput.Median, c, best
}

func writeChart(b *strings.Builder, c Chart) {
	fmt.Fprintf(b, "\n![%s](%s/%s.png)\n\n*%s* ([SVG](%s/%s.svg))\n", c.Title, ChartsDir, c.Name, c.Caption, ChartsDir, c.Name)
}

// seedSystems says which systems a seed's section compares: the seed's
// own (its code, run here) where the run has them, and netmodels' models.
func seedSystems(rows []*summary.Summary, seed string) string {
	own := false
	for _, r := range rows {
		if ref, ok := reference.Lookup(r.Model); ok && ref.Seed == seed {
			own = true
		}
	}
	switch {
	case seed == "blog" && own:
		return "on the blog's own servers (its Python code, run by Debian's python3: servers/python/blog) and on netmodels' models of the same families"
	case seed == "blog":
		return "on netmodels' models of the blog's families (this run has none of the blog's own servers: servers/python/blog)"
	case own:
		return "on the course's own Django views (servers/python/course, under runserver as the slides ran them and under gunicorn's defaults) and on the `thread` model (Django's development server gives each connection a thread)"
	}
	return "on the `thread` model (Django's development server gives each connection a thread; this run has none of the course's own views: servers/python/course)"
}
