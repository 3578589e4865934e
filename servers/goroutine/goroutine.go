// Package goroutine serves each connection on its own goroutine over Go's
// net package: the model of Go's own net/http. The code reads like a
// thread per connection with blocking calls, but underneath the runtime's
// netpoller (epoll on Linux) parks a goroutine whose socket is not ready
// and runs another on the same OS thread: M:N scheduling, a few KiB of
// stack per connection, and GOMAXPROCS threads doing the work.
package goroutine

import (
	"context"
	"net"

	"netmodels/servers/blocking"
	"netmodels/servers/httpx"
	"netmodels/servers/model"
	"netmodels/servers/rawsock"
)

// Name is the model's name.
const Name = "goroutine"

// Traits are what the harness and the suites know of the model.
func Traits() model.Traits { return model.Traits{Race: true} }

type server struct{ cfg model.Config }

// New returns the goroutine-per-connection model.
func New(cfg model.Config) model.Model { return &server{cfg.WithDefaults()} }

func (s *server) Name() string { return Name }

func (s *server) Serve(ctx context.Context, addr string) error {
	cfg := s.cfg
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	r := httpx.NewResponder(Name, cfg.Handler)
	tr := blocking.NewTracker(func(c *net.TCPConn) { _ = c.CloseRead() })
	opts, stop := tr.StopOn(ctx, cfg.HeaderTimeout, cfg.IdleTimeout, func() { ln.Close() })
	defer stop()
	cfg.Ready(ln.Addr())
	err = rawsock.AcceptNet(ln, tr.Stopping(), cfg.Log, func(c *net.TCPConn) {
		if !tr.Add(c) {
			c.Close()
			return
		}
		go func() {
			_ = blocking.Serve(c, r.NewSession(), opts)
			tr.Done(c)
			c.Close()
		}()
	})
	tr.Wait(cfg.GraceTimeout, cfg.Log)
	return err
}
