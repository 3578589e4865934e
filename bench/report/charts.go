package report

import (
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

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

// palette is Paul Tol's "muted" scheme, distinct under the common forms
// of colour blindness, with his pale grey darkened and black: 11 colours,
// one per model; a twelfth model and on reuse them with a dashed line.
var palette = []color.Color{
	color.RGBA{0x33, 0x22, 0x88, 255}, // indigo
	color.RGBA{0x88, 0xCC, 0xEE, 255}, // cyan
	color.RGBA{0x44, 0xAA, 0x99, 255}, // teal
	color.RGBA{0x11, 0x77, 0x33, 255}, // green
	color.RGBA{0x99, 0x99, 0x33, 255}, // olive
	color.RGBA{0xDD, 0xCC, 0x77, 255}, // sand
	color.RGBA{0xCC, 0x66, 0x77, 255}, // rose
	color.RGBA{0x88, 0x22, 0x55, 255}, // wine
	color.RGBA{0xAA, 0x44, 0x99, 255}, // purple
	color.RGBA{0x88, 0x88, 0x88, 255}, // grey
	color.RGBA{0x00, 0x00, 0x00, 255}, // black
}

// shapes are the markers, one per model beside its colour, so that a
// chart printed in grey still tells the models apart.
var shapes = []draw.GlyphDrawer{
	draw.CircleGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{}, draw.CrossGlyph{},
	draw.PlusGlyph{}, draw.PyramidGlyph{}, draw.RingGlyph{}, draw.BoxGlyph{},
}

// modelStyle gives each model the same colour and marker in every chart
// and plot of a report, in the order models first appear in its rows.
type modelStyle map[string]int

func newModelStyle(rows []*summary.Summary) modelStyle {
	s := modelStyle{}
	for _, r := range rows {
		s.index(r.Model)
	}
	return s
}

func (s modelStyle) index(model string) int {
	i, ok := s[model]
	if !ok {
		i = len(s)
		s[model] = i
	}
	return i
}

func (s modelStyle) apply(model string, l *plotter.Line, p *plotter.Scatter) {
	i := s.index(model)
	c := palette[i%len(palette)]
	if l != nil {
		l.Color = c
		l.Dashes = plotutil.Dashes(i / len(palette))
		l.Width = vg.Points(1.4)
	}
	if p != nil {
		p.Color = c
		p.Shape = shapes[i%len(shapes)]
		p.Radius = vg.Points(2.8)
	}
}

// save writes p as name.png and name.svg under dir.
func save(p *plot.Plot, dir, name string, w, h vg.Length) error {
	return saveStack([]*plot.Plot{p}, dir, name, w, h)
}

// saveStack draws plots one above the other, aligned, as name.png/.svg.
func saveStack(plots []*plot.Plot, dir, name string, w, h vg.Length) error {
	tiles := draw.Tiles{Rows: len(plots), Cols: 1, PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2,
		PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2, PadY: vg.Millimeter * 4}
	// The widest legend sets every panel's right column, so that the
	// panels' axes stay aligned.
	legW := vg.Length(0)
	probe := draw.New(vgimg.New(w, h))
	for _, p := range plots {
		legW = max(legW, p.Legend.Rectangle(probe).Size().X)
	}
	grid := make([][]*plot.Plot, len(plots))
	for i, p := range plots {
		grid[i] = []*plot.Plot{p}
	}
	render := func(c vg.CanvasWriterTo, path string) error {
		dc := draw.New(c)
		// A legend goes in a column of its own on the right, never over
		// the data.
		for i, row := range plot.Align(grid, tiles, dc) {
			p, tc := plots[i], row[0]
			if legW > 0 {
				leg := p.Legend
				p.Legend = plot.NewLegend()
				p.Draw(draw.Crop(tc, 0, -(legW + 4*vg.Millimeter), 0, 0))
				p.Legend = leg
				lc := tc
				lc.Min.X = tc.Max.X - legW - 2*vg.Millimeter
				leg.Top, leg.Left, leg.XOffs, leg.YOffs = true, true, 0, -6*vg.Millimeter
				leg.Draw(lc)
				continue
			}
			p.Draw(tc)
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

func addLine(p *plot.Plot, st modelStyle, model, label string, xy plotter.XYs) error {
	if len(xy) == 0 {
		return nil
	}
	l, pts, err := plotter.NewLinePoints(xy)
	if err != nil {
		return err
	}
	st.apply(model, l, pts)
	p.Add(l, pts)
	p.Legend.Add(label, l, pts)
	return nil
}

// stressCharts draws, for one stress scenario, throughput and p99 against
// the offered rate per model (repeat 1 of each); the p99 chart marks the
// client's timeout (0: not known), the ceiling a p99 cannot pass.
func stressCharts(dir, scenario string, rows []*summary.Summary, st modelStyle, timeout time.Duration) ([]Chart, error) {
	thr := newPlot(scenario+": throughput against offered rate", "offered requests/s (log)", "successful answers/s (log)")
	p99 := newPlot(scenario+": p99 latency, lag behind schedule included", "offered requests/s (log)", "p99 latency with lag, ms (log)")
	logX(thr)
	logY(thr)
	logX(p99)
	logY(p99)
	maxOffered, minThr := 0.0, math.Inf(1)
	bound := false
	for _, s := range firstRepeats(rows, scenario) {
		if s.Stress == nil {
			continue
		}
		for _, step := range s.Stress.Steps {
			if step.Throughput > 0 {
				minThr = math.Min(minThr, step.Throughput)
			}
			maxOffered = math.Max(maxOffered, step.Offered)
		}
	}
	if maxOffered == 0 {
		return nil, nil
	}
	// A log axis has no zero: a step that served nothing is drawn at a
	// floor below every other point, and marked.
	floor := math.Min(minThr, maxOffered) / 2
	var zeros plotter.XYs
	for _, s := range firstRepeats(rows, scenario) {
		if s.Stress == nil {
			continue
		}
		var a, b plotter.XYs
		for _, step := range s.Stress.Steps {
			y := step.Throughput
			if y <= 0 {
				y = floor
				zeros = append(zeros, plotter.XY{X: step.Offered, Y: floor})
			}
			a = append(a, plotter.XY{X: step.Offered, Y: y})
			if ms := float64(step.P99) / 1e6; ms > 0 {
				b = append(b, plotter.XY{X: step.Offered, Y: ms})
			}
		}
		label := s.Model
		if s.GeneratorBound {
			label += " †"
			bound = true
		}
		if err := addLine(thr, st, s.Model, label, a); err != nil {
			return nil, err
		}
		if err := addLine(p99, st, s.Model, label, b); err != nil {
			return nil, err
		}
	}
	thr.Y.Min = floor / 1.3
	if len(zeros) > 0 {
		z, err := plotter.NewScatter(zeros)
		if err != nil {
			return nil, err
		}
		z.Shape, z.Color, z.Radius = draw.CrossGlyph{}, color.RGBA{R: 200, A: 255}, vg.Points(5)
		thr.Add(z)
		thr.Legend.Add(fmt.Sprintf("served nothing (at %.3g/s)", floor), z)
	}
	if bound {
		for _, p := range []*plot.Plot{thr, p99} {
			p.Legend.Add("† generator-bound:")
			p.Legend.Add("  a lower bound")
		}
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
	if ms := float64(timeout) / 1e6; ms > 0 {
		ceiling, _ := plotter.NewLine(plotter.XYs{{X: diag[0].X, Y: ms}, {X: maxOffered, Y: ms}})
		ceiling.Color = color.RGBA{R: 200, A: 255}
		ceiling.Dashes = []vg.Length{vg.Points(4), vg.Points(2)}
		p99.Add(ceiling)
		p99.Legend.Add(fmt.Sprintf("client timeout (%v): the ceiling", timeout), ceiling)
	}
	out := []Chart{
		{Name: scenario + "-throughput", Title: scenario + ": throughput against offered rate",
			Caption: "Each point is one step of the stress test. A model keeps up while its line follows the dashed diagonal; where it bends away it has passed its knee, where it falls it is breaking. A red cross is a step that served nothing, drawn at a floor below every step that served something (its value is in the legend; a log axis has no zero). A † in the legend marks an attack the generator limited: its line is a lower bound."},
		{Name: scenario + "-p99", Title: scenario + ": p99 latency, lag behind schedule included",
			Caption: "The same steps, latency as a client arriving on schedule waits it: each request's time behind its schedule is added to its measured latency (docs/methodology.md §3). A flat line is a model with headroom; a line that climbs by orders of magnitude is queueing; a line flat at the top is requests timing out, held at the client's timeout (the dashed red line)."},
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
		Caption: "Above, requests per second on two clocks: offered and not sent in the second they were due; successful answers and failures in the second they completed (a request that times out counts as a failure when its timeout ends). Below, latency as measured (send to answer, without lag) of the requests sent in each second: p50 and p95, log scale."}
	rates := newPlot(c.Title, "", "requests/s")
	lat := newPlot("latency as measured", "seconds since the attack began", "latency, ms (log)")
	logY(lat)
	var offered, ok, failed, notSent, p50, p95 plotter.XYs
	anyNotSent := false
	for _, s := range series {
		t := float64(s.T)
		if s.Offered > 0 {
			offered = append(offered, plotter.XY{X: t, Y: s.Offered})
		}
		ok = append(ok, plotter.XY{X: t, Y: float64(s.OK)})
		failed = append(failed, plotter.XY{X: t, Y: float64(s.Failed)})
		notSent = append(notSent, plotter.XY{X: t, Y: float64(s.NotSent)})
		anyNotSent = anyNotSent || s.NotSent > 0
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
		{rates, "offered (due)", offered, color.Gray{Y: 120}},
		{rates, "successful (done)", ok, palette[3]},
		{rates, "failed (done)", failed, palette[7]},
		{rates, "not sent (due)", notSent, palette[5]},
		{lat, "p50", p50, palette[0]},
		{lat, "p95", p95, palette[6]},
	}
	if !anyNotSent {
		lines[3].xy = nil
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
	rows := models
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
		sc.Color, sc.Shape, sc.Radius = palette[(6*k)%len(palette)], shapes[k%len(shapes)], vg.Points(3.5)
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
	var rows []store.IdleRow
	for _, r := range idle {
		if r.Measured() {
			rows = append(rows, r)
		}
	}
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

// modelCharts draws a scenario's answers/s by model (not for a stress
// test, whose mean over its steps says nothing) and its server CPU per
// answer by model with the range over repeats.
func modelCharts(dir, sc string, rows []*Row, stressed bool) ([]Chart, error) {
	repeats := 0
	bound := false
	for _, r := range rows {
		repeats = max(repeats, r.Repeats)
		bound = bound || r.GeneratorBound > 0
	}
	over := "One repeat per model."
	if repeats > 1 {
		over = fmt.Sprintf("The dot is the median of %d repeats, the bar their range.", repeats)
	}
	label := func(r *Row) string {
		if r.GeneratorBound > 0 {
			return r.Model + " †"
		}
		return r.Model
	}
	var out []Chart
	if !stressed {
		byThr := append([]*Row(nil), rows...)
		sort.SliceStable(byThr, func(i, j int) bool { return byThr[i].Throughput.Median < byThr[j].Throughput.Median })
		c := Chart{Name: sc + "-models", Title: sc + ": successful answers per second by model",
			Caption: over + " The model at the top served the most."}
		if bound {
			c.Caption += " † marks a model the generator limited: its figure is a lower bound."
		}
		if err := rangeChart(dir, c, "successful answers/s", byThr, label, func(r *Row) Cell { return r.Throughput }); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	var byCPU []*Row
	for _, r := range rows {
		if r.CPUPerAnswer.N > 0 && r.CPUPerAnswer.Median > 0 {
			byCPU = append(byCPU, r)
		}
	}
	if len(byCPU) > 1 {
		sort.SliceStable(byCPU, func(i, j int) bool { return byCPU[i].CPUPerAnswer.Median > byCPU[j].CPUPerAnswer.Median })
		c := Chart{Name: sc + "-cpu", Title: sc + ": server CPU per answer by model",
			Caption: over + " The figure to rank models by: CPU time of the server's whole process tree over its successful answers, log scale; the cheapest at the top."}
		if err := rangeChart(dir, c, "server CPU µs per answer (log)", byCPU, label, func(r *Row) Cell { return r.CPUPerAnswer }); err != nil {
			return nil, err
		}
		out = append(out, c)
		// The kernel's view, in the same order: why one model costs more.
		var models []string
		row := map[string]*Row{}
		for _, r := range byCPU {
			if r.Syscalls.N > 0 {
				models = append(models, r.Model)
				row[r.Model] = r
			}
		}
		if len(models) > 1 {
			k := Chart{Name: sc + "-kernel", Title: sc + ": system calls and context switches per answer",
				Caption: "Counted by perf stat over the server's whole process tree in a pass of its own after the measured attack (at most 2 s of the same load: counting costs the server CPU, so the measured attack runs uncounted), divided by that pass's successful answers; models in the order of the CPU chart (cheapest at the top), log scale. A context switch is a thread leaving the CPU, blocked or preempted."}
			err := dotChart(dir, k, "per successful answer (log)", true, models, []string{"system calls", "context switches"}, func(m, s string) float64 {
				if s == "system calls" {
					return row[m].Syscalls.Median
				}
				return row[m].CtxSwitches.Median
			})
			if err != nil {
				return nil, err
			}
			out = append(out, k)
		}
	}
	return out, nil
}

// rangeChart draws one figure per row as a dot at its median, with a bar
// over its range when there are repeats; models down the side, the first
// row at the bottom. A log axis is chosen when the X label says "(log)".
func rangeChart(dir string, c Chart, xlabel string, rows []*Row, label func(*Row) string, fig func(*Row) Cell) error {
	p := newPlot(c.Title, xlabel, "")
	names := make([]string, len(rows))
	var xy plotter.XYs
	var errs plotter.XErrors
	lo, hi := math.Inf(1), 0.0
	for i, r := range rows {
		names[i] = label(r)
		v := fig(r)
		if v.N == 0 || v.Median <= 0 {
			continue
		}
		xy = append(xy, plotter.XY{X: v.Median, Y: float64(i)})
		errs = append(errs, struct{ Low, High float64 }{v.Median - v.Min, v.Max - v.Median})
		lo, hi = math.Min(lo, v.Min), math.Max(hi, v.Max)
	}
	if len(xy) == 0 {
		return fmt.Errorf("%s: no values", c.Name)
	}
	p.NominalY(names...)
	if strings.Contains(xlabel, "(log)") {
		logX(p)
		p.X.Min, p.X.Max = niceBelow(lo/1.5), hi*1.5
	} else {
		p.X.Min, p.X.Max = 0, hi*1.08
	}
	dots, err := plotter.NewScatter(xy)
	if err != nil {
		return err
	}
	dots.Color, dots.Shape, dots.Radius = palette[0], draw.CircleGlyph{}, vg.Points(3.5)
	bars, err := plotter.NewXErrorBars(struct {
		plotter.XYs
		plotter.XErrors
	}{xy, errs})
	if err != nil {
		return err
	}
	bars.Color = palette[0]
	p.Add(bars, dots)
	h := vg.Length(len(rows))*vg.Centimeter*0.8 + 4*vg.Centimeter
	return save(p, dir, c.Name, chartW, h)
}
