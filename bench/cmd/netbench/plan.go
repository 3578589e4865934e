package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"netmodels/bench/reference"
	"netmodels/bench/runner"
	"netmodels/bench/scenario"
	"netmodels/bench/step"
	"netmodels/bench/store"
	"netmodels/bench/summary"
)

// runLength is how long a scenario runs, and whose length that is: -duration
// when given; else the profile's length for a scenario the profile chose
// itself (a stress schedule keeps its own steps); else the scenario's own,
// so that a file's 20 s scenario runs 20 s whatever the profile.
func runLength(sc *scenario.Scenario, flagD, profileD time.Duration, profile string, fromProfile bool) (time.Duration, string) {
	switch {
	case flagD > 0:
		return flagD, fmt.Sprintf("%v, from -duration", flagD)
	case fromProfile && profileD > 0 && sc.Load.Kind != scenario.Steps:
		return profileD, fmt.Sprintf("%v, the %s profile's length", profileD, profile)
	}
	if sc.Load.Kind == scenario.Steps {
		return sc.Duration.Duration, fmt.Sprintf("%v, the scenario's own steps", sc.Total())
	}
	return sc.Duration.Duration, fmt.Sprintf("%v, the scenario's own", sc.Duration.Duration)
}

// plan is what a run does: its steps in order, and what it says of them.
type plan struct {
	models    []string
	scenarios []*scenario.Scenario
	durations map[string]string // scenario: how long, and whose length
	steps     []*step.Step
	idle      int // idle connections per model to measure, after the steps
	notes     []string
}

// pastLength says how long the latest recorded run of the same command
// took, start to end, servers' starts, calibration and idle counts
// included (the load alone is less): a run's expected time, from a run.
// Runs in dir and its reference and seeds runs count; "" when none
// matches (the same profile, models and scenarios, the same backend).
func pastLength(dir string, flags map[string]string) string {
	paths, _ := filepath.Glob(filepath.Join(dir, "*", "meta.json"))
	var best *store.Meta
	var where string
	for _, path := range paths {
		m, err := store.ReadMeta(filepath.Dir(path))
		if err != nil || m.Finished.IsZero() || m.Finished.Before(m.Started) {
			continue
		}
		same := true
		for _, k := range []string{"profile", "models", "scenarios", "backend", "server-cpu", "duration"} {
			if m.Flags[k] != flags[k] {
				same = false
			}
		}
		if same && (best == nil || m.Started.After(best.Started)) {
			best, where = m, filepath.Dir(path)
		}
	}
	if best == nil {
		return ""
	}
	return fmt.Sprintf("; the last such run (%s, %s) took %v in all", where, best.CPUModel, best.Finished.Sub(best.Started).Round(time.Minute))
}

// length is the plan's expected duration, for the progress line's ETA.
func (p *plan) length() time.Duration {
	var d time.Duration
	for _, s := range p.steps {
		d += s.Length()
	}
	return d
}

// makePlan resolves the models, the scenarios and their lengths, and
// orders the steps: each model, each scenario it runs, each repeat.
func (f *runFlags) makePlan() (*plan, error) {
	pr, ok := profiles[f.profile]
	if !ok {
		return nil, fmt.Errorf("unknown profile %q (smoke, quick, full or seeds)", f.profile)
	}
	p := &plan{models: list(f.models), durations: map[string]string{}, idle: pr.idle}
	if f.idleN >= 0 {
		p.idle = f.idleN
	}
	named := len(p.models) > 0
	if f.url != "" {
		p.models = []string{f.name}
	} else if !named {
		all, err := runner.Names(f.srv.Bin)
		if err != nil {
			return nil, err
		}
		p.models = all
	}
	if f.url == "" && f.backend == "docker" {
		for _, m := range p.models {
			if reference.Is(m) {
				return nil, fmt.Errorf("%s: %s", m, noPythonImage)
			}
		}
	}
	scNames := list(f.scenarios)
	// A scenario the profile chose runs on its own models only
	// (Scenario.Models); one named with -scenarios on any model.
	fromProfile := len(scNames) == 0 || f.fromProfile
	if len(scNames) == 0 {
		scNames = pr.scenarios
	}
	for _, n := range scNames {
		s, err := scenario.Find(f.scenDir, n)
		if err != nil {
			return nil, err
		}
		c := *s
		if of := c.Load.Of; of != "" && f.runDir == "" && !slices.Contains(scNames[:slices.Index(scNames, n)], of) {
			return nil, fmt.Errorf("%s's rates are shares of the capacity %s measures: name %s before it (-scenarios %s,%s)", c.Name, of, of, of, c.Name)
		}
		d, why := runLength(&c, f.duration, pr.duration, f.profile, fromProfile)
		c.Duration = scenario.Duration{Duration: d}
		p.durations[c.Name] = why
		p.scenarios = append(p.scenarios, &c)
	}
	if !named && f.url == "" && pr.references && fromProfile {
		if f.backend == "docker" {
			p.notes = append(p.notes, "the seeds' own systems did not run: "+noPythonImage)
		} else {
			for _, sc := range p.scenarios {
				for _, r := range sc.References {
					if !slices.Contains(p.models, r) {
						p.models = append(p.models, r)
					}
				}
			}
		}
	}
	reps := f.repeats
	if reps <= 0 {
		reps = pr.repeats
	}
	for _, m := range p.models {
		n := len(p.steps)
		for _, sc := range p.scenarios {
			if fromProfile && !runsOn(sc, m) {
				continue
			}
			for rep := 1; rep <= reps; rep++ {
				p.steps = append(p.steps, &step.Step{Model: m, Scenario: sc, Repeat: rep, Warmup: f.warmup, Thresholds: f.th, Kernel: f.kernel, RxStamps: f.rxStamps, TxStamps: f.txStamps,
					Label: fmt.Sprintf("%s · %s · repeat %d/%d", m, sc.Name, rep, reps)})
			}
		}
		if named && len(p.steps) == n {
			return nil, fmt.Errorf("%s runs none of the profile's scenarios (a seed's own system runs the scenarios of its seed): name them with -scenarios", m)
		}
	}
	if err := f.shardSteps(p.steps); err != nil {
		return nil, err
	}
	for i, s := range p.steps {
		s.Label = fmt.Sprintf("[%d/%d] %s", i+1, len(p.steps), s.Label)
	}
	return p, nil
}

// scaled sets the rates of a step whose load is relative to a capacity
// (scenario.Load.Of) from the model's results so far: the median of its
// capacities (summary.Capacity) over its repeats of that scenario.
func scaled(st *step.Step, rows []*summary.Summary) error {
	of := st.Scenario.Load.Of
	if of == "" {
		return nil
	}
	var v []float64
	for _, r := range rows {
		if r.Model == st.Model && r.Scenario == of {
			v = append(v, summary.Capacity(r))
		}
	}
	if len(v) == 0 {
		return fmt.Errorf("%s's rates are shares of %s's answers/s in %s, which did not run on it before: run both, %s first", st.Scenario.Name, st.Model, of, of)
	}
	slices.Sort(v)
	c, err := st.Scenario.Scaled((v[(len(v)-1)/2] + v[len(v)/2]) / 2)
	if err != nil {
		return err
	}
	st.Scenario = c
	return nil
}

// runsOn reports whether a scenario the profile chose runs on m: a model
// on every scenario, or on those naming it (Scenario.Models); a seed's
// own system on the scenarios that name it (Scenario.References).
func runsOn(sc *scenario.Scenario, m string) bool {
	if reference.Is(m) {
		return slices.Contains(sc.References, m)
	}
	return len(sc.Models) == 0 || slices.Contains(sc.Models, m)
}

// parseShard reads -shard: "i/N", or "auto/N", where the shard claims
// the first free index among the runs writing into -out (a file per
// index, created exclusively): Docker Compose's replicas of one service
// get no index of their own, so they take one this way.
func (f *runFlags) parseShard() (scenario.Shard, error) {
	n, ok := strings.CutPrefix(f.shard, "auto/")
	if !ok {
		return scenario.ParseShard(f.shard)
	}
	sh, err := scenario.ParseShard("0/" + n)
	if err != nil {
		return sh, err
	}
	if err := os.MkdirAll(f.out, 0o755); err != nil {
		return sh, err
	}
	for i := 0; i < sh.N; i++ {
		c, err := os.OpenFile(filepath.Join(f.out, fmt.Sprintf(".shard-%d-of-%d", i, sh.N)), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err == nil {
			c.Close()
			return scenario.Shard{I: i, N: sh.N}, nil
		}
		if !os.IsExist(err) {
			return sh, err
		}
	}
	return sh, fmt.Errorf("-shard %s: every index is taken in %s (remove its .shard-* files before a new split run)", f.shard, f.out)
}

// shardSteps gives each step its share of the load (-shard) and the
// common start (-start-at).
func (f *runFlags) shardSteps(steps []*step.Step) error {
	if f.shard != "" {
		sh, err := f.parseShard()
		if err != nil {
			return err
		}
		for _, s := range steps {
			part, err := sh.Of(s.Scenario)
			if err != nil {
				return err
			}
			s.Whole, s.Scenario, s.Shard = s.Scenario, part, sh.String()
			s.Label += " · shard " + sh.String()
		}
		f.shardID = fmt.Sprintf("%d-of-%d", sh.I, sh.N)
	}
	if f.startAt != "" {
		at, err := parseStartAt(f.startAt, time.Now())
		if err != nil {
			return fmt.Errorf("-start-at: %v", err)
		}
		if len(steps) != 1 {
			return fmt.Errorf("-start-at needs exactly one attack (one model, one scenario, one repeat); the plan has %d", len(steps))
		}
		steps[0].StartAt = at
	}
	return nil
}
