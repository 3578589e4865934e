package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"netmodels/bench/cli"
	"netmodels/bench/idle"
	"netmodels/bench/runner"
	"netmodels/bench/session"
	"netmodels/bench/store"
)

func idleCmd() command {
	fs := flag.NewFlagSet("idle", flag.ExitOnError)
	models := fs.String("models", "", "comma-separated models (default: all)")
	n := fs.Int("n", 10000, "idle keep-alive connections to hold (less for the models that can't hold them)")
	var srv session.Flags
	srv.Register(fs, "0", "1")
	scenDir := fs.String("scenario-dir", "bench/scenarios", "scenario files (-server-cpu auto calibrates on "+strings.Join(session.CalibrationScenarios, " and ")+")")
	settle := fs.Duration("settle", time.Second, "wait before sampling the server's memory")
	out := fs.String("run-dir", "", "also write the rows to RUN_DIR/"+store.IdleFile+", for its report")
	overCap := fs.Bool("over-cap", false, "open -n connections even past a model's cap (select's 1024 descriptors, prefork's workers), to see how it refuses the rest")
	g := cli.New(fs)
	srv.Group(g)
	fs.Usage = func() {
		g.Usage(fs.Output(), "usage: netbench idle [flags]\n\nHolds N idle keep-alive connections to each model (one request answered on\neach) and prints the server's memory, threads and processes per connection\n(PSS: shared pages divided among the processes that share them).\n\n")
	}
	return command{fs: fs, help: "memory per idle keep-alive connection, per model", run: func(args []string) error {
		if g.Help(fs.Output(), args) {
			return nil
		}
		_ = fs.Parse(args)
		names := list(*models)
		if len(names) == 0 {
			all, err := runner.Names(srv.Bin)
			if err != nil {
				return err
			}
			names = all
		}
		res, err := srv.Resolve(context.Background(), nil, nil, nil, *scenDir)
		if err != nil {
			return err
		}
		rows, err := measureIdle(names, *n, res.Servers, *settle, *overCap)
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
// connections or, unless overCap, the model's cap (model.Traits.IdleCap,
// as the binary describes it).
func measureIdle(models []string, n int, servers session.Servers, settle time.Duration, overCap bool) ([]store.IdleRow, error) {
	traits, err := runner.Traits(servers.Bin)
	if err != nil {
		return nil, err
	}
	var rows []store.IdleRow
	for _, m := range models {
		want, note := n, ""
		if c := traits[m]; c.IdleCap > 0 && c.IdleCap < want {
			if overCap {
				note = fmt.Sprintf("%d asked, past the cap of %d (%s)", n, c.IdleCap, c.IdleWhy)
			} else {
				want, note = c.IdleCap, c.IdleWhy
			}
		}
		s, err := servers.Start(m, "-idle-timeout", "10m") // the last -idle-timeout wins
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
