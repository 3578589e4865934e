// Package selectloop is the select(2) model: one thread, one loop over
// non-blocking sockets, asking the kernel which are ready with select, as
// the blog's select server does. It shares its loop with the epoll model
// (package evloop); only the poller differs.
//
// select's fd_set is a bitmap of FD_SETSIZE (1024) bits: a descriptor at or
// above 1024 can't be watched. The loop refuses such a connection with a
// 503 and a log line, never writes past the bitmap, and never spins on it.
// Each wait copies the bitmaps in and out and scans up to the highest
// descriptor, so its cost grows with the number of connections, ready or
// not.
package selectloop

import (
	"context"
	"fmt"

	"netmodels/servers/evloop"
	"netmodels/servers/model"
)

// Name is the model's name.
const Name = "select"

// Traits are what the harness and the suites know of the model.
func Traits() model.Traits {
	return model.Traits{
		Race: true,
		// Less the descriptors the process holds before any connection.
		IdleCap: evloop.FDSetSize - 24, IdleWhy: fmt.Sprintf("FD_SETSIZE: descriptors at or above %d are refused", evloop.FDSetSize),
		Stress: map[string]string{
			"slowloris": fmt.Sprintf("FD_SETSIZE: past %d descriptors new connections are refused with a 503, good ones included, until trickling ones time out", evloop.FDSetSize),
		},
	}
}

type server struct{ cfg model.Config }

// New returns the select model.
func New(cfg model.Config) model.Model { return &server{cfg.WithDefaults()} }

func (s *server) Name() string { return Name }

func (s *server) Serve(ctx context.Context, addr string) error {
	cfg := s.cfg
	return evloop.Serve(evloop.NewConfig(Name, cfg), evloop.Select, addr, 1, cfg.Ready, ctx.Done())
}
