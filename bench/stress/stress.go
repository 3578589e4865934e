// Package stress finds, in the steps of a stress test, the two points the
// course names: the knee (임계점), the last offered rate the server still
// handles as at low load, and the breaking point (중단점), the first rate at
// which it fails. It also measures the requests served before the first
// failure (the blog's figure) and the time to recover after the overload.
// It is pure code over metrics, tested on synthetic data.
package stress

import "time"

// Step is the outcome of one step of a stress test.
type Step struct {
	Offered    float64       // rate the schedule asked for, requests/s
	Sent       float64       // rate actually sent, requests/s
	Throughput float64       // successful answers/s
	Requests   int           // requests sent
	Failures   int           // errors and non-2xx answers
	Timeouts   int           // requests that hit the timeout
	P50, P99   time.Duration // latency of the step's requests, lag behind schedule included
}

// FailureRatio is the share of failed requests.
func (s Step) FailureRatio() float64 {
	if s.Requests == 0 {
		return 0
	}
	return float64(s.Failures) / float64(s.Requests)
}

// Thresholds define the knee and the breaking point.
type Thresholds struct {
	// P99Factor: at the knee, p99 is within this factor of the first
	// (low-load) step's p99. Default 3.
	P99Factor float64
	// KeepUp: at the knee, throughput is at least this share of the
	// offered rate. Default 0.95.
	KeepUp float64
	// MaxFailures: past this share of failed requests (or any timeout), the
	// server is broken. Default 0.01.
	MaxFailures float64
	// P99Floor keeps a tiny low-load p99 from making the knee test
	// meaninglessly strict: the baseline is at least this. Default 1 ms.
	P99Floor time.Duration
}

// Defaults returns the documented default thresholds.
func Defaults() Thresholds {
	return Thresholds{P99Factor: 3, KeepUp: 0.95, MaxFailures: 0.01, P99Floor: time.Millisecond}
}

func (t Thresholds) withDefaults() Thresholds {
	d := Defaults()
	if t.P99Factor <= 0 {
		t.P99Factor = d.P99Factor
	}
	if t.KeepUp <= 0 {
		t.KeepUp = d.KeepUp
	}
	if t.MaxFailures <= 0 {
		t.MaxFailures = d.MaxFailures
	}
	if t.P99Floor <= 0 {
		t.P99Floor = d.P99Floor
	}
	return t
}

// Broken reports whether a step broke the server: more than MaxFailures
// of its requests failed, or any timed out.
func (t Thresholds) Broken(s Step) bool {
	t = t.withDefaults()
	return s.FailureRatio() > t.MaxFailures || s.Timeouts > 0
}

// Points are the knee and the breaking point of a stress test; an index is
// -1 when there is none (no step held up; nothing broke).
type Points struct {
	Knee        int
	KneeRate    float64
	Break       int
	BreakRate   float64
	BaselineP99 time.Duration
}

// Find returns the knee and breaking point of steps, which must be in
// order of rising offered rate.
func Find(steps []Step, th Thresholds) Points {
	th = th.withDefaults()
	p := Points{Knee: -1, Break: -1}
	if len(steps) == 0 {
		return p
	}
	p.BaselineP99 = max(steps[0].P99, th.P99Floor)
	for i, s := range steps {
		broken := th.Broken(s)
		if broken && p.Break < 0 {
			p.Break, p.BreakRate = i, s.Offered
		}
		holds := !broken && s.Throughput >= th.KeepUp*s.Offered &&
			float64(s.P99) <= th.P99Factor*float64(p.BaselineP99)
		if p.Knee == i-1 && holds {
			p.Knee, p.KneeRate = i, s.Offered
		}
	}
	return p
}

// Search narrows a breaking point found on a coarse grid of steps: each
// probe runs one more step at a rate between the highest clean rate (Lo)
// and the lowest broken one (Hi), halving the gap, until Hi is within
// Ratio of Lo or Max probes have run. Lo and Hi bound the capacity: the
// server held Lo and broke at Hi.
type Search struct {
	Lo, Hi float64 // the highest clean rate (0: none), the lowest broken one
	Ratio  float64 // stop when Hi <= Ratio*Lo
	Max    int     // at most this many probes
	Probes []Step  // the probes run, in order
}

// NewSearch starts a search from a stress test's steps, in order of
// rising rate; ok is false when no step broke (there is nothing to
// narrow). With no clean step below the first broken one, Lo is 0 and
// the probes halve the rate until one holds.
func NewSearch(steps []Step, th Thresholds, ratio float64, probes int) (s Search, ok bool) {
	s = Search{Ratio: ratio, Max: probes}
	for _, st := range steps {
		if th.Broken(st) {
			s.Hi = st.Offered
			return s, true
		}
		s.Lo = st.Offered
	}
	return s, false
}

// Next is the rate of the next probe; false when the search is done.
func (s *Search) Next() (float64, bool) {
	if len(s.Probes) >= s.Max || s.Hi <= 0 || s.Lo > 0 && s.Hi <= s.Ratio*s.Lo {
		return 0, false
	}
	return (s.Lo + s.Hi) / 2, true
}

// Record takes a probe's outcome: a broken probe lowers Hi, a clean one
// raises Lo.
func (s *Search) Record(st Step, th Thresholds) {
	s.Probes = append(s.Probes, st)
	if th.Broken(st) {
		s.Hi = min(s.Hi, st.Offered)
	} else {
		s.Lo = max(s.Lo, st.Offered)
	}
}

// Outcome is one request, in order of sending, for BeforeFirstFailure.
type Outcome struct {
	Sent time.Time
	OK   bool
}

// BeforeFirstFailure counts the successful requests sent before the first
// failed one (the blog's "requests before failure"); all of them when none
// failed. outcomes must be in order of sending.
func BeforeFirstFailure(outcomes []Outcome) (n int, failed bool) {
	for _, o := range outcomes {
		if !o.OK {
			return n, true
		}
		n++
	}
	return n, false
}

// Second is one second of a time series.
type Second struct {
	P50, P99 time.Duration
	OK       int
}

// Recovery returns how long after start (the index of the first second
// after the overload) the server was back to normal: p50 and p99 within
// factor of the baseline for hold consecutive seconds with answers. It
// reports false if it never was within the series.
func Recovery(series []Second, start int, base50, base99 time.Duration, factor float64, hold int) (time.Duration, bool) {
	run := 0
	for i := start; i < len(series); i++ {
		s := series[i]
		if s.OK > 0 && float64(s.P50) <= factor*float64(base50) && float64(s.P99) <= factor*float64(base99) {
			run++
			if run == hold {
				return time.Duration(i-hold+1-start) * time.Second, true
			}
			continue
		}
		run = 0
	}
	return 0, false
}
