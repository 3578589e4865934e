package summary

import (
	"slices"
	"time"

	"netmodels/bench/attack"
	"netmodels/bench/scenario"
	"netmodels/bench/stress"
)

// Stress holds a stress test's points.
type Stress struct {
	Steps              []stress.Step `json:"steps"`
	KneeRPS            float64       `json:"knee_rps"`  // -1: no step held
	BreakRPS           float64       `json:"break_rps"` // -1: nothing broke
	BeforeFirstFailure int           `json:"before_first_failure"`
	Failed             bool          `json:"failed"`
	RecoverySeconds    float64       `json:"recovery_s"` // -1: did not recover in the window
	// Probes narrowed the breaking point after the recovery
	// (scenario.Stress.Refine), in the order they ran. Then BreakRPS is
	// the lowest rate a probe or step broke at, CleanRPS the highest the
	// server held, and GridBreakRPS the breaking point on the steps alone.
	Probes       []stress.Step `json:"probes,omitempty"`
	CleanRPS     float64       `json:"clean_rps,omitempty"`
	GridBreakRPS float64       `json:"grid_break_rps,omitempty"`
	// RefineNote says why probing stopped early, "" when it did not.
	RefineNote string `json:"refine_note,omitempty"`
}

// stressFigures splits a stress test into its steps and finds its points.
func stressFigures(sc *scenario.Scenario, a *attack.Result, series []Second, th stress.Thresholds) *Stress {
	step := sc.Load.Step.Duration
	out := &Stress{KneeRPS: -1, BreakRPS: -1, RecoverySeconds: -1}
	for i := range sc.Load.Rates {
		out.Steps = append(out.Steps, StepOf(sc, a, i))
	}
	p := stress.Find(out.Steps, th)
	out.KneeRPS, out.BreakRPS = p.KneeRate, p.BreakRate
	if p.Knee < 0 {
		out.KneeRPS = -1
	}
	if p.Break < 0 {
		out.BreakRPS = -1
	}
	outcomes := make([]stress.Outcome, len(a.Results))
	for i := range a.Results {
		outcomes[i] = stress.Outcome{Sent: a.Results[i].Timestamp, OK: OK(&a.Results[i])}
	}
	out.BeforeFirstFailure, out.Failed = stress.BeforeFirstFailure(outcomes)
	if len(out.Steps) > 0 && sc.Stress != nil {
		secs := make([]stress.Second, len(series))
		for i, x := range series {
			secs[i] = stress.Second{P50: time.Duration(x.P50 * 1e6), P99: time.Duration(x.P99 * 1e6), OK: x.OK}
		}
		start := int(time.Duration(len(sc.Load.Rates)) * step / time.Second)
		base := out.Steps[0]
		if d, ok := stress.Recovery(secs, start, max(base.P50, time.Millisecond), max(base.P99, time.Millisecond), 2, 2); ok {
			out.RecoverySeconds = d.Seconds()
		}
	}
	return out
}

// levels are the steps of a steps load that is not a stress test, each
// on its own (Summary.Levels).
func levels(sc *scenario.Scenario, a *attack.Result) []stress.Step {
	var out []stress.Step
	for i := range sc.Load.Rates {
		out = append(out, StepOf(sc, a, i))
	}
	return out
}

// StepOf is the i-th step of a steps load's attack. A request belongs
// to the step its schedule put it in; its latency there includes its lag
// behind the schedule (what a client arriving on time waited). Sent and
// throughput count what really happened in the step's window: requests
// sent, successful answers completed.
func StepOf(sc *scenario.Scenario, a *attack.Result, i int) stress.Step {
	step := sc.Load.Step.Duration
	from, to := time.Duration(i)*step, time.Duration(i+1)*step
	st := stress.Step{Offered: sc.Load.Rates[i]}
	var lat []time.Duration
	var sent, done int
	for j := range a.Results {
		r := &a.Results[j]
		at := r.Timestamp.Sub(a.Began)
		if at >= from && at < to {
			sent++
		}
		if end := r.End().Sub(a.Began); end >= from && end < to && OK(r) {
			done++
		}
		due, lag := at, time.Duration(0)
		if a.Due != nil {
			due = a.Due[j]
			lag = max(at-due, 0)
		}
		if due < from || due >= to {
			continue
		}
		st.Requests++
		lat = append(lat, r.Latency+lag)
		if !OK(r) {
			st.Failures++
			if attack.ErrorClass(r.Error) == "timeout" {
				st.Timeouts++
			}
		}
	}
	for _, x := range a.NotSent {
		if x.Due >= from && x.Due < to {
			// Offered in the step and never served: a failure of it.
			st.Requests++
			st.Failures++
		}
	}
	sortDur(lat)
	st.P50, st.P99 = Quantile(lat, .5), Quantile(lat, .99)
	st.Sent = float64(sent) / step.Seconds()
	st.Throughput = float64(done) / step.Seconds()
	return st
}

// Refined takes a finished search for the breaking point (stress.Search,
// run on probes after the test): its probes, the highest rate held and
// the lowest broken become the test's, the grid's breaking point kept
// apart.
func (s *Stress) Refined(x stress.Search) {
	s.Probes = x.Probes
	s.GridBreakRPS = s.BreakRPS
	s.CleanRPS, s.BreakRPS = x.Lo, x.Hi
}

// Held is the highest offered rate the server held, below the breaking
// point: CleanRPS when probes narrowed it, else the last step below the
// breaking point, else, when nothing broke, the top step (a lower bound).
// 0 when the first step broke and no probe held.
func (s *Stress) Held() float64 {
	if len(s.Probes) > 0 {
		return s.CleanRPS
	}
	var held float64
	for _, st := range s.Steps {
		if s.BreakRPS > 0 && st.Offered >= s.BreakRPS {
			break
		}
		held = max(held, st.Offered)
	}
	return held
}

// Capacity is what a scenario relative to a capacity (scenario.Load.Of)
// takes from s: the rate a stress test held (Stress.Held), or the answers
// per second of any other load.
func Capacity(s *Summary) float64 {
	if s.Stress != nil {
		return s.Stress.Held()
	}
	return s.Throughput
}

// MaxRPS is the most successful answers per second of a step, or of a
// probe, below the breaking point (the blog's "RPS until failure"): the
// capacity measured. With probes, CleanRPS and BreakRPS bracket it.
func (s *Stress) MaxRPS() float64 {
	var m float64
	for _, st := range append(slices.Clone(s.Steps), s.Probes...) {
		if s.BreakRPS > 0 && st.Offered >= s.BreakRPS {
			continue
		}
		m = max(m, st.Throughput)
	}
	return m
}
