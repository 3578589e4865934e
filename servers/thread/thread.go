// Package thread is the thread-per-connection model: each connection is
// served by its own OS thread making blocking raw-socket system calls, the
// 1:1 model of the blog's multi-thread server and of pthread servers.
//
// In Go, a goroutine that calls runtime.LockOSThread owns its thread; a
// blocking read then blocks that thread alone, the runtime hands the
// processor to another thread, and when the goroutine ends without
// unlocking, the thread is destroyed. So every connection costs a thread
// created and torn down, a kernel stack and a runtime stack, and the
// scheduler juggling threads is the kernel's. Threads are bounded by
// -max-conns (past it: 503), and the runtime's own thread limit is raised
// to match, since exceeding it is fatal.
package thread

import (
	"context"
	"runtime"
	"runtime/debug"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"netmodels/servers/blocking"
	"netmodels/servers/fdconn"
	"netmodels/servers/httpx"
	"netmodels/servers/model"
	"netmodels/servers/rawsock"
)

// Name is the model's name.
const Name = "thread"

// Traits are what the harness and the suites know of the model.
func Traits() model.Traits { return model.Traits{Race: true} }

type server struct{ cfg model.Config }

// New returns the thread-per-connection model.
func New(cfg model.Config) model.Model { return &server{cfg.WithDefaults()} }

func (s *server) Name() string { return Name }

func (s *server) Serve(ctx context.Context, addr string) error {
	cfg := s.cfg
	lfd, bound, err := rawsock.Listen(addr, rawsock.Options{Backlog: cfg.Backlog})
	if err != nil {
		return err
	}
	defer unix.Close(lfd)
	// The runtime aborts the process past its thread limit (10000 by
	// default); -max-conns bounds the connection threads below it.
	if limit := cfg.MaxConns + 200; limit > 10000 {
		debug.SetMaxThreads(limit)
	}
	r := httpx.NewResponder(Name, cfg.Handler)
	tr := blocking.NewTracker(rawsock.ShutdownRead)
	opts, stop := tr.StopOn(ctx, cfg.HeaderTimeout, cfg.IdleTimeout, func() { rawsock.ShutdownRead(lfd) })
	defer stop()
	var live atomic.Int64
	cfg.Ready(bound)
	err = rawsock.AcceptLoop(lfd, tr.Stopping(), cfg.Log, func(fd int) {
		if live.Load() >= int64(cfg.MaxConns) || !tr.Add(fd) {
			rawsock.RefuseFD(r, fd)
			return
		}
		live.Add(1)
		go func() {
			// Never unlocked: the thread ends with the connection.
			runtime.LockOSThread()
			c := fdconn.Conn{FD: fd}
			_ = blocking.Serve(&c, r.NewSession(), opts)
			tr.Done(fd)
			unix.Close(fd)
			live.Add(-1)
		}()
	})
	tr.Wait(cfg.GraceTimeout, cfg.Log)
	return err
}
