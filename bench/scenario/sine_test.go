package scenario

import (
	"math"
	"testing"
	"time"
)

// TestSine: the sine shape, registered from its own file, is a load like
// any other: it validates, schedules a wave whose mean is midway between
// its ends, describes itself and splits over shards.
func TestSine(t *testing.T) {
	sc := &Scenario{Name: "daily", Targets: []Target{{Path: "/hello"}}, KeepAlive: true,
		Load: Load{Kind: Sine, From: 100, To: 900, Step: d(4 * time.Second)}, Duration: d(8 * time.Second)}
	if err := sc.Validate(); err != nil {
		t.Fatal(err)
	}
	segs := sc.Segments()
	if len(segs) != 2*sinePieces || sc.Total() != 8*time.Second {
		t.Fatalf("%d segments over %v, want %d over 8s", len(segs), sc.Total(), 2*sinePieces)
	}
	lo, hi := math.Inf(1), 0.0
	for _, g := range segs {
		lo, hi = min(lo, g.Rate), max(hi, g.Rate)
	}
	if lo < 100 || hi > 900 || lo > 110 || hi < 890 {
		t.Errorf("the wave runs %v to %v/s, want about 100 to 900", lo, hi)
	}
	if m := sc.MeanRate(); math.Abs(m-500) > 1e-6 {
		t.Errorf("mean rate %v, want 500", m)
	}
	if got := sc.Describe(); got != "open, 100↔900/s every 4s for 8s" {
		t.Errorf("described as %q", got)
	}
	half, err := Shard{I: 0, N: 2}.Of(sc)
	if err != nil || math.Abs(half.MeanRate()-250) > 1e-6 {
		t.Errorf("a half shard's mean rate %v (%v), want 250", half.MeanRate(), err)
	}
	for _, l := range []Load{
		{Kind: Sine, From: 900, To: 100, Step: d(time.Second)},
		{Kind: Sine, From: 100, To: 900},
		{Kind: Sine, From: 100, To: 900, Step: d(time.Minute)},
	} {
		bad := Scenario{Name: "bad", Targets: []Target{{Path: "/"}}, Load: l, Duration: d(8 * time.Second)}
		if bad.Validate() == nil {
			t.Errorf("load %+v was accepted", l)
		}
	}
}
