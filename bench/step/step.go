// Package step is one attack of a run, the unit every backend executes: a
// scenario on one model, one repeat, after a discarded warm-up, measured
// into a summary and stored in the run directory. A Step is plain data
// (JSON), so that a backend can hand it to a harness process elsewhere (a
// container in the server's network namespace) and get its summary back.
package step

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
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
	// Kernel: the kernel's work is counted (netbench run -kernel), in a
	// pass of its own after the measured attack (CountedPass).
	Kernel bool `json:"kernel,omitempty"`
	// Shard, when set ("i/N"), makes the step one shard of an attack
	// split over N generators (netbench run -shard): Scenario is its
	// share, Whole the scenario before the split, and the step writes a
	// store.ShardAttack beside its results for netbench merge.
	Shard string             `json:"shard,omitempty"`
	Whole *scenario.Scenario `json:"whole,omitempty"`
	// StartAt, when set, is when the attack starts, after the warm-up:
	// the shards' common schedule.
	StartAt time.Time `json:"start_at,omitempty"`
	// RxStamps ends latencies at the kernel's receive stamps
	// (attack.Options.RxStamps; netbench run -rx-stamps).
	RxStamps bool `json:"rx_stamps,omitempty"`
	// TxStamps starts latencies at the kernel's send stamps
	// (attack.Options.TxStamps; netbench run -tx-stamps).
	TxStamps bool `json:"tx_stamps,omitempty"`
}

// CountedPass is how long the attack that counts the kernel's work runs:
// the scenario again, at most this long, after the measured attack.
// Counting costs the server CPU (perf stat's tracepoints: thread's close
// answers went from 95 to 185 µs), so the measured attack runs uncounted
// and its CPU, latency and throughput figures stand as they are; the
// counts per answer come from this pass. Steps loads (stress tests among them) are not counted.
const CountedPass = 2 * time.Second

// counted is the length of s's counted pass, 0 for none: a steps load's
// figures are per step, and a pass of its first seconds counts none of
// them.
func (s *Step) counted() time.Duration {
	if !s.Kernel || s.Scenario.Load.Kind == scenario.Steps {
		return 0
	}
	return min(CountedPass, s.Scenario.Duration.Duration)
}

// RefinePause is the calm before each probe of a refined stress test
// (scenario.Stress.Refine): the server's queues from the step before,
// broken or not, drain before the next rate is offered. A server that
// still has a backlog after it (fork, with thousands of connections
// queued to be forked for) is waited for, up to SettleLimit: a probe
// starts only once one request on a new connection is answered within
// SettleQuick, or it would measure the backlog, not the rate.
const (
	RefinePause = 2 * time.Second
	SettleQuick = 250 * time.Millisecond
	SettleLimit = 60 * time.Second
)

// refining is the most a refined stress test's probes take, 0 for none
// (a shard does not refine: its share alone says nothing of the whole).
func (s *Step) refining() time.Duration {
	st := s.Scenario.Stress
	if st == nil || st.Refine <= 1 || s.Shard != "" {
		return 0
	}
	return scenario.RefineProbes * (s.Scenario.Load.Step.Duration + RefinePause)
}

// Length is how long the step takes at most: its warm-up, the attack,
// its probes, its counted pass and a margin for starting and stopping
// the server.
func (s *Step) Length() time.Duration {
	return s.Warmup + s.Scenario.Total() + s.refining() + s.counted() + 2*time.Second
}

// Target is where a step attacks and how the server is sampled.
type Target struct {
	URL string
	// Sample reads the server's resources; nil: none.
	Sample func() (sample.Stat, error)
	// KernelPID, when > 0, has the kernel's work for this process tree
	// counted (attack.Options.KernelPID).
	KernelPID int
	// Live, when set, watches the measured attack and steers its users
	// (attack.Options.Live; netbench ui).
	Live *attack.Live
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
	a, err := attack.Run(ctx, sc, attack.Options{URL: t.URL, Name: s.Model, Sample: t.Sample, Progress: progress, Live: t.Live, RxStamps: s.RxStamps,
		TxStamps: s.TxStamps, StartAt: s.StartAt})
	if err != nil {
		return nil, err
	}

	sum, series := summary.Compute(sc, a, s.Repeat, s.Thresholds)
	if s.refining() > 0 && sum.Stress != nil {
		if err := refine(ctx, s, t, sum.Stress, progress); err != nil {
			return nil, err
		}
	}
	if d := s.counted(); d > 0 && t.KernelPID > 0 {
		k := *sc
		k.Duration = scenario.Duration{Duration: d}
		ka, err := attack.Run(ctx, &k, attack.Options{URL: t.URL, Name: s.Model, Sample: t.Sample, KernelPID: t.KernelPID})
		if err != nil {
			return nil, err
		}
		ks, _ := summary.Compute(&k, ka, s.Repeat, s.Thresholds)
		sum.Kernel, sum.KernelNote = ks.Kernel, ks.KernelNote
		if ks.Kernel != nil {
			sum.KernelNote = fmt.Sprintf("counted in a pass of %v after the measured attack (%.0f answers/s, %.1f µs of server CPU per answer while counted)", d, ks.Throughput, ks.ServerCPUPerAnswer)
		}
	}
	if err := store.WriteAttack(dir, sc.Name, s.Model, s.Repeat, a.Results, series); err != nil {
		return nil, err
	}
	if s.Shard != "" {
		if err := writeShard(s, a, dir); err != nil {
			return nil, err
		}
	}
	return sum, nil
}

// refine narrows a stress test's breaking point (stress.Search): probes
// of one step each, at the test's rates' shape and connections, on the
// same server after its recovery, each after RefinePause.
func refine(ctx context.Context, s *Step, t Target, out *summary.Stress, progress func(elapsed, total time.Duration)) error {
	sc := s.Scenario
	x, ok := stress.NewSearch(out.Steps, s.Thresholds, sc.Stress.Refine, scenario.RefineProbes)
	if !ok {
		return nil
	}
	for {
		rate, more := x.Next()
		if !more {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(RefinePause):
		}
		if waited, ok := settle(ctx, t.URL+sc.Targets[0].Path); !ok {
			out.RefineNote = fmt.Sprintf("probes stopped after %d: the server answered no request within %v for %v after the last one", len(x.Probes), SettleQuick, waited.Round(time.Second))
			break
		}
		p := *sc
		p.Load = scenario.Load{Kind: scenario.Steps, Rates: []float64{rate}, Step: sc.Load.Step, Phase: sc.Load.Phase}
		p.Stress = nil
		a, err := attack.Run(ctx, &p, attack.Options{URL: t.URL, Name: s.Model, Progress: progress, RxStamps: s.RxStamps, TxStamps: s.TxStamps})
		if err != nil {
			return err
		}
		x.Record(summary.StepOf(&p, a, 0), s.Thresholds)
	}
	out.Refined(x)
	return nil
}

// settle waits until the server answers one request, on a new
// connection, within SettleQuick: its backlog has drained. It gives up
// after SettleLimit (ok false) and says how long it waited.
func settle(ctx context.Context, url string) (waited time.Duration, ok bool) {
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	defer c.CloseIdleConnections()
	began := time.Now()
	for time.Since(began) < SettleLimit && ctx.Err() == nil {
		t0 := time.Now()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return time.Since(began), false
		}
		resp, err := c.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode < 300 && time.Since(t0) <= SettleQuick {
				return time.Since(began), true
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	return time.Since(began), false
}

// writeShard writes what netbench merge needs of a shard's attack.
func writeShard(s *Step, a *attack.Result, dir string) error {
	var m store.Meta
	store.Environment(&m)
	host, _ := os.Hostname()
	base := store.AttackBase(dir, s.Scenario.Name, s.Model, s.Repeat)
	return store.WriteShard(base, &store.ShardAttack{Shard: s.Shard, Whole: s.Whole, StartAt: s.StartAt, StartSkew: a.StartSkew,
		Host: host, CPU: m.CPUModel, Cores: m.CPUs, Boot: store.BootID(), CPUs: attack.Affinity(), Began: a.Began, Due: a.Due, NotSent: a.NotSent,
		Samples: a.Samples, HarnessCPU: a.HarnessCPU, HarnessCores: a.HarnessCores, Wall: a.Wall, Steal: a.Steal, ReadWait: a.ReadWait,
		SendWait: a.SendWait})
}
