package session

import (
	"slices"
	"testing"
	"time"

	"netmodels/bench/scenario"
	"netmodels/bench/store"
)

func TestChooseShare(t *testing.T) {
	rows := []store.CalibrationRow{
		// keep-alive: the fastest model, epoll, 110k/s at 8 µs each:
		// 110000/2 × 8e-6 = 0.44.
		{Shape: "keep-alive GET /hello", Model: "epoll", Answers: 110000, HarnessShare: 1, Ceiling: 110000, ServerUS: 8},
		{Shape: "keep-alive GET /hello", Model: "fork", Answers: 18000, HarnessShare: 0.5, Ceiling: 36000, ServerUS: 3},
		// close: goroutine is fastest, 16000/s at 37.8 µs: 0.30. A slow
		// model's extrapolated ceiling and odd CPU figure do not count.
		{Shape: "close GET /hello", Model: "goroutine", Answers: 16000, HarnessShare: 1, Ceiling: 16000, ServerUS: 37.8},
		{Shape: "close GET /hello", Model: "thread", Answers: 8000, HarnessShare: 0.1, Ceiling: 80000, ServerUS: 1},
		// /sleep: the generator is never busy; the shape does not bind.
		{Shape: "keep-alive GET /sleep?ms=50", Model: "gnet", Answers: 979, HarnessShare: 0.04, Ceiling: 24000, ServerUS: 10},
	}
	got, err := chooseShare(rows, nil, 10*time.Millisecond)
	if err != nil || got != 0.30 {
		t.Fatalf("chooseShare = %v, %v; want 0.30", got, err)
	}
	// A server far cheaper than the generator gets the kernel's least
	// quota, 1 ms of the period.
	got, _ = chooseShare([]store.CalibrationRow{{Shape: "x", Answers: 200000, HarnessShare: 1, Ceiling: 200000, ServerUS: 1}}, nil, 10*time.Millisecond)
	if got != 0.1 {
		t.Fatalf("floor: %v, want 0.1 (1 ms of 10 ms)", got)
	}
	// A costly shape never asks for more than the whole CPU.
	got, _ = chooseShare([]store.CalibrationRow{{Shape: "x", Answers: 1000, HarnessShare: 1, Ceiling: 1000, ServerUS: 5000}}, nil, 10*time.Millisecond)
	if got != 1 {
		t.Fatalf("cap: %v, want 1", got)
	}
	if _, err := chooseShare([]store.CalibrationRow{{Shape: "x", Answers: 10, HarnessShare: 1, Ceiling: 10}}, nil, 10*time.Millisecond); err == nil {
		t.Fatal("no server CPU measured: want an error")
	}
	// A stress test whose last step is 12000/s wants no model over
	// 6000/s: 6000 × 37.8 µs = 0.23, so 0.20.
	bounds := stressBounds(scenario.Builtins())
	if b := bounds["close GET /hello"]; b != 6000 {
		t.Fatalf("blog's bound: %v, want 6000 (half its last step)", b)
	}
	if got, _ := chooseShare(rows, bounds, 10*time.Millisecond); got != 0.20 {
		t.Fatalf("with blog's bound: %v, want 0.20", got)
	}
	// A model slower at a whole CPU than goroutine but cheaper per answer
	// answers more under a limit: epoll, 14000/s at 28 µs, passes the
	// 8000/s limit from 8000 × 28 µs = 0.224 on, so 0.20.
	cheap := append(slices.Clone(rows), store.CalibrationRow{Shape: "close GET /hello", Model: "epoll", Answers: 14000, HarnessShare: 0.9, Ceiling: 15555, ServerUS: 28})
	if got, _ := chooseShare(cheap, nil, 10*time.Millisecond); got != 0.20 {
		t.Fatalf("with a cheaper model: %v, want 0.20", got)
	}
	// A model that never passes the limit, however cheap, does not bind.
	slow := append(slices.Clone(rows), store.CalibrationRow{Shape: "close GET /hello", Model: "iterative", Answers: 7000, HarnessShare: 0.5, Ceiling: 14000, ServerUS: 2})
	if got, _ := chooseShare(slow, nil, 10*time.Millisecond); got != 0.30 {
		t.Fatalf("with a cheap model under the limit: %v, want 0.30", got)
	}
}

func TestOverLimit(t *testing.T) {
	rows := []store.CalibrationRow{
		{Shape: "close GET /hello", Model: "goroutine", Answers: 16000},
		{Shape: "close GET /hello", Model: "thread", Answers: 7000},
		{Shape: "close GET /hello", Model: "epoll", Answers: 14000},
		{Shape: "keep-alive GET /hello", Model: "thread", Answers: 90000},
		// a check at a share is not a model at its whole CPU
		{Shape: "close GET /hello", Model: "thread", Answers: 9000, Share: 0.3},
	}
	if got := overLimit(rows, "close GET /hello", 8000); !slices.Equal(got, []string{"goroutine", "epoll"}) {
		t.Fatalf("overLimit = %v, want goroutine and epoll", got)
	}
}

func TestParseShare(t *testing.T) {
	if s, auto, err := ParseShare("0.25"); s != 0.25 || auto || err != nil {
		t.Fatalf("0.25: %v %v %v", s, auto, err)
	}
	if _, auto, err := ParseShare("auto"); !auto || err != nil {
		t.Fatalf("auto: %v %v", auto, err)
	}
	for _, bad := range []string{"0", "1.5", "-1", "half"} {
		if _, _, err := ParseShare(bad); err == nil {
			t.Errorf("%q: want an error", bad)
		}
	}
}

func TestShape(t *testing.T) {
	sc := &scenario.Scenario{Targets: []scenario.Target{{Path: "/hello"}, {Method: "POST", Path: "/x"}}, KeepAlive: true}
	if got := sc.Shape(); got != "keep-alive GET /hello, POST /x" {
		t.Fatalf("shape %q", got)
	}
}
