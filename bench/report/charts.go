package report

import (
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"netmodels/bench/store"
	"netmodels/bench/summary"
)

// Chart is one chart written as PNG and SVG: Name.png and Name.svg in the
// charts directory.
type Chart struct {
	Name    string // file name without extension
	Title   string
	Caption string // what to look at
}

const (
	chartW = 20 * vg.Centimeter
	chartH = 12 * vg.Centimeter
)

// modelStyle gives each model the same color and marker in every chart.
type modelStyle map[string]int

func (s modelStyle) apply(model string, l *plotter.Line, p *plotter.Scatter) {
	i, ok := s[model]
	if !ok {
		i = len(s)
		s[model] = i
	}
	c := plotutil.Color(i)
	if l != nil {
		l.Color = c
		l.Dashes = plotutil.Dashes(i / len(plotutil.DefaultColors))
		l.Width = vg.Points(1.2)
	}
	if p != nil {
		p.Color = c
		p.Shape = plotutil.Shape(i)
		p.Radius = vg.Points(2.5)
	}
}

// save writes p as name.png and name.svg under dir.
func save(p *plot.Plot, dir, name string, w, h vg.Length) error {
	for _, ext := range []string{".png", ".svg"} {
		if err := p.Save(w, h, filepath.Join(dir, name+ext)); err != nil {
			return err
		}
	}
	return nil
}

// saveStack draws plots one above the other, aligned, as name.png/.svg.
func saveStack(plots []*plot.Plot, dir, name string, w, h vg.Length) error {
	grid := make([][]*plot.Plot, len(plots))
	for i, p := range plots {
		grid[i] = []*plot.Plot{p}
	}
	tiles := draw.Tiles{Rows: len(plots), Cols: 1, PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2,
		PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2, PadY: vg.Millimeter * 4}
	render := func(c vg.CanvasWriterTo, path string) error {
		dc := draw.New(c)
		for i, row := range plot.Align(grid, tiles, dc) {
			grid[i][0].Draw(row[0])
		}
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		if _, err := c.WriteTo(f); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
	if err := render(vgimg.PngCanvas{Canvas: vgimg.New(w, h)}, filepath.Join(dir, name+".png")); err != nil {
		return err
	}
	return render(vgsvg.New(w, h), filepath.Join(dir, name+".svg"))
}

func newPlot(title, x, y string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = x
	p.Y.Label.Text = y
	p.Add(plotter.NewGrid())
	p.Legend.Top = true
	p.Legend.Left = true
	return p
}

// logY puts the Y axis on a log scale with readable ticks.
func logY(p *plot.Plot) {
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = logTicks{}
}

// logX puts the X axis on a log scale with readable ticks.
func logX(p *plot.Plot) {
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = logTicks{}
}

// logTicks marks 1, 2 and 5 times each power of ten, labelled, so that a
// log axis spanning less than a decade still reads.
type logTicks struct{}

// Ticks implements plot.Ticker.
func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	if lo <= 0 {
		lo = hi / 1e6
	}
	var ts []plot.Tick
	for e := math.Floor(math.Log10(lo)); e <= math.Ceil(math.Log10(hi)); e++ {
		for _, m := range []float64{1, 2, 5} {
			v := m * math.Pow(10, e)
			if v < lo || v > hi {
				continue
			}
			ts = append(ts, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', -1, 64)})
		}
	}
	return ts
}

func addLine(p *plot.Plot, st modelStyle, model string, xy plotter.XYs) error {
	if len(xy) == 0 {
		return nil
	}
	l, pts, err := plotter.NewLinePoints(xy)
	if err != nil {
		return err
	}
	st.apply(model, l, pts)
	p.Add(l, pts)
	p.Legend.Add(model, l, pts)
	return nil
}

// stressCharts draws, for one stress scenario, throughput and p99 against
// the offered rate per model (repeat 1 of each).
func stressCharts(dir, scenario string, rows []*summary.Summary, st modelStyle) ([]Chart, error) {
	thr := newPlot(scenario+": throughput against offered rate", "offered requests/s (log)", "successful answers/s (log)")
	p99 := newPlot(scenario+": p99 latency against offered rate", "offered requests/s (log)", "p99 latency, ms (log)")
	logX(thr)
	logY(thr)
	logX(p99)
	logY(p99)
	maxOffered := 0.0
	for _, s := range firstRepeats(rows, scenario) {
		if s.Stress == nil {
			continue
		}
		var a, b plotter.XYs
		for _, step := range s.Stress.Steps {
			if step.Throughput > 0 { // a log axis has no zero: a step that served nothing drops out
				a = append(a, plotter.XY{X: step.Offered, Y: step.Throughput})
			}
			if ms := float64(step.P99) / 1e6; ms > 0 {
				b = append(b, plotter.XY{X: step.Offered, Y: ms})
			}
			maxOffered = math.Max(maxOffered, step.Offered)
		}
		if err := addLine(thr, st, s.Model, a); err != nil {
			return nil, err
		}
		if err := addLine(p99, st, s.Model, b); err != nil {
			return nil, err
		}
	}
	if maxOffered == 0 {
		return nil, nil
	}
	var diag plotter.XYs
	for x := maxOffered / 64; x <= maxOffered*1.001; x *= 2 {
		diag = append(diag, plotter.XY{X: x, Y: x})
	}
	ideal, _ := plotter.NewLine(diag)
	ideal.Color = color.Gray{Y: 160}
	ideal.Dashes = []vg.Length{vg.Points(2), vg.Points(2)}
	thr.Add(ideal)
	thr.Legend.Add("offered", ideal)
	out := []Chart{
		{Name: scenario + "-throughput", Title: scenario + ": throughput against offered rate",
			Caption: "Each point is one step of the stress test. A model keeps up while its line follows the dashed diagonal; where it bends away it has passed its knee, where it falls it is breaking. Where every model bends at once, the generator is the limit: the table's † says so."},
		{Name: scenario + "-p99", Title: scenario + ": p99 latency against offered rate",
			Caption: "The same steps on a log scale of latency: a flat line is a model with headroom; a line that climbs by orders of magnitude is queueing."},
	}
	if err := save(thr, dir, out[0].Name, chartW, chartH); err != nil {
		return nil, err
	}
	if err := save(p99, dir, out[1].Name, chartW, chartH); err != nil {
		return nil, err
	}
	return out, nil
}

// seriesChart draws one attack's time series, as Locust's Charts tab
// does: rates (offered, successful, failed) above, p50 and p95 below.
func seriesChart(dir, scenario, model string, series []summary.Second) (Chart, error) {
	c := Chart{Name: scenario + "-" + model + "-series", Title: scenario + " on " + model + ": second by second",
		Caption: "Rates per second above (offered, successful answers, failures), latency of the requests sent in each second below (p50, p95, log scale)."}
	rates := newPlot(c.Title, "", "requests/s")
	lat := newPlot("", "seconds since the attack began", "latency, ms (log)")
	logY(lat)
	var offered, ok, failed, p50, p95 plotter.XYs
	for _, s := range series {
		t := float64(s.T)
		if s.Offered > 0 {
			offered = append(offered, plotter.XY{X: t, Y: s.Offered})
		}
		ok = append(ok, plotter.XY{X: t, Y: float64(s.OK)})
		failed = append(failed, plotter.XY{X: t, Y: float64(s.Failed)})
		if s.P50 > 0 {
			p50 = append(p50, plotter.XY{X: t, Y: s.P50})
		}
		if s.P95 > 0 {
			p95 = append(p95, plotter.XY{X: t, Y: s.P95})
		}
	}
	lines := []struct {
		p    *plot.Plot
		name string
		xy   plotter.XYs
		c    color.Color
	}{
		{rates, "offered", offered, color.Gray{Y: 120}},
		{rates, "successful", ok, color.RGBA{G: 140, A: 255}},
		{rates, "failed", failed, color.RGBA{R: 200, A: 255}},
		{lat, "p50", p50, color.RGBA{B: 200, A: 255}},
		{lat, "p95", p95, color.RGBA{R: 230, G: 120, A: 255}},
	}
	for _, l := range lines {
		if len(l.xy) == 0 {
			continue
		}
		line, err := plotter.NewLine(l.xy)
		if err != nil {
			return c, err
		}
		line.Color, line.Width = l.c, vg.Points(1.3)
		l.p.Add(line)
		l.p.Legend.Add(l.name, line)
	}
	if len(p50) == 0 {
		lat.Y.Scale, lat.Y.Tick.Marker = plot.LinearScale{}, plot.DefaultTicks{}
	}
	// One time axis for both panels.
	if n := len(series); n > 0 {
		rates.X.Min, rates.X.Max = 0, float64(series[n-1].T)
		lat.X.Min, lat.X.Max = rates.X.Min, rates.X.Max
	}
	return c, saveStack([]*plot.Plot{rates, lat}, dir, c.Name, chartW, 16*vg.Centimeter)
}

// dotChart draws one value per model as a dot on a horizontal axis,
// models down the side (a Cleveland dot plot): several named series may
// share it. Values ≤ 0 are left out (not reached, not measured).
func dotChart(dir string, c Chart, xlabel string, log bool, models []string, series []string, value func(model, series string) float64) error {
	p := newPlot(c.Title, xlabel, "")
	p.Legend.Top, p.Legend.Left = true, false
	// An empty row on top keeps the legend off the dots.
	rows := models
	if len(series) > 1 {
		rows = append(append([]string(nil), models...), "")
	}
	p.NominalY(rows...)
	if log {
		logX(p)
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, m := range models {
		for _, name := range series {
			if v := value(m, name); v > 0 && !math.IsInf(v, 0) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	if log {
		p.X.Min, p.X.Max = lo/1.5, hi*1.5
	} else {
		p.X.Min, p.X.Max = 0, hi*1.08
	}
	any := false
	for k, name := range series {
		var xy plotter.XYs
		for i, m := range models {
			if v := value(m, name); v > 0 && !math.IsInf(v, 0) && !math.IsNaN(v) {
				xy = append(xy, plotter.XY{X: v, Y: float64(i)})
			}
		}
		if len(xy) == 0 {
			continue
		}
		any = true
		sc, err := plotter.NewScatter(xy)
		if err != nil {
			return err
		}
		sc.Color, sc.Shape, sc.Radius = plotutil.Color(k), plotutil.Shape(k), vg.Points(3.5)
		p.Add(sc)
		if len(series) > 1 {
			p.Legend.Add(name, sc)
		}
	}
	if !any {
		return fmt.Errorf("%s: no values", c.Name)
	}
	h := vg.Length(len(rows))*vg.Centimeter*0.8 + 4*vg.Centimeter
	return save(p, dir, c.Name, chartW, h)
}

// firstRepeats returns repeat 1 (else the lowest) of each model in a
// scenario, in run order.
func firstRepeats(rows []*summary.Summary, scenario string) []*summary.Summary {
	best := map[string]*summary.Summary{}
	var order []string
	for _, s := range rows {
		if s.Scenario != scenario {
			continue
		}
		if b, ok := best[s.Model]; !ok || s.Repeat < b.Repeat {
			if !ok {
				order = append(order, s.Model)
			}
			best[s.Model] = s
		}
	}
	out := make([]*summary.Summary, 0, len(order))
	for _, m := range order {
		out = append(out, best[m])
	}
	return out
}

// idleChart draws memory per idle connection per model, log scale.
func idleChart(dir string, idle []store.IdleRow) (Chart, error) {
	c := Chart{Name: "memory-per-connection", Title: "Memory per idle keep-alive connection",
		Caption: "PSS added per idle connection (shared pages divided among the processes that share them), log scale: an event loop's few buffers, a goroutine's stack, a thread's stack and kernel task, a whole process."}
	rows := append([]store.IdleRow(nil), idle...)
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].PSSPerConnKiB > rows[j].PSSPerConnKiB })
	models := make([]string, len(rows))
	val := map[string]float64{}
	for i, r := range rows {
		label := fmt.Sprintf("%s (%d held)", r.Model, r.Conns)
		models[i] = label
		val[label] = r.PSSPerConnKiB
	}
	return c, dotChart(dir, c, "KiB per connection (log)", true, models, []string{"PSS"}, func(m, _ string) float64 { return val[m] })
}
