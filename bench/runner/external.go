package runner

import (
	"context"
	"fmt"
	"time"

	"netmodels/bench/sample"
	"netmodels/bench/step"
	"netmodels/bench/summary"
)

// External is a server someone else started, at URL: netbench run -url.
// Its steps all attack the one server, sampled by Sample when set (a
// process tree by pid, or a container's cgroup).
type External struct {
	URL    string
	Sample func() (sample.Stat, error)
	// What says how the server is sampled, for Describe.
	What string
	// Ready is the path that answers 200 once the server serves;
	// "" is /healthz (every model's).
	Ready string
	// KernelPID, when > 0, has the kernel's work for this process tree
	// counted during each attack.
	KernelPID int
}

type external struct{}

func (external) Stop(time.Duration) (string, error) { return "", nil }

// Start waits until the server answers Ready (15 s at most).
func (e *External) Start(string, []string) (Instance, error) {
	if e.Ready != "" {
		return external{}, WaitReady(e.URL+e.Ready, 15*time.Second)
	}
	return external{}, WaitHealthy(e.URL, 15*time.Second)
}

// Attack runs st in this process.
func (e *External) Attack(ctx context.Context, _ Instance, st *step.Step, dir string, progress func(elapsed, total time.Duration)) (*summary.Summary, error) {
	return step.Run(ctx, st, step.Target{URL: e.URL, Sample: e.Sample, KernelPID: e.KernelPID}, dir, progress)
}

// Describe names the address and the sampling.
func (e *External) Describe() string {
	return fmt.Sprintf("external server at %s, %s", e.URL, e.What)
}

// Placement: the server is not ours, so it has no limits to set.
func (e *External) Placement() Placement { return Placement{} }

// Close does nothing: the server is not ours.
func (e *External) Close() {}
