package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"netmodels/bench/cli"
	"netmodels/bench/locust"
	"netmodels/bench/reference"
	"netmodels/bench/report"
	"netmodels/bench/sample"
	"netmodels/bench/scenario"
	"netmodels/bench/session"
	"netmodels/bench/store"
	"netmodels/bench/summary"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// LocustRow is one generator's figures in one round of netbench locust:
// per request name and "Aggregated".
type LocustRow struct {
	Generator string  `json:"generator"` // locust or netbench
	Round     int     `json:"round"`
	Name      string  `json:"name"`
	Requests  int     `json:"requests"`
	Failures  int     `json:"failures"`
	AnswersPS float64 `json:"answers_per_s"` // successful answers per second
	P50       float64 `json:"p50_ms"`
	Mean      float64 `json:"mean_ms"`
	P99       float64 `json:"p99_ms"`
	// ServerCPUShare is the server's CPU over the run's wall time: well
	// below 1 means the server was not the limit.
	ServerCPUShare float64 `json:"server_cpu_share"`
	// GeneratorCPUShare is the generator's CPU over its wall time.
	GeneratorCPUShare float64 `json:"generator_cpu_share"`
}

func locustCmd() command {
	fs := flag.NewFlagSet("locust", flag.ExitOnError)
	model := fs.String("model", "thread", "the model to serve, or a seed's own system (django-runserver, django-gunicorn: the course's views)")
	scen := fs.String("scenario", "slides-locustfile", "the netbench scenario that is the locustfile's load: users, spawn rate and length come from it")
	file := fs.String("locustfile", "bench/locust/locust_test.py", "the locustfile")
	rounds := fs.Int("rounds", 2, "rounds; each runs Locust, then netbench, on the same server")
	scenDir := fs.String("scenario-dir", "bench/scenarios", "scenario files")
	var srv session.Flags
	srv.Register(fs, "0", "1") // a whole CPU: the comparison wants the server unsaturated
	genCPUs := fs.String("gen-cpus", "", "CPU set of both generators (default: the CPUs the server does not have)")
	out := fs.String("out", "results", "where to write <run-id>/ (meta.json, locust.json, LOCUST.md, each round's files)")
	g := cli.New(fs)
	srv.Group(g)
	fs.Usage = func() {
		g.Usage(fs.Output(), "usage: netbench locust [flags]\n\nRuns Locust (the seeds' generator) and netbench's users load with the same\nusers, spawn rate, think time and length against one unsaturated server, in\nturns, and compares answers/s and latency per request name. Needs Locust\n(apt-get install python3-locust).\n\n")
	}
	return command{fs: fs, help: "netbench's users load next to Locust on one server", run: func(args []string) error {
		if g.Help(fs.Output(), args) {
			return nil
		}
		_ = fs.Parse(args)
		sc, err := scenario.Find(*scenDir, *scen)
		if err != nil {
			return err
		}
		if sc.Load.Kind != scenario.Users {
			return fmt.Errorf("scenario %s is a %s load; Locust runs users", sc.Name, sc.Load.Kind)
		}
		if _, err := exec.LookPath("locust"); err != nil {
			return errors.New("netbench locust needs Locust: apt-get install python3-locust")
		}
		gcpus, err := session.Generator(*genCPUs, srv.CPUs)
		if err != nil {
			return err
		}
		self, err := os.Executable()
		if err != nil {
			return err
		}
		res, err := srv.Resolve(context.Background(), nil, nil, nil, *scenDir)
		if err != nil {
			return err
		}
		run, err := session.Open(*out, fs, res, gcpus)
		if err != nil {
			return err
		}
		dir, id, meta := run.Dir, run.ID, run.Meta
		meta.Notes = append(meta.Notes, "Locust "+locustVersion())
		if reference.Is(*model) {
			meta.Notes = append(meta.Notes, "reference server on "+reference.Versions())
		}
		s, err := res.Servers.Start(*model)
		if err != nil {
			return err
		}
		defer func() { _, _ = s.Stop(10 * time.Second) }()
		base := "http://" + s.Addr
		var rows []LocustRow
		for round := 1; round <= *rounds; round++ {
			if err := settle(s.PID, meta); err != nil {
				return err
			}
			fmt.Fprintf(os.Stderr, "round %d/%d: Locust, %d users at %g/s for %v\n", round, *rounds, sc.Load.Users, sc.Load.SpawnRate, sc.Duration.Duration)
			before, err := sample.Tree(s.PID)
			if err != nil {
				return err
			}
			lr, err := locust.Run(locust.Options{Locustfile: *file, Host: base, Users: sc.Load.Users, SpawnRate: sc.Load.SpawnRate,
				Duration: sc.Duration.Duration, CPUs: gcpus, Prefix: filepath.Join(dir, fmt.Sprintf("locust.r%d", round))})
			if err != nil {
				return err
			}
			after, err := sample.Tree(s.PID)
			if err != nil {
				return err
			}
			serverShare := float64(after.CPU-before.CPU) / float64(lr.Wall)
			for _, st := range lr.Stats {
				rows = append(rows, LocustRow{Generator: "locust", Round: round, Name: st.Name, Requests: st.Requests, Failures: st.Failures,
					AnswersPS: st.RPS - st.FailRPS, P50: st.P50, Mean: st.Mean, P99: st.P99,
					ServerCPUShare: serverShare, GeneratorCPUShare: float64(lr.CPU) / float64(lr.Wall)})
			}

			if err := settle(s.PID, meta); err != nil {
				return err
			}
			fmt.Fprintf(os.Stderr, "round %d/%d: netbench, the same load\n", round, *rounds)
			rdir := filepath.Join(dir, fmt.Sprintf("netbench.r%d", round))
			if err := os.MkdirAll(rdir, 0o755); err != nil {
				return err
			}
			ready := "/healthz"
			if r, ok := reference.Lookup(*model); ok {
				ready = r.Ready
			}
			run := exec.Command("taskset", "-c", gcpus, self, "run", "-url", base, "-ready", ready, "-pid", strconv.Itoa(s.PID), "-name", *model,
				"-scenarios", sc.Name, "-scenario-dir", *scenDir, "-run-dir", rdir, "-warmup", "0s")
			run.Stdout, run.Stderr = os.Stderr, os.Stderr
			if err := run.Run(); err != nil {
				return fmt.Errorf("netbench run: %v", err)
			}
			sums, err := store.ReadSummaries(rdir)
			if err != nil || len(sums) != 1 {
				return fmt.Errorf("netbench run left %d summaries in %s: %v", len(sums), rdir, err)
			}
			rs, err := store.ReadResults(store.AttackBase(rdir, sc.Name, *model, 1) + store.ResultsExt)
			if err != nil {
				return err
			}
			rows = append(rows, windowed(netbenchRows(sums[0], round), rs, sc.Duration.Duration)...)
		}
		meta.Finished = time.Now()
		table := LocustTable(rows)
		fmt.Print(table)
		if err := store.WriteMeta(dir, meta); err != nil {
			return err
		}
		if err := store.WriteJSON(filepath.Join(dir, "locust.json"), rows); err != nil {
			return err
		}
		doc := "# netbench locust " + id + "\n\nCommand: `" + strings.Join(os.Args, " ") + "`; model " + *model +
			", scenario " + sc.Name + " (" + summary.Describe(sc) + "); " + meta.CPUModel + ", kernel " + meta.Kernel +
			", netmodels " + meta.Git + "\n\n" + table
		if err := os.WriteFile(filepath.Join(dir, "LOCUST.md"), []byte(doc), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "results in %s\n", dir)
		return nil
	}}
}

// settle waits, up to a minute, for the server to finish what the last
// generator left queued, so that neither generator's turn starts with
// the other's backlog: Locust's users stop mid-request, and a saturated
// server still has their requests to serve. A server still busy after
// the minute is noted in meta.
func settle(pid int, meta *store.Meta) error {
	waited, quiet, err := sample.Quiet(pid, 0.05, 250*time.Millisecond, time.Minute)
	if err != nil {
		return err
	}
	if !quiet {
		meta.Notes = append(meta.Notes, fmt.Sprintf("the server was still busy %v after the last turn; the next one started anyway", waited.Round(time.Second)))
	} else if waited > time.Second {
		fmt.Fprintf(os.Stderr, "the server finished the last turn's backlog in %v\n", waited.Round(100*time.Millisecond))
	}
	return nil
}

// locustVersion is Locust's version: its own word, or the Debian
// package's where the packaged locust prints none.
func locustVersion() string {
	v, _ := exec.Command("locust", "--version").CombinedOutput()
	if s := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(string(v)), "locust")); s != "" {
		return s
	}
	if d, err := exec.Command("dpkg-query", "-W", "-f=${Version}", "python3-locust").Output(); err == nil && len(d) > 0 {
		return string(d) + " (Debian python3-locust)"
	}
	return "(version unknown)"
}

// netbenchRows turns a netbench summary into LocustRows: one per route,
// and the aggregate under Locust's name for it.
func netbenchRows(s *summary.Summary, round int) []LocustRow {
	var rows []LocustRow
	for _, r := range s.Routes {
		ans := 0.0
		if r.Requests > 0 {
			ans = r.RPS * float64(r.Requests-r.Failures) / float64(r.Requests)
		}
		rows = append(rows, LocustRow{Generator: "netbench", Round: round, Name: r.Name, Requests: r.Requests, Failures: r.Failures,
			AnswersPS: ans, P50: r.Median, Mean: r.Mean, P99: r.P99, ServerCPUShare: s.ServerCPUShare, GeneratorCPUShare: s.HarnessCPUShare})
	}
	fails := int(float64(s.Requests)*(1-s.Success) + 0.5)
	return append(rows, LocustRow{Generator: "netbench", Round: round, Name: locust.Aggregated, Requests: s.Requests, Failures: fails,
		AnswersPS: s.Throughput, P50: s.P50, Mean: s.Mean, P99: s.P99, ServerCPUShare: s.ServerCPUShare, GeneratorCPUShare: s.HarnessCPUShare})
}

// windowed sets netbench's answers/s as Locust counts them: the answers
// completed within the load's length, over that length. Locust stops its
// users at the end and drops what they still waited for; netbench records
// those requests as they finish, and a saturated server's tail of them
// (seconds of work) would otherwise count for netbench alone.
func windowed(rows []LocustRow, rs []vegeta.Result, d time.Duration) []LocustRow {
	if len(rs) == 0 || d <= 0 {
		return rows
	}
	t0 := rs[0].Timestamp
	for i := range rs {
		if rs[i].Timestamp.Before(t0) {
			t0 = rs[i].Timestamp
		}
	}
	in := map[string]int{}
	total := 0
	for i := range rs {
		if summary.OK(&rs[i]) && rs[i].End().Sub(t0) < d {
			in[summary.RouteName(&rs[i])]++
			total++
		}
	}
	for i := range rows {
		if rows[i].Name == locust.Aggregated {
			rows[i].AnswersPS = float64(total) / d.Seconds()
		} else {
			rows[i].AnswersPS = float64(in[rows[i].Name]) / d.Seconds()
		}
	}
	return rows
}

// LocustTable compares the two generators round by round: for each
// request name, answers/s and latency by each, and netbench's over
// Locust's.
func LocustTable(rows []LocustRow) string {
	type key struct {
		round int
		name  string
	}
	loc := map[key]LocustRow{}
	for _, r := range rows {
		if r.Generator == "locust" {
			loc[key{r.Round, r.Name}] = r
		}
	}
	ratio := func(a, b float64) string {
		if b == 0 {
			return "–"
		}
		return fmt.Sprintf("%.2f", a/b)
	}
	var b strings.Builder
	b.WriteString("| round | name | Locust answers/s | netbench answers/s | ratio | Locust p50 ms | netbench p50 ms | ratio | Locust mean ms | netbench mean ms | ratio | Locust fails | netbench fails |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	var shares []string
	for _, r := range rows {
		if r.Generator != "netbench" {
			continue
		}
		l, ok := loc[key{r.Round, r.Name}]
		if !ok {
			continue
		}
		fmt.Fprintf(&b, "| %d | %s | %.1f | %.1f | %s | %s | %s | %s | %s | %s | %s | %d | %d |\n", r.Round, r.Name, l.AnswersPS, r.AnswersPS,
			ratio(r.AnswersPS, l.AnswersPS), report.Figure(l.P50), report.Figure(r.P50), ratio(r.P50, l.P50), report.Figure(l.Mean), report.Figure(r.Mean), ratio(r.Mean, l.Mean), l.Failures, r.Failures)
		if r.Name == locust.Aggregated {
			shares = append(shares, fmt.Sprintf("round %d: server %.0f%% of a CPU under Locust, %.0f%% under netbench; Locust's own CPU %.0f%% of a core, netbench's %.0f%% of its cores",
				r.Round, 100*l.ServerCPUShare, 100*r.ServerCPUShare, 100*l.GeneratorCPUShare, 100*r.GeneratorCPUShare))
		}
	}
	b.WriteString("\nAnswers/s: successful answers completed within the load's length, over that length, for both: Locust's Requests/s less its failures/s; " +
		"netbench's answers that came after the end (requests in flight then, which Locust drops) are left out. ")
	b.WriteString("Latency: Locust's is its client's, from its rounded buckets (whole ms below 100 ms); netbench's as measured, exact. ")
	b.WriteString("Ratios are netbench's over Locust's.\n\n")
	for _, s := range shares {
		b.WriteString("- " + s + "\n")
	}
	b.WriteString(roundsLine(rows))
	return b.String()
}

// roundsLine sets the generators' difference beside each one's own
// spread over the rounds (aggregate answers/s): a difference smaller than
// the rounds of one generator differ among themselves is not the
// generators'. Empty with fewer than two rounds.
func roundsLine(rows []LocustRow) string {
	agg := map[string][]float64{}
	for _, r := range rows {
		if r.Name == locust.Aggregated {
			agg[r.Generator] = append(agg[r.Generator], r.AnswersPS)
		}
	}
	l, n := agg["locust"], agg["netbench"]
	if len(l) < 2 || len(n) < 2 {
		return ""
	}
	stat := func(v []float64) (mean, lo, hi float64) {
		lo, hi = v[0], v[0]
		for _, x := range v {
			mean += x
			lo, hi = min(lo, x), max(hi, x)
		}
		return mean / float64(len(v)), lo, hi
	}
	lm, llo, lhi := stat(l)
	nm, nlo, nhi := stat(n)
	spread := max((lhi-llo)/lm, (nhi-nlo)/nm)
	return fmt.Sprintf("\nOver %d rounds, aggregate answers/s: Locust %.1f [%.1f–%.1f], netbench %.1f [%.1f–%.1f]; netbench's mean over Locust's %.2f. "+
		"One generator's rounds differ among themselves by up to %.0f%% of its mean: a difference between the generators within that is the server's noise, not theirs.\n",
		len(l), lm, llo, lhi, nm, nlo, nhi, nm/lm, 100*spread)
}
