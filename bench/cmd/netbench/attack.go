package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"netmodels/bench/runner"
	"netmodels/bench/step"
)

// attackCmd runs one step of a run where the backend placed it: the
// Docker backend starts it in a harness container in the server's network
// namespace, gives it the step on stdin and reads the summary from stdout.
func attackCmd() command {
	fs := flag.NewFlagSet("attack", flag.ExitOnError)
	url := fs.String("url", "http://127.0.0.1:8080", "the server's base URL")
	runDir := fs.String("run-dir", ".", "the run directory the attack's files go to")
	cgroup := fs.String("cgroup", "", "sample this Docker container's cgroup (its full id)")
	cgroupRoot := fs.String("cgroup-root", "/sys/fs/cgroup", "where the host's cgroup hierarchy is mounted")
	pid := fs.Int("pid", 0, "sample this process tree (from /proc) instead")
	lines := fs.Bool("progress-lines", false, "report progress as 'progress <elapsed ns> <total ns>' lines, for the backend to read")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: netbench attack [flags] < step.json\n\nRuns one step of a run (a scenario on one model, one repeat: JSON on stdin,\nas netbench run plans it), writes its vegeta results and series into\n-run-dir, and prints its summary as JSON on stdout. netbench run -backend\ndocker runs it in a harness container beside each server container.\n\n")
		fs.PrintDefaults()
	}
	return command{fs: fs, help: "run one planned step (JSON on stdin), print its summary: the Docker backend's harness", run: func(args []string) error {
		_ = fs.Parse(args)
		var st step.Step
		if err := json.NewDecoder(os.Stdin).Decode(&st); err != nil {
			return fmt.Errorf("step on stdin: %v", err)
		}
		if st.Scenario == nil {
			return fmt.Errorf("step on stdin: no scenario")
		}
		t := step.Target{URL: *url}
		t.Sample, _ = sampler(*pid, *cgroup, *cgroupRoot)
		if err := runner.WaitHealthy(*url, 15*time.Second); err != nil {
			return err
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		progress := func(el, total time.Duration) {
			fmt.Fprintf(os.Stderr, "\r%s · %v/%v   ", st.Label, el.Round(time.Second), total.Round(time.Second))
		}
		if *lines {
			progress = func(el, total time.Duration) { fmt.Fprint(os.Stderr, runner.ProgressLine(el, total)) }
		}
		s, err := step.Run(ctx, &st, t, *runDir, progress)
		if err != nil {
			return err
		}
		return json.NewEncoder(os.Stdout).Encode(s)
	}}
}
