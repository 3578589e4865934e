package step

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"netmodels/bench/scenario"
	"netmodels/bench/stress"
)

// TestJSONRoundTrip: a step handed to a harness as JSON arrives the same,
// for every built-in scenario and every scenario file: loads, durations,
// targets, stress tails and thresholds included.
func TestJSONRoundTrip(t *testing.T) {
	scs := scenario.Builtins()
	for _, n := range scenario.Names("../scenarios") {
		sc, err := scenario.Find("../scenarios", n)
		if err != nil {
			t.Fatal(err)
		}
		scs = append(scs, sc)
	}
	for _, sc := range scs {
		st := &Step{Model: "epoll", Scenario: sc, Repeat: 2, Warmup: 500 * time.Millisecond,
			Thresholds: stress.Defaults(), Label: "[1/2] epoll · " + sc.Name, Kernel: true}
		b, err := json.Marshal(st)
		if err != nil {
			t.Fatal(err)
		}
		var back Step
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("%s: %v", sc.Name, err)
		}
		if !reflect.DeepEqual(st, &back) {
			t.Errorf("%s: round trip differs:\n%+v\n%+v", sc.Name, st.Scenario, back.Scenario)
		}
	}
}

// TestCountedPass: with Kernel, a closed attack is followed by a counted
// pass of at most CountedPass, and a stress test by none; Length says so.
func TestCountedPass(t *testing.T) {
	for _, sc := range scenario.Builtins() {
		st := &Step{Model: "epoll", Scenario: sc}
		plain := st.Length()
		st.Kernel = true
		want := min(CountedPass, sc.Duration.Duration)
		if sc.Stress != nil {
			want = 0
		}
		if got := st.Length() - plain; got != want {
			t.Errorf("%s: the counted pass adds %v, want %v", sc.Name, got, want)
		}
	}
}

// settle waits out a server's backlog: it returns once a request is
// answered quickly, and gives up on a server that never is.
func TestSettle(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) <= 2 {
			time.Sleep(SettleQuick + 100*time.Millisecond) // the backlog
		}
	}))
	defer srv.Close()
	waited, ok := settle(context.Background(), srv.URL+"/hello")
	if !ok || n.Load() != 3 {
		t.Errorf("settled %v after %d requests and %v, want true after 3", ok, n.Load(), waited)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if _, ok := settle(ctx, "http://127.0.0.1:1/hello"); ok {
		t.Error("settled on a port nothing listens on")
	}
}
