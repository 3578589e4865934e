package report

import (
	"math"
	"strconv"

	"gonum.org/v1/plot"
)

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

// logTicks marks 1, 2 and 5 times each power of ten, labelled, and 3
// times too on an axis of under two decades; where that leaves fewer
// than three marks (a span of under a decade or so) it marks finer steps,
// then a narrow span's linear marks, and else labels the axis's ends, so
// that no log axis reads without numbers.
type logTicks struct{}

// Ticks implements plot.Ticker.
func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	if lo <= 0 {
		lo = hi / 1e6
	}
	steps := [][]float64{{1, 2, 5}, {1, 2, 3, 5}, {1, 1.5, 2, 3, 4, 5, 6, 7, 8, 9}}
	if hi/lo < 100 { // under two decades there is room for 3s
		steps = steps[1:]
	}
	for i, ms := range steps {
		ts := logTicksAt(lo, hi, ms)
		if len(ts) >= 3 || i == len(steps)-1 && len(ts) >= 2 {
			return ts
		}
	}
	// Under a decade's steps: the linear marks of a narrow span, where
	// they label two or more.
	var lin []plot.Tick
	for _, t := range (plot.DefaultTicks{}).Ticks(lo, hi) {
		if t.Label != "" {
			lin = append(lin, t)
		}
	}
	if len(lin) >= 2 {
		return lin
	}
	// Enough decimals that the two ends read apart.
	d := 0
	if hi > lo {
		d = int(max(0, min(6, math.Ceil(-math.Log10(hi-lo))+1)))
	}
	label := func(v float64) string { return strconv.FormatFloat(v, 'f', d, 64) }
	return []plot.Tick{{Value: lo, Label: label(lo)}, {Value: hi, Label: label(hi)}}
}

// logTicksAt marks each multiple ms of a power of ten between lo and hi.
func logTicksAt(lo, hi float64, ms []float64) []plot.Tick {
	var ts []plot.Tick
	for e := math.Floor(math.Log10(lo)); e <= math.Ceil(math.Log10(hi)); e++ {
		for _, m := range ms {
			v := m * math.Pow(10, e)
			if v < lo*(1-1e-9) || v > hi*(1+1e-9) {
				continue
			}
			ts = append(ts, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', -1, 64)})
		}
	}
	return ts
}

// niceBelow is the largest of 1, 2 and 5 times a power of ten at or below
// v (> 0): a log axis that starts there starts on a labelled mark.
func niceBelow(v float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{5, 2, 1} {
		if m*p <= v*(1+1e-9) {
			return m * p
		}
	}
	return p
}
