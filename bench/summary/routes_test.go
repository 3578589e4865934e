package summary

import (
	"reflect"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"netmodels/bench/attack"
)

func TestCause(t *testing.T) {
	for _, c := range []struct {
		code  uint16
		err   string
		cause string
	}{
		{200, "", ""},
		{204, "", ""},
		{503, "", CauseRefused503},
		{500, "", Cause5xx},
		{404, "", Cause4xx},
		{0, "dial tcp 127.0.0.1:1: connect: connection refused", CauseConnRefused},
		{0, "read tcp: connection reset by peer", CauseReset},
		{0, "i/o timeout", CauseTimeout},
		{0, "unexpected EOF", CauseEOF},
		{200, "game: guess 5 answered UP, the secret is 3", CauseWrong},
		{200, "something else", CauseOther},
		{302, "", CauseOther},
		{0, "", CauseOther},
	} {
		if got := Cause(&vegeta.Result{Code: c.code, Error: c.err}); got != c.cause {
			t.Errorf("code %d error %q: cause %q, want %q", c.code, c.err, got, c.cause)
		}
	}
}

func TestRoutes(t *testing.T) {
	ms := time.Millisecond
	rs := []vegeta.Result{
		{Method: "GET", URL: "http://127.0.0.1:8080/sort/heap?n=10", Code: 200, Latency: 4 * ms, BytesIn: 100},
		{Method: "GET", URL: "http://127.0.0.1:8080/hello", Code: 200, Latency: 1 * ms, BytesIn: 12},
		{Method: "GET", URL: "http://127.0.0.1:8080/sort/heap?n=10", Code: 503, Latency: 2 * ms, BytesIn: 20},
		{Method: "GET", URL: "http://127.0.0.1:8080/sort/heap?n=10", Code: 200, Latency: 6 * ms, BytesIn: 100},
		{Method: "POST", URL: "http://127.0.0.1:8080/hello", Code: 200, Latency: 3 * ms},
	}
	got := Routes(rs, 2*time.Second)
	want := []Route{
		{Method: "GET", Name: "/sort/heap?n=10", Requests: 3, Failures: 1, Median: 4, Mean: 4, Min: 2, Max: 6,
			P90: 6, P99: 6, MeanSize: 220.0 / 3, RPS: 1.5, FailRPS: 0.5, Pct: []float64{4, 4, 6, 6, 6, 6, 6, 6, 6, 6, 6}},
		{Method: "GET", Name: "/hello", Requests: 1, Median: 1, Mean: 1, Min: 1, Max: 1, P90: 1, P99: 1, MeanSize: 12, RPS: 0.5,
			Pct: []float64{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}},
		{Method: "POST", Name: "/hello", Requests: 1, Median: 3, Mean: 3, Min: 3, Max: 3, P90: 3, P99: 3, RPS: 0.5,
			Pct: []float64{3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("routes\n got %+v\nwant %+v", got, want)
	}
	if r := Routes(nil, time.Second); len(r) != 0 {
		t.Fatalf("an empty attack has no rows: %+v", r)
	}
	agg := Aggregated(rs, 2*time.Second)
	wantAgg := Route{Name: "Aggregated", Requests: 5, Failures: 1, Median: 3, Mean: 16.0 / 5, Min: 1, Max: 6,
		P90: 6, P99: 6, MeanSize: 232.0 / 5, RPS: 2.5, FailRPS: 0.5, Pct: []float64{3, 4, 4, 4, 6, 6, 6, 6, 6, 6, 6}}
	if agg == nil || !reflect.DeepEqual(*agg, wantAgg) {
		t.Fatalf("aggregated\n got %+v\nwant %+v", agg, wantAgg)
	}
	if Aggregated(nil, time.Second) != nil {
		t.Fatal("an empty attack has no aggregated row")
	}
}

func TestFailures(t *testing.T) {
	began := time.Unix(1000, 0)
	at := func(s float64) time.Time { return began.Add(time.Duration(s * float64(time.Second))) }
	rs := []vegeta.Result{
		{Code: 200, Timestamp: at(0.1)},
		{Code: 503, Timestamp: at(2.5)},
		{Code: 0, Error: "i/o timeout", Timestamp: at(3)},
		{Code: 503, Timestamp: at(1.5)}, // out of order: the earlier one is first
		{Code: 0, Error: "unexpected EOF", Timestamp: at(4)},
		{Code: 503, Timestamp: at(5)},
		{Code: 0, Error: "i/o timeout", Timestamp: at(6)},
	}
	notSent := []attack.NotSent{{Due: 7 * time.Second}, {Due: 8 * time.Second, Late: true}}
	got := Failures(rs, began, notSent)
	want := []Failure{
		{Cause: CauseRefused503, Count: 3, First: 1.5, Example: "status 503"},
		{Cause: CauseTimeout, Count: 2, First: 3, Example: "i/o timeout"},
		{Cause: CauseEOF, Count: 1, First: 4, Example: "unexpected EOF"},
		{Cause: CauseNotSent, Count: 1, First: 7, Example: "due with all max_conns connections waiting on the server"},
		{Cause: CauseNotSentLate, Count: 1, First: 8, Example: "due and over 10 ms behind schedule"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("failures\n got %+v\nwant %+v", got, want)
	}
	if f := Failures(rs[:1], began, nil); len(f) != 0 {
		t.Fatalf("a success is no failure: %+v", f)
	}
}
