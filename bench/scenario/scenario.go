// Package scenario describes a benchmark: what requests to send, over
// which connections, under which load model, for how long. Scenarios are
// small JSON files (bench/scenarios/) or built-ins that reproduce the
// project's seeds (the blog's Locust runs, the course's sort tests).
//
// Three load models, because they answer different questions (Schroeder,
// Wierman and Harchol-Balter, "Open versus closed", NSDI 2006):
//   - open: requests arrive on a schedule whatever the server does
//     (constant rate, linear ramp, steps); latency includes queueing;
//   - closed: N connections, each sending its next request when the
//     answer to the last one came back; throughput adapts to the server;
//   - users: N users spawned at a rate, each waiting a think time between
//     requests: Locust's model, to compare with the course's figures.
package scenario

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"netmodels/servers/httpx"
)

// Duration is a time.Duration written as "5s" in JSON.
type Duration struct{ time.Duration }

// MarshalJSON writes the duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads "5s" or a number of seconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		v, err := time.ParseDuration(s)
		d.Duration = v
		return err
	}
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("duration: %s", b)
	}
	d.Duration = time.Duration(f * float64(time.Second))
	return nil
}

// Target is one kind of request, chosen with probability Weight/sum.
type Target struct {
	Method string `json:"method,omitempty"` // GET by default
	Path   string `json:"path"`
	Weight int    `json:"weight,omitempty"` // 1 by default
	// Game makes the target the up-down game played under Path (e.g.
	// "/updown"): each user's next request of this target is its game's
	// next move (POST Path/new, then binary-search guesses with JSON
	// bodies to CORRECT, then a new game), and an answer that breaks the
	// game's rules is counted as an error. It needs the users load, whose
	// users see their answers.
	Game bool `json:"game,omitempty"`
	// Headers are sent with the request besides Host and User-Agent (and
	// Content-Length when there is a Body).
	Headers map[string]string `json:"headers,omitempty"`
	// Body is the request's body, sent as it is.
	Body string `json:"body,omitempty"`
	// SendDelay (users loads) has the user write this request that long
	// after its connection opened, on a new connection: a client late to
	// send, as one behind a slow or lossy link, or Locust's when its
	// greenlets wait their turn on a busy generator. A server that serves
	// one connection at a time waits it out in its read, and every
	// client behind it waits too; one that serves connections at once
	// does not. The delay is the client's, and counts in its latency.
	SendDelay Duration `json:"send_delay,omitempty"`
	// Then makes the target a task, as a Locust task that requests several
	// views in a row: in the users load, a user that picks it sends it,
	// then each of these in order, each after the answer to the one
	// before, and only then thinks.
	Then []Target `json:"then,omitempty"`
}

// Load kinds: the built-in shapes (shapes.go); others register
// themselves (Register).
const (
	Constant = "constant" // open: Rate per second
	Linear   = "linear"   // open: From to To per second over the duration
	Steps    = "steps"    // open: each rate of Rates for Step
	Closed   = "closed"   // closed: Conns connections back to back
	Users    = "users"    // Users users, SpawnRate per second, think time between requests
)

// Load is the load model and its parameters.
type Load struct {
	Kind      string    `json:"kind"`
	Rate      float64   `json:"rate,omitempty"`
	From      float64   `json:"from,omitempty"`
	To        float64   `json:"to,omitempty"`
	Rates     []float64 `json:"rates,omitempty"`
	Step      Duration  `json:"step,omitempty"`
	Conns     int       `json:"conns,omitempty"`
	Users     int       `json:"users,omitempty"`
	SpawnRate float64   `json:"spawn_rate,omitempty"`
	ThinkMin  Duration  `json:"think_min,omitempty"`
	ThinkMax  Duration  `json:"think_max,omitempty"`
	// Phase (open loads, 0 <= Phase < 1) delays every request by that
	// share of one request's interval: the n-th is due where the (n +
	// Phase)-th would be. Shard i of N has i/N (Shard.Of), so that the
	// shards' requests interleave into the whole load's schedule rather
	// than N of them falling due together.
	Phase float64 `json:"phase,omitempty"`
	// Of, with Fractions (steps loads), makes each step's rate that share
	// of the answers per second the same model served in the scenario Of
	// earlier in the same run (its capacity, as a closed load measures
	// it): Rates are filled in before the attack (Scenario.Scaled).
	Of        string    `json:"of,omitempty"`
	Fractions []float64 `json:"fractions,omitempty"`
}

// Scenario is one benchmark.
type Scenario struct {
	Name      string   `json:"name"`
	Doc       string   `json:"doc"`
	Targets   []Target `json:"targets"`
	KeepAlive bool     `json:"keep_alive"`
	Load      Load     `json:"load"`
	Duration  Duration `json:"duration"`
	// Timeout of one request; a request past it counts as a timeout error.
	Timeout Duration `json:"timeout,omitempty"`
	// MaxConns bounds the generator's connections and workers (open
	// loads); 0: 1000. Unbounded workers make a fast open attack collapse
	// the generator, not the server.
	MaxConns int `json:"max_conns,omitempty"`
	// Models are the models the scenario runs on when none are named
	// (netbench -models, make MODELS=); empty: every model. The seed
	// reproductions of one server's figures name its analogue.
	Models []string `json:"models,omitempty"`
	// References are the seeds' own systems (package reference: the
	// blog's Python servers, the course's Django views) the scenario
	// also runs on when no model is named: the seed's own system,
	// measured here beside the models.
	References []string `json:"references,omitempty"`
	// Stress makes it a stress test: after the steps, Recovery at
	// RecoveryRate measures the time to recover (see package stress).
	Stress *Stress `json:"stress,omitempty"`
	// WholeCPU runs the scenario on servers without the run's CPU quota
	// (netbench run -server-cpu): on their whole CPUs, where the quota's
	// throttling does not shape latency.
	WholeCPU bool `json:"whole_cpu,omitempty"`
}

// Scaled is s with its steps' rates set from a capacity (Load.Of,
// Load.Fractions): each fraction of it. A scenario not relative to a
// capacity is returned as it is.
func (s *Scenario) Scaled(capacity float64) (*Scenario, error) {
	if s.Load.Of == "" {
		return s, nil
	}
	if capacity <= 0 {
		return nil, fmt.Errorf("scenario %s: its rates are shares of %s's answers/s, and the model served none there", s.Name, s.Load.Of)
	}
	c := *s
	c.Load.Rates = nil
	for _, f := range s.Load.Fractions {
		c.Load.Rates = append(c.Load.Rates, math.Round(f*capacity))
	}
	return &c, nil
}

// Stress is the tail of a stress test.
type Stress struct {
	RecoveryRate float64  `json:"recovery_rate"`
	Recovery     Duration `json:"recovery"`
	// Refine, when above 1, measures the breaking point between the
	// grid's steps: after the recovery, probes of one step's length at
	// rates between the last clean step and the first broken one, the
	// gap halved each time, until the broken rate is within Refine of the
	// clean one (1.1: 10%; stress.Search), at most RefineProbes of them.
	Refine float64 `json:"refine,omitempty"`
}

// RefineProbes is the most probes a refined stress test runs: four
// narrow a doubling to 10%; a server that broke at the first step needs
// more, halving down to a rate it holds.
const RefineProbes = 7

// Shape is what a request of s looks like to a generator: its targets
// and whether connections are reused ("keep-alive GET /hello"). The
// server's CPU calibration measures the generator per shape.
func (s *Scenario) Shape() string {
	var paths []string
	for _, t := range s.Targets {
		m := t.Method
		if m == "" {
			m = "GET"
		}
		paths = append(paths, m+" "+t.Path)
	}
	reuse := "close"
	if s.KeepAlive {
		reuse = "keep-alive"
	}
	return reuse + " " + strings.Join(paths, ", ")
}

// problems lists what is wrong with one target's request.
func (t *Target) problems() []string {
	var errs []string
	if !strings.HasPrefix(t.Path, "/") || strings.ContainsAny(t.Path, " \r\n") {
		errs = append(errs, fmt.Sprintf("target path %q does not start with / or holds a space or a line end", t.Path))
	}
	if t.Method != "" && !httpx.IsToken([]byte(t.Method)) {
		errs = append(errs, fmt.Sprintf("target method %q is not a token", t.Method))
	}
	for k, v := range t.Headers {
		switch {
		case !httpx.IsToken([]byte(k)):
			errs = append(errs, fmt.Sprintf("target %q: header name %q is not a token", t.Path, k))
		case strings.ContainsAny(v, "\r\n\x00"):
			errs = append(errs, fmt.Sprintf("target %q: header %s's value holds a line end", t.Path, k))
		case strings.EqualFold(k, "Host") || strings.EqualFold(k, "Content-Length") || strings.EqualFold(k, "Connection") || strings.EqualFold(k, "Transfer-Encoding"):
			errs = append(errs, fmt.Sprintf("target %q: header %s is netbench's to send", t.Path, k))
		}
	}
	return errs
}

// Validate reports what is wrong with s.
func (s *Scenario) Validate() error {
	var errs []string
	if s.Name == "" {
		errs = append(errs, "no name")
	}
	if len(s.Targets) == 0 {
		errs = append(errs, "no targets")
	}
	l := s.Load
	for _, t := range s.Targets {
		errs = append(errs, t.problems()...)
		if t.Game && l.Kind != Users {
			errs = append(errs, fmt.Sprintf("game target %q needs the users load", t.Path))
		}
		if t.SendDelay.Duration < 0 || t.SendDelay.Duration > 0 && l.Kind != Users {
			errs = append(errs, fmt.Sprintf("target %q: send_delay needs the users load, and >= 0", t.Path))
		}
		if len(t.Then) > 0 && l.Kind != Users {
			errs = append(errs, fmt.Sprintf("target %q: a task (then) needs the users load, whose users wait for answers", t.Path))
		}
		for _, n := range t.Then {
			errs = append(errs, n.problems()...)
			if n.Game || len(n.Then) > 0 {
				errs = append(errs, fmt.Sprintf("target %q: a task's later requests are plain requests (no game, no then)", n.Path))
			}
		}
	}
	if sh, ok := shapes[l.Kind]; ok {
		errs = append(errs, sh.Check(&l, s.Duration.Duration)...)
	} else {
		errs = append(errs, fmt.Sprintf("unknown load kind %q (one of %s)", l.Kind, strings.Join(Kinds(), ", ")))
	}
	if l.Phase < 0 || l.Phase >= 1 {
		errs = append(errs, fmt.Sprintf("phase %v: want 0 <= phase < 1", l.Phase))
	}
	if l.Kind != Steps && s.Duration.Duration <= 0 {
		errs = append(errs, "no duration")
	}
	if s.Stress != nil && l.Kind != Steps {
		errs = append(errs, "a stress test needs a steps load")
	}
	if s.Stress != nil && s.Stress.Refine != 0 && s.Stress.Refine <= 1 {
		errs = append(errs, fmt.Sprintf("stress refine %v: want above 1 (1.1 narrows the breaking point to 10%%), or none", s.Stress.Refine))
	}
	if len(errs) > 0 {
		return fmt.Errorf("scenario %s: %s", s.Name, strings.Join(errs, "; "))
	}
	return nil
}

// Total returns how long the scenario's load runs: an open load's
// schedule (Segments), or the duration of a closed or users load.
func (s *Scenario) Total() time.Duration {
	segs := s.Segments()
	if segs == nil {
		return s.Duration.Duration
	}
	var d time.Duration
	for _, g := range segs {
		d += g.Length
	}
	return d
}

// Load reads a scenario file.
func LoadFile(path string) (*Scenario, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var s Scenario
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if s.Name == "" {
		s.Name = strings.TrimSuffix(filepath.Base(path), ".json")
	}
	return &s, s.Validate()
}

// Dir reads every *.json scenario of a directory.
func Dir(dir string) (map[string]*Scenario, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	m := make(map[string]*Scenario)
	for _, f := range files {
		s, err := LoadFile(f)
		if err != nil {
			return nil, err
		}
		m[s.Name] = s
	}
	return m, nil
}

// Find returns the named scenario from dir, or a built-in.
func Find(dir, name string) (*Scenario, error) {
	if dir != "" {
		m, err := Dir(dir)
		if err != nil {
			return nil, err
		}
		if s, ok := m[name]; ok {
			return s, nil
		}
	}
	for _, s := range Builtins() {
		if s.Name == name {
			return s, nil
		}
	}
	return nil, errors.New("no scenario " + name)
}

// Names lists the scenarios of dir and the built-ins, sorted.
func Names(dir string) []string {
	seen := map[string]bool{}
	for _, s := range Builtins() {
		seen[s.Name] = true
	}
	if m, err := Dir(dir); err == nil {
		for n := range m {
			seen[n] = true
		}
	}
	var out []string
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func d(v time.Duration) Duration { return Duration{v} }

// seedRun is one of the slides' Locust runs: 500 users spawned at spawn
// per second, 1-3 s think time, one view; long enough for every user to
// have started and run for 20 s more.
func seedRun(name, path string, spawn float64, seed string) *Scenario {
	length := time.Duration(500/spawn)*time.Second + 20*time.Second
	return &Scenario{Name: name, Doc: "the course slides' run, one view: " + seed + " (Django, Python)",
		Targets: []Target{{Path: path}}, KeepAlive: true,
		Load:     Load{Kind: Users, Users: 500, SpawnRate: spawn, ThinkMin: d(time.Second), ThinkMax: d(3 * time.Second)},
		Duration: d(length), Timeout: d(30 * time.Second), Models: []string{"thread"}, References: CourseReferences}
}

// BlogReferences are the blog's own servers, as it first wrote them (its
// join() inside the accept loop) and with its fix; CourseReferences the
// course's Django views under runserver and gunicorn (package reference
// declares them).
var (
	BlogReferences   = []string{"py-single", "py-fork-join", "py-fork", "py-thread-join", "py-thread", "py-select"}
	CourseReferences = []string{"django-runserver", "django-gunicorn"}
)

// Builtins are the scenarios that reproduce the seeds, and the basic ones.
func Builtins() []*Scenario {
	sorts := func(n, max string) []Target {
		return []Target{
			{Path: "/sort/builtin?n=" + n + "&max=" + max},
			{Path: "/sort/bubble?n=" + n + "&max=" + max},
			{Path: "/sort/heap?n=" + n + "&max=" + max},
		}
	}
	users := func(spawn float64) Load {
		return Load{Kind: Users, Users: 500, SpawnRate: spawn, ThinkMin: d(time.Second), ThinkMax: d(3 * time.Second)}
	}
	return []*Scenario{
		{Name: "hello-keepalive", Doc: "GET /hello on 50 keep-alive connections, back to back (closed): the cheapest request, so the model's overhead shows",
			Targets: []Target{{Path: "/hello"}}, KeepAlive: true, Load: Load{Kind: Closed, Conns: 50}, Duration: d(5 * time.Second), Timeout: d(5 * time.Second)},
		{Name: "hello-close", Doc: "GET /hello, a new connection per request, 50 at a time (closed): connection cost",
			Targets: []Target{{Path: "/hello"}}, KeepAlive: false, Load: Load{Kind: Closed, Conns: 50}, Duration: d(5 * time.Second), Timeout: d(5 * time.Second)},
		{Name: "sleep-io", Doc: "GET /sleep?ms=50 at 400/s (open): I/O-bound waiting, where threads of control matter and CPU does not",
			Targets: []Target{{Path: "/sleep?ms=50"}}, KeepAlive: true, Load: Load{Kind: Constant, Rate: 400}, Duration: d(5 * time.Second), MaxConns: 1000, Timeout: d(2 * time.Second)},
		// Latency below capacity. A closed load runs the server flat
		// out, so under a quota its tail is the quota's throttling gap;
		// and a closed load's 50 connections let a loop batch answers,
		// so its capacity overstates an open load's. hello-open finds
		// the open load's capacity under the quota, hello-latency
		// measures at shares of it, and hello-latency-whole at the same
		// rates on a whole CPU (docs/measurements/latency-quota.md).
		{Name: "hello-open", Doc: "GET /hello on keep-alive connections, open, in 2 s steps at 25%, 50%, 75% and 100% of the answers/s the model served in hello-keepalive, then probes to within 10%: the capacity of an open load under the run's quota",
			Targets: []Target{{Path: "/hello"}}, KeepAlive: true,
			Load:     Load{Kind: Steps, Of: "hello-keepalive", Fractions: []float64{0.25, 0.5, 0.75, 1}, Step: d(2 * time.Second)},
			MaxConns: 200, Timeout: d(5 * time.Second), Stress: &Stress{Refine: 1.1}},
		{Name: "hello-latency", Doc: "GET /hello on keep-alive connections, open, at 25%, 50% and 75% of the rate the model held in hello-open, 3 s each, under the run's CPU quota: latency below capacity",
			Targets: []Target{{Path: "/hello"}}, KeepAlive: true,
			Load:     Load{Kind: Steps, Of: "hello-open", Fractions: []float64{0.25, 0.5, 0.75}, Step: d(3 * time.Second)},
			MaxConns: 200, Timeout: d(5 * time.Second)},
		{Name: "hello-latency-whole", Doc: "hello-latency's rates again, on a whole CPU (no quota): the model's own latency at those arrivals; the gap to hello-latency is the quota's",
			Targets: []Target{{Path: "/hello"}}, KeepAlive: true,
			Load:     Load{Kind: Steps, Of: "hello-open", Fractions: []float64{0.25, 0.5, 0.75}, Step: d(3 * time.Second)},
			MaxConns: 200, Timeout: d(5 * time.Second), WholeCPU: true},
		{Name: "blog", Doc: "the blog's Locust runs: GET /hello, a new connection per request, the rate rising step by step until the server fails, then recovery",
			Targets: []Target{{Path: "/hello"}}, KeepAlive: false,
			Load:     Load{Kind: Steps, Rates: []float64{250, 500, 1000, 2000, 4000, 8000, 12000}, Step: d(4 * time.Second)},
			MaxConns: 2000, Timeout: d(5 * time.Second), References: BlogReferences,
			Stress: &Stress{RecoveryRate: 250, Recovery: d(10 * time.Second), Refine: 1.1}},
		// The blog's servers again, with some clients late to send: a
		// server that serves one connection at a time (the blog's single
		// process, and its first versions that join() each worker inside
		// the accept loop) waits on each late one with every client
		// behind it; one that serves connections at once does not.
		{Name: "blog-late-clients", Doc: "the blog's servers with some clients late to send: 50 users, no think time, a new connection per request; one GET /hello in ten is written 100 ms after its connection opens, the others at once",
			Targets: []Target{{Path: "/hello", Weight: 9}, {Path: "/hello", Weight: 1, SendDelay: d(100 * time.Millisecond)}}, KeepAlive: false,
			Load:     Load{Kind: Users, Users: 50, SpawnRate: 50},
			Duration: d(15 * time.Second), Timeout: d(5 * time.Second), Models: []string{"iterative", "fork", "thread", "select"}, References: BlogReferences},
		{Name: "slides-1", Doc: "the course's scenario 1: /sort/{builtin,bubble,heap} at n=1000, max=5000; 500 users spawned at 20/s, 1-3 s think time (Locust)",
			Targets: sorts("1000", "5000"), KeepAlive: true, Load: users(20), Duration: d(30 * time.Second), Timeout: d(30 * time.Second)},
		{Name: "slides-1-slow", Doc: "scenario 1 with the slides' gentler spawn rate of 5/s",
			Targets: sorts("1000", "5000"), KeepAlive: true, Load: users(5), Duration: d(120 * time.Second), Timeout: d(30 * time.Second)},
		// The slides' runs one by one: each tested one view, 500 users,
		// spawned at 20/s or 5/s ("동시 접속자"), on Django's threaded
		// development server, whose analogue here is the thread model.
		seedRun("slides-1-builtin", "/test/normal_sort/", 20, "built-in sort, n=1000: 212.0 RPS, all answers within 0.6 s"),
		seedRun("slides-1-bubble", "/test/bubble_sort/", 20, "bubble sort, n=1000: 59.3 RPS, median 0.2 s, max 21 s, failures growing"),
		seedRun("slides-1-bubble-slow", "/test/bubble_sort/", 5, "bubble sort, n=1000, spawned at 5/s: 19.2 RPS, all within 2.5 s"),
		seedRun("slides-1-heap-slow", "/test/priority_queue/", 5, "priority queue, n=1000, spawned at 5/s: 219.5 RPS, all within 1.1 s"),
		seedRun("slides-2-builtin", "/test/normal_sort/?n=10000&max=50000", 20, "built-in sort, n=10000: 90.7 RPS, median 0.2 s, max 8.5 s"),
		seedRun("slides-2-bubble", "/test/bubble_sort/?n=10000&max=50000", 20, "bubble sort, n=10000: no result, the server timed out"),
		seedRun("slides-2-heap", "/test/priority_queue/?n=10000&max=50000", 20, "priority queue, n=10000: 47.0 RPS, median 8.1 s, max 22 s, 0.5 failures/s"),
		// The slides' locustfile as it is, its paths too (bench/locust has
		// it): two tasks, normal_sort GETs two views in a row, bubble_sort
		// one; 1-3 s between tasks.
		{Name: "slides-locustfile", Doc: "the course slides' locust_test.py: 500 users at 20/s, think 1-3 s; task normal_sort (built-in sort, then priority queue) or task bubble_sort",
			Targets: []Target{
				{Path: "/test/normal_sort/", Then: []Target{{Path: "/test/priority_queue/"}}},
				{Path: "/test/bubble_sort/"},
			}, KeepAlive: true,
			Load:     Load{Kind: Users, Users: 500, SpawnRate: 20, ThinkMin: d(time.Second), ThinkMax: d(3 * time.Second)},
			Duration: d(45 * time.Second), Timeout: d(30 * time.Second), Models: []string{"thread"}, References: CourseReferences},
		{Name: "updown", Doc: "the course's up-down game: 200 users each playing game after game (POST /updown/new, then JSON guesses by binary search to CORRECT), 0.1-0.5 s between moves; every answer is checked against the game's rules",
			Targets: []Target{{Path: "/updown", Game: true}}, KeepAlive: true,
			Load:     Load{Kind: Users, Users: 200, SpawnRate: 100, ThinkMin: d(100 * time.Millisecond), ThinkMax: d(500 * time.Millisecond)},
			Duration: d(15 * time.Second), Timeout: d(10 * time.Second)},
		{Name: "slides-2", Doc: "the course's scenario 2: n=10000, max=50000 (ten times the values); 500 users at 20/s",
			Targets: sorts("10000", "50000"), KeepAlive: true, Load: users(20), Duration: d(30 * time.Second), Timeout: d(30 * time.Second)},
	}
}
