// Package attack runs a scenario against a server with vegeta as a
// library and keeps everything a report needs: every request's result (in
// vegeta's own format), the schedule it was due on, the server's resource
// samples, and the generator's own CPU use.
//
// Honesty about the generator: workers and connections are always bounded
// (unbounded vegeta workers collapse a one-core generator long before the
// server); the harness records its own CPU and each request's lag behind
// its schedule, and marks an attack whose generator saturated or lagged,
// so that such a figure is never presented as the server's capacity.
package attack

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
	"golang.org/x/sys/unix"

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
	// Progress, when set, is called about once a second.
	Progress func(elapsed, total time.Duration)
}

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
	Results  []vegeta.Result // in order of sending
	// Due[i] is when Results[i] was due by the schedule, since Began (open
	// loads only; nil otherwise).
	Due     []time.Duration
	Samples []ServerSample
	// HarnessCPU is the CPU time this process used during the attack, and
	// HarnessCores the CPUs it may run on.
	HarnessCPU   time.Duration
	HarnessCores int
	Wall         time.Duration
	sched        *schedule
}

// Offered returns the offered rate at an instant of an open attack.
func (r *Result) Offered(at time.Duration) float64 {
	if r.sched == nil {
		return 0
	}
	return r.sched.OfferedAt(at)
}

// Total is the attack's planned length.
func (r *Result) Total(sc *scenario.Scenario) time.Duration { return sc.Total() }

// Run attacks o.URL with the scenario until it ends or ctx is done.
func Run(ctx context.Context, sc *scenario.Scenario, o Options) (*Result, error) {
	if err := sc.Validate(); err != nil {
		return nil, err
	}
	if o.SampleEvery <= 0 {
		o.SampleEvery = 250 * time.Millisecond
	}
	res := &Result{Scenario: sc.Name, Name: o.Name, HarnessCores: cores()}
	cpu0 := selfCPU()
	res.Began = time.Now()
	stopSampling := sampleServer(o, res)
	stopProgress := progress(o, sc.Total())
	var err error
	switch sc.Load.Kind {
	case scenario.Users:
		err = runUsers(ctx, sc, o, res)
	default:
		err = runVegeta(ctx, sc, o, res)
	}
	stopProgress()
	stopSampling()
	res.Wall = time.Since(res.Began)
	res.HarnessCPU = selfCPU() - cpu0
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

// gameTargets maps the URL of each game target to its base URL.
func gameTargets(sc *scenario.Scenario, base string) map[string]string {
	m := map[string]string{}
	for _, t := range sc.Targets {
		if t.Game {
			m[base+t.Path] = base + t.Path
		}
	}
	return m
}

// targeter picks a target by weight for each request.
func targeter(sc *scenario.Scenario, base string) vegeta.Targeter {
	var total int
	for _, t := range sc.Targets {
		total += max(t.Weight, 1)
	}
	return func(tgt *vegeta.Target) error {
		k := rand.IntN(total)
		for _, t := range sc.Targets {
			k -= max(t.Weight, 1)
			if k < 0 {
				tgt.Method = t.Method
				if tgt.Method == "" {
					tgt.Method = http.MethodGet
				}
				tgt.URL = base + t.Path
				tgt.Body, tgt.Header = nil, nil
				return nil
			}
		}
		return errors.New("no target")
	}
}

// runVegeta runs open loads (paced by the schedule) and closed loads
// (N workers back to back).
func runVegeta(ctx context.Context, sc *scenario.Scenario, o Options, res *Result) error {
	n := maxConns(sc)
	workers := uint64(n)
	var pacer vegeta.Pacer = vegeta.ConstantPacer{} // closed: as fast as answers come
	duration := sc.Duration.Duration
	if s := scheduleFor(sc); s != nil {
		res.sched, pacer, duration = s, s, s.Total()
		workers = uint64(min(n, 64)) // more start as needed, up to n
	}
	// Our own transport, configured as vegeta's own would be with these
	// limits, so that its connections can be closed when the attack ends:
	// an idle keep-alive connection left open would hold a one-connection-
	// at-a-time server (iterative, prefork) after the attack.
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: timeout(sc), KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConnsPerHost: n, MaxConnsPerHost: n, DisableKeepAlives: !sc.KeepAlive,
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: timeout(sc),
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	atk := vegeta.NewAttacker(
		vegeta.Workers(workers), vegeta.MaxWorkers(uint64(n)),
		vegeta.Client(client),
	)
	results := atk.Attack(targeter(sc, o.URL), pacer, duration, o.Name)
	done := ctx.Done()
	for {
		select {
		case r, ok := <-results:
			if !ok {
				sortBySeq(res)
				return nil
			}
			r.Body = nil // bodies are not kept
			res.Results = append(res.Results, *r)
		case <-done:
			atk.Stop()
			done = nil
		}
	}
}

// sortBySeq orders results by sequence number (the order of sending) and
// computes each one's due time.
func sortBySeq(res *Result) {
	rs := res.Results
	ordered := make([]vegeta.Result, len(rs))
	ok := true
	for _, r := range rs {
		if r.Seq >= uint64(len(rs)) {
			ok = false
			break
		}
		ordered[r.Seq] = r
	}
	if ok {
		res.Results = ordered
	}
	if res.sched != nil {
		res.Due = make([]time.Duration, len(res.Results))
		for i, r := range res.Results {
			res.Due[i] = res.sched.Offset(r.Seq)
		}
	}
	// vegeta's attack began a moment after ours; align to its first stamp.
	if len(res.Results) > 0 && res.Results[0].Timestamp.After(res.Began) {
		res.Began = res.Results[0].Timestamp
		if res.Due != nil {
			res.Began = res.Results[0].Timestamp.Add(-res.Due[0])
		}
	}
}

// runUsers runs Locust's model: Users users spawned at SpawnRate per
// second, each with its own keep-alive connection, sending a request,
// waiting for the answer, then thinking for a uniform time in
// [ThinkMin, ThinkMax], until the duration ends.
func runUsers(ctx context.Context, sc *scenario.Scenario, o Options, res *Result) error {
	l := sc.Load
	// sending ends with the duration; requests in flight then finish or
	// time out (as vegeta's do) and are recorded: dropping them would hide
	// the users a slow server kept waiting. Only a stop (ctx) cuts them.
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, sc.Duration.Duration)
	defer cancel()
	tr := &http.Transport{
		MaxIdleConnsPerHost: l.Users, MaxConnsPerHost: l.Users, DisableKeepAlives: !sc.KeepAlive,
		DialContext: (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: timeout(sc),
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	tg := targeter(sc, o.URL)
	var (
		seq atomic.Uint64
		mu  sync.Mutex
		wg  sync.WaitGroup
	)
	games := gameTargets(sc, o.URL)
	user := func() {
		defer wg.Done()
		var g game
		for ctx.Err() == nil {
			var t vegeta.Target
			_ = tg(&t)
			base, playing := games[t.URL]
			if playing {
				t.Method, t.URL, t.Body = g.next(base)
			}
			r := vegeta.Result{Attack: o.Name, Method: t.Method, URL: t.URL}
			req, _ := http.NewRequestWithContext(parent, t.Method, t.URL, bytes.NewReader(t.Body))
			if t.Body != nil {
				req.Header.Set("Content-Type", "application/json")
			}
			r.Seq = seq.Add(1) - 1
			r.Timestamp = time.Now()
			resp, err := client.Do(req)
			if err == nil {
				var n int64
				if playing {
					var b []byte
					b, err = io.ReadAll(io.LimitReader(resp.Body, 64<<10))
					n = int64(len(b))
					if err == nil {
						err = g.answer(resp.StatusCode, b)
					}
				} else {
					n, _ = io.Copy(io.Discard, resp.Body)
				}
				resp.Body.Close()
				r.Code, r.BytesIn, r.BytesOut = uint16(resp.StatusCode), uint64(n), uint64(len(t.Body))
				if err != nil {
					// A wrong answer is a failure, also to vegeta's
					// metrics, which count successes by status alone.
					r.Code, r.Error = 0, err.Error()
				}
			} else {
				if parent.Err() != nil {
					return // the run was stopped: not a result
				}
				r.Error = err.Error()
			}
			r.Latency = time.Since(r.Timestamp)
			mu.Lock()
			res.Results = append(res.Results, r)
			mu.Unlock()
			think := l.ThinkMin.Duration
			if span := l.ThinkMax.Duration - l.ThinkMin.Duration; span > 0 {
				think += rand.N(span)
			}
			select {
			case <-time.After(think):
			case <-ctx.Done():
				return
			}
		}
	}
	every := time.Duration(float64(time.Second) / l.SpawnRate)
	tick := time.NewTicker(every)
	defer tick.Stop()
spawn:
	for i := 0; i < l.Users; i++ {
		wg.Add(1)
		go user()
		select {
		case <-tick.C:
		case <-ctx.Done():
			break spawn
		}
	}
	wg.Wait()
	sortBySeq(res)
	return nil
}

// sampleServer samples the server's process tree until the returned func
// is called.
func sampleServer(o Options, res *Result) func() {
	if o.Sample == nil {
		return func() {}
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	// Its own clock: Run realigns res.Began once vegeta's first stamp is
	// known, while this goroutine may still be sampling.
	start := res.Began
	take := func() {
		if st, err := o.Sample(); err == nil {
			res.Samples = append(res.Samples, ServerSample{At: time.Since(start), Stat: st})
		}
	}
	take()
	go func() {
		defer close(done)
		t := time.NewTicker(o.SampleEvery)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				take()
			case <-stop:
				take()
				return
			}
		}
	}()
	return func() { close(stop); <-done }
}

func progress(o Options, total time.Duration) func() {
	if o.Progress == nil {
		return func() {}
	}
	start := time.Now()
	stop := make(chan struct{})
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				o.Progress(time.Since(start), total)
			case <-stop:
				return
			}
		}
	}()
	return func() { close(stop) }
}

// selfCPU is this process's CPU time so far.
func selfCPU() time.Duration {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// cores is the number of CPUs this process may run on.
func cores() int {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		return 1
	}
	return max(set.Count(), 1)
}

// ErrorClass groups a request error: refused, reset, timeout, eof,
// wrong-answer (a game answer that breaks the rules), other.
func ErrorClass(err string) string {
	e := strings.ToLower(err)
	switch {
	case e == "":
		return ""
	case strings.Contains(e, "connection refused"):
		return "refused"
	case strings.Contains(e, "reset by peer") || strings.Contains(e, "broken pipe"):
		return "reset"
	case strings.Contains(e, "timeout") || strings.Contains(e, "deadline exceeded"):
		return "timeout"
	case strings.Contains(e, "eof"):
		return "eof"
	case strings.HasPrefix(e, "game:"):
		return "wrong-answer"
	}
	return "other"
}

// Affinity returns the CPU list this process may run on, as taskset
// writes it (e.g. "1" or "0-1").
func Affinity() string {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		return ""
	}
	var cpus []string
	for i := 0; i < 1024; i++ {
		if set.IsSet(i) {
			cpus = append(cpus, strconv.Itoa(i))
		}
	}
	return strings.Join(cpus, ",")
}
