package main

import (
	"strings"
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

// TestMakePlan: every model, every scenario it runs, every repeat, in that
// order, numbered; a profile's seed scenario only on its own models.
func TestMakePlan(t *testing.T) {
	f := &runFlags{models: "fork,thread", profile: "quick", repeats: 2, idleN: -1, scenDir: "../../scenarios"}
	p, err := f.makePlan()
	if err != nil {
		t.Fatal(err)
	}
	if len(p.steps) != 2*3*2 {
		t.Fatalf("%d steps, want 12", len(p.steps))
	}
	first, last := p.steps[0], p.steps[len(p.steps)-1]
	if first.Label != "[1/12] fork · hello-keepalive · repeat 1/2" || last.Label != "[12/12] thread · sleep-io · repeat 2/2" {
		t.Errorf("labels %q … %q", first.Label, last.Label)
	}
	if first.Scenario.Duration.Duration != 2*time.Second || p.durations["sleep-io"] != "2s, the quick profile's length" {
		t.Errorf("quick's length not applied: %v, %q", first.Scenario.Duration, p.durations["sleep-io"])
	}
	f = &runFlags{models: "fork,thread", profile: "seeds", idleN: -1, scenDir: "../../scenarios"}
	if p, err = f.makePlan(); err != nil {
		t.Fatal(err)
	}
	for _, s := range p.steps {
		if strings.HasPrefix(s.Scenario.Name, "slides-") && s.Model != "thread" {
			t.Errorf("%s planned on %s, a scenario of thread's", s.Scenario.Name, s.Model)
		}
	}
	if p.idle != 2000 {
		t.Errorf("idle %d, want the seeds profile's 2000", p.idle)
	}
}
