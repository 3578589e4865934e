package faults

import (
	"context"
	"fmt"
	"slices"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"netmodels/bench/attack"
	"netmodels/bench/runner"
	"netmodels/bench/sample"
	"netmodels/bench/scenario"
)

// work is the request of the load phases: CPU-bound (about 0.6 ms of CPU
// here), so that one core is the bottleneck of every model at rates the
// generator sustains, and a new connection each, as the blog's clients.
const work = "/sort/bubble?n=1000"

func start(model string, o Options, nofile int, args ...string) (*runner.Server, error) {
	sv := o.Servers
	sv.Limits.NoFile = nofile
	return sv.Start(model, args...)
}

func result(model, name string, o Options) Result {
	return Result{Model: model, Case: name, Figures: map[string]float64{}, ByDesign: o.Traits[model].Stress[name]}
}

func fail(r Result, err error) Result {
	r.Pass, r.Detail, r.Hard = false, "error: "+err.Error(), err.Error()
	return r
}

// phase is the outcome of one open-load phase.
type phase struct {
	sent, ok int
	p50, p99 time.Duration // of all requests, lag behind schedule included
	perSec   []secStat     // by the second the requests were due
	rs       []vegeta.Result
}

type secStat struct {
	n, ok    int
	p50, p99 time.Duration // lag behind schedule included
	raw50    time.Duration // p50 of the latency as measured, without the lag
	lag50    time.Duration // p50 of the lag: the generator's share
}

// open runs an open load of rate/s GET path for d, a new connection per
// request.
func open(url, path string, rate float64, d time.Duration) (*phase, error) {
	sc := &scenario.Scenario{Name: "faults", Targets: []scenario.Target{{Path: path}},
		Load:     scenario.Load{Kind: scenario.Constant, Rate: rate},
		Duration: scenario.Duration{Duration: d}, Timeout: scenario.Duration{Duration: 2 * time.Second}, MaxConns: 2000}
	a, err := attack.Run(context.Background(), sc, attack.Options{URL: url, Name: "faults"})
	if err != nil {
		return nil, err
	}
	p := &phase{sent: len(a.Results), rs: a.Results}
	var all []time.Duration
	bySec := map[int][]time.Duration{}
	rawSec, lagSec, okSec := map[int][]time.Duration{}, map[int][]time.Duration{}, map[int]int{}
	for i, r := range a.Results {
		lat := r.Latency
		due, lag := time.Duration(0), time.Duration(0)
		if a.Due != nil {
			due = a.Due[i]
			lag = max(r.Timestamp.Sub(a.Began)-due, 0)
			lat += lag
		}
		sec := int(due / time.Second)
		rawSec[sec] = append(rawSec[sec], r.Latency)
		lagSec[sec] = append(lagSec[sec], lag)
		if r.Error == "" && r.Code == 200 {
			p.ok++
			okSec[sec]++
		} else {
			lat = 2 * time.Second // a failure counts as the timeout
		}
		all = append(all, lat)
		bySec[sec] = append(bySec[sec], lat)
	}
	p.p50, p.p99 = quantile(all, .5), quantile(all, .99)
	for s := 0; s <= int(d/time.Second); s++ {
		v := bySec[s]
		p.perSec = append(p.perSec, secStat{n: len(v), ok: okSec[s], p50: quantile(v, .5), p99: quantile(v, .99),
			raw50: quantile(rawSec[s], .5), lag50: quantile(lagSec[s], .5)})
	}
	return p, nil
}

// capacity measures answers/s of work on 32 connections back to back.
func capacity(url string, d time.Duration) (float64, error) {
	sc := &scenario.Scenario{Name: "capacity", Targets: []scenario.Target{{Path: work}},
		Load: scenario.Load{Kind: scenario.Closed, Conns: 32}, Duration: scenario.Duration{Duration: d},
		Timeout: scenario.Duration{Duration: 5 * time.Second}}
	a, err := attack.Run(context.Background(), sc, attack.Options{URL: url, Name: "capacity"})
	if err != nil {
		return 0, err
	}
	ok := 0
	for _, r := range a.Results {
		if r.Error == "" && r.Code == 200 {
			ok++
		}
	}
	if ok == 0 {
		return 0, fmt.Errorf("no answer in the capacity probe")
	}
	return float64(ok) / d.Seconds(), nil
}

func quantile(v []time.Duration, q float64) time.Duration {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	return s[min(int(q*float64(len(s))), len(s)-1)]
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }

// settle waits until the server's process tree stops shrinking (fork
// children exiting, threads ending), up to d, and samples it.
func settle(pid int, d time.Duration) (sample.Stat, error) {
	end := time.Now().Add(d)
	last, err := sample.Tree(pid)
	for err == nil && time.Now().Before(end) {
		time.Sleep(500 * time.Millisecond)
		var s sample.Stat
		if s, err = sample.Tree(pid); err != nil {
			break
		}
		if s.Procs == last.Procs && s.FDs == last.FDs && s.Threads == last.Threads {
			return s, nil
		}
		last = s
	}
	return last, err
}
