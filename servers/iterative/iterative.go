// Package iterative is the single-loop server: one thread of control
// accepts a connection with a blocking accept(2), serves it with blocking
// read(2) and write(2) until it closes or times out, and only then accepts
// the next. Every other client waits in the kernel's accept queue (the
// listen backlog) meanwhile: head-of-line blocking, shown as it is.
//
// This is Stevens' iterative server (UNP §4.5) and the blog's "single
// process" server. A keep-alive client holds the server for as long as it
// keeps its connection; a /sleep or a bubble sort holds it for everyone.
package iterative

import (
	"context"

	"golang.org/x/sys/unix"

	"netmodels/servers/blocking"
	"netmodels/servers/fdconn"
	"netmodels/servers/httpx"
	"netmodels/servers/model"
	"netmodels/servers/rawsock"
)

// Name is the model's name.
const Name = "iterative"

// Traits are what the harness and the suites know of the model.
func Traits() model.Traits {
	return model.Traits{
		IdleCap: 1, IdleWhy: "serves one connection at a time",
		Conformance: map[string]string{
			"served_while_another_stalls": "one connection at a time by design: a stalled client holds the only thread of control until its header timeout",
		},
		Stress: map[string]string{
			"slowloris": "one connection at a time: a trickling client holds the only thread of control until its header timeout, so good clients wait behind a thousand of them",
		},
	}
}

type server struct{ cfg model.Config }

// New returns the iterative model.
func New(cfg model.Config) model.Model { return &server{cfg.WithDefaults()} }

func (s *server) Name() string { return Name }

func (s *server) Serve(ctx context.Context, addr string) error {
	cfg := s.cfg
	// One connection at a time: a connection handed over before its
	// request arrived holds the only thread of control idle. After an
	// overload, when the accept queue was full, many do (a dropped ACK
	// and request, the client gone; docs/measurements/reliability.md),
	// so the kernel waits up to the header timeout for the first bytes
	// (rawsock.Options.DeferAccept), as for prefork's workers.
	lfd, bound, err := rawsock.Listen(addr, rawsock.Options{Backlog: cfg.Backlog, DeferAccept: cfg.HeaderTimeout})
	if err != nil {
		return err
	}
	defer unix.Close(lfd)
	cfg.Ready(bound)
	return ServeFD(ctx, lfd, httpx.NewResponder(Name, cfg.Handler), cfg)
}

// ServeFD runs the iterative loop on the blocking listening socket lfd
// until ctx is done. The prefork model's workers run it on their shared
// socket. After the stop it waits for the answer in progress within the
// grace period, like every model; past it, it returns while that answer
// goes on, and the loop ends without touching lfd again.
func ServeFD(ctx context.Context, lfd int, r *httpx.Responder, cfg model.Config) error {
	tr := blocking.NewTracker(rawsock.ShutdownRead)
	opts, stop := tr.StopOn(ctx, cfg.HeaderTimeout, cfg.IdleTimeout, func() { rawsock.ShutdownRead(lfd) })
	defer stop()
	// One connection at a time: one session and one conn serve them all,
	// so the loop allocates nothing per connection.
	s := r.NewSession()
	var c fdconn.Conn
	done := make(chan error, 1)
	go func() {
		done <- rawsock.AcceptLoop(lfd, tr.Stopping(), cfg.Log, func(fd int) {
			if tr.Add(fd) {
				c = fdconn.Conn{FD: fd}
				s.Reset()
				_ = blocking.Serve(&c, s, opts)
				tr.Done(fd)
			}
			unix.Close(fd)
		})
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	if tr.Wait(cfg.GraceTimeout, cfg.Log) {
		// Nothing in progress: the loop returns at its next accept.
		return <-done
	}
	return nil
}
