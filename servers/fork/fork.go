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
// a pids limit, say) is answered 503 and the parent lives on: it accepts
// and refuses through Go's netpoller and reserves its threads at start, so
// that it never needs a new one at a limit its children have filled.
package fork

import (
	"context"
	"os"
	"path/filepath"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"netmodels/servers/fork/child"
	"netmodels/servers/httpx"
	"netmodels/servers/model"
	"netmodels/servers/procs"
	"netmodels/servers/rawsock"
)

// Name is the model's name.
const Name = "fork"

// Traits are what the harness and the suites know of the model.
func Traits() model.Traits {
	return model.Traits{
		Processes: true,
		IdleCap:   200, IdleWhy: "a process per connection: 200 keeps the machine responsive",
		Stress: map[string]string{
			"slowloris": "a process per connection: every trickling connection costs a process start (about 5 ms of CPU on one core) and a process; while a thousand start, good clients time out",
		},
	}
}

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
	// The parent waits for connections in Go's netpoller, holding no thread:
	// under a pids limit its children fill, it must never need a new one.
	ln, err := rawsock.NewPollListener(lfd)
	if err != nil {
		unix.Close(lfd)
		return err
	}
	defer ln.Close()
	env := child.Env(os.Environ(), cfg.HeaderTimeout, cfg.IdleTimeout)
	g, err := procs.NewGroup(ChildBinary(cfg.ChildBinary), env)
	if err != nil {
		return err
	}
	procs.ReserveThreads(ReservedThreads)
	cfg.Log.Printf("fork: one %s process per connection", filepath.Base(g.Exe()))
	r := httpx.NewResponder(Name, cfg.Handler)
	var stopping atomic.Bool
	stop := context.AfterFunc(ctx, func() {
		stopping.Store(true)
		ln.Stop()
	})
	defer stop()
	cfg.Ready(bound)
	var failing bool
	err = ln.AcceptLoop(&stopping, cfg.Log, func(fd int) {
		if g.Len() >= cfg.MaxConns {
			rawsock.RefuseFD(r, fd)
			return
		}
		if _, err := g.Start(fd); err != nil {
			if !failing {
				cfg.Log.Printf("fork: %v; answering 503 until it passes", err)
				failing = true
			}
			rawsock.RefuseFD(r, fd)
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

// ReservedThreads is how many idle OS threads the parent makes at start
// (procs.ReserveThreads), so that its Go runtime never needs to create one
// once its children may have filled a pids limit.
const ReservedThreads = 8

// ChildName is the small companion binary (servers/cmd/netchild) that
// serves one connection. It imports only the responder, so it starts
// about as fast as any Go program can; netserver links gnet, whose
// logging pulls in net/http and crypto, and their initialisation is paid
// by every child that re-executes netserver (docs/models/fork.md).
const ChildName = "netchild"

// ChildBinary resolves the program to start per connection: exe when set,
// else netchild beside the running binary, else "" (the running binary).
func ChildBinary(exe string) string {
	if exe != "" {
		return exe
	}
	self, err := os.Executable()
	if err != nil {
		return ""
	}
	c := filepath.Join(filepath.Dir(self), ChildName)
	if st, err := os.Stat(c); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
		return c
	}
	return ""
}
