// Package servertest is the conformance suite every netmodels model passes
// over the wire: one table of cases (every route and status of API.md,
// byte-by-byte delivery, pipelining, keep-alive, HTTP/1.0, HEAD, bad input,
// stalled peers, graceful stop) run over real TCP against a model.
//
// A model that can't pass a case by its nature names it in its traits with
// the reason; the case then logs the reason and checks that the model fails
// exactly the way its design predicts. Nothing is skipped.
package servertest

import (
	"context"
	"net"
	"testing"
	"time"

	"netmodels/servers"
	"netmodels/servers/handler"
	"netmodels/servers/model"
)

// Timeouts the suite runs models with: short, so the timeout cases are
// quick, and far enough apart to tell which one fired.
const (
	HeaderTimeout = 400 * time.Millisecond
	IdleTimeout   = 800 * time.Millisecond
)

// exception returns why model fails case name by design, or "": the
// model's own traits say so (model.Traits.Conformance).
func exception(model, name string) string {
	e, _ := servers.Lookup(model)
	return e.Traits.Conformance[name]
}

// Server is a model serving on a loopback port for a test.
type Server struct {
	Model string
	Addr  string
	stop  context.CancelFunc
	done  chan error
}

// Start serves the model e on 127.0.0.1 with the suite's timeouts until the
// test ends (or Stop). cfg may set more fields.
func Start(t testing.TB, e servers.Entry, cfg model.Config) *Server {
	t.Helper()
	if cfg.Handler == nil {
		cfg.Handler = handler.New()
	}
	if cfg.HeaderTimeout == 0 {
		cfg.HeaderTimeout = HeaderTimeout
	}
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = IdleTimeout
	}
	if cfg.GraceTimeout == 0 {
		cfg.GraceTimeout = 5 * time.Second
	}
	ready := make(chan net.Addr, 1)
	cfg.Ready = func(a net.Addr) { ready <- a }
	m := e.New(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{Model: e.Name, stop: cancel, done: make(chan error, 1)}
	go func() { s.done <- m.Serve(ctx, "127.0.0.1:0") }()
	select {
	case a := <-ready:
		s.Addr = a.String()
	case err := <-s.done:
		cancel()
		t.Fatalf("%s: Serve: %v", e.Name, err)
	case <-time.After(10 * time.Second):
		cancel()
		t.Fatalf("%s: not ready after 10s", e.Name)
	}
	t.Cleanup(func() { s.Stop(t) })
	return s
}

// Stop stops the model gracefully and checks that Serve returned cleanly.
func (s *Server) Stop(t testing.TB) {
	t.Helper()
	if s.stop == nil {
		return
	}
	s.stop()
	s.stop = nil
	select {
	case err := <-s.done:
		if err != nil {
			t.Errorf("%s: Serve returned %v", s.Model, err)
		}
	case <-time.After(15 * time.Second):
		t.Errorf("%s: Serve did not return 15s after the stop", s.Model)
	}
}

// Run runs every case against the model e, each on a fresh server.
func Run(t *testing.T, e servers.Entry) {
	for _, c := range Cases {
		t.Run(c.Name, func(t *testing.T) {
			if why := exception(e.Name, c.Name); why != "" {
				t.Logf("fails by design, checked as such: %s", why)
			}
			s := Start(t, e, c.Config)
			c.Run(t, s)
		})
	}
}

// Case is one conformance case.
type Case struct {
	Name   string
	Run    func(t *testing.T, s *Server)
	Config model.Config // settings the case needs; zero fields take Start's
}
