package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"netmodels/bench/cli"
	"netmodels/bench/reference"
	"netmodels/bench/runner"
	"netmodels/bench/session"
	"netmodels/bench/ui"
)

func uiCmd() command {
	fs := flag.NewFlagSet("ui", flag.ExitOnError)
	addr := fs.String("addr", "127.0.0.1:8089", "where the page and Locust's API are served (loopback: only this machine can reach it)")
	var srv session.Flags
	srv.Register(fs, "0", "1")
	srv.Fixed = []string{"-idle-timeout", "60s"}
	scenDir := fs.String("scenario-dir", "bench/scenarios", "directory of scenario files (*.json), besides the built-ins")
	out := fs.String("out", "results", "where every test's run is stored: <run-id>-ui/")
	model := fs.String("model", "thread", "the model a test starts when it names none (Locust's /swarm names none): thread, the analogue of the course's threaded Django server")
	maxTime := fs.Duration("max-time", 10*time.Minute, "the longest a test may run; one with no run time stops after this")
	g := cli.New(fs)
	srv.Group(g)
	fs.Usage = func() {
		g.Usage(fs.Output(), "usage: netbench ui [flags]\n\nServes Locust's web UI and API over the models: each test starts a fresh server\n(pinned to -server-cpus), attacks it from this process and stores its run.\n\n")
	}
	return command{fs: fs, help: "Locust's web UI over the models, live, with the server's side (http://127.0.0.1:8089)", run: func(args []string) error {
		if g.Help(fs.Output(), args) {
			return nil
		}
		_ = fs.Parse(args)
		ds, err := runner.Models(srv.Bin)
		if err != nil {
			return err
		}
		var models []string
		for _, d := range ds {
			models = append(models, d.Name)
		}
		// The seeds' own systems, offered beside the models and marked
		// as references on the page.
		models = append(models, reference.Names()...)
		res, err := srv.Resolve(context.Background(), nil, nil, nil, *scenDir)
		if err != nil {
			return err
		}
		s := ui.NewSession(ui.Config{Servers: res.Servers, ScenarioDir: *scenDir, Out: *out, MaxTime: *maxTime, Models: models, DefaultModel: *model})
		ln, err := net.Listen("tcp", *addr)
		if err != nil {
			return err
		}
		if !loopback(ln.Addr()) {
			fmt.Fprintf(os.Stderr, "warning: netbench ui serves on %s, which is not loopback: anyone who can reach it can start models and send load from this machine\n", ln.Addr())
		}
		fmt.Fprintf(os.Stderr, "netbench ui: http://%s/ (models pinned to CPUs %s; runs stored in %s/)\n", ln.Addr(), srv.CPUs, *out)
		srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		go func() {
			<-ctx.Done()
			s.Close()
			c, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			_ = srv.Shutdown(c)
		}()
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	}}
}

// loopback reports whether a listening address is reachable from this
// machine only.
func loopback(a net.Addr) bool {
	t, ok := a.(*net.TCPAddr)
	return ok && t.IP.IsLoopback()
}
