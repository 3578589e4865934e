package session

import (
	"context"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"time"

	"netmodels/bench/runner"
	"netmodels/bench/scenario"
	"netmodels/bench/step"
	"netmodels/bench/store"
)

// calibrationConns and calibrationLength shape calibration's attacks: the
// connections of the hello scenarios, one second each.
const (
	calibrationConns  = 50
	calibrationLength = time.Second
)

// ParseShare reads -server-cpu: "auto", or a share of one CPU in
// (0, 1], where 1 means the whole CPU set.
func ParseShare(v string) (share float64, auto bool, err error) {
	if v == "auto" {
		return 0, true, nil
	}
	share, err = strconv.ParseFloat(v, 64)
	if err != nil || share <= 0 || share > 1 {
		return 0, false, fmt.Errorf("-server-cpu takes auto or a share of one CPU in (0, 1], not %q", v)
	}
	return share, false, nil
}

// Calibrate chooses the server's CPU share for -server-cpu auto: for each
// request shape of the plan, a one-second closed attack on every model,
// each with its whole CPU, then chooseShare's rule, so that the server, not
// the generator, is what a run measures, and a stress test's last step
// overloads every model (stressBounds).
func Calibrate(ctx context.Context, be runner.Backend, models []string, scs []*scenario.Scenario, args []string, period time.Duration) (float64, []store.CalibrationRow, error) {
	dir, err := os.MkdirTemp("", "netbench-calibrate-")
	if err != nil {
		return 0, nil, err
	}
	defer os.RemoveAll(dir)
	var rows []store.CalibrationRow
	seen := map[string]bool{}
	cals := map[string]*scenario.Scenario{}
	one := func(sh, m string, share float64) (store.CalibrationRow, error) {
		if err := SetCPUShare(be, share, period); err != nil {
			return store.CalibrationRow{}, err
		}
		in, err := be.Start(m, args)
		if err != nil {
			return store.CalibrationRow{}, err
		}
		s, err := be.Attack(ctx, in, &step.Step{Model: m, Scenario: cals[sh], Repeat: 1, Warmup: 200 * time.Millisecond, Label: "calibrate"}, dir, nil)
		_, _ = in.Stop(30 * time.Second)
		if err != nil {
			return store.CalibrationRow{}, err
		}
		r := store.CalibrationRow{Shape: sh, Model: m, Answers: s.Throughput, HarnessShare: s.HarnessCPUShare, ServerUS: s.ServerCPUPerAnswer}
		if share < 1 {
			r.Share = share
		}
		if r.HarnessShare > 0 {
			r.Ceiling = r.Answers / r.HarnessShare
		}
		return r, nil
	}
	for _, sc := range scs {
		sh := sc.Shape()
		if seen[sh] || sc.Load.Kind == scenario.Users {
			continue // think times bound the users load, not the generator
		}
		seen[sh] = true
		cals[sh] = &scenario.Scenario{Name: "calibrate", Targets: sc.Targets, KeepAlive: sc.KeepAlive, Timeout: sc.Timeout,
			Load: scenario.Load{Kind: scenario.Closed, Conns: calibrationConns}, Duration: scenario.Duration{Duration: calibrationLength}}
		for _, m := range models {
			if ctx.Err() != nil {
				return 0, rows, ctx.Err()
			}
			fmt.Fprintf(os.Stderr, "\rcalibrating the server's CPU share: %s on %s   ", sh, m)
			r, err := one(sh, m, 1)
			if err != nil {
				return 0, rows, err
			}
			rows = append(rows, r)
		}
	}
	bounds := stressBounds(scs)
	share, err := chooseShare(rows, bounds, period)
	if err != nil {
		return 0, rows, err
	}
	// A model's CPU per answer falls as its load rises (more work per
	// wake-up), so the capacity that rule predicts from an attack at a
	// whole CPU can be low: check it at the share, on every model that
	// passed the shape's limit with its whole CPU, and shrink the share
	// until every capacity is within the limit (a tenth over it, for
	// noise), three tries at most.
	floor := minShare(period)
	for try := 0; try < 3 && share > floor; try++ {
		over := 1.0
		for _, sh := range store.Shapes(rows) {
			limit, ok := capacityLimit(rows, bounds, sh)
			if !ok {
				continue
			}
			for _, m := range overLimit(rows, sh, limit) {
				fmt.Fprintf(os.Stderr, "\rcalibrating the server's CPU share: checking %.2f, %s on %s   ", share, sh, m)
				r, err := one(sh, m, share)
				if err != nil {
					return 0, rows, err
				}
				rows = append(rows, r)
				over = max(over, r.Answers/limit)
			}
		}
		if over <= 1.1 {
			break
		}
		share = max(math.Floor(share/over*20)/20, floor)
	}
	fmt.Fprintln(os.Stderr)
	return share, rows, nil
}

// minShare is the least share the kernel takes as a quota (1 ms a
// period), rounded up to 0.05.
func minShare(period time.Duration) float64 {
	return math.Ceil(float64(time.Millisecond)/float64(period)*20) / 20
}

// stressBounds gives, per request shape, the most answers/s a model may
// have for the run's stress tests to overload it twice over: half the
// last and highest step of each stress scenario of that shape.
func stressBounds(scs []*scenario.Scenario) map[string]float64 {
	bounds := map[string]float64{}
	for _, sc := range scs {
		if sc.Stress == nil || len(sc.Load.Rates) == 0 {
			continue
		}
		half := slices.Max(sc.Load.Rates) / 2
		if b, ok := bounds[sc.Shape()]; !ok || half < b {
			bounds[sc.Shape()] = half
		}
	}
	return bounds
}

// capacityLimit is the most answers/s any model may have under shape sh:
// half the generator's ceiling, which its attack on the fastest model
// measured, and at most the shape's stress bound. A shape whose fastest
// attack left the generator under half busy (a /sleep, whose rate the
// sleep bounds) sets none.
func capacityLimit(rows []store.CalibrationRow, bounds map[string]float64, sh string) (float64, bool) {
	b, ok := store.Fastest(rows, sh)
	if !ok || b.HarnessShare < 0.5 {
		return 0, false
	}
	limit := b.Ceiling / 2
	if s, ok := bounds[sh]; ok && s < limit {
		limit = s
	}
	return limit, limit > 0
}

// binding is the attack of shape sh, at a whole CPU, that sets the
// share: a model's capacity at share s is the lesser of its answers/s
// at a whole CPU and s over its CPU per answer, so of the models that
// answered more than limit, the cheapest per answer is the first to pass
// it as the share grows. None when no model passed limit at all. A model
// that used under a tenth of its CPU is left out: the process tree's CPU
// time comes in 10 ms clock ticks, under ten in a one-second attack, too
// few for its CPU per answer to mean anything.
func binding(rows []store.CalibrationRow, sh string, limit float64) (store.CalibrationRow, bool) {
	var best store.CalibrationRow
	ok := false
	for _, r := range rows {
		if r.Share > 0 || r.Shape != sh || r.Answers <= limit || r.Answers*r.ServerUS/1e6 < 0.1 {
			continue
		}
		if !ok || r.ServerUS < best.ServerUS {
			best, ok = r, true
		}
	}
	return best, ok
}

// overLimit lists the models whose attack of shape sh at a whole CPU
// answered more than limit: those a share could let pass it.
func overLimit(rows []store.CalibrationRow, sh string, limit float64) []string {
	var out []string
	for _, r := range rows {
		if r.Share == 0 && r.Shape == sh && r.Answers > limit && !slices.Contains(out, r.Model) {
			out = append(out, r.Model)
		}
	}
	return out
}

// chooseShare is calibrate's rule over its attacks: per shape, the
// largest share, rounded down to 0.05, at which no model's capacity
// passes the shape's capacityLimit (see binding); the smallest over the
// shapes, at most 1 and at least what the kernel takes as a quota (1 ms a
// period).
func chooseShare(rows []store.CalibrationRow, bounds map[string]float64, period time.Duration) (float64, error) {
	shapes := store.Shapes(rows)
	if len(shapes) == 0 {
		return 0, fmt.Errorf("no request shape to calibrate")
	}
	share := 1.0
	for _, sh := range shapes {
		limit, ok := capacityLimit(rows, bounds, sh)
		if !ok {
			continue
		}
		c, ok := binding(rows, sh, limit)
		if !ok {
			b, _ := store.Fastest(rows, sh)
			if b.Answers > limit {
				return 0, fmt.Errorf("calibration of %s on %s measured no server CPU", sh, b.Model)
			}
			continue // no model can pass the limit, whatever its share
		}
		share = min(share, limit*c.ServerUS/1e6)
	}
	return max(math.Floor(share*20)/20, minShare(period)), nil
}

// SetCPUShare gives the backend's servers share of a CPU per period.
func SetCPUShare(be runner.Backend, share float64, period time.Duration) error {
	l := be.Placement().Limits
	if l == nil {
		if share < 1 {
			return fmt.Errorf("-server-cpu: netbench does not start the server at -url; limit its CPU where it runs")
		}
		return nil
	}
	l.CPUShare, l.CPUPeriod = share, period
	return nil
}
