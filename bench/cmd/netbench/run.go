package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"netmodels/bench/attack"
	"netmodels/bench/report"
	"netmodels/bench/runner"
	"netmodels/bench/sample"
	"netmodels/bench/scenario"
	"netmodels/bench/store"
	"netmodels/bench/stress"
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
	return sc.Duration.Duration, fmt.Sprintf("%v, the scenario's own", sc.Duration.Duration)
}

// Profiles: which scenarios, how long, how many repeats.
var profiles = map[string]struct {
	scenarios []string
	duration  time.Duration // overrides each scenario's duration; 0 keeps it
	repeats   int
	idle      int // idle connections per model for idle.json (native runs); 0: none
}{
	// smoke: one second of hello, a new connection per request, per model:
	// every model must answer all of it (CI checks that).
	"smoke": {[]string{"hello-close"}, time.Second, 1, 0},
	// quick: every model, three short scenarios, once: about 3 minutes on
	// two cores.
	"quick": {[]string{"hello-keepalive", "hello-close", "sleep-io"}, 2 * time.Second, 1, 0},
	// full: every built-in scenario at its own length, three repeats.
	// (make bench-all runs it once per model: 25 minutes on 2 cores.)
	"full": {[]string{"hello-keepalive", "hello-close", "sleep-io", "blog", "slides-1", "slides-2"}, 0, 3, 0},
	// seeds: the seeds' comparisons side by side: the blog's stress test
	// on every model, the slides' runs one view at a time on the thread
	// model (Django's threaded server), and memory per idle connection.
	// About 20 minutes.
	"seeds": {[]string{"hello-keepalive", "hello-close", "sleep-io", "blog",
		"slides-1-builtin", "slides-1-bubble", "slides-1-bubble-slow", "slides-1-heap-slow",
		"slides-2-builtin", "slides-2-bubble", "slides-2-heap"}, 0, 1, 2000},
}

func runCmd() command {
	fs := flag.NewFlagSet("run", flag.ExitOnError)
	models := fs.String("models", "", "comma-separated models (default: all)")
	scenarios := fs.String("scenarios", "", "comma-separated scenarios (default: the profile's)")
	profile := fs.String("profile", "quick", "smoke, quick (all models, 3 short scenarios, ~3 min), full (~25 min) or seeds (the seeds' comparisons, ~20 min)")
	idleN := fs.Int("idle", -1, "idle keep-alive connections per model to measure memory per connection with, into idle.json (default: the profile's; 0: none)")
	repeats := fs.Int("repeats", 0, "repeats of each attack (default: the profile's: quick 1, full 3)")
	duration := fs.Duration("duration", 0, "override every scenario's duration")
	fromProf := fs.Bool("from-profile", false, "the scenarios named by -scenarios are the profile's own (make bench-all runs them one at a time): the profile's length applies, as when none is named")
	bin := fs.String("bin", "bin/netserver", "the netserver binary (netchild beside it)")
	serverCPUs := fs.String("server-cpus", "0", "CPU set the server is pinned to; the harness should run on others (make bench uses taskset)")
	scenDir := fs.String("scenario-dir", "bench/scenarios", "directory of scenario files (*.json), besides the built-ins")
	out := fs.String("out", "results", "where to write results/<run-id>")
	url := fs.String("url", "", "attack this base URL instead of starting models (no server sampling unless -pid)")
	pid := fs.Int("pid", 0, "with -url: the server's pid to sample (its process tree, from /proc)")
	cgroup := fs.String("cgroup", "", "with -url: sample this Docker container's cgroup (its full id)")
	cgroupRoot := fs.String("cgroup-root", "/sys/fs/cgroup", "where the host's cgroup hierarchy is mounted")
	name := fs.String("name", "target", "with -url: the attack's name, the model's")
	printScenarios := fs.Bool("print-scenarios", false, "print the scenarios the profile (or -scenarios) selects, one per line, and exit")
	note := fs.String("note", "", "a note to record in meta.json (make bench-all records the containers' limits)")
	runDir := fs.String("run-dir", "", "write into this existing run directory, adding to its summaries (make bench-all runs one harness container per model)")
	warmup := fs.Duration("warmup", 500*time.Millisecond, "closed warm-up on 4 connections before each attack, discarded")
	wrk := fs.Bool("wrk", false, "cross-check closed hello scenarios with wrk (Debian's wrk) on the same connections and duration")
	knee := fs.Float64("knee-p99-factor", stress.Defaults().P99Factor, "knee: p99 within this factor of the first step's p99")
	keepUp := fs.Float64("knee-keep-up", stress.Defaults().KeepUp, "knee: throughput at least this share of the offered rate")
	maxFail := fs.Float64("break-failures", stress.Defaults().MaxFailures, "breaking point: share of failed requests above which the server is broken (any timeout also breaks)")
	serverArgs := fs.String("server-args", "", "more netserver flags, space-separated")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: netbench run [flags]\n\nStarts each model (natively, pinned to -server-cpus), attacks it with each\nscenario, and writes results/<run-id>/ (meta.json, summary.json/csv, vegeta\nresults, time series). Scenarios: %s.\n\n", strings.Join(scenario.Names("bench/scenarios"), ", "))
		fs.PrintDefaults()
	}
	return command{fs: fs, help: "attack models with scenarios and store the results", run: func(args []string) error {
		_ = fs.Parse(args)
		p, ok := profiles[*profile]
		if !ok {
			return fmt.Errorf("unknown profile %q (smoke, quick, full or seeds)", *profile)
		}
		names := list(*models)
		if *url != "" {
			names = []string{*name}
		} else if len(names) == 0 {
			all, err := runner.Names(*bin)
			if err != nil {
				return err
			}
			names = all
		}
		scNames := list(*scenarios)
		// A scenario the profile chose runs on its own models only
		// (Scenario.Models); one named with -scenarios on any model.
		fromProfile := len(scNames) == 0 || *fromProf
		runsOn := func(m string, sc *scenario.Scenario) bool {
			return !fromProfile || len(sc.Models) == 0 || slices.Contains(sc.Models, m)
		}
		if len(scNames) == 0 {
			scNames = p.scenarios
		}
		var scs []*scenario.Scenario
		durations := map[string]string{} // scenario: how long, and whose length
		for _, n := range scNames {
			s, err := scenario.Find(*scenDir, n)
			if err != nil {
				return err
			}
			c := *s
			d, why := runLength(&c, *duration, p.duration, *profile, fromProfile)
			c.Duration = scenario.Duration{Duration: d}
			durations[c.Name] = why
			scs = append(scs, &c)
		}
		reps := *repeats
		if reps <= 0 {
			reps = p.repeats
		}
		if *printScenarios {
			for _, sc := range scs {
				if slices.ContainsFunc(names, func(m string) bool { return runsOn(m, sc) }) {
					fmt.Println(sc.Name)
				}
			}
			return nil
		}
		idleConns := p.idle
		if *idleN >= 0 {
			idleConns = *idleN
		}
		th := stress.Thresholds{P99Factor: *knee, KeepUp: *keepUp, MaxFailures: *maxFail}

		var (
			dir, id string
			err     error
			rows    []*summary.Summary
		)
		if *runDir != "" {
			dir, id, err = *runDir, filepath.Base(*runDir), os.MkdirAll(*runDir, 0o755)
			rows, _ = store.ReadSummaries(dir) // none yet is fine
		} else {
			dir, id, err = store.NewRun(*out)
		}
		if err != nil {
			return err
		}
		meta := &store.Meta{RunID: id, Started: time.Now(), Command: os.Args, Flags: map[string]string{},
			ServerCPUs: *serverCPUs, HarnessCPUs: attack.Affinity()}
		if old, err := store.ReadMeta(dir); err == nil && *runDir != "" {
			meta = old
		}
		fs.VisitAll(func(f *flag.Flag) { meta.Flags[f.Name] = f.Value.String() })
		meta.Durations = durations
		for _, sc := range scs {
			fmt.Fprintf(os.Stderr, "%s: %s\n", sc.Name, durations[sc.Name])
		}
		if *note != "" && !slices.Contains(meta.Notes, *note) {
			meta.Notes = append(meta.Notes, *note)
		}
		store.Environment(meta)
		meta.ServerGOMAXPROCS = countCPUs(*serverCPUs)
		if overlap(*serverCPUs, meta.HarnessCPUs) && *url == "" {
			note := fmt.Sprintf("the harness (CPUs %s) shares CPUs with the server (%s): run it under taskset on other CPUs", meta.HarnessCPUs, *serverCPUs)
			meta.Notes = append(meta.Notes, note)
			fmt.Fprintln(os.Stderr, "warning:", note)
		}
		if err := store.WriteJSON(dir+"/meta.json", meta); err != nil {
			return err
		}
		if *url != "" {
			if err := runner.WaitHealthy(*url, 15*time.Second); err != nil {
				return err
			}
		}
		var sampler func() (sample.Stat, error)
		switch {
		case *cgroup != "":
			root, id := *cgroupRoot, *cgroup
			sampler = func() (sample.Stat, error) { return sample.Cgroup(root, id) }
		case *pid > 0:
			p := *pid
			sampler = func() (sample.Stat, error) { return sample.Tree(p) }
		}

		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		var planned time.Duration
		steps := 0
		for _, m := range names {
			for _, sc := range scs {
				if runsOn(m, sc) {
					planned += (sc.Total() + *warmup + 2*time.Second) * time.Duration(reps)
					steps += reps
				}
			}
		}
		began := time.Now()
		step := 0
		for _, m := range names {
			for _, sc := range scs {
				if !runsOn(m, sc) {
					continue
				}
				for rep := 1; rep <= reps; rep++ {
					if ctx.Err() != nil {
						break
					}
					step++
					label := fmt.Sprintf("[%d/%d] %s · %s · repeat %d/%d", step, steps, m, sc.Name, rep, reps)
					s, err := one(ctx, m, sc, rep, label, began, planned, *url, sampler, *bin, *serverCPUs, *serverArgs, *warmup, th, dir)
					if err != nil {
						fmt.Fprintf(os.Stderr, "\n%s: %v\n", label, err)
						meta.Notes = append(meta.Notes, label+": "+err.Error())
						continue
					}
					if *wrk && sc.Load.Kind == scenario.Closed && *url == "" {
						s.GeneratorNote = strings.TrimPrefix(s.GeneratorNote+"; "+wrkCheck(m, sc, *bin, *serverCPUs, *serverArgs), "; ")
					}
					rows = append(rows, s)
					if err := store.WriteSummaries(dir, rows); err != nil {
						return err
					}
				}
			}
		}
		fmt.Fprintln(os.Stderr)
		if idleConns > 0 && *url == "" && ctx.Err() == nil {
			fmt.Fprintf(os.Stderr, "memory per idle connection, %d per model (fewer where a model can't hold them)\n", idleConns)
			irows, err := measureIdle(names, idleConns, *bin, *serverCPUs, time.Second)
			if err != nil {
				meta.Notes = append(meta.Notes, "idle: "+err.Error())
			}
			if err := store.WriteJSON(filepath.Join(dir, store.IdleFile), irows); err != nil {
				return err
			}
		}
		meta.Finished = time.Now()
		if err := store.WriteJSON(dir+"/meta.json", meta); err != nil {
			return err
		}
		fmt.Printf("run %s: %d attacks in %v, results in %s\n", id, len(rows), time.Since(began).Round(time.Second), dir)
		fmt.Print(report.Markdown(report.Aggregate(rows)))
		if *runDir == "" && len(rows) > 0 {
			// make bench-all writes the report once, after every model's
			// container has added its rows.
			if err := report.Write(dir, *scenDir); err != nil {
				return err
			}
			fmt.Printf("\nreport: %s/%s\n", dir, report.ReportFile)
		}
		return ctx.Err()
	}}
}

// one runs one attack on a freshly started model and stores it.
func one(ctx context.Context, model string, sc *scenario.Scenario, rep int, label string, began time.Time,
	planned time.Duration, url string, sampler func() (sample.Stat, error), bin, cpus, extra string, warmup time.Duration,
	th stress.Thresholds, dir string) (*summary.Summary, error) {
	target := url
	var srv *runner.Server
	if url == "" {
		args := []string{"-idle-timeout", "60s"}
		if extra != "" {
			args = append(args, strings.Fields(extra)...)
		}
		var err error
		srv, err = runner.Start(model, runner.Options{Bin: bin, CPUs: cpus, Args: args})
		if err != nil {
			return nil, err
		}
		target = "http://" + srv.Addr
		pid := srv.PID
		sampler = func() (sample.Stat, error) { return sample.Tree(pid) }
		defer func() {
			if _, err := srv.Stop(30 * time.Second); err != nil {
				fmt.Fprintf(os.Stderr, "\n%s: stop: %v\n", label, err)
			}
		}()
	}
	if warmup > 0 {
		w := *sc
		w.Load = scenario.Load{Kind: scenario.Closed, Conns: 4}
		if sc.Load.Kind == scenario.Users {
			// Users with no think time: a closed load that plays games too.
			w.Load = scenario.Load{Kind: scenario.Users, Users: 4, SpawnRate: 1000}
		}
		w.Duration, w.Stress = scenario.Duration{Duration: warmup}, nil
		if _, err := attack.Run(ctx, &w, attack.Options{URL: target, Name: model}); err != nil {
			return nil, err
		}
	}
	a, err := attack.Run(ctx, sc, attack.Options{URL: target, Name: model, Sample: sampler,
		Progress: func(el, total time.Duration) {
			done := time.Since(began)
			eta := planned - done
			fmt.Fprintf(os.Stderr, "\r%s · %v/%v · elapsed %v · ETA %v   ", label, el.Round(time.Second),
				total.Round(time.Second), done.Round(time.Second), max(eta, 0).Round(time.Second))
		}})
	if err != nil {
		return nil, err
	}
	s, series := summary.Compute(sc, a, rep, th)
	if err := store.WriteAttack(dir, sc.Name, model, rep, a.Results, series); err != nil {
		return nil, err
	}
	return s, nil
}

// wrkCheck runs wrk against a fresh server with the scenario's connections
// and duration, for the generator cross-check.
func wrkCheck(model string, sc *scenario.Scenario, bin, cpus, extra string) string {
	if _, err := exec.LookPath("wrk"); err != nil {
		return "wrk cross-check: wrk not installed"
	}
	srv, err := runner.Start(model, runner.Options{Bin: bin, CPUs: cpus, Args: strings.Fields(extra)})
	if err != nil {
		return "wrk cross-check: " + err.Error()
	}
	defer func() { _, _ = srv.Stop(30 * time.Second) }()
	args := []string{"-t1", "-c" + strconv.Itoa(sc.Load.Conns), "-d" + strconv.Itoa(int(sc.Duration.Seconds())) + "s"}
	if !sc.KeepAlive {
		args = append(args, "-H", "Connection: close")
	}
	args = append(args, "http://"+srv.Addr+sc.Targets[0].Path)
	b, err := exec.Command("wrk", args...).CombinedOutput()
	if err != nil {
		return "wrk cross-check failed: " + err.Error()
	}
	m := regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`).FindSubmatch(b)
	if m == nil {
		return "wrk cross-check: no Requests/sec"
	}
	return "wrk on the same load: " + string(m[1]) + " answers/s"
}

func list(s string) []string {
	// Commas or spaces: make's MODELS="fork gnet" and -models fork,gnet.
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' })
}

// cpuSet parses a CPU list such as "0", "1,2" or "0-3".
func cpuSet(s string) map[int]bool {
	m := map[int]bool{}
	for _, part := range strings.Split(s, ",") {
		lo, hi, ok := strings.Cut(part, "-")
		l, err := strconv.Atoi(strings.TrimSpace(lo))
		if err != nil {
			continue
		}
		h := l
		if ok {
			h, _ = strconv.Atoi(strings.TrimSpace(hi))
		}
		for i := l; i <= h; i++ {
			m[i] = true
		}
	}
	return m
}

// countCPUs counts the CPUs of a list.
func countCPUs(s string) int { return len(cpuSet(s)) }

// overlap reports whether two CPU lists share a CPU.
func overlap(a, b string) bool {
	sb := cpuSet(b)
	for c := range cpuSet(a) {
		if sb[c] {
			return true
		}
	}
	return false
}
