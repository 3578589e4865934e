// Package child is the fork model's per-connection process: it serves the
// connection on descriptor 3 and exits. It imports as little as it can
// (no net, no log), because every connection pays for the start of the
// program it runs in (docs/models/fork.md).
package child

import (
	"os"
	"os/signal"
	"syscall"
	"time"

	"netmodels/servers/blocking"
	"netmodels/servers/fdconn"
	"netmodels/servers/httpx"
	"netmodels/servers/procs"
)

// Role is the name this child goes by in procs.Child.
const Role = "fork"

// Env returns env with the child's role and settings added. GOMAXPROCS=1:
// a process that serves one connection has no use for a second P, and
// each costs the runtime's start.
func Env(env []string, header, idle time.Duration) []string {
	return append(procs.Child{Role: Role, Header: header, Idle: idle}.Env(env), "GOMAXPROCS=1")
}

// Is reports whether this process is a fork child.
func Is() bool {
	c, ok := procs.ThisChild()
	return ok && c.Role == Role
}

// Run serves the connection on descriptor 3 with h, as the model named
// model, and returns the exit code. SIGTERM from the parent stops it
// gracefully: the answer in progress is finished and says
// "Connection: close".
func Run(model string, h httpx.Handler) int {
	const fd = 3
	set, _ := procs.ThisChild()
	header, idle := set.Header, set.Idle
	if header <= 0 {
		header = httpx.DefaultHeaderTimeout
	}
	if idle <= 0 {
		idle = httpx.DefaultIdleTimeout
	}
	tr := blocking.NewTracker(func(fd int) { _ = syscall.Shutdown(fd, syscall.SHUT_RD) })
	tr.Add(fd)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM)
	go func() {
		<-sig
		tr.Stop()
	}()
	c := fdconn.Conn{FD: fd}
	_ = blocking.Serve(&c, httpx.NewResponder(model, h).NewSession(), blocking.Options{
		HeaderTimeout: header, IdleTimeout: idle, Stopping: tr.Stopping(),
	})
	_ = syscall.Close(fd)
	return 0
}
