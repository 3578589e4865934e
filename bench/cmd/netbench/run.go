package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"netmodels/bench/cli"
	"netmodels/bench/reference"
	"netmodels/bench/report"
	"netmodels/bench/runner"
	"netmodels/bench/scenario"
	"netmodels/bench/session"
	"netmodels/bench/step"
	"netmodels/bench/store"
	"netmodels/bench/stress"
	"netmodels/bench/summary"
	"netmodels/bench/wrk"
)

// Profiles: which scenarios, how long, how many repeats.
var profiles = map[string]struct {
	scenarios []string
	duration  time.Duration // overrides each scenario's duration; 0 keeps it
	repeats   int
	idle      int // idle connections per model for idle.json (native runs); 0: none
	// references: with no -models, the seeds' own systems the profile's
	// scenarios name (Scenario.References) run too, natively.
	references bool
}{
	// smoke: one second of hello, a new connection per request, per model:
	// every model must answer all of it (CI checks that).
	"smoke": {[]string{"hello-close"}, time.Second, 1, 0, false},
	// quick: every model, three short scenarios, once: about 3 minutes on
	// two cores.
	"quick": {[]string{"hello-keepalive", "hello-close", "sleep-io"}, 2 * time.Second, 1, 0, false},
	// full: every built-in scenario at its own length, three repeats;
	// the latency pass (hello-open, hello-latency, hello-latency-whole)
	// follows hello-keepalive, whose capacity it starts from.
	// (make bench-all runs it once per model.)
	"full": {[]string{"hello-keepalive", "hello-open", "hello-latency", "hello-latency-whole", "hello-close", "sleep-io", "blog", "slides-1", "slides-2"}, 0, 3, 0, false},
	// seeds: the seeds' comparisons side by side: the blog's stress test
	// on every model and on the blog's own Python servers, the slides'
	// runs one view at a time on the thread model (Django's threaded
	// server) and on the course's own Django views, the latency pass,
	// and memory per idle connection; three repeats, so that rankings
	// rest on ranges, not on one figure each.
	"seeds": {[]string{"hello-keepalive", "hello-open", "hello-latency", "hello-latency-whole", "hello-close", "sleep-io", "blog", "blog-late-clients",
		"slides-1-builtin", "slides-1-bubble", "slides-1-bubble-slow", "slides-1-heap-slow",
		"slides-2-builtin", "slides-2-bubble", "slides-2-heap"}, 0, 3, 2000, true},
}

// runFlags are netbench run's flags.
type runFlags struct {
	models, scenarios, profile, scenDir, out, url, cgroup, cgroupRoot, name string
	note, runDir, backend, memory, network, harnessCPUs, check              string
	cpuProfile, shard, startAt, ready                                       string
	srv                                                                     session.Flags
	idleN, repeats, pid, pids, nofile                                       int
	duration, warmup                                                        time.Duration
	fromProfile, printScenarios, wrk, kernel, rxStamps, txStamps            bool
	shardID                                                                 string // "1-of-3" once -shard is resolved
	limits                                                                  runner.Limits
	th                                                                      stress.Thresholds
}

func runCmd() command {
	fs := flag.NewFlagSet("run", flag.ExitOnError)
	var f runFlags
	def := runner.DefaultLimits()
	fs.StringVar(&f.models, "models", "", "comma-separated models (default: all), or the seeds' own systems, run as models are (natively): "+strings.Join(reference.Names(), ", ")+" (with no -models, -profile seeds runs them on their seeds' scenarios)")
	fs.StringVar(&f.scenarios, "scenarios", "", "comma-separated scenarios (default: the profile's)")
	fs.StringVar(&f.profile, "profile", "quick", "smoke, quick (all models, 3 short scenarios, ~3 min), full (3 repeats; its plan prints its length when it starts) or seeds (the seeds' comparisons, 3 repeats)")
	fs.IntVar(&f.idleN, "idle", -1, "idle keep-alive connections per model to measure memory per connection with, into idle.json (default: the profile's; 0: none; native runs only)")
	fs.IntVar(&f.repeats, "repeats", 0, "repeats of each attack, each on a fresh server (default: the profile's: smoke and quick 1, full and seeds 3)")
	fs.DurationVar(&f.duration, "duration", 0, "override every scenario's duration")
	fs.BoolVar(&f.fromProfile, "from-profile", false, "the scenarios named by -scenarios are the profile's own: the profile's length applies, as when none is named")
	fs.StringVar(&f.backend, "backend", "native", "where models run: native (processes pinned with taskset) or docker (make images' containers, under -memory, -pids and -nofile too)")
	f.srv.Register(fs, def.CPUs, "1")
	f.srv.Fixed = []string{"-idle-timeout", "60s"}
	fs.StringVar(&f.memory, "memory", def.Memory, "docker: the server container's memory limit")
	fs.IntVar(&f.pids, "pids", def.Pids, "docker: the server container's task limit")
	fs.IntVar(&f.nofile, "nofile", 0, "the server's descriptor limit (default: docker "+strconv.Itoa(def.NoFile)+" or the host's hard limit if lower; native: the inherited one)")
	fs.StringVar(&f.network, "network", "container", "docker: container (the harness in the server's network namespace) or bridge (both on Docker's default bridge)")
	fs.StringVar(&f.harnessCPUs, "harness-cpus", "", "docker: the harness container's CPU set (default: the CPUs the server does not have)")
	fs.StringVar(&f.scenDir, "scenario-dir", "bench/scenarios", "directory of scenario files (*.json), besides the built-ins")
	fs.StringVar(&f.out, "out", "results", "where to write results/<run-id>")
	fs.StringVar(&f.url, "url", "", "attack this base URL instead of starting models (no server sampling unless -pid or -cgroup)")
	fs.BoolVar(&f.kernel, "kernel", false, "count the server's system calls, context switches and page faults per answer with perf stat (native and -pid servers; needs linux-perf and root, else the summary says why not). Counting costs the server CPU (thread and fork most: docs/measurements/kernel.md), so it counts in a second pass of each closed or users attack (step.CountedPass, 2 s at most), and the measured attack's figures stay uncounted")
	fs.IntVar(&f.pid, "pid", 0, "with -url: the server's pid to sample (its process tree, from /proc)")
	fs.StringVar(&f.cgroup, "cgroup", "", "with -url: sample this Docker container's cgroup (its full id)")
	fs.StringVar(&f.cgroupRoot, "cgroup-root", "/sys/fs/cgroup", "where the host's cgroup hierarchy is mounted")
	fs.StringVar(&f.name, "name", "target", "with -url: the attack's name, the model's")
	fs.StringVar(&f.ready, "ready", "/healthz", "with -url: the path that answers 200 once the server serves (a seed's own system has no /healthz)")
	fs.BoolVar(&f.printScenarios, "print-scenarios", false, "print the scenarios the profile (or -scenarios) selects, one per line, and exit")
	fs.StringVar(&f.note, "note", "", "a note to record in meta.json")
	fs.StringVar(&f.runDir, "run-dir", "", "write into this existing run directory, adding to its summaries")
	fs.DurationVar(&f.warmup, "warmup", 500*time.Millisecond, "closed warm-up on 4 connections before each attack, discarded")
	fs.BoolVar(&f.txStamps, "tx-stamps", false, "start each answer's latency when the kernel sent its request (a software send stamp, SO_TIMESTAMPING) rather than when netbench began it, and record each request's wait for netbench in between (summary send_wait): with -rx-stamps the latency is the kernel's from end to end, and a generator preempted between its clock and its write, by another shard on its CPU for one, leaves the figure; it costs netbench about a quarter more CPU per answer, so it suits open loads below its limit (open and closed loads)")
	fs.BoolVar(&f.rxStamps, "rx-stamps", false, "end each answer's latency when the kernel received it (SO_TIMESTAMPNS) rather than when netbench read it, and record each answer's wait for netbench in between (summary read_wait): the generator's own delays, sharing its CPU with other shards for one, leave the figure (open and closed loads)")
	fs.BoolVar(&f.wrk, "wrk", false, "cross-check closed hello scenarios with wrk (Debian's wrk) on the same connections and duration (native runs)")
	fs.StringVar(&f.check, "check", "", "fail unless every listed model (comma-separated, or \"all\": every model run) answered every request 2xx")
	fs.Float64Var(&f.th.P99Factor, "knee-p99-factor", stress.Defaults().P99Factor, "knee: p99 within this factor of the first step's p99")
	fs.Float64Var(&f.th.KeepUp, "knee-keep-up", stress.Defaults().KeepUp, "knee: throughput at least this share of the offered rate")
	fs.Float64Var(&f.th.MaxFailures, "break-failures", stress.Defaults().MaxFailures, "breaking point: share of failed requests above which the server is broken (any timeout also breaks)")
	fs.StringVar(&f.cpuProfile, "cpuprofile", "", "write netbench's own CPU profile (pprof) of the run to this file: where the generator's time goes")
	fs.StringVar(&f.shard, "shard", "", "i/N: run the i-th of N equal shares of each scenario's load (0 <= i < N: rates divided by N, connections and users split so the shares add up), for an attack split over N generators and joined by netbench merge (docs/distributed.md); auto/N claims the first free index in -out")
	fs.StringVar(&f.startAt, "start-at", "", "when the attack starts, after its warm-up: the common start of the shards of one attack, from which an open load's schedule counts, so that the shards' requests interleave into the whole load's schedule (their phases, -shard); an RFC 3339 time, or next:D, the next multiple of D on the clock at least D/2 ahead (needs exactly one attack: one model, scenario and repeat)")
	g := cli.New(fs)
	g.Group("server", "where and how servers run", "bin", "cpu-period", "server-args", "memory", "pids", "nofile", "network", "harness-cpus")
	g.Group("target", "attack a server netbench did not start (-url)", "url", "pid", "cgroup", "cgroup-root", "name", "ready")
	g.Group("stress", "the knee's and breaking point's thresholds", "knee-p99-factor", "knee-keep-up", "break-failures")
	g.Group("shards", "one attack split over generators (docs/distributed.md)", "shard", "start-at")
	g.Group("clock", "where latencies start and end, and cross-checks of the generator", "tx-stamps", "rx-stamps", "wrk", "cpuprofile")
	g.Group("plan", "scenario files, lengths, run directories and notes", "scenario-dir", "run-dir", "from-profile", "print-scenarios", "warmup", "duration", "note")
	g.Group("measure", "what else to measure or check", "kernel", "idle", "check")
	fs.Usage = func() {
		g.Usage(fs.Output(), "usage: netbench run [flags]\n\nStarts each model (natively, pinned to -server-cpus, or in a container with\n-backend docker), attacks it with each scenario on a fresh server per attack,\nand writes results/<run-id>/ (meta.json, summary.json/csv, vegeta results,\ntime series, REPORT.md). Scenarios: -print-scenarios lists a profile's (with\n-scenarios, those), docs/harness.md says what each is.\n\n")
	}
	return command{fs: fs, help: "attack models with scenarios and store the results", run: func(args []string) error {
		if g.Help(fs.Output(), args) {
			return nil
		}
		_ = fs.Parse(args)
		f.limits.CPUs, f.limits.Memory, f.limits.Pids, f.limits.NoFile = f.srv.CPUs, f.memory, f.pids, f.nofile
		meta := map[string]string{}
		fs.VisitAll(func(fl *flag.Flag) { meta[fl.Name] = fl.Value.String() })
		if f.cpuProfile != "" {
			pf, err := os.Create(f.cpuProfile)
			if err != nil {
				return err
			}
			defer pf.Close()
			if err := pprof.StartCPUProfile(pf); err != nil {
				return err
			}
			defer pprof.StopCPUProfile()
		}
		return f.run(meta)
	}}
}

// noPythonImage says why the seeds' own systems run natively only.
const noPythonImage = "the seeds' own systems (Python, Django) run natively only, with make bench PROFILE=seeds: the images are FROM scratch, with no Python runtime in them"

// parseStartAt reads -start-at: an RFC 3339 time, or "next:D", the next
// multiple of D on the wall clock at least D/2 away, so that generators
// started within D/2 of each other, with synchronised clocks, pick the
// same instant without being told one (a Kubernetes Job's pods).
func parseStartAt(v string, now time.Time) (time.Time, error) {
	ds, ok := strings.CutPrefix(v, "next:")
	if !ok {
		return time.Parse(time.RFC3339Nano, v)
	}
	d, err := time.ParseDuration(ds)
	if err != nil || d <= 0 {
		return time.Time{}, fmt.Errorf("%q: want next:<duration>", v)
	}
	at := now.Truncate(d).Add(d)
	if at.Sub(now) < d/2 {
		at = at.Add(d)
	}
	return at, nil
}

// makeBackend is the backend the flags choose.
func (f *runFlags) makeBackend(runID string) (runner.Backend, error) {
	if f.url != "" {
		e := &runner.External{URL: f.url, Ready: f.ready}
		e.Sample, e.What = sampler(f.pid, f.cgroup, f.cgroupRoot)
		if f.kernel && f.cgroup == "" {
			e.KernelPID = f.pid
		}
		return e, nil
	}
	switch f.backend {
	case "native":
		return &runner.Native{Bin: f.srv.Bin, Limits: f.limits, Kernel: f.kernel}, nil
	case "docker":
		if err := runner.CheckDocker(); err != nil {
			return nil, err
		}
		if f.network != "container" && f.network != "bridge" {
			return nil, fmt.Errorf("-network must be container or bridge, not %q", f.network)
		}
		l := f.limits
		if l.NoFile == 0 {
			l.NoFile = min(runner.DefaultLimits().NoFile, session.HardNoFile())
		}
		h := f.harnessCPUs
		if h == "" {
			h = session.OtherCPUs(l.CPUs)
		}
		traits, err := runner.Traits(f.srv.Bin)
		if err != nil {
			return nil, err
		}
		return &runner.Docker{RunID: runID, Limits: l, HarnessCPUs: h, Network: f.network, Traits: traits}, nil
	}
	return nil, fmt.Errorf("unknown backend %q (native or docker)", f.backend)
}

// run makes the plan, executes it on the backend and writes the run
// directory and its report.
func (f *runFlags) run(flags map[string]string) error {
	p, err := f.makePlan()
	if err != nil {
		return err
	}
	if f.printScenarios {
		seen := map[string]bool{}
		for _, s := range p.steps {
			if !seen[s.Scenario.Name] {
				seen[s.Scenario.Name] = true
				fmt.Println(s.Scenario.Name)
			}
		}
		return nil
	}
	var (
		dir, id string
		rows    []*summary.Summary
	)
	if f.runDir != "" {
		dir, id, err = f.runDir, filepath.Base(f.runDir), os.MkdirAll(f.runDir, 0o755)
		rows, _ = store.ReadSummaries(dir) // none yet is fine
	} else if f.shardID != "" {
		dir, id, err = store.NewRun(f.out, "shard", f.shardID)
	} else {
		dir, id, err = store.NewRun(f.out)
	}
	if err != nil {
		return err
	}
	be, err := f.makeBackend(id)
	if err != nil {
		return err
	}
	defer be.Close()
	res, err := f.srv.Resolve(context.Background(), be, p.models, p.scenarios, f.scenDir)
	if err != nil {
		return err
	}
	f.limits.CPUShare, f.limits.CPUPeriod = res.Servers.Limits.CPUShare, res.Servers.Limits.CPUPeriod
	calibration, quotaNote := res.Calibration, res.Note
	meta := session.Meta(id, nil, f.limits, "")
	meta.Flags = flags
	if old, err := store.ReadMeta(dir); err == nil && f.runDir != "" {
		meta = old
		store.Environment(meta)
	}
	// Adding to a run (-run-dir) keeps what it recorded of its own
	// scenarios and its calibration.
	if meta.Durations == nil {
		meta.Durations = map[string]string{}
	}
	for k, v := range p.durations {
		meta.Durations[k] = v
	}
	meta.Backend = be.Describe()
	if f.limits.Limited() {
		meta.ServerCPUShare, meta.ServerCPUPeriod = f.limits.CPUShare, f.limits.CPUPeriod.String()
	}
	if calibration != nil || f.runDir == "" {
		meta.Calibration = calibration
	}
	for _, sc := range p.scenarios {
		fmt.Fprintf(os.Stderr, "%s: %s\n", sc.Name, p.durations[sc.Name])
	}
	for _, n := range p.notes {
		if !slices.Contains(meta.Notes, n) {
			meta.Notes = append(meta.Notes, n)
		}
	}
	if quotaNote != "" {
		meta.Notes = append(meta.Notes, quotaNote)
	}
	if f.note != "" && !slices.Contains(meta.Notes, f.note) {
		meta.Notes = append(meta.Notes, f.note)
	}
	if slices.ContainsFunc(p.steps, func(s *step.Step) bool { return reference.Is(s.Model) }) {
		meta.Notes = append(meta.Notes, "reference servers on "+reference.Versions())
	}
	meta.ServerGOMAXPROCS = session.CountCPUs(f.limits.CPUs)
	harness := meta.HarnessCPUs
	if h := be.Placement().HarnessCPUs; h != "" {
		harness = h
		meta.HarnessCPUs = harness
	}
	if session.Overlap(f.limits.CPUs, harness) && f.url == "" {
		note := fmt.Sprintf("the harness (CPUs %s) shares CPUs with the server (%s): run it under taskset on other CPUs", harness, f.limits.CPUs)
		meta.Notes = append(meta.Notes, note)
		fmt.Fprintln(os.Stderr, "warning:", note)
	}
	if err := store.WriteMeta(dir, meta); err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	planned, began := p.length(), time.Now()
	fmt.Fprintf(os.Stderr, "%d attacks, %v of load%s\n", len(p.steps), planned.Round(time.Second), pastLength(f.out, flags))
	var stored []*summary.Summary
	for _, st := range p.steps {
		if ctx.Err() != nil {
			break
		}
		var s *summary.Summary
		err := scaled(st, rows)
		if err == nil {
			s, err = f.execute(ctx, be, st, dir, began, planned)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "\n%s: %v\n", st.Label, err)
			meta.Notes = append(meta.Notes, st.Label+": "+err.Error())
			continue
		}
		if kept := replaceStep(rows, s); len(kept) < len(rows) {
			// Run again into its run (-run-dir): the new result
			// replaces the old, and meta.json says so.
			meta.Notes = append(meta.Notes, fmt.Sprintf("%s · %s · repeat %d was run again at %s; this result replaced the earlier one",
				s.Model, s.Scenario, s.Repeat, time.Now().UTC().Format(time.RFC3339)))
			rows = kept
		}
		rows, stored = append(rows, s), append(stored, s)
		if err := store.WriteSummaries(dir, rows); err != nil {
			return err
		}
	}
	fmt.Fprintln(os.Stderr)
	if be.Placement().Local && p.idle > 0 && ctx.Err() == nil {
		fmt.Fprintf(os.Stderr, "memory per idle connection, %d per model (fewer where a model can't hold them)\n", p.idle)
		// At a whole CPU, as netbench idle measures by default: a quota
		// slows the connections' setup, not what they hold.
		whole := f.servers()
		whole.Limits.CPUShare = 0
		irows, err := measureIdle(session.GoModels(p.models), p.idle, whole, time.Second, false)
		if err != nil {
			meta.Notes = append(meta.Notes, "idle: "+err.Error())
		}
		if err := store.WriteJSON(filepath.Join(dir, store.IdleFile), irows); err != nil {
			return err
		}
	}
	meta.Finished = time.Now()
	if err := store.WriteMeta(dir, meta); err != nil {
		return err
	}
	fmt.Printf("run %s: %d attacks in %v, results in %s\n", id, len(stored), time.Since(began).Round(time.Second), dir)
	fmt.Print(report.Markdown(report.Aggregate(rows)))
	if len(rows) > 0 {
		if err := report.Write(dir, f.scenDir); err != nil {
			return err
		}
		fmt.Printf("\nreport: %s/%s\n", dir, report.ReportFile)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if f.check != "" {
		models := list(f.check)
		if f.check == "all" {
			models = p.models
		}
		return checkRun(stored, models)
	}
	return nil
}

// execute runs one step on a fresh server: start, attack, stop. A
// scenario on a whole CPU (scenario.Scenario.WholeCPU) has its server
// started without the run's CPU quota.
func (f *runFlags) execute(ctx context.Context, be runner.Backend, st *step.Step, dir string, began time.Time, planned time.Duration) (*summary.Summary, error) {
	if l := be.Placement().Limits; st.Scenario.WholeCPU && l != nil {
		share := l.CPUShare
		l.CPUShare = 0
		defer func() { l.CPUShare = share }()
	}
	in, err := be.Start(st.Model, f.servers().Args)
	if err != nil {
		return nil, err
	}
	defer func() {
		if log, err := in.Stop(30 * time.Second); err != nil {
			fmt.Fprintf(os.Stderr, "\n%s: stop: %v\n", st.Label, err)
		} else if be.Placement().KeepLog && log != "" {
			// A container's log is gone with it: keep it beside the results.
			name := fmt.Sprintf("server-%s-%s.r%d.log", st.Model, st.Scenario.Name, st.Repeat)
			_ = os.WriteFile(filepath.Join(dir, name), []byte(log), 0o644)
		}
	}()
	s, err := be.Attack(ctx, in, st, dir, func(el, total time.Duration) {
		done := time.Since(began)
		fmt.Fprintf(os.Stderr, "\r%s · %v/%v · elapsed %v · ETA %v   ", st.Label, el.Round(time.Second),
			total.Round(time.Second), done.Round(time.Second), max(planned-done, 0).Round(time.Second))
	})
	if err != nil {
		return nil, err
	}
	if be.Placement().Local && f.wrk && st.Scenario.Load.Kind == scenario.Closed {
		s.GeneratorNote = strings.TrimPrefix(s.GeneratorNote+"; "+wrkCheck(st.Model, st.Scenario, f.servers()), "; ")
	}
	return s, nil
}

// replaceStep returns rows without the result of s's step (its model,
// scenario and repeat), if it has one.
func replaceStep(rows []*summary.Summary, s *summary.Summary) []*summary.Summary {
	return slices.DeleteFunc(slices.Clone(rows), func(r *summary.Summary) bool {
		return r.Model == s.Model && r.Scenario == s.Scenario && r.Repeat == s.Repeat
	})
}

// servers are the run's servers: its binary, limits and netserver flags.
func (f *runFlags) servers() session.Servers {
	return session.Servers{Bin: f.srv.Bin, Limits: f.limits, Args: f.srv.ServerArgs()}
}

// wrkCheck runs wrk against a fresh server with the scenario's connections
// and duration, for the generator cross-check.
func wrkCheck(model string, sc *scenario.Scenario, servers session.Servers) string {
	srv, err := servers.Start(model)
	if err != nil {
		return "wrk cross-check: " + err.Error()
	}
	defer func() { _, _ = srv.Stop(30 * time.Second) }()
	w, err := wrk.Run(wrk.Options{URL: "http://" + srv.Addr + sc.Targets[0].Path, Conns: sc.Load.Conns,
		Duration: sc.Duration.Duration, Close: !sc.KeepAlive})
	if err != nil {
		return "wrk cross-check: " + err.Error()
	}
	return fmt.Sprintf("wrk on the same load: %.2f answers/s", w.RPS)
}
