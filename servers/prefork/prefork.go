// Package prefork is the preforked server of Apache's prefork MPM and UNP
// §30.6: the parent opens the listening socket and starts N worker
// processes (re-executions of this binary) that inherit it as descriptor 3.
// Each worker runs the iterative loop on the shared socket: it accepts one
// connection, serves it to the end, accepts the next. The kernel hands each
// new connection to one worker blocked in accept. At most N connections are
// served at once; the others wait in the listen backlog. The parent only
// supervises: it restarts any worker that dies, and stops them all
// gracefully (SIGTERM, then SIGKILL after -grace).
//
// Unlike the fork model, a process serves many connections, so its start is
// paid once: the cost per connection is the iterative model's.
package prefork

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"netmodels/servers/httpx"
	"netmodels/servers/iterative"
	"netmodels/servers/model"
	"netmodels/servers/procs"
	"netmodels/servers/rawsock"
)

// Name is the model's name.
const Name = "prefork"

// DefaultWorkers is the number of workers when -workers is not set: Apache's
// prefork starts 5 and grows to 256; a fixed 16 keeps the model simple and
// shows its limit (16 keep-alive clients occupy every worker).
const DefaultWorkers = 16

// Traits are what the harness and the suites know of the model.
func Traits() model.Traits {
	return model.Traits{
		Processes: true,
		IdleCap:   DefaultWorkers, IdleWhy: fmt.Sprintf("one connection per worker, %d workers", DefaultWorkers),
		Stress: map[string]string{
			"slowloris": fmt.Sprintf("%d workers, each serving one connection at a time: %d trickling clients occupy them all until their header timeouts", DefaultWorkers, DefaultWorkers),
		},
	}
}

type server struct{ cfg model.Config }

// New returns the prefork model.
func New(cfg model.Config) model.Model {
	if cfg.Workers <= 0 {
		cfg.Workers = DefaultWorkers
	}
	return &server{cfg.WithDefaults()}
}

func (s *server) Name() string { return Name }

func (s *server) Serve(ctx context.Context, addr string) error {
	cfg := s.cfg
	// A worker serves one connection at a time; a connection handed over
	// before its request arrived would hold it idle (see
	// rawsock.Options.DeferAccept). The kernel waits up to the header
	// timeout for the first bytes.
	lfd, bound, err := rawsock.Listen(addr, rawsock.Options{Backlog: cfg.Backlog, DeferAccept: cfg.HeaderTimeout})
	if err != nil {
		return err
	}
	defer unix.Close(lfd)
	env := procs.Child{Role: Name, Header: cfg.HeaderTimeout, Idle: cfg.IdleTimeout}.Env(os.Environ())
	g, err := procs.NewGroup("", env)
	if err != nil {
		return err
	}
	died := make(chan int, cfg.Workers)
	g.OnExit = func(pid int, ws unix.WaitStatus) {
		select {
		case died <- pid:
		default:
		}
	}
	for i := 0; i < cfg.Workers; i++ {
		if _, err := g.Start(lfd); err != nil {
			g.Stop(cfg.GraceTimeout)
			return err
		}
	}
	cfg.Ready(bound)
	var restarts []time.Time
	for {
		select {
		case <-ctx.Done():
			if !g.Stop(cfg.GraceTimeout) {
				cfg.Log.Printf("graceful stop: workers still alive after the grace period")
			}
			return nil
		case pid := <-died:
			// A crash loop (more than N restarts within a second) backs off
			// instead of forking as fast as workers die.
			now := time.Now()
			restarts = append(restarts, now)
			for len(restarts) > 0 && now.Sub(restarts[0]) > time.Second {
				restarts = restarts[1:]
			}
			if len(restarts) > cfg.Workers {
				cfg.Log.Printf("prefork: workers are dying fast; waiting a second")
				time.Sleep(time.Second)
			}
			for g.Len() < cfg.Workers {
				if _, err := g.Start(lfd); err != nil {
					cfg.Log.Printf("prefork: restarting a worker: %v", err)
					break
				}
			}
			cfg.Log.Printf("prefork: worker %d ended; %d running", pid, g.Len())
		}
	}
}

// IsWorker reports whether this process is a prefork worker.
func IsWorker() bool {
	c, ok := procs.ThisChild()
	return ok && c.Role == Name
}

// RunWorker runs this process as a worker on the listening socket at
// descriptor 3 and returns the exit code. SIGTERM stops it gracefully.
func RunWorker(h httpx.Handler, log interface{ Printf(string, ...any) }) int {
	c, _ := procs.ThisChild()
	cfg := model.Config{Handler: h, HeaderTimeout: c.Header, IdleTimeout: c.Idle}.WithDefaults()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	if err := iterative.ServeFD(ctx, 3, httpx.NewResponder(Name, h), cfg); err != nil {
		log.Printf("prefork worker %s: %v", strconv.Itoa(os.Getpid()), err)
		return 1
	}
	return 0
}
