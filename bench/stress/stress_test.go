package stress

import (
	"testing"
	"time"
)

func step(offered, thr float64, req, fail, to int, p99ms float64) Step {
	return Step{Offered: offered, Sent: offered, Throughput: thr, Requests: req, Failures: fail, Timeouts: to,
		P50: time.Duration(p99ms/2*1e6) * time.Nanosecond, P99: time.Duration(p99ms * 1e6)}
}

func TestFindKneeAndBreak(t *testing.T) {
	steps := []Step{
		step(100, 100, 500, 0, 0, 2),      // baseline p99 2 ms
		step(200, 199, 1000, 0, 0, 3),     // holds
		step(400, 398, 2000, 0, 0, 5.9),   // holds: 5.9 <= 3 x 2
		step(800, 700, 4000, 0, 0, 40),    // falls behind and p99 x20: past the knee
		step(1600, 650, 8000, 40, 0, 900), // 0.5% failures: not broken yet
		step(3200, 600, 16000, 900, 3, 5000),
	}
	p := Find(steps, Thresholds{})
	if p.Knee != 2 || p.KneeRate != 400 {
		t.Errorf("knee %d (%v/s), want step 2 (400/s)", p.Knee, p.KneeRate)
	}
	if p.Break != 5 || p.BreakRate != 3200 {
		t.Errorf("break %d (%v/s), want step 5 (3200/s)", p.Break, p.BreakRate)
	}
}

func TestFindKneeNeedsContiguousSteps(t *testing.T) {
	// A later step that looks fine again does not move the knee past a
	// step that already failed the test.
	steps := []Step{step(100, 100, 500, 0, 0, 2), step(200, 150, 1000, 0, 0, 2), step(400, 400, 2000, 0, 0, 2)}
	if p := Find(steps, Thresholds{}); p.Knee != 0 {
		t.Errorf("knee %d, want 0", p.Knee)
	}
}

func TestFindTimeoutsBreak(t *testing.T) {
	steps := []Step{step(100, 100, 500, 0, 0, 2), step(200, 200, 1000, 1, 1, 2)}
	p := Find(steps, Thresholds{})
	if p.Break != 1 || p.Knee != 0 {
		t.Errorf("got %+v, want break at step 1 (a timeout) and knee at 0", p)
	}
}

func TestFindNothingBreaks(t *testing.T) {
	steps := []Step{step(100, 100, 500, 0, 0, 2), step(200, 200, 1000, 0, 0, 2)}
	p := Find(steps, Thresholds{})
	if p.Break != -1 || p.Knee != 1 {
		t.Errorf("got %+v", p)
	}
	if p := Find(nil, Thresholds{}); p.Knee != -1 || p.Break != -1 {
		t.Errorf("empty: %+v", p)
	}
}

func TestFindFloorAndThresholds(t *testing.T) {
	// A 10 µs baseline would make 40 µs "4x worse"; the 1 ms floor does not.
	steps := []Step{step(100, 100, 500, 0, 0, 0.01), step(200, 200, 1000, 0, 0, 0.04)}
	if p := Find(steps, Thresholds{}); p.Knee != 1 {
		t.Errorf("floor: knee %d, want 1", p.Knee)
	}
	// A strict failure threshold breaks at 0.5%.
	steps = []Step{step(100, 100, 1000, 0, 0, 2), step(200, 200, 1000, 5, 0, 2)}
	if p := Find(steps, Thresholds{MaxFailures: 0.001}); p.Break != 1 {
		t.Errorf("strict: break %d, want 1", p.Break)
	}
}

func TestBeforeFirstFailure(t *testing.T) {
	now := time.Now()
	o := []Outcome{{now, true}, {now, true}, {now, false}, {now, true}}
	if n, failed := BeforeFirstFailure(o); n != 2 || !failed {
		t.Errorf("got %d %v", n, failed)
	}
	if n, failed := BeforeFirstFailure(o[:2]); n != 2 || failed {
		t.Errorf("got %d %v", n, failed)
	}
}

func TestRecovery(t *testing.T) {
	ms := func(v int) time.Duration { return time.Duration(v) * time.Millisecond }
	series := []Second{
		{ms(1), ms(2), 100},    // before
		{ms(500), ms(900), 50}, // overload
		{ms(300), ms(800), 80}, // recovery starts here (index 2)
		{ms(2), ms(3), 100},    // within 2x
		{ms(50), ms(60), 100},  // relapse
		{ms(1), ms(3), 100},    // within
		{ms(2), ms(4), 100},    // within: two in a row, from index 5
	}
	d, ok := Recovery(series, 2, ms(1), ms(2), 2, 2)
	if !ok || d != 3*time.Second {
		t.Errorf("recovery %v %v, want 3s", d, ok)
	}
	if _, ok := Recovery(series[:5], 2, ms(1), ms(2), 2, 2); ok {
		t.Errorf("recovered without two good seconds in a row")
	}
}

// TestSearchNarrowsToTenPercent runs the search against servers that
// break above a capacity: it must bracket the capacity (clean at Lo,
// broken at Hi) within 10%, in the few probes a doubling grid needs.
func TestSearchNarrowsToTenPercent(t *testing.T) {
	grid := []float64{250, 500, 1000, 2000, 4000, 8000, 12000}
	outcome := func(rate, capacity float64) Step {
		if rate > capacity {
			return step(rate, capacity, int(rate*4), int(rate*4)/10, 0, 5000)
		}
		return step(rate, rate, int(rate*4), 0, 0, 2)
	}
	for _, capacity := range []float64{120, 260, 999, 1001, 3100, 7999, 11000} {
		var steps []Step
		for _, r := range grid {
			steps = append(steps, outcome(r, capacity))
		}
		s, ok := NewSearch(steps, Thresholds{}, 1.1, 8)
		if !ok {
			t.Fatalf("capacity %v: no broken step found", capacity)
		}
		for {
			r, more := s.Next()
			if !more {
				break
			}
			if r <= s.Lo || r >= s.Hi {
				t.Fatalf("capacity %v: probe at %v outside (%v, %v)", capacity, r, s.Lo, s.Hi)
			}
			s.Record(outcome(r, capacity), Thresholds{})
		}
		if !(s.Lo <= capacity && capacity < s.Hi) {
			t.Errorf("capacity %v: bracket [%v, %v) misses it", capacity, s.Lo, s.Hi)
		}
		if s.Lo > 0 && s.Hi > 1.1*s.Lo {
			t.Errorf("capacity %v: bracket [%v, %v) wider than 10%% after %d probes", capacity, s.Lo, s.Hi, len(s.Probes))
		}
		if capacity >= grid[0] && len(s.Probes) > 4 {
			t.Errorf("capacity %v: %d probes, want at most 4 from a grid of doublings", capacity, len(s.Probes))
		}
	}
}

// TestSearchNothingBroke: a test in which no step broke has no
// breaking point to narrow.
func TestSearchNothingBroke(t *testing.T) {
	if _, ok := NewSearch([]Step{step(100, 100, 400, 0, 0, 1)}, Thresholds{}, 1.1, 8); ok {
		t.Error("a search started with nothing broken")
	}
}
