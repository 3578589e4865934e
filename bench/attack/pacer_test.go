package attack

import (
	"slices"
	"testing"
	"time"

	"netmodels/bench/scenario"
)

func TestScheduleOffsetsAndPace(t *testing.T) {
	s := newSchedule([]scenario.Segment{{Rate: 100, Length: time.Second}, {Rate: 300, Length: 2 * time.Second}, {Rate: 0, Length: time.Second}, {Rate: 50, Length: time.Second}}, 0)
	if got := s.Total(); got != 5*time.Second {
		t.Fatalf("total %v", got)
	}
	cases := []struct {
		seq  uint64
		want time.Duration
	}{
		{0, 0}, {50, 500 * time.Millisecond}, {100, time.Second}, {400, 2 * time.Second},
		{700, 4 * time.Second}, {725, 4500 * time.Millisecond},
	}
	for _, c := range cases {
		if got := s.Offset(c.seq); got < c.want-time.Microsecond || got > c.want+time.Microsecond {
			t.Errorf("Offset(%d) = %v, want %v", c.seq, got, c.want)
		}
	}
	if d := s.due(2 * time.Second); d != 400 {
		t.Errorf("due(2s) = %v, want 400", d)
	}
	// On schedule: wait for the next one; behind: at once; past the end: stop.
	if w, stop := s.Pace(0, 1); stop || w != 10*time.Millisecond {
		t.Errorf("Pace(0, 1) = %v %v", w, stop)
	}
	if w, stop := s.Pace(time.Second, 50); stop || w != 0 {
		t.Errorf("behind: Pace = %v %v", w, stop)
	}
	if _, stop := s.Pace(5*time.Second, 750); !stop {
		t.Errorf("no stop at the end")
	}
	if s.OfferedAt(1500*time.Millisecond) != 300 || s.OfferedAt(3500*time.Millisecond) != 0 {
		t.Errorf("OfferedAt wrong")
	}
}

func TestScheduleForScenarios(t *testing.T) {
	d := func(v time.Duration) scenario.Duration { return scenario.Duration{Duration: v} }
	lin := &scenario.Scenario{Load: scenario.Load{Kind: scenario.Linear, From: 0, To: 200}, Duration: d(4 * time.Second)}
	s := scheduleFor(lin)
	// 25, 75, 125, 175 requests in the four seconds: 400 in all.
	if got := s.due(s.Total()); got != 400 {
		t.Errorf("linear 0→200 over 4 s: %v requests, want 400", got)
	}
	st := &scenario.Scenario{Load: scenario.Load{Kind: scenario.Steps, Rates: []float64{10, 20}, Step: d(time.Second)},
		Stress: &scenario.Stress{RecoveryRate: 5, Recovery: d(2 * time.Second)}}
	if s := scheduleFor(st); s.Total() != 4*time.Second || s.due(s.Total()) != 40 {
		t.Errorf("steps + recovery: total %v, requests %v", s.Total(), s.due(s.Total()))
	}
	if scheduleFor(&scenario.Scenario{Load: scenario.Load{Kind: scenario.Closed, Conns: 1}}) != nil {
		t.Errorf("a closed load has no schedule")
	}
}

// sends lists when each request of s is due, as Pace sends them.
func sends(s *schedule) []time.Duration {
	var at []time.Duration
	for n := uint64(0); ; n++ {
		o := s.Offset(n)
		if _, stop := s.Pace(o, n); stop || o >= s.Total() {
			return at
		}
		at = append(at, o)
	}
}

// TestShardsInterleave checks that the shards of every open built-in
// scenario, split 1 to 4 ways, are due together exactly when the whole
// load's requests are: one generator's schedule, not N requests at once.
func TestShardsInterleave(t *testing.T) {
	for _, sc := range scenario.Builtins() {
		whole := scheduleFor(sc)
		if whole == nil {
			continue
		}
		want := sends(whole)
		for n := 1; n <= 4; n++ {
			var got []time.Duration
			for i := 0; i < n; i++ {
				sh, err := scenario.Shard{I: i, N: n}.Of(sc)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, sends(scheduleFor(sh))...)
			}
			slices.Sort(got)
			if len(got) != len(want) {
				t.Errorf("%s over %d shards: %d requests, want %d", sc.Name, n, len(got), len(want))
				continue
			}
			for k := range got {
				if d := got[k] - want[k]; d < -time.Nanosecond || d > time.Nanosecond {
					t.Errorf("%s over %d shards: request %d due at %v, want %v", sc.Name, n, k, got[k], want[k])
					break
				}
			}
		}
	}
}

func TestErrorClass(t *testing.T) {
	for in, want := range map[string]string{
		"": "", "dial tcp 127.0.0.1:1: connect: connection refused": "refused",
		"read: connection reset by peer": "reset", "Get \"x\": context deadline exceeded (Client.Timeout exceeded)": "timeout",
		"Get \"x\": EOF": "eof", "something else": "other",
	} {
		if got := ErrorClass(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}
