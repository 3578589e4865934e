// Package step is one attack of a run, the unit every backend executes: a
// scenario on one model, one repeat, after a discarded warm-up, measured
// into a summary and stored in the run directory. A Step is plain data
// (JSON), so that a backend can hand it to a harness process elsewhere (a
// container in the server's network namespace) and get its summary back.
package step

import (
	"context"
	"time"

	"netmodels/bench/attack"
	"netmodels/bench/sample"
	"netmodels/bench/scenario"
	"netmodels/bench/store"
	"netmodels/bench/stress"
	"netmodels/bench/summary"
)

// Step is one attack of a run.
type Step struct {
	Model    string             `json:"model"`
	Scenario *scenario.Scenario `json:"scenario"`
	Repeat   int                `json:"repeat"`
	// Warmup is a closed warm-up on 4 connections before the attack,
	// discarded; 0: none.
	Warmup     time.Duration     `json:"warmup"`
	Thresholds stress.Thresholds `json:"thresholds"`
	// Label names the step in progress lines ("[3/33] fork · blog · repeat 1/1").
	Label string `json:"label"`
}

// Length is how long the step takes: its warm-up, the attack and a margin
// for starting and stopping the server.
func (s *Step) Length() time.Duration { return s.Warmup + s.Scenario.Total() + 2*time.Second }

// Target is where a step attacks and how the server is sampled.
type Target struct {
	URL string
	// Sample reads the server's resources; nil: none.
	Sample func() (sample.Stat, error)
	// KernelPID, when > 0, has the kernel's work for this process tree
	// counted (attack.Options.KernelPID).
	KernelPID int
}

// Run warms up, attacks, computes the summary and writes the attack's
// files into dir (store.AttackBase). progress, when set, is called about
// once a second.
func Run(ctx context.Context, s *Step, t Target, dir string, progress func(elapsed, total time.Duration)) (*summary.Summary, error) {
	sc := s.Scenario
	if s.Warmup > 0 {
		w := *sc
		w.Load = scenario.Load{Kind: scenario.Closed, Conns: 4}
		if sc.Load.Kind == scenario.Users {
			// Users with no think time: a closed load that plays games too.
			w.Load = scenario.Load{Kind: scenario.Users, Users: 4, SpawnRate: 1000}
		}
		w.Duration, w.Stress = scenario.Duration{Duration: s.Warmup}, nil
		if _, err := attack.Run(ctx, &w, attack.Options{URL: t.URL, Name: s.Model}); err != nil {
			return nil, err
		}
	}
	a, err := attack.Run(ctx, sc, attack.Options{URL: t.URL, Name: s.Model, Sample: t.Sample, KernelPID: t.KernelPID, Progress: progress})
	if err != nil {
		return nil, err
	}
	sum, series := summary.Compute(sc, a, s.Repeat, s.Thresholds)
	if err := store.WriteAttack(dir, sc.Name, s.Model, s.Repeat, a.Results, series); err != nil {
		return nil, err
	}
	return sum, nil
}
