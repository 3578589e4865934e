package main

import (
	"errors"
	"flag"
	"fmt"
	"strings"

	"netmodels/bench/report"
	"netmodels/bench/store"
	"netmodels/bench/summary"
)

func reportCmd() command {
	fs := flag.NewFlagSet("report", flag.ExitOnError)
	check := fs.String("check", "", "fail unless every listed model (comma-separated) has attacks, all answered 2xx")
	noWrite := fs.Bool("print-only", false, "print the tables only; write no REPORT.md, charts or plots")
	scenDir := fs.String("scenario-dir", "bench/scenarios", "directory of scenario files, for the scenarios' descriptions")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: netbench report [flags] RUN_DIR\n\nWrites RUN_DIR/REPORT.md, its charts (charts/*.png, *.svg) and vegeta's HTML\nplots (plots/*.html), and prints the tables (medians over repeats,\ngenerator-bound figures marked).\n\n")
		fs.PrintDefaults()
	}
	return command{fs: fs, help: "write a stored run's REPORT.md and charts, print its tables", run: func(args []string) error {
		_ = fs.Parse(args)
		if fs.NArg() != 1 {
			fs.Usage()
			return errors.New("one run directory needed")
		}
		rows, err := store.ReadSummaries(fs.Arg(0))
		if err != nil {
			return err
		}
		if m, err := store.ReadMeta(fs.Arg(0)); err == nil {
			fmt.Printf("run %s: %s, %d CPUs, kernel %s, %s, vegeta %s, git %s; server on CPUs %s, harness on %s\n",
				m.RunID, m.CPUModel, m.CPUs, m.Kernel, m.Go, m.Vegeta, m.Git, m.ServerCPUs, m.HarnessCPUs)
			for _, n := range m.Notes {
				fmt.Println("note:", n)
			}
		}
		fmt.Print(report.Markdown(report.Aggregate(rows)))
		if !*noWrite {
			if err := report.Write(fs.Arg(0), *scenDir); err != nil {
				return err
			}
			fmt.Printf("\nreport: %s/%s\n", fs.Arg(0), report.ReportFile)
		}
		if *check != "" {
			return checkRun(rows, list(*check))
		}
		return nil
	}}
}

// checkRun fails unless every model has at least one attack and every
// attack of it answered all its requests with 2xx.
func checkRun(rows []*summary.Summary, models []string) error {
	seen := map[string]int{}
	var bad []string
	for _, r := range rows {
		seen[r.Model] += r.Requests
		if r.Requests == 0 || r.Success < 1 {
			bad = append(bad, fmt.Sprintf("%s/%s: %d requests, success %.3f", r.Model, r.Scenario, r.Requests, r.Success))
		}
	}
	for _, m := range models {
		if seen[m] == 0 {
			bad = append(bad, m+": no requests stored")
		}
	}
	if len(bad) > 0 {
		return errors.New("check failed: " + strings.Join(bad, "; "))
	}
	fmt.Printf("check: %d models, every request answered 2xx\n", len(models))
	return nil
}
