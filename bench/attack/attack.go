// Package attack runs a scenario against a server and keeps everything a
// report needs: every request's result (a vegeta.Result, so that vegeta's
// encoders, metrics and plots read it), the schedule it was due on, the
// server's resource samples, and the generator's own CPU use.
//
// The engine is its own (loop_linux.go): one goroutine over non-blocking
// sockets and epoll, requests written as bytes and answers framed by
// package wire, because net/http's client cost the generator 3x wrk's CPU
// per request. The users load runs a goroutine per user (users.go).
//
// Honesty about the generator: connections are always bounded; an open
// load never sends late (a request it cannot send on time is counted as
// not sent); the harness records its own CPU and each request's lag behind
// its schedule, and marks an attack whose generator saturated or lagged,
// so that such a figure is never presented as the server's capacity.
package attack

import (
	"context"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"netmodels/bench/sample"
	"netmodels/bench/scenario"
)

// Options of Run.
type Options struct {
	URL  string // base URL of the server, e.g. http://127.0.0.1:8080
	Name string // the attack's name: the model (vegeta overlays attacks by name)
	// Sample reads the server's resources; it is called every SampleEvery
	// during the attack. Nil: no sampling.
	Sample      func() (sample.Stat, error)
	SampleEvery time.Duration
	// KernelPID, when > 0, is the root of the server's process tree whose
	// system calls, context switches and page faults perf stat counts
	// over the attack (sample.StartKernel).
	KernelPID int
	// Progress, when set, is called about once a second.
	Progress func(elapsed, total time.Duration)
	// Live, when set, hears every result as it is recorded and steers a
	// users load's users while it runs (netbench ui).
	Live *Live
	// RxStamps ends each answer's latency when the kernel received its
	// last segment (SO_TIMESTAMPNS) instead of when the generator framed
	// it, and keeps the difference, the answer's wait for the generator
	// (Result.ReadWait): a generator that shares its CPU, or lags, then
	// no longer adds its own delay to the server's latency. Open and
	// closed loads; the users load ignores it.
	RxStamps bool
	// TxStamps starts each answer's latency when the kernel sent its
	// request's last byte (a software send stamp, SO_TIMESTAMPING)
	// instead of when the generator began it, and keeps the difference,
	// the request's wait for the generator (Result.SendWait): a
	// generator that is preempted between taking its clock and the
	// write no longer adds that delay either. With RxStamps, the latency
	// is the kernel's from both ends. Open and closed loads; the users
	// load ignores it.
	TxStamps bool
	// StartAt, when set, is the instant the load starts: the common
	// origin of the shards of one attack (netbench run -start-at). Run
	// waits for it, gets ready just before it (startLead), and an open
	// load's schedule counts from it, so that the shards' phases
	// (scenario.Load.Phase) interleave on a clock they share rather than
	// on each one's own start. How late the load started is
	// Result.StartSkew.
	StartAt time.Time
}

// startLead is how long before Options.StartAt an attack gets ready: its
// sockets, buffers and samplers, a few milliseconds' work, are in place
// when the load starts.
const startLead = 50 * time.Millisecond

// ServerSample is one sample of the server's process tree.
type ServerSample struct {
	At time.Duration // since the attack began
	sample.Stat
}

// Result is everything one attack produced.
type Result struct {
	Scenario string
	Name     string
	Began    time.Time
	Results  []vegeta.Result // in order of sequence
	// Due[i] is when Results[i] was due by the schedule, since Began (open
	// loads only; nil otherwise).
	Due []time.Duration
	// NotSent are the open load's requests that were due and not sent.
	NotSent []NotSent
	Samples []ServerSample
	// Kernel is what the kernel did for the server over the attack; nil
	// when not counted. KernelErr says why counting failed.
	Kernel    *sample.Kernel
	KernelErr error
	// HarnessCPU is the CPU time this process used during the attack, and
	// HarnessCores the CPUs it may run on.
	HarnessCPU   time.Duration
	HarnessCores int
	// Steal is the most the hypervisor took of any of the machine's
	// CPUs during the attack (sample.MostStolen); nil where /proc/stat
	// could not be read.
	Steal *sample.Stolen
	// Softirq is the software interrupts' CPU time during the attack, on
	// the generator's CPUs (Affinity) and on the others; nil where
	// /proc/stat could not be read.
	Softirq *sample.Softirq
	// ConntrackDrops is how many packets the kernel's connection
	// tracking dropped during the attack, its table full
	// (sample.ConntrackDrops); nil where it keeps no counters.
	ConntrackDrops *uint64
	// ReadWait[i], with Options.RxStamps, is how long Results[i]'s answer
	// waited, from its last segment's kernel stamp, until the generator
	// framed it; -1 where the answer was not stamped (a failure, or a
	// stamp the clock disowned). nil without stamps.
	ReadWait []time.Duration
	// SendWait[i], with Options.TxStamps, is how long Results[i]'s
	// request waited, from the generator's start of it (its Timestamp),
	// until the kernel sent its last byte; -1 where it was not stamped.
	// nil without send stamps.
	SendWait []time.Duration
	// StartSkew is how late past Options.StartAt the load started, the
	// generator's own delay (its timer, or a slow start); 0 without
	// StartAt.
	StartSkew time.Duration
	Wall      time.Duration
	sched     *schedule
}

// OfferedAt returns the offered rate of sc's open schedule at elapsed, as
// the attack paces it; 0 for closed and users loads.
func OfferedAt(sc *scenario.Scenario, elapsed time.Duration) float64 {
	if s := scheduleFor(sc); s != nil {
		return s.OfferedAt(elapsed)
	}
	return 0
}

// Offered returns the offered rate at an instant of an open attack.
func (r *Result) Offered(at time.Duration) float64 {
	if r.sched == nil {
		return 0
	}
	return r.sched.OfferedAt(at)
}

// Run attacks o.URL with the scenario until it ends or ctx is done.
func Run(ctx context.Context, sc *scenario.Scenario, o Options) (*Result, error) {
	if err := sc.Validate(); err != nil {
		return nil, err
	}
	if o.SampleEvery <= 0 {
		o.SampleEvery = 250 * time.Millisecond
	}
	if !o.StartAt.IsZero() {
		if err := sleepUntil(ctx, o.StartAt.Add(-startLead)); err != nil {
			return nil, err
		}
	}
	res := &Result{Scenario: sc.Name, Name: o.Name, HarnessCores: cores()}
	cpu0 := selfCPU()
	host0, hostErr := sample.HostCPU()
	ct0, ctOK := sample.ConntrackDrops()
	hostAt := time.Now()
	res.Began = time.Now()
	stopSampling := sampleServer(o, res)
	var kc *sample.KernelCounter
	if o.KernelPID > 0 {
		kc, res.KernelErr = sample.StartKernel(o.KernelPID)
	}
	stopProgress := progress(o, sc.Total())
	e, err := newEngine(sc, o.URL, o.Name)
	if err != nil {
		return nil, err
	}
	e.live, e.rxStamps, e.txStamps, e.startAt = o.Live, o.RxStamps, o.TxStamps, o.StartAt
	switch s := scheduleFor(sc); {
	case sc.Load.Kind == scenario.Users:
		if err = e.waitStart(ctx, res); err == nil {
			err = runUsers(ctx, sc, e, res)
		}
	case s != nil:
		err = runLoop(ctx, sc, e, s, res)
	default:
		err = runLoop(ctx, sc, e, nil, res)
	}
	stopProgress()
	if kc != nil {
		k, kerr := kc.Stop()
		if kerr == nil {
			res.Kernel = &k
		}
		res.KernelErr = kerr
	}
	stopSampling()
	res.Wall = time.Since(res.Began)
	res.HarnessCPU = selfCPU() - cpu0
	if host1, err := sample.HostCPU(); err == nil && hostErr == nil {
		res.Steal = sample.MostStolen(host0, host1, time.Since(hostAt))
		res.Softirq = sample.SoftirqSplit(host0, host1, time.Since(hostAt), affinitySet())
	}
	if ct1, ok := sample.ConntrackDrops(); ok && ctOK && ct1 >= ct0 {
		d := ct1 - ct0
		res.ConntrackDrops = &d
	}
	if err == nil {
		o.Live.end(res)
	}
	return res, err
}

// timeout of one request.
func timeout(sc *scenario.Scenario) time.Duration {
	if sc.Timeout.Duration > 0 {
		return sc.Timeout.Duration
	}
	return 10 * time.Second
}

// maxConns bounds the generator's workers and connections.
func maxConns(sc *scenario.Scenario) int {
	if sc.Load.Kind == scenario.Closed {
		return sc.Load.Conns
	}
	if sc.MaxConns > 0 {
		return sc.MaxConns
	}
	return 1000
}

// sleepUntil sleeps until t or until ctx is done.
func sleepUntil(ctx context.Context, t time.Time) error {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err()
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// waitStart waits for Options.StartAt, if the attack has one, and records
// how late it woke (Result.StartSkew).
func (e *engine) waitStart(ctx context.Context, res *Result) error {
	if e.startAt.IsZero() {
		return nil
	}
	if err := sleepUntil(ctx, e.startAt); err != nil {
		return err
	}
	res.StartSkew = max(time.Since(e.startAt), 0)
	return nil
}
