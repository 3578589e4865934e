// Package model defines what a netmodels server model is: a name and a
// Serve method, configured by a Config. It is a leaf package so that every
// model can implement it and the registry (package servers) can list them
// all without an import cycle.
package model

import (
	"context"
	"log"
	"net"
	"os"
	"runtime"
	"time"

	"netmodels/servers/httpx"
)

// Model is one way to give connections a CPU. Serve listens on addr and
// serves until ctx is done, then stops gracefully: it stops accepting,
// lets in-flight answers finish, closes every descriptor it opened, and
// returns. It returns an error only if it could not serve at all.
type Model interface {
	Name() string
	Serve(ctx context.Context, addr string) error
}

// Config is what every model is built from. Zero fields take the defaults
// of WithDefaults.
type Config struct {
	Handler       httpx.Handler
	HeaderTimeout time.Duration // a started request must be complete within it
	IdleTimeout   time.Duration // a keep-alive connection may idle this long
	GraceTimeout  time.Duration // how long a graceful stop waits for answers
	Backlog       int           // listen(2) backlog
	Workers       int           // pool and prefork workers, event loops; 0: GOMAXPROCS
	Queue         int           // bounded queue of the pool models
	MaxConns      int           // connections (or child processes) served at once
	// ChildBinary is the program the fork model starts per connection: ""
	// finds "netchild" beside the running binary, else re-executes the
	// running binary itself (correct, but its start costs more).
	ChildBinary string
	Ready       func(net.Addr)
	Log         *log.Logger
}

// WithDefaults fills zero fields with the defaults.
func (c Config) WithDefaults() Config {
	if c.HeaderTimeout <= 0 {
		c.HeaderTimeout = httpx.DefaultHeaderTimeout
	}
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = httpx.DefaultIdleTimeout
	}
	if c.GraceTimeout <= 0 {
		c.GraceTimeout = 30 * time.Second
	}
	if c.Backlog <= 0 {
		c.Backlog = 1024
	}
	if c.Workers <= 0 {
		// GOMAXPROCS, not NumCPU: it follows a container's CPU limit.
		c.Workers = runtime.GOMAXPROCS(0)
	}
	if c.Queue <= 0 {
		c.Queue = 1024
	}
	if c.MaxConns <= 0 {
		c.MaxConns = 10000
	}
	if c.Ready == nil {
		c.Ready = func(net.Addr) {}
	}
	if c.Log == nil {
		c.Log = log.New(os.Stderr, "", log.LstdFlags)
	}
	return c
}

// Traits are what the rest of the project must know about a model,
// declared once in the model's own package and carried by its registry
// entry: the harness reads them from `netserver -list -json`, the
// conformance suite and the race run from the registry. Adding a model is
// its package, its registry line and its traits; nothing else names it.
type Traits struct {
	// Processes: the model serves in child processes (fork, prefork).
	// Its cost is its process tree's, and the reliability suite's pids
	// case applies to it.
	Processes bool `json:"processes"`
	// Race: the race detector applies: the model runs concurrent code
	// inside one process. (A model serving one connection at a time, or
	// in other processes, gives it nothing to see.)
	Race bool `json:"race"`
	// IdleCap is how many idle keep-alive connections the model can hold
	// by design, 0 for no cap below the descriptor limit; IdleWhy says why.
	IdleCap int    `json:"idle_cap,omitempty"`
	IdleWhy string `json:"idle_why,omitempty"`
	// Conformance names the conformance cases the design fails, with why:
	// they still run, asserted to fail as the design predicts.
	Conformance map[string]string `json:"conformance,omitempty"`
	// Seccomp names the system calls the model needs that Docker's
	// default seccomp profile refuses, "" when there are none: the Docker
	// backend runs its container with --security-opt seccomp=unconfined.
	Seccomp string `json:"seccomp,omitempty"`
	// Stress names the reliability cases (netbench stress) the design
	// fails, with why: they still run and are reported "by design".
	Stress map[string]string `json:"stress,omitempty"`
}

// Description is one model as `netserver -list -json` prints it.
type Description struct {
	Name    string `json:"name"`
	Summary string `json:"summary"`
	Traits  Traits `json:"traits"`
}
