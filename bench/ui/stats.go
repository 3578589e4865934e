package ui

import (
	"sort"
	"sync"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"netmodels/bench/summary"
)

// Window is how far back the "current" figures look, as Locust's
// current_rps and current response time percentiles do: the last
// complete seconds, up to this many.
const Window = 10

// Stats gathers one attack's results as they complete, for the page and
// for Locust's API. While the attack runs it keeps counts, sums and
// histograms (hist), not the results, so that watching costs the
// generator little; once the attack ended (Finish) its rows are
// summary.Routes and summary.Aggregated over the attack's own results,
// exactly the stored run's.
type Stats struct {
	mu     sync.Mutex
	began  time.Time
	names  map[string]string // URL: request name
	routes map[[2]string]*acc
	order  []*acc
	total  acc
	errs   map[[3]string]*ErrorRow
	eorder []*ErrorRow
	secs   []second // by the second results completed in, since began
	final  *Snapshot
}

// acc accumulates one request name's figures.
type acc struct {
	method, name  string
	n, fails      int
	sum, min, max time.Duration
	bytes         uint64
	h             hist
}

func (a *acc) add(r *vegeta.Result, ok bool) {
	if a.n == 0 || r.Latency < a.min {
		a.min = r.Latency
	}
	a.max = max(a.max, r.Latency)
	a.n++
	if !ok {
		a.fails++
	}
	a.sum += r.Latency
	a.bytes += r.BytesIn
	a.h.add(r.Latency)
}

// row is the accumulated figures as a Statistics row over wall.
func (a *acc) row(wall time.Duration) summary.Route {
	r := summary.Route{Method: a.method, Name: a.name, Requests: a.n, Failures: a.fails,
		Median: ms(a.h.quantile(.5)), P90: ms(a.h.quantile(.9)), P99: ms(a.h.quantile(.99)), Min: ms(a.min), Max: ms(a.max)}
	for _, q := range summary.LocustPercentiles {
		r.Pct = append(r.Pct, ms(a.h.quantile(q)))
	}
	if len(r.Pct) > 0 {
		r.Pct[len(r.Pct)-1] = r.Max // the 100th is the maximum, exactly
	}
	if a.n > 0 {
		r.Mean, r.MeanSize = ms(a.sum)/float64(a.n), float64(a.bytes)/float64(a.n)
	}
	if wall > 0 {
		r.RPS, r.FailRPS = float64(a.n)/wall.Seconds(), float64(a.fails)/wall.Seconds()
	}
	return r
}

// second is what completed in one second.
type second struct {
	n, fails int
	h        hist
	route    map[[2]string][2]int // method and name: requests, failures
}

// NewStats starts gathering at began.
func NewStats(began time.Time) *Stats {
	return &Stats{began: began, names: map[string]string{}, routes: map[[2]string]*acc{}, errs: map[[3]string]*ErrorRow{},
		total: acc{name: "Aggregated"}}
}

// Add records one result; safe for concurrent use (attack.Live.OnResult).
func (s *Stats) Add(r *vegeta.Result) {
	ok := summary.OK(r)
	cause := ""
	if !ok {
		cause = summary.Cause(r)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.final != nil {
		return
	}
	name, seen := s.names[r.URL]
	if !seen {
		name = summary.RouteName(r)
		s.names[r.URL] = name
	}
	k := [2]string{r.Method, name}
	a := s.routes[k]
	if a == nil {
		a = &acc{method: r.Method, name: name}
		s.routes[k] = a
		s.order = append(s.order, a)
	}
	a.add(r, ok)
	s.total.add(r, ok)
	if cause != "" {
		ek := [3]string{r.Method, name, cause}
		e := s.errs[ek]
		if e == nil {
			e = &ErrorRow{Method: r.Method, Name: name, Error: cause}
			s.errs[ek] = e
			s.eorder = append(s.eorder, e)
		}
		e.seen(r)
	}
	t := max(int(r.End().Sub(s.began)/time.Second), 0)
	for len(s.secs) <= t {
		s.secs = append(s.secs, second{route: map[[2]string][2]int{}})
	}
	c := &s.secs[t]
	v := c.route[k]
	v[0]++
	c.n++
	if !ok {
		v[1]++
		c.fails++
	}
	c.route[k] = v
	c.h.add(r.Latency)
}

// Finish makes the figures the attack's own results over its wall time,
// exactly as the stored run has them; later Adds are ignored.
func (s *Stats) Finish(rs []vegeta.Result, wall time.Duration) {
	f := Snapshot{Elapsed: wall.Seconds(), Stats: []Row{}, Errors: errorRows(rs), CurrentPercent: map[string]float64{}}
	for _, r := range summary.Routes(rs, wall) {
		f.Stats = append(f.Stats, row(r, 0, 0))
	}
	if agg := summary.Aggregated(rs, wall); agg != nil {
		f.Stats = append(f.Stats, row(*agg, 0, 0))
		f.FailRatio, f.TotalAvg = float64(agg.Failures)/float64(agg.Requests), agg.Mean
		f.TotalRPS, f.TotalFailPerS = agg.RPS, agg.FailRPS
	}
	s.mu.Lock()
	s.final = &f
	s.mu.Unlock()
}

// Row is a row of Locust's Statistics tab, with Locust 2.x's JSON field
// names. Times are in milliseconds, sizes in bytes.
type Row struct {
	Method            string  `json:"method"`
	Name              string  `json:"name"`
	SafeName          string  `json:"safe_name"`
	NumRequests       int     `json:"num_requests"`
	NumFailures       int     `json:"num_failures"`
	Median            float64 `json:"median_response_time"`
	Avg               float64 `json:"avg_response_time"`
	Min               float64 `json:"min_response_time"`
	Max               float64 `json:"max_response_time"`
	P95               float64 `json:"response_time_percentile_0.95"`
	P99               float64 `json:"response_time_percentile_0.99"`
	AvgContentLength  float64 `json:"avg_content_length"`
	CurrentRPS        float64 `json:"current_rps"` // over the last Window seconds
	CurrentFailPerSec float64 `json:"current_fail_per_sec"`
	TotalRPS          float64 `json:"total_rps"` // over the whole test, as the stored summary counts
	TotalFailPerSec   float64 `json:"total_fail_per_sec"`
	// Ninetieth and NinetyNinth are netmodels' own, for the page's
	// table; Locust's names for the 99th are P99's.
	Ninetieth   float64 `json:"ninetieth_response_time"`
	NinetyNinth float64 `json:"ninety_ninth_response_time"`
	// Pct is the latency at each of summary.LocustPercentiles, for the
	// requests CSV.
	Pct []float64 `json:"-"`
}

// ErrorRow is a row of Locust's Failures tab: a request name and the
// cause of its failures (summary.Cause), how often, and when first and
// last (Unix seconds, as Locust's first_seen and last_seen).
type ErrorRow struct {
	Method      string  `json:"method"`
	Name        string  `json:"name"`
	Error       string  `json:"error"`
	Occurrences int     `json:"occurrences"`
	FirstSeen   float64 `json:"first_seen"`
	LastSeen    float64 `json:"last_seen"`
}

// seen counts one failed result in the row.
func (e *ErrorRow) seen(r *vegeta.Result) {
	at := float64(r.End().UnixNano()) / 1e9
	if e.Occurrences == 0 || at < e.FirstSeen {
		e.FirstSeen = at
	}
	e.LastSeen = max(e.LastSeen, at)
	e.Occurrences++
}

// Snapshot is the figures of Locust's /stats/requests: as Locust's,
// current_* over the last Window seconds, total_* over the whole test.
type Snapshot struct {
	Stats          []Row              `json:"stats"` // the last is "Aggregated"
	Errors         []ErrorRow         `json:"errors"`
	CurrentRPS     float64            `json:"current_rps"`
	CurrentFailPS  float64            `json:"current_fail_per_sec"`
	TotalRPS       float64            `json:"total_rps"`
	TotalFailPerS  float64            `json:"total_fail_per_sec"`
	FailRatio      float64            `json:"fail_ratio"` // of all requests
	TotalAvg       float64            `json:"total_avg_response_time"`
	CurrentPercent map[string]float64 `json:"current_response_time_percentiles"`
	Elapsed        float64            `json:"elapsed_s"`
}

// Snapshot computes the figures at now: while the attack runs, from the
// histograms (percentiles within 0.5%); once it ended, exactly.
func (s *Stats) Snapshot(now time.Time) Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.final != nil {
		return *s.final
	}
	wall := now.Sub(s.began)
	// The current figures: the last complete seconds, up to Window, from
	// the seconds results completed in.
	cur := int(wall / time.Second)
	from := max(cur-Window, 0)
	span := float64(cur - from)
	curRoute := map[[2]string][2]int{}
	var n, fails int
	var h hist
	for t := from; t < cur && t < len(s.secs); t++ {
		c := &s.secs[t]
		n += c.n
		fails += c.fails
		h.merge(&c.h)
		for k, v := range c.route {
			x := curRoute[k]
			x[0] += v[0]
			x[1] += v[1]
			curRoute[k] = x
		}
	}
	rate := func(v int) float64 {
		if span == 0 {
			return 0
		}
		return float64(v) / span
	}
	out := Snapshot{Elapsed: wall.Seconds(), Stats: []Row{}, Errors: []ErrorRow{}}
	for _, a := range s.order {
		c := curRoute[[2]string{a.method, a.name}]
		out.Stats = append(out.Stats, row(a.row(wall), rate(c[0]), rate(c[1])))
	}
	out.CurrentRPS, out.CurrentFailPS = rate(n), rate(fails)
	if s.total.n > 0 {
		agg := s.total.row(wall)
		out.Stats = append(out.Stats, row(agg, out.CurrentRPS, out.CurrentFailPS))
		out.FailRatio, out.TotalAvg = float64(agg.Failures)/float64(agg.Requests), agg.Mean
		out.TotalRPS, out.TotalFailPerS = agg.RPS, agg.FailRPS
	}
	out.CurrentPercent = map[string]float64{
		"response_time_percentile_0.5":  ms(h.quantile(.5)),
		"response_time_percentile_0.95": ms(h.quantile(.95)),
	}
	for _, e := range s.eorder {
		out.Errors = append(out.Errors, *e)
	}
	sort.SliceStable(out.Errors, func(i, j int) bool { return out.Errors[i].Occurrences > out.Errors[j].Occurrences })
	return out
}

func row(r summary.Route, cur, curFail float64) Row {
	return Row{Method: r.Method, Name: r.Name, SafeName: r.Name, NumRequests: r.Requests, NumFailures: r.Failures,
		Median: r.Median, Avg: r.Mean, Min: r.Min, Max: r.Max, P95: r.PctAt(.95), P99: r.P99, Ninetieth: r.P90, NinetyNinth: r.P99,
		AvgContentLength: r.MeanSize, CurrentRPS: cur, CurrentFailPerSec: curFail, TotalRPS: r.RPS, TotalFailPerSec: r.FailRPS, Pct: r.Pct}
}

// errorRows groups the failures by request name and cause, the most
// frequent first.
func errorRows(rs []vegeta.Result) []ErrorRow {
	type key struct{ method, name, cause string }
	by := map[key]*ErrorRow{}
	var order []*ErrorRow
	for i := range rs {
		r := &rs[i]
		c := summary.Cause(r)
		if c == "" {
			continue
		}
		k := key{r.Method, summary.RouteName(r), c}
		e := by[k]
		if e == nil {
			e = &ErrorRow{Method: k.method, Name: k.name, Error: c}
			by[k] = e
			order = append(order, e)
		}
		e.seen(r)
	}
	out := make([]ErrorRow, 0, len(order))
	for _, e := range order {
		out = append(out, *e)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Occurrences > out[j].Occurrences })
	return out
}

// Last is the second before now: what completed in it, for the charts.
// RPS counts every completed request, failures too, as Locust's chart
// does; OK the successful answers alone.
type Last struct {
	RPS, FailPerS, OK float64
	P50, P95          float64 // ms; 0 when nothing completed
}

// LastSecond returns the figures of the last complete second before now.
func (s *Stats) LastSecond(now time.Time) Last {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := int(now.Sub(s.began)/time.Second) - 1
	if t < 0 || t >= len(s.secs) {
		return Last{}
	}
	c := &s.secs[t]
	return Last{RPS: float64(c.n), FailPerS: float64(c.fails), OK: float64(c.n - c.fails), P50: ms(c.h.quantile(.5)), P95: ms(c.h.quantile(.95))}
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }
