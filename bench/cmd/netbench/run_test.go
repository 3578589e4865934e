package main

import (
	"testing"
	"time"

	"netmodels/bench/scenario"
)

// TestRunLength: a scenario's own length wins over the profile's unless
// the profile chose the scenario itself; -duration wins over both; a
// stress schedule keeps its steps.
func TestRunLength(t *testing.T) {
	own := &scenario.Scenario{Name: "mine", Duration: scenario.Duration{Duration: 20 * time.Second},
		Load: scenario.Load{Kind: scenario.Constant, Rate: 10}}
	steps := &scenario.Scenario{Name: "blog", Duration: scenario.Duration{Duration: 4 * time.Second},
		Load: scenario.Load{Kind: scenario.Steps}}
	for _, c := range []struct {
		sc          *scenario.Scenario
		flagD       time.Duration
		fromProfile bool
		want        time.Duration
		why         string
	}{
		{own, 0, false, 20 * time.Second, "20s, the scenario's own"},
		{own, 0, true, 2 * time.Second, "2s, the quick profile's length"},
		{own, 3 * time.Second, false, 3 * time.Second, "3s, from -duration"},
		{own, 3 * time.Second, true, 3 * time.Second, "3s, from -duration"},
		{steps, 0, true, 4 * time.Second, "4s, the scenario's own"},
	} {
		d, why := runLength(c.sc, c.flagD, 2*time.Second, "quick", c.fromProfile)
		if d != c.want || why != c.why {
			t.Errorf("%s (flag %v, from profile %v): %v %q, want %v %q", c.sc.Name, c.flagD, c.fromProfile, d, why, c.want, c.why)
		}
	}
}
