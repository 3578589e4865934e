package summary

import (
	"net/url"
	"sort"
	"strconv"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"netmodels/bench/attack"
)

// Route is Locust's Statistics row for one request name: a method and a
// path with its query, as the scenario sent it. Latencies are in
// milliseconds, sizes in bytes; rates are per second of the attack.
type Route struct {
	Method   string  `json:"method"`
	Name     string  `json:"name"`
	Requests int     `json:"requests"`
	Failures int     `json:"failures"`
	Median   float64 `json:"median_ms"`
	Mean     float64 `json:"mean_ms"`
	Min      float64 `json:"min_ms"`
	Max      float64 `json:"max_ms"`
	P90      float64 `json:"p90_ms"`
	P99      float64 `json:"p99_ms"`
	MeanSize float64 `json:"mean_size_bytes"` // of the answers' bodies
	RPS      float64 `json:"rps"`
	FailRPS  float64 `json:"failures_per_s"`
	// Pct is the latency at each of LocustPercentiles, in ms: the
	// percentile columns of Locust's requests CSV. Not stored: the
	// stored run keeps P90 and P99, and its results.
	Pct []float64 `json:"-"`
}

// LocustPercentiles are the percentiles Locust reports (its
// PERCENTILES_TO_REPORT), in the order of its requests CSV's columns.
var LocustPercentiles = []float64{.50, .66, .75, .80, .90, .95, .98, .99, .999, .9999, 1}

// PctAt is the route's latency at percentile q, one of
// LocustPercentiles; 0 when q is not one.
func (r *Route) PctAt(q float64) float64 {
	for i, p := range LocustPercentiles {
		if p == q && i < len(r.Pct) {
			return r.Pct[i]
		}
	}
	return 0
}

// Failure is one cause of failure and how often it happened: Locust's
// Failures tab, by cause rather than by message.
type Failure struct {
	Cause string  `json:"cause"`
	Count int     `json:"count"`
	First float64 `json:"first_s"` // seconds since the attack began
	// Example is the first occurrence's error or status, as recorded.
	Example string `json:"example"`
}

// The causes of failure, in the order reports list them.
const (
	CauseRefused503  = "503 refused by the server"
	Cause5xx         = "other 5xx"
	Cause4xx         = "4xx"
	CauseTimeout     = "timeout"
	CauseConnRefused = "connection refused"
	CauseReset       = "connection reset"
	CauseEOF         = "EOF mid-answer"
	CauseWrong       = "wrong answer"
	CauseNotSent     = "not sent: every connection busy"
	CauseNotSentLate = "not sent: the generator was late"
	CauseOther       = "other"
)

var causeOrder = []string{CauseRefused503, Cause5xx, Cause4xx, CauseTimeout, CauseConnRefused,
	CauseReset, CauseEOF, CauseWrong, CauseNotSent, CauseNotSentLate, CauseOther}

// Cause names why a result failed, or "" for a success. A transport error
// wins over a status: the answer did not arrive whole.
func Cause(r *vegeta.Result) string {
	switch attack.ErrorClass(r.Error) {
	case "":
	case "refused":
		return CauseConnRefused
	case "reset":
		return CauseReset
	case "timeout":
		return CauseTimeout
	case "eof":
		return CauseEOF
	case "wrong-answer":
		return CauseWrong
	default:
		return CauseOther
	}
	switch {
	case r.Code == 503:
		return CauseRefused503
	case r.Code >= 500:
		return Cause5xx
	case r.Code >= 400:
		return Cause4xx
	case r.Code >= 200 && r.Code < 300:
		return ""
	}
	return CauseOther // no status (0), 1xx or 3xx: not an answer we asked for
}

// routeName is a result's request name: its URL without scheme and host.
func routeName(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.Host == "" {
		return u
	}
	return p.RequestURI()
}

// Routes computes the Statistics rows of an attack's results, one per
// method and name in order of first appearance, over an attack of wall
// length wall.
func Routes(rs []vegeta.Result, wall time.Duration) []Route {
	return routes(rs, wall, func(r *vegeta.Result) [2]string { return [2]string{r.Method, routeName(r.URL)} })
}

// Aggregated is the Statistics row of all the results together, named as
// Locust names it; nil for no results.
func Aggregated(rs []vegeta.Result, wall time.Duration) *Route {
	rows := routes(rs, wall, func(*vegeta.Result) [2]string { return [2]string{"", "Aggregated"} })
	if len(rows) == 0 {
		return nil
	}
	return &rows[0]
}

// RouteName is a result's request name in the Statistics rows.
func RouteName(r *vegeta.Result) string { return routeName(r.URL) }

func routes(rs []vegeta.Result, wall time.Duration, key func(*vegeta.Result) [2]string) []Route {
	type acc struct {
		r     Route
		lat   []time.Duration
		sum   time.Duration
		bytes uint64
	}
	var order []*acc
	by := map[[2]string]*acc{}
	for i := range rs {
		r := &rs[i]
		k := key(r)
		a := by[k]
		if a == nil {
			a = &acc{r: Route{Method: k[0], Name: k[1]}}
			by[k] = a
			order = append(order, a)
		}
		a.r.Requests++
		if !OK(r) {
			a.r.Failures++
		}
		a.lat = append(a.lat, r.Latency)
		a.sum += r.Latency
		a.bytes += r.BytesIn
	}
	out := make([]Route, 0, len(order))
	for _, a := range order {
		sortDur(a.lat)
		n := float64(a.r.Requests)
		a.r.Median, a.r.P90, a.r.P99 = ms(Quantile(a.lat, .5)), ms(Quantile(a.lat, .9)), ms(Quantile(a.lat, .99))
		for _, q := range LocustPercentiles {
			a.r.Pct = append(a.r.Pct, ms(Quantile(a.lat, q)))
		}
		a.r.Min, a.r.Max = ms(a.lat[0]), ms(a.lat[len(a.lat)-1])
		a.r.Mean = ms(a.sum) / n
		a.r.MeanSize = float64(a.bytes) / n
		if wall > 0 {
			a.r.RPS = n / wall.Seconds()
			a.r.FailRPS = float64(a.r.Failures) / wall.Seconds()
		}
		out = append(out, a.r)
	}
	return out
}

// Failures counts an attack's failures by cause, the most frequent first
// (ties in the order of the Cause constants), with the first occurrence of
// each: a result's by its send time since began, a request not sent by its
// due time.
func Failures(rs []vegeta.Result, began time.Time, notSent []attack.NotSent) []Failure {
	by := map[string]*Failure{}
	note := func(cause string, at float64, example string) {
		f := by[cause]
		if f == nil {
			f = &Failure{Cause: cause, First: at, Example: example}
			by[cause] = f
		}
		f.Count++
		if at < f.First {
			f.First, f.Example = at, example
		}
	}
	for i := range rs {
		r := &rs[i]
		c := Cause(r)
		if c == "" {
			continue
		}
		ex := r.Error
		if ex == "" {
			ex = "status " + strconv.Itoa(int(r.Code))
		}
		note(c, r.Timestamp.Sub(began).Seconds(), ex)
	}
	for _, x := range notSent {
		// The two are apart: one is the server's shortfall (its
		// connections all waiting on it), the other the generator's.
		if x.Late {
			note(CauseNotSentLate, x.Due.Seconds(), "due and over 10 ms behind schedule")
			continue
		}
		note(CauseNotSent, x.Due.Seconds(), "due with all max_conns connections waiting on the server")
	}
	out := make([]Failure, 0, len(by))
	for _, c := range causeOrder {
		if f := by[c]; f != nil {
			out = append(out, *f)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Count > out[j].Count })
	return out
}
