package runner

import (
	"context"
	"fmt"
	"time"

	"netmodels/bench/step"
	"netmodels/bench/summary"
)

// Backend runs the steps of a run somewhere: it starts a model under
// limits, attacks it from where the model can be reached, and stops it.
// Native runs processes on this machine, Docker containers, External an
// address someone else started.
type Backend interface {
	// Start starts model with more netserver flags and returns once it
	// serves.
	Start(model string, args []string) (Instance, error)
	// Attack runs st against in, writing the attack's files into dir;
	// progress, when set, hears about once a second how far it is.
	Attack(ctx context.Context, in Instance, st *step.Step, dir string, progress func(elapsed, total time.Duration)) (*summary.Summary, error)
	// Describe says, for meta.json, where the backend runs models and
	// under which limits.
	Describe() string
	// Placement says what the backend's way of running servers lets a
	// run do, so that no caller needs to know which backend it holds.
	Placement() Placement
	// Close removes whatever the backend left running (after a failure
	// or an interrupt).
	Close()
}

// Placement is what a backend's way of running servers lets a run do.
type Placement struct {
	// Local: the servers are processes of this machine, which the run
	// can measure beside them (a CPU quota's probe, memory per idle
	// connection, wrk's check of the generator).
	Local bool
	// KeepLog: a server's log is gone once it stops (a container's), so
	// the run keeps it beside the results.
	KeepLog bool
	// HarnessCPUs are the CPUs the generator runs on where the backend
	// places it ("": where the run itself runs).
	HarnessCPUs string
	// Limits are the limits every server gets, for the run to set its
	// CPU share in; nil where the backend starts no server.
	Limits *Limits
}

// Instance is one started model.
type Instance interface {
	// Stop stops it gracefully (SIGTERM), killing it after grace, and
	// returns its log.
	Stop(grace time.Duration) (log string, err error)
}

// Limits are what every model of a run gets, the same for each.
type Limits struct {
	CPUs   string // CPU set, e.g. "0" (taskset, --cpuset-cpus); "" none
	Memory string // memory limit, e.g. "1g" (Docker only); "" none
	Pids   int    // process and thread limit (Docker only); 0 none
	NoFile int    // descriptor limit, soft and hard; 0 leaves it
	// CPUShare is the share of one CPU the server's processes get per
	// CPUPeriod (a cgroup's CPU quota natively, --cpu-quota in Docker);
	// 0 or 1 and above: the whole of its CPU set.
	CPUShare  float64
	CPUPeriod time.Duration
}

// Limited reports whether l holds the server to a share of a CPU.
func (l Limits) Limited() bool { return l.CPUShare > 0 && l.CPUShare < 1 }

// DescribeCPUShare says l's CPU share in words, "" when there is none.
func (l Limits) DescribeCPUShare() string {
	if !l.Limited() {
		return ""
	}
	return fmt.Sprintf("%.2f of a CPU per %v period", l.CPUShare, l.CPUPeriod)
}

// DefaultLimits are the limits of make bench-all: the server on CPU 0,
// 1 GiB, 4096 tasks, 65536 descriptors (lowered to the host's own hard
// limit where that is lower, which no engine can raise).
func DefaultLimits() Limits {
	return Limits{CPUs: "0", Memory: "1g", Pids: 4096, NoFile: 65536}
}
