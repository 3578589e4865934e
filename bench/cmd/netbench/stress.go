package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"netmodels/bench/cli"
	"netmodels/bench/faults"
	"netmodels/bench/runner"
	"netmodels/bench/session"
	"netmodels/bench/store"
)

func stressCmd() command {
	fs := flag.NewFlagSet("stress", flag.ExitOnError)
	models := fs.String("models", "", "models, comma- or space-separated (default: all)")
	cases := fs.String("cases", "", "cases (default: all): "+caseNames())
	short := fs.Bool("short", false, "the short form CI runs: shorter phases, fewer connections")
	var srv session.Flags
	srv.Register(fs, "0", "1")
	scenDir := fs.String("scenario-dir", "bench/scenarios", "scenario files (-server-cpu auto calibrates on "+strings.Join(session.CalibrationScenarios, " and ")+")")
	out := fs.String("out", "results", "where to write results/<run-id>/ (reliability.json, RELIABILITY.md)")
	memprofile := fs.Bool("memprofile", false, "the overload case writes the server's heap profile after each memory reading, beside the results (where an RSS figure lives)")
	check := fs.Bool("check", false, "exit 1 when a correctness property fails that no model's design predicts (a crash, a spin, a leak, a zombie, a cut answer); timing verdicts are reported only")
	g := cli.New(fs)
	srv.Group(g)
	fs.Usage = func() {
		g.Usage(fs.Output(), "usage: netbench stress [flags]\n\nRuns the reliability cases against each model, natively, a fresh server per\ncase, and writes a table of figures and verdicts.\n\n")
	}
	return command{fs: fs, help: "the reliability suite: overload, slow clients, limits, shutdown, soak", run: func(args []string) error {
		if g.Help(fs.Output(), args) {
			return nil
		}
		_ = fs.Parse(args)
		// net/http's client logs, through the standard logger, each 503
		// a model sends before reading the request (a refusal); those are
		// counted, not printed.
		log.SetOutput(io.Discard)
		traits, err := runner.Traits(srv.Bin)
		if err != nil {
			return err
		}
		names := list(*models)
		if len(names) == 0 {
			names, _ = runner.Names(srv.Bin)
		}
		for _, m := range names {
			if _, ok := traits[m]; !ok {
				return fmt.Errorf("unknown model %q (see %s -list)", m, srv.Bin)
			}
		}
		want := list(*cases)
		res, err := srv.Resolve(context.Background(), nil, nil, nil, *scenDir)
		if err != nil {
			return err
		}
		run, err := session.Open(*out, fs, res, "")
		if err != nil {
			return err
		}
		dir, id, meta := run.Dir, run.ID, run.Meta
		o := faults.Options{Servers: res.Servers, Short: *short, LogDir: dir, Traits: traits, MemProfile: *memprofile,
			Log: func(f string, a ...any) { fmt.Fprintf(os.Stderr, f+"\n", a...) }}
		var rs []faults.Result
		unexpected := 0
		for _, m := range names {
			for _, c := range faults.Cases {
				if len(want) > 0 && !slices.Contains(want, c.Name) {
					continue
				}
				began := time.Now()
				r := c.Run(m, o)
				rs = append(rs, r)
				if r.Hard != "" && r.ByDesign == "" {
					unexpected++
				}
				fmt.Fprintf(os.Stderr, "%-11s %-9s %-15s %5.1fs  %s\n", m, c.Name, r.Verdict(), time.Since(began).Seconds(), r.Detail)
				if err := store.WriteJSON(filepath.Join(dir, "reliability.json"), rs); err != nil {
					return err
				}
			}
		}
		meta.Finished = time.Now()
		if err := store.WriteMeta(dir, meta); err != nil {
			return err
		}
		table := faults.Table(rs)
		doc := fmt.Sprintf("# Reliability, run %s\n\n%s, %d CPUs, kernel %s, %s; netmodels %s; server on CPUs %s, netbench on %s.\nCommand: `%s`\n\n%s",
			id, meta.CPUModel, meta.CPUs, meta.Kernel, meta.Go, meta.Git, meta.ServerCPUs, meta.HarnessCPUs, strings.Join(os.Args, " "), table)
		if err := os.WriteFile(filepath.Join(dir, "RELIABILITY.md"), []byte(doc), 0o644); err != nil {
			return err
		}
		fmt.Print(table)
		fmt.Printf("\nreliability: %s/RELIABILITY.md\n", dir)
		if *check && unexpected > 0 {
			return fmt.Errorf("%d cases broke a correctness property that no model's design predicts", unexpected)
		}
		return nil
	}}
}

func caseNames() string {
	var n []string
	for _, c := range faults.Cases {
		n = append(n, c.Name)
	}
	return strings.Join(n, ", ")
}
