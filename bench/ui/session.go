package ui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"netmodels/bench/attack"
	"netmodels/bench/report"
	"netmodels/bench/runner"
	"netmodels/bench/sample"
	"netmodels/bench/scenario"
	"netmodels/bench/session"
	"netmodels/bench/step"
	"netmodels/bench/store"
	"netmodels/bench/stress"
	"netmodels/bench/summary"
)

// Config is how a UI starts models and where it stores runs.
type Config struct {
	// Servers start the models a test names, pinned and limited as
	// netbench run's are.
	Servers     session.Servers
	ScenarioDir string // scenario files beside the built-in ones
	Out         string // where runs are stored: Out/<run-id>-ui/
	// MaxTime bounds every test: a load with no run time of its own runs
	// until stopped or this long.
	MaxTime time.Duration
	Models  []string // the models the form offers (netserver -list)
	// DefaultModel is started when a request names no model and no host
	// (Locust's /swarm has neither).
	DefaultModel string
}

// States, with Locust's names.
const (
	Ready    = "ready"
	Spawning = "spawning"
	Running  = "running"
	Stopped  = "stopped"
)

// Session is the UI's one test at a time: its state, its live figures and
// the runs it stored. Its methods are safe for concurrent use.
type Session struct {
	cfg Config

	mu      sync.Mutex
	state   string
	req     *Request
	sc      *scenario.Scenario
	cur     *current
	cancel  context.CancelFunc
	points  map[string][]Point // by model: the charts' history, this test's
	order   []string           // models in the order they ran
	marks   map[string]Marks   // by model, once its stress test ended
	lastRun string             // the last stored run's directory
	done    chan struct{}      // closed when the test in progress is stored
	stop    bool               // Stop was called on the test in progress
	err     string             // why the last test failed
	subs    map[chan []byte]bool
	closed  chan struct{} // closed by Close: the pages' streams end
	once    sync.Once
}

// current is the attack running now.
type current struct {
	model   string
	stats   *Stats
	live    *attack.Live
	began   time.Time
	pid     int // the server's process tree; 0 for an address
	prevCPU time.Duration
	prevGen time.Duration
	prevAt  time.Time
}

// Point is one second of the charts: Locust's (requests and failures per
// second, p50 and p95, users) and the server's and generator's side.
type Point struct {
	T            float64 `json:"t"` // seconds since the model's test began
	Users        int     `json:"users"`
	Offered      float64 `json:"offered_rps,omitempty"`
	RPS          float64 `json:"rps"` // requests completed in the last second, failures too (Locust's)
	FailPerS     float64 `json:"fail_per_s"`
	P50          float64 `json:"p50_ms"`
	P95          float64 `json:"p95_ms"`
	ServerCPU    float64 `json:"server_cpu"`          // CPU seconds per second, the server's tree
	CPUPerAnswer float64 `json:"cpu_us_per_answer"`   // µs of server CPU per successful answer
	RSSMiB       float64 `json:"rss_mib"`             // summed over the tree
	PSSMiB       float64 `json:"pss_mib"`             // shared pages divided among the tree
	Threads      int     `json:"threads"`             // of the tree
	Procs        int     `json:"procs"`               // of the tree
	FDs          int     `json:"fds"`                 // of the tree
	GeneratorCPU float64 `json:"generator_cpu_share"` // of the generator's CPUs
}

// Marks are a stress test's knee and breaking point, in offered
// requests per second (-1: none), as the stored summary found them.
type Marks struct {
	Knee  float64 `json:"knee_rps"`
	Break float64 `json:"break_rps"`
}

// GeneratorLimit is the generator's CPU share of its cores from which the
// page says the generator, not the server, is the limit: the threshold
// the stored summary uses to mark a figure generator-bound.
const GeneratorLimit = 0.90

// NewSession makes a session in state Ready.
func NewSession(cfg Config) *Session {
	if cfg.MaxTime <= 0 {
		cfg.MaxTime = 10 * time.Minute
	}
	return &Session{cfg: cfg, state: Ready, points: map[string][]Point{}, marks: map[string]Marks{}, subs: map[chan []byte]bool{},
		closed: make(chan struct{})}
}

// Close stops the test, waits for its run to be stored (30 s at most)
// and ends the pages' event streams, so that the HTTP server can shut
// down.
func (s *Session) Close() {
	s.Stop()
	s.Wait(30 * time.Second)
	s.once.Do(func() { close(s.closed) })
}

// errBusy is Start's answer while a test runs.
var errBusy = errors.New("a test is running: stop it first, or change its users")

// Start begins a test: the request's models one after the other (compare
// mode when there are several), or its host.
func (s *Session) Start(req *Request) error {
	sc, err := req.Scenario(s.cfg.ScenarioDir, s.cfg.MaxTime)
	if err != nil {
		return err
	}
	models := req.Models
	if req.Host != "" {
		models = []string{hostName(req.Host)}
	}
	if len(models) == 0 && s.cfg.DefaultModel != "" {
		models = []string{s.cfg.DefaultModel}
	}
	if len(models) == 0 {
		return errors.New("no model and no host: name a model to start, or a host to attack")
	}
	if req.Host == "" {
		for _, m := range models {
			if len(s.cfg.Models) > 0 && !slices.Contains(s.cfg.Models, m) {
				return fmt.Errorf("unknown model %q (netserver -list has %s)", m, strings.Join(s.cfg.Models, ", "))
			}
		}
	}
	if len(models) > 1 && sc.Load.Kind == scenario.Users && req.RunTime <= 0 && req.ScenarioName == "" {
		return errors.New("compare mode runs each model for the same time: give a run time")
	}
	s.mu.Lock()
	if s.state == Spawning || s.state == Running {
		s.mu.Unlock()
		return errBusy
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.state, s.req, s.sc, s.cancel, s.err = Spawning, req, sc, cancel, ""
	s.points, s.order, s.marks = map[string][]Point{}, nil, map[string]Marks{}
	done := make(chan struct{})
	s.done, s.stop = done, false
	s.mu.Unlock()
	go func() {
		defer close(done)
		s.execute(ctx, req, sc, models)
	}()
	return nil
}

// Wait waits until no test runs, at most d.
func (s *Session) Wait(d time.Duration) {
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		s.mu.Lock()
		st := s.state
		s.mu.Unlock()
		if st != Spawning && st != Running {
			return
		}
	}
}

// SetUsers changes a running users load's users and spawn rate.
func (s *Session) SetUsers(users int, rate float64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur == nil || s.sc == nil {
		return errors.New("no test is running")
	}
	if s.sc.Load.Kind != scenario.Users {
		return fmt.Errorf("only a users load's users change while it runs; this is a %s load", s.sc.Load.Kind)
	}
	if users < 0 || rate <= 0 {
		return errors.New("user_count must be 0 or more and spawn_rate above 0")
	}
	s.cur.live.SetUsers(users, rate)
	s.state = Spawning
	return nil
}

// Stop ends the test; the run is stored with what was answered so far.
func (s *Session) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cancel != nil {
		s.cancel()
		s.stop = true
	}
}

// stopping is the channel that closes when a stopped test is stored, or
// nil when no test is on its way out.
func (s *Session) stopping() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.stop || s.done == nil {
		return nil
	}
	return s.done
}

// Reset starts the statistics afresh (Locust's /stats/reset); the stored
// run keeps every result.
func (s *Session) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur != nil {
		s.cur.stats = NewStats(time.Now())
	}
}

// execute runs the models one after the other and stores the run.
func (s *Session) execute(ctx context.Context, req *Request, sc *scenario.Scenario, models []string) {
	fail := func(err error) {
		s.mu.Lock()
		s.err, s.state, s.cur = err.Error(), Stopped, nil
		s.mu.Unlock()
		s.publish()
	}
	dir, id, err := store.NewRun(s.cfg.Out, "ui")
	if err != nil {
		fail(err)
		return
	}
	l := s.cfg.Servers.Limits
	if req.Host != "" {
		l = runner.Limits{CPUs: l.CPUs}
	}
	meta := session.Meta(id, nil, l, "")
	meta.Flags, meta.Durations = req.Flags(), map[string]string{sc.Name: sc.Duration.String() + ", from netbench ui"}
	if req.Host != "" {
		meta.Backend = "netbench ui: an address given on its page (" + req.Host + "), not sampled"
	} else {
		meta.Backend = "netbench ui: " + s.cfg.Servers.Native(false).Describe()
	}
	var rows []*summary.Summary
	var failures []string
	for _, m := range models {
		if ctx.Err() != nil {
			break
		}
		sum, err := s.one(ctx, req, sc, m, dir)
		if err != nil {
			failures = append(failures, m+": "+err.Error())
			meta.Notes = append(meta.Notes, m+": "+err.Error())
			continue
		}
		rows = append(rows, sum)
		if sum.Stress != nil {
			s.mu.Lock()
			s.marks[m] = Marks{Knee: sum.Stress.KneeRPS, Break: sum.Stress.BreakRPS}
			s.mu.Unlock()
		}
		if err := store.WriteSummaries(dir, rows); err != nil {
			failures = append(failures, err.Error())
		}
	}
	meta.Finished = time.Now()
	if err := store.WriteMeta(dir, meta); err != nil {
		failures = append(failures, err.Error())
	}
	if len(rows) > 0 {
		if err := report.Write(dir, s.cfg.ScenarioDir); err != nil {
			failures = append(failures, "report: "+err.Error())
		}
	}
	s.mu.Lock()
	s.state, s.cancel = Stopped, nil
	if s.cur != nil {
		s.cur.live = &attack.Live{}
	}
	if len(rows) > 0 {
		s.lastRun = dir
	}
	s.err = strings.Join(failures, "; ")
	s.mu.Unlock()
	s.publish()
}

// one runs the test on one model (or the host) and returns its summary.
func (s *Session) one(ctx context.Context, req *Request, sc *scenario.Scenario, model, dir string) (*summary.Summary, error) {
	url, pid := req.Host, 0
	if url == "" {
		srv, err := s.cfg.Servers.Start(model)
		if err != nil {
			return nil, err
		}
		defer srv.Stop(10 * time.Second)
		url, pid = "http://"+srv.Addr, srv.PID
	}
	began := time.Now()
	stats := NewStats(began)
	cur := &current{model: model, stats: stats, began: began, pid: pid, prevAt: began, prevGen: attack.SelfCPU()}
	cur.live = &attack.Live{OnResult: func(r *vegeta.Result) { s.add(cur, r) }, OnEnd: func(a *attack.Result) {
		s.mu.Lock()
		st := cur.stats
		s.mu.Unlock()
		st.Finish(a.Results, a.Wall)
	}}
	if pid > 0 {
		if st, err := sample.Tree(pid); err == nil {
			cur.prevCPU = st.CPU
		}
	}
	s.mu.Lock()
	s.cur, s.state = cur, Spawning
	if sc.Load.Kind != scenario.Users {
		s.state = Running
	}
	s.order = append(s.order, model)
	s.mu.Unlock()
	stop := s.tick(cur, sc)
	defer stop()
	st := &step.Step{Model: model, Scenario: sc, Repeat: 1, Thresholds: stress.Defaults(), Label: model + " · " + sc.Name}
	t := step.Target{URL: url, Live: cur.live}
	if pid > 0 {
		t.Sample = func() (sample.Stat, error) { return sample.Tree(pid) }
	}
	return step.Run(ctx, st, t, dir, nil)
}

// add hands a result to the statistics of the moment (Reset replaces
// them).
func (s *Session) add(cur *current, r *vegeta.Result) {
	s.mu.Lock()
	st := cur.stats
	s.mu.Unlock()
	st.Add(r)
}

// tick samples the server and the generator every second while cur runs,
// appends a chart point and publishes the page's update.
func (s *Session) tick(cur *current, sc *scenario.Scenario) func() {
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case now := <-t.C:
				s.point(cur, sc, now)
				s.publish()
			}
		}
	}()
	return func() { close(done); <-stopped }
}

// point appends the chart point of the second before now.
func (s *Session) point(cur *current, sc *scenario.Scenario, now time.Time) {
	s.mu.Lock()
	st := cur.stats
	s.mu.Unlock()
	last := st.LastSecond(now)
	p := Point{T: now.Sub(cur.began).Round(time.Second).Seconds(), Users: cur.live.Users(), RPS: last.RPS,
		FailPerS: last.FailPerS, P50: last.P50, P95: last.P95}
	switch sc.Load.Kind {
	case scenario.Closed:
		p.Users = sc.Load.Conns
	case scenario.Users:
	default:
		p.Users = 0
		p.Offered = attack.OfferedAt(sc, now.Sub(cur.began))
	}
	dt := now.Sub(cur.prevAt).Seconds()
	gen := attack.SelfCPU()
	if dt > 0 {
		p.GeneratorCPU = (gen - cur.prevGen).Seconds() / dt / float64(attack.Cores())
	}
	cur.prevGen = gen
	if cur.pid > 0 {
		if x, err := sample.Tree(cur.pid); err == nil {
			if dt > 0 {
				p.ServerCPU = (x.CPU - cur.prevCPU).Seconds() / dt
			}
			if last.OK > 0 {
				p.CPUPerAnswer = (x.CPU - cur.prevCPU).Seconds() / dt * 1e6 / last.OK
			}
			p.RSSMiB, p.PSSMiB = float64(x.RSSKiB)/1024, float64(x.PSSKiB)/1024
			p.Threads, p.Procs, p.FDs = x.Threads, x.Procs, x.FDs
			cur.prevCPU = x.CPU
		}
	}
	cur.prevAt = now
	s.mu.Lock()
	s.points[cur.model] = append(s.points[cur.model], p)
	if s.state == Spawning && sc.Load.Kind == scenario.Users {
		if n, _ := cur.live.Wanted(sc.Load.Users, sc.Load.SpawnRate); cur.live.Users() >= n {
			s.state = Running
		}
	}
	s.mu.Unlock()
}

// hostName names an attack on an address by the address.
func hostName(host string) string {
	h := strings.TrimPrefix(strings.TrimPrefix(host, "http://"), "https://")
	return strings.NewReplacer(":", "-", "/", "").Replace(h)
}
