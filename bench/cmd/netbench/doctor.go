package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"netmodels/bench/doctor"
)

func doctorCmd() command {
	fs := flag.NewFlagSet("doctor", flag.ExitOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: netbench doctor\n\nChecks what this machine gives netmodels (root or a delegated cgroup, perf,\nio_uring, Docker, the tools some commands use) and prints, for each, what a\nrun gives up without it. It never fails: a run turns a missing feature off\nand says so in its meta.json and report.\n")
	}
	return command{fs: fs, help: "what this machine gives a run, and what is missing", run: func(args []string) error {
		_ = fs.Parse(args)
		rs := doctor.Check()
		fmt.Print(doctor.Table(rs))
		if m := doctor.Missing(rs); len(m) > 0 {
			fmt.Fprintf(os.Stderr, "netbench doctor: missing %s; a run goes on without them (make doctor: what each costs)\n", strings.Join(m, "; "))
		} else {
			fmt.Fprintln(os.Stderr, "netbench doctor: everything netmodels uses is here")
		}
		return nil
	}}
}
