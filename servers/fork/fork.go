// Package fork is the process-per-connection model: the parent accepts a
// connection and starts a child process for it, as the blog's
// "multi-process" server and Stevens' concurrent server (UNP §4.8) do.
//
// Go can't fork(2) without exec (the runtime's threads would not survive
// it), so the child is this same binary re-executed in a child mode with
// the connection as descriptor 3: clone(CLONE_VFORK|CLONE_VM) plus
// execve(2), the runtime starting from scratch in the child. That start is
// the model's cost per connection; see docs/models/fork.md for where it
// goes. The parent closes its copy of the descriptor at once, and a reaper
// collects every child that ends (no zombies). A failed fork (EAGAIN under
// a pids limit, say) is answered 503 and the parent lives on.
package fork

import (
	"context"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"netmodels/servers/blocking"
	"netmodels/servers/httpx"
	"netmodels/servers/model"
	"netmodels/servers/procs"
	"netmodels/servers/rawsock"
)

// Name is the model's name.
const Name = "fork"

// envChild marks a child process; envTimeouts carries its timeouts.
const (
	envChild    = "NETMODELS_CHILD"
	envTimeouts = "NETMODELS_TIMEOUTS"
)

type server struct{ cfg model.Config }

// New returns the process-per-connection model.
func New(cfg model.Config) model.Model { return &server{cfg.WithDefaults()} }

func (s *server) Name() string { return Name }

func (s *server) Serve(ctx context.Context, addr string) error {
	cfg := s.cfg
	lfd, bound, err := rawsock.Listen(addr, rawsock.Options{Backlog: cfg.Backlog})
	if err != nil {
		return err
	}
	defer unix.Close(lfd)
	env := append(os.Environ(),
		envChild+"="+Name,
		envTimeouts+"="+cfg.HeaderTimeout.String()+","+cfg.IdleTimeout.String(),
	)
	g, err := procs.NewGroup(env)
	if err != nil {
		return err
	}
	r := httpx.NewResponder(Name, cfg.Handler)
	var stopping atomic.Bool
	stop := context.AfterFunc(ctx, func() {
		stopping.Store(true)
		rawsock.ShutdownRead(lfd)
	})
	defer stop()
	cfg.Ready(bound)
	var failing bool
	err = rawsock.AcceptLoop(lfd, &stopping, cfg.Log, func(fd int) {
		if g.Len() >= cfg.MaxConns {
			go refuse(r, fd)
			return
		}
		if _, err := g.Start(fd); err != nil {
			if !failing {
				cfg.Log.Printf("fork: %v; answering 503 until it passes", err)
				failing = true
			}
			go refuse(r, fd)
			return
		}
		failing = false
		unix.Close(fd)
	})
	if !g.Stop(cfg.GraceTimeout) {
		cfg.Log.Printf("graceful stop: children still alive after the grace period")
	}
	return err
}

// refuse answers 503 on a connection no child could take, then closes it
// after the client's request was read or a short wait: closing with unread
// input would send a reset that can destroy the answer in flight.
func refuse(r *httpx.Responder, fd int) {
	c := rawsock.Conn{FD: fd}
	_, _ = c.Write(r.AppendError(nil, httpx.ErrUnavailable))
	_ = unix.Shutdown(fd, unix.SHUT_WR)
	_ = c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	var buf [512]byte
	for {
		if _, err := c.Read(buf[:]); err != nil {
			break
		}
	}
	unix.Close(fd)
}

// IsChild reports whether this process is a fork child.
func IsChild() bool { return os.Getenv(envChild) == Name }

// RunChild serves the connection on descriptor 3 with h and returns the
// exit code. The parent made this process for that one connection: it
// serves it (keep-alive included) and ends.
func RunChild(h httpx.Handler) int {
	const fd = 3
	header, idle := childTimeouts()
	r := httpx.NewResponder(Name, h)
	tr := blocking.NewTracker(rawsock.ShutdownRead)
	tr.Add(fd)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-sig
		tr.Stop()
	}()
	c := rawsock.Conn{FD: fd}
	_ = blocking.Serve(&c, r.NewSession(), blocking.Options{
		HeaderTimeout: header, IdleTimeout: idle, Stopping: tr.Stopping(),
	})
	unix.Close(fd)
	return 0
}

// childTimeouts reads the timeouts the parent passed.
func childTimeouts() (header, idle time.Duration) {
	header, idle = httpx.DefaultHeaderTimeout, httpx.DefaultIdleTimeout
	v := os.Getenv(envTimeouts)
	for i := 0; i < len(v); i++ {
		if v[i] == ',' {
			if d, err := time.ParseDuration(v[:i]); err == nil {
				header = d
			}
			if d, err := time.ParseDuration(v[i+1:]); err == nil {
				idle = d
			}
		}
	}
	return header, idle
}
