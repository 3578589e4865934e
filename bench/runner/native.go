package runner

import (
	"context"
	"fmt"
	"strings"
	"time"

	"netmodels/bench/sample"
	"netmodels/bench/step"
	"netmodels/bench/summary"
)

// Native runs each model as a process on this machine: pinned to
// Limits.CPUs with taskset, its descriptors limited with prlimit when
// Limits.NoFile is set, sampled from /proc (its whole process tree), and
// attacked from this process.
type Native struct {
	Bin    string // netserver; netchild is expected beside it
	Limits Limits
	// Kernel counts the kernel's work for the server's tree during each
	// attack (perf stat; sample.StartKernel).
	Kernel bool
}

// Start starts model natively (Start).
func (n *Native) Start(model string, args []string) (Instance, error) {
	s, err := Start(model, Options{Bin: n.Bin, CPUs: n.Limits.CPUs, NoFile: n.Limits.NoFile, Args: args,
		CPUShare: n.Limits.CPUShare, CPUPeriod: n.Limits.CPUPeriod})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// Attack runs st in this process, sampling the server's process tree.
func (n *Native) Attack(ctx context.Context, in Instance, st *step.Step, dir string, progress func(elapsed, total time.Duration)) (*summary.Summary, error) {
	s := in.(*Server)
	pid := s.PID
	t := step.Target{URL: "http://" + s.Addr, Sample: func() (sample.Stat, error) { return sample.Tree(pid) }}
	if n.Kernel {
		t.KernelPID = pid
	}
	return step.Run(ctx, st, t, dir, progress)
}

// Placement: servers are this machine's processes, under n.Limits.
func (n *Native) Placement() Placement { return Placement{Local: true, Limits: &n.Limits} }

// Describe says what the native backend applies: only the CPU set and the
// descriptor limit; memory and task limits need a container.
func (n *Native) Describe() string {
	var b strings.Builder
	b.WriteString("native processes")
	if n.Limits.CPUs != "" {
		fmt.Fprintf(&b, ", server pinned to CPUs %s (taskset)", n.Limits.CPUs)
	}
	if n.Limits.Limited() {
		fmt.Fprintf(&b, ", %s (cgroup cpu controller)", n.Limits.DescribeCPUShare())
	}
	if n.Limits.NoFile > 0 {
		fmt.Fprintf(&b, ", nofile %d (prlimit)", n.Limits.NoFile)
	}
	b.WriteString(", no memory or task limit; a fresh server per attack, sampled from /proc")
	return b.String()
}

// Close does nothing: every server is stopped by its step.
func (n *Native) Close() {}
