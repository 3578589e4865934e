package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"netmodels/bench/idle"
	"netmodels/bench/runner"
	"netmodels/bench/store"
	"netmodels/servers"
	"netmodels/servers/pool"
	"netmodels/servers/prefork"
)

// idleCaps are the models that can't hold the requested number of idle
// connections by design, with how many they can, and why.
var idleCaps = map[string]struct {
	n   int
	why string
}{
	"iterative": {1, "serves one connection at a time"},
	"prefork":   {prefork.DefaultWorkers, fmt.Sprintf("one connection per worker, %d workers", prefork.DefaultWorkers)},
	"pool":      {pool.DefaultWorkers, fmt.Sprintf("one connection per worker, %d workers", pool.DefaultWorkers)},
	"fork":      {200, "a process per connection: 200 keeps the machine responsive"},
	"select":    {1000, "FD_SETSIZE: descriptors at or above 1024 are refused"},
}

func idleCmd() command {
	fs := flag.NewFlagSet("idle", flag.ExitOnError)
	models := fs.String("models", "", "comma-separated models (default: all)")
	n := fs.Int("n", 10000, "idle keep-alive connections to hold (less for the models that can't hold them)")
	bin := fs.String("bin", "bin/netserver", "the netserver binary")
	cpus := fs.String("cpus", "0", "CPU set the server is pinned to (taskset), \"\" for none")
	settle := fs.Duration("settle", time.Second, "wait before sampling the server's memory")
	out := fs.String("run-dir", "", "also write the rows to RUN_DIR/"+store.IdleFile+", for its report")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: netbench idle [flags]\n\nHolds N idle keep-alive connections to each model (one request answered on\neach) and prints the server's memory, threads and processes per connection\n(PSS: shared pages divided among the processes that share them).\n\n")
		fs.PrintDefaults()
	}
	return command{fs: fs, help: "memory per idle keep-alive connection, per model", run: func(args []string) error {
		_ = fs.Parse(args)
		names := strings.Split(*models, ",")
		if *models == "" {
			names = nil
			for _, e := range servers.All() {
				names = append(names, e.Name)
			}
		}
		rows, err := measureIdle(names, *n, *bin, *cpus, *settle)
		fmt.Print(idleTable(rows))
		if err != nil {
			return err
		}
		if *out != "" {
			return store.WriteJSON(filepath.Join(*out, store.IdleFile), rows)
		}
		return nil
	}}
}

// measureIdle measures each model's memory per idle connection, n
// connections or the model's cap.
func measureIdle(models []string, n int, bin, cpus string, settle time.Duration) ([]store.IdleRow, error) {
	var rows []store.IdleRow
	for _, m := range models {
		want, note := n, ""
		if c, ok := idleCaps[m]; ok && c.n < want {
			want, note = c.n, c.why
		}
		s, err := runner.Start(m, runner.Options{Bin: bin, CPUs: cpus, Args: []string{"-idle-timeout", "10m"}})
		if err != nil {
			return rows, err
		}
		r, err := idle.Measure(s.Addr, s.PID, want, settle)
		if _, serr := s.Stop(30 * time.Second); serr != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", m, serr)
		}
		if err != nil {
			return rows, fmt.Errorf("%s: %v", m, err)
		}
		if r.FirstFailure != "" {
			note = strings.TrimPrefix(note+"; first failure: "+r.FirstFailure, "; ")
		}
		rows = append(rows, store.IdleRow{Model: m, Conns: r.Conns, PSSPerConnKiB: r.PSSPerConnKiB, RSSPerConnKiB: r.RSSPerConnKiB,
			ThreadsPerConn: r.ThreadsPerConn, ProcsPerConn: r.ProcsPerConn, Failed: r.Failed, Note: note})
	}
	return rows, nil
}

// idleTable writes the rows as a Markdown table.
func idleTable(rows []store.IdleRow) string {
	var b strings.Builder
	b.WriteString("| model | idle connections | PSS per connection (KiB) | RSS per connection (KiB) | threads per connection | processes per connection | failed | note |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %d | %.1f | %.1f | %.3f | %.3f | %d | %s |\n", r.Model, r.Conns, r.PSSPerConnKiB, r.RSSPerConnKiB,
			r.ThreadsPerConn, r.ProcsPerConn, r.Failed, r.Note)
	}
	return b.String()
}
