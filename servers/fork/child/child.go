// Package child is the fork model's per-connection process: it serves the
// connection on descriptor 3 and exits. It imports as little as it can
// (no net, no log), because every connection pays for the start of the
// program it runs in (docs/models/fork.md).
package child

import (
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"netmodels/servers/blocking"
	"netmodels/servers/fdconn"
	"netmodels/servers/httpx"
)

// The environment that makes a process a fork child and carries its
// settings.
const (
	envChild    = "NETMODELS_CHILD"
	envTimeouts = "NETMODELS_TIMEOUTS"
	marker      = "fork"
)

// Env returns env with the child marker and settings added. GOMAXPROCS=1:
// a process that serves one connection has no use for a second P, and
// each costs the runtime's start.
func Env(env []string, header, idle time.Duration) []string {
	return append(env,
		envChild+"="+marker,
		envTimeouts+"="+header.String()+","+idle.String(),
		"GOMAXPROCS=1",
	)
}

// Is reports whether this process is a fork child.
func Is() bool { return os.Getenv(envChild) == marker }

// Run serves the connection on descriptor 3 with h, as the model named
// model, and returns the exit code. SIGTERM from the parent stops it
// gracefully: the answer in progress is finished and says
// "Connection: close".
func Run(model string, h httpx.Handler) int {
	const fd = 3
	header, idle := timeouts(os.Getenv(envTimeouts))
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

// timeouts parses "header,idle".
func timeouts(v string) (header, idle time.Duration) {
	header, idle = httpx.DefaultHeaderTimeout, httpx.DefaultIdleTimeout
	h, i, _ := strings.Cut(v, ",")
	if d, err := time.ParseDuration(h); err == nil {
		header = d
	}
	if d, err := time.ParseDuration(i); err == nil {
		idle = d
	}
	return header, idle
}
