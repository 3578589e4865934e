package summary

import (
	"math"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"netmodels/bench/attack"
	"netmodels/bench/sample"
	"netmodels/bench/scenario"
	"netmodels/bench/stress"
)

// An open attack's requests not sent count as failures; those the
// generator was late for mark it generator-bound past 1% of the requests.
func TestNotSent(t *testing.T) {
	sc := &scenario.Scenario{Name: "open", Targets: []scenario.Target{{Path: "/"}},
		Load: scenario.Load{Kind: scenario.Constant, Rate: 1000}, Duration: scenario.Duration{Duration: time.Second}}
	for _, c := range []struct {
		late, busy int
		bound      bool
	}{{0, 0, false}, {3, 0, false}, {20, 0, true}, {0, 100, false}} {
		began := time.Now()
		a := &attack.Result{Scenario: sc.Name, Name: "m", Began: began, Wall: time.Second, HarnessCores: 1}
		n := 1000 - c.late - c.busy
		for i := 0; i < n; i++ {
			due := time.Duration(i) * time.Millisecond
			a.Results = append(a.Results, vegeta.Result{Seq: uint64(i), Code: 200, Timestamp: began.Add(due), Latency: time.Millisecond})
			a.Due = append(a.Due, due)
		}
		for i := n; i < 1000; i++ {
			a.NotSent = append(a.NotSent, attack.NotSent{Seq: uint64(i), Due: time.Duration(i) * time.Millisecond, Late: i-n < c.late})
		}
		s, _ := Compute(sc, a, 1, stress.Thresholds{})
		if s.NotSent != c.late+c.busy || s.NotSentLate != c.late || s.Errors[attack.NotSentClass] != c.late+c.busy {
			t.Errorf("%+v: not sent %d (late %d), class %d", c, s.NotSent, s.NotSentLate, s.Errors[attack.NotSentClass])
		}
		if want := float64(n) / 1000; s.Success < want-1e-9 || s.Success > want+1e-9 {
			t.Errorf("%+v: success %v, want %v", c, s.Success, want)
		}
		if s.GeneratorBound != c.bound {
			t.Errorf("%+v: generator-bound %v (%s), want %v", c, s.GeneratorBound, s.GeneratorNote, c.bound)
		}
	}
}

// TestSteal: the attack's steal reading is the summary's, and an attack
// is disturbed from StealLimit on; one without a reading is not.
func TestSteal(t *testing.T) {
	sc := &scenario.Scenario{Name: "closed", Targets: []scenario.Target{{Path: "/"}},
		Load: scenario.Load{Kind: scenario.Closed, Conns: 1}, Duration: scenario.Duration{Duration: time.Second}}
	for _, c := range []struct {
		steal     *sample.Stolen
		disturbed bool
	}{{nil, false}, {&sample.Stolen{Share: StealLimit - 0.001}, false}, {&sample.Stolen{Share: StealLimit, CPU: 1}, true}} {
		a := &attack.Result{Scenario: sc.Name, Name: "m", Began: time.Now(), Wall: time.Second, Steal: c.steal,
			Results: []vegeta.Result{{Code: 200, Latency: time.Millisecond}}}
		s, _ := Compute(sc, a, 1, stress.Thresholds{})
		if s.Steal != c.steal || s.Disturbed() != c.disturbed {
			t.Errorf("steal %+v: summary's %+v, disturbed %v, want %v", c.steal, s.Steal, s.Disturbed(), c.disturbed)
		}
	}
}

// Read waits are summarized over the successful answers, the unstamped
// counted apart; no waits, no figure.
func TestReadWait(t *testing.T) {
	sc := &scenario.Scenario{Name: "closed", Targets: []scenario.Target{{Path: "/"}},
		Load: scenario.Load{Kind: scenario.Closed, Conns: 1}, Duration: scenario.Duration{Duration: time.Second}}
	a := &attack.Result{Scenario: sc.Name, Name: "m", Began: time.Now(), Wall: time.Second}
	// 100 answers waiting 1..100 µs, one unstamped answer, one failure
	// whose wait (none) is not the generator's.
	for i := 1; i <= 100; i++ {
		a.Results = append(a.Results, vegeta.Result{Seq: uint64(i), Code: 200, Latency: time.Millisecond})
		a.ReadWait = append(a.ReadWait, time.Duration(i)*time.Microsecond)
	}
	a.Results = append(a.Results, vegeta.Result{Code: 200, Latency: time.Millisecond}, vegeta.Result{Error: "netbench: i/o timeout", Latency: time.Millisecond})
	a.ReadWait = append(a.ReadWait, -1, -1)
	s, _ := Compute(sc, a, 1, stress.Thresholds{})
	// Read at 1.001..1.1 ms, 1 ms (unstamped), 1 ms (the failure): the
	// 99th of 102 is 1.099 ms.
	want := Wait{Stamped: 100, Answers: 101, P50: 0.050, P99: 0.099, Max: 0.100, ReadP99: 1.099}
	if s.ReadWait == nil || *s.ReadWait != want {
		t.Errorf("read wait %+v, want %+v", s.ReadWait, want)
	}
	a.ReadWait = nil
	if s, _ := Compute(sc, a, 1, stress.Thresholds{}); s.ReadWait != nil || s.SendWait != nil {
		t.Errorf("read wait %+v, send wait %+v without stamps", s.ReadWait, s.SendWait)
	}
}

// Send waits are summarized as read waits are; their whole-clock p99
// moves the latency's start (BeganP99), not its end.
func TestSendWait(t *testing.T) {
	sc := &scenario.Scenario{Name: "closed", Targets: []scenario.Target{{Path: "/"}},
		Load: scenario.Load{Kind: scenario.Closed, Conns: 1}, Duration: scenario.Duration{Duration: time.Second}}
	a := &attack.Result{Scenario: sc.Name, Name: "m", Began: time.Now(), Wall: time.Second}
	// 100 requests waiting 2..200 µs, one unstamped, one failure.
	for i := 1; i <= 100; i++ {
		a.Results = append(a.Results, vegeta.Result{Seq: uint64(i), Code: 200, Latency: time.Millisecond})
		a.SendWait = append(a.SendWait, time.Duration(2*i)*time.Microsecond)
	}
	a.Results = append(a.Results, vegeta.Result{Code: 200, Latency: time.Millisecond}, vegeta.Result{Error: "netbench: i/o timeout", Latency: time.Millisecond})
	a.SendWait = append(a.SendWait, -1, -1)
	s, _ := Compute(sc, a, 1, stress.Thresholds{})
	// Begun at 1.002..1.2 ms, 1 ms twice: the 99th of 102 is 1.198 ms.
	want := Wait{Stamped: 100, Answers: 101, P50: 0.100, P99: 0.198, Max: 0.200, BeganP99: 1.198}
	if s.SendWait == nil || *s.SendWait != want || s.ReadWait != nil {
		t.Errorf("send wait %+v, want %+v (read wait %+v, want none)", s.SendWait, want, s.ReadWait)
	}
}

// The blog's steps with their recovery offer 1926/s on average: a sender
// that kept the schedule must not be held short of the steps' mean alone
// (2625/s), which branded every model of the blog test generator-bound.
func TestOfferedMeanStress(t *testing.T) {
	sc := &scenario.Scenario{Load: scenario.Load{Kind: scenario.Steps, Rates: []float64{250, 500, 1000, 2000, 4000, 8000},
		Step: scenario.Duration{Duration: 4 * time.Second}},
		Stress: &scenario.Stress{RecoveryRate: 250, Recovery: scenario.Duration{Duration: 10 * time.Second}}}
	if got, want := sc.MeanRate(), (63000.0+2500)/34; math.Abs(got-want) > 1e-9 {
		t.Fatalf("offered mean %.1f/s, want %.1f", got, want)
	}
	sc.Stress = nil
	if got := sc.MeanRate(); got != 2625 {
		t.Fatalf("without recovery: %.1f/s, want 2625", got)
	}
}

func TestPerAnswer(t *testing.T) {
	got := *PerAnswer(sample.Kernel{Syscalls: 1000, Reads: 200, Writes: 100, CtxSwitches: 50, Involuntary: 5, PageFaults: 20}, 100)
	want := KernelPerAnswer{Syscalls: 10, Reads: 2, Writes: 1, CtxSwitches: 0.5, Involuntary: 0.05, PageFaults: 0.2}
	if got != want {
		t.Fatalf("got %+v, want %+v", got, want)
	}
}

// TestMergedShardsExact: three synthetic shards of an open load, each
// 100/s with known latencies (shard k: k+1 ms plus i µs for its i-th
// request), merge into one summary whose figures are the union's, exactly:
// nearest-rank percentiles of all 3000 latencies, never averages of the
// shards' percentiles; the whole load offered.
func TestMergedShardsExact(t *testing.T) {
	whole := &scenario.Scenario{Name: "open", Targets: []scenario.Target{{Path: "/hello"}},
		Load: scenario.Load{Kind: scenario.Constant, Rate: 300}, Duration: scenario.Duration{Duration: 10 * time.Second}}
	t0 := time.Unix(1_000_000, 0)
	var shards []*attack.Result
	for k := 0; k < 3; k++ {
		began := t0.Add(time.Duration(k) * time.Millisecond)
		a := &attack.Result{Scenario: "open", Name: "epoll", Began: began, Wall: 10 * time.Second, HarnessCores: 1, HarnessCPU: time.Second}
		for i := 0; i < 1000; i++ {
			due := time.Duration(i) * 10 * time.Millisecond
			a.Results = append(a.Results, vegeta.Result{Seq: uint64(i), Timestamp: began.Add(due), Code: 200, Method: "GET", URL: "http://t/hello",
				Latency: time.Duration(k+1)*time.Millisecond + time.Duration(i)*time.Microsecond})
			a.Due = append(a.Due, due)
		}
		shards = append(shards, a)
	}
	s, _ := Compute(whole, attack.Merge(whole, "epoll", shards), 1, stress.Defaults())
	if s.Requests != 3000 || s.Success != 1 {
		t.Fatalf("%d requests, success %g", s.Requests, s.Success)
	}
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"p50", s.P50, 2.499},   // the 1500th of 3000: shard 1's 500th
		{"p99", s.P99, 3.969},   // the 2970th: shard 2's 970th
		{"max", s.Max, 3.999},   // shard 2's last
		{"p95", s.P95, 3.849},   // the 2850th: shard 2's 850th
		{"p90", s.P90, 3.699},   // the 2700th: shard 2's 700th
		{"p999", s.P999, 3.996}, // the 2997th: shard 2's 997th
	} {
		if math.Abs(c.got-c.want) > 1e-9 {
			t.Errorf("merged %s %g ms, want %g", c.name, c.got, c.want)
		}
	}
	if math.Abs(s.Offered-300) > 1e-6 {
		t.Errorf("offered %g/s, want the whole load's 300", s.Offered)
	}
}
