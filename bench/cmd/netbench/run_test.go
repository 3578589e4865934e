package main

import (
	"strings"
	"testing"
	"time"

	"netmodels/bench/scenario"
	"netmodels/bench/session"
	"netmodels/bench/summary"
)

// TestRunLength: a scenario's own length wins over the profile's unless
// the profile chose the scenario itself; -duration wins over both; a
// stress schedule keeps its steps.
func TestRunLength(t *testing.T) {
	own := &scenario.Scenario{Name: "mine", Duration: scenario.Duration{Duration: 20 * time.Second},
		Load: scenario.Load{Kind: scenario.Constant, Rate: 10}}
	steps := &scenario.Scenario{Name: "blog", Duration: scenario.Duration{Duration: 4 * time.Second},
		Load: scenario.Load{Kind: scenario.Steps, Rates: []float64{1, 2, 3}, Step: scenario.Duration{Duration: time.Second}}}
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
		{steps, 0, true, 4 * time.Second, "3s, the scenario's own steps"},
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

// A step run again into its run replaces its earlier result, and only
// that one.
func TestReplaceStep(t *testing.T) {
	a := &summary.Summary{Model: "thread", Scenario: "blog", Repeat: 1}
	b := &summary.Summary{Model: "thread", Scenario: "blog", Repeat: 2}
	c := &summary.Summary{Model: "select", Scenario: "blog", Repeat: 1}
	again := &summary.Summary{Model: "thread", Scenario: "blog", Repeat: 1, Requests: 7}
	got := replaceStep([]*summary.Summary{a, b, c}, again)
	if len(got) != 2 || got[0] != b || got[1] != c {
		t.Errorf("kept %v", got)
	}
	if got := replaceStep([]*summary.Summary{b, c}, again); len(got) != 2 {
		t.Errorf("a new step removed %d rows", 2-len(got))
	}
}

// The seeds profile runs each seed's own systems on its seed's scenarios
// only, beside the models; a reference named with -models runs what it
// is given, and -backend docker refuses one by name.
func TestPlanRunsReferencesOnTheirSeeds(t *testing.T) {
	f := &runFlags{profile: "seeds", srv: session.Flags{Bin: "../../../bin/netserver"}, scenDir: "../../scenarios", idleN: -1, backend: "native",
		models: "thread,py-thread,django-runserver", fromProfile: true, repeats: 1}
	p, err := f.makePlan()
	if err != nil {
		t.Fatal(err)
	}
	ran := map[string][]string{}
	for _, s := range p.steps {
		ran[s.Model] = append(ran[s.Model], s.Scenario.Name)
	}
	if got := strings.Join(ran["py-thread"], ","); got != "blog,blog-late-clients" {
		t.Errorf("py-thread ran %s", got)
	}
	if got := ran["django-runserver"]; len(got) != 7 || !strings.HasPrefix(got[0], "slides-") {
		t.Errorf("django-runserver ran %v", got)
	}
	if len(ran["thread"]) < 10 {
		t.Errorf("thread ran %v", ran["thread"])
	}
	// By default the profile repeats every attack three times, so that
	// rankings rest on ranges.
	f.repeats = 0
	if p, err := f.makePlan(); err != nil || len(p.steps) != 3*(len(ran["thread"])+len(ran["py-thread"])+len(ran["django-runserver"])) {
		t.Errorf("the seeds profile's default repeats: %v", err)
	}
	f.backend = "docker"
	if _, err := f.makePlan(); err == nil || !strings.Contains(err.Error(), "py-thread") || !strings.Contains(err.Error(), "natively") {
		t.Errorf("docker with a reference: %v", err)
	}
	f.backend, f.models, f.fromProfile, f.repeats = "native", "py-single", false, 1
	f.scenarios = "hello-close"
	if p, err := f.makePlan(); err != nil || len(p.steps) != 1 {
		t.Errorf("a reference named with a scenario: %v", err)
	}
}
