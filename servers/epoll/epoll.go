// Package epoll holds the hand-written epoll models, no framework: the
// event loop of package evloop with its epoll(7) poller, level-triggered,
// per-connection buffers only while a request or an answer is incomplete,
// EPOLLOUT only while output is pending.
//
//   - epoll: one loop on one goroutine, the single-process event-driven
//     server (SPED in the Flash paper's terms).
//   - epoll-multi: one loop per GOMAXPROCS, each on its own goroutine (so
//     on its own thread while busy) with its own SO_REUSEPORT socket; the
//     kernel spreads new connections across them, and loops share nothing.
package epoll

import (
	"context"

	"netmodels/servers/evloop"
	"netmodels/servers/model"
)

// The models' names.
const (
	Name      = "epoll"
	MultiName = "epoll-multi"
)

// Traits are what the harness and the suites know of both models.
func Traits() model.Traits { return model.Traits{Race: true} }

type server struct {
	cfg   model.Config
	name  string
	loops int
}

// New returns the single-loop epoll model.
func New(cfg model.Config) model.Model { return &server{cfg.WithDefaults(), Name, 1} }

// NewMulti returns the epoll model with one loop per worker (GOMAXPROCS).
func NewMulti(cfg model.Config) model.Model {
	cfg = cfg.WithDefaults()
	return &server{cfg, MultiName, cfg.Workers}
}

func (s *server) Name() string { return s.name }

func (s *server) Serve(ctx context.Context, addr string) error {
	cfg := s.cfg
	return evloop.Serve(evloop.NewConfig(s.name, cfg), evloop.Epoll, addr, s.loops, cfg.Ready, ctx.Done())
}
