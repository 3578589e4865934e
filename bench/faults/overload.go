package faults

import (
	"fmt"
	"strings"
	"time"

	"netmodels/bench/sample"
)

// overload: capacity C (closed probe), C/2 for a baseline, then twice
// 2C followed by C/2 until p50 and p99 are within 2x of the baseline for 2
// seconds running. Descriptors and processes must be back to the
// baseline's after each cycle. Memory is judged between the two cycles:
// the first overload sets a Go runtime's high-water mark of heap and
// stacks, which it keeps for reuse and returns only slowly; a leak grows
// again with the second.
func overload(model string, o Options) (r Result) {
	r = result(model, "overload", o)
	s, err := start(model, o, 0, o.memArgs(model, "overload")...)
	if err != nil {
		return fail(r, err)
	}
	defer o.keepMemory(&r, s)
	url := "http://" + s.Addr
	c, err := capacity(url, o.pick(3*time.Second, time.Second))
	if err != nil {
		return fail(r, err)
	}
	base, err := open(url, work, c/2, o.pick(4*time.Second, 2*time.Second))
	if err != nil {
		return fail(r, err)
	}
	before, err := settle(s.PID, 5*time.Second)
	if err != nil {
		return fail(r, err)
	}
	o.heapProfile(s)
	var recovered [2]float64
	var after [2]sample.Stat
	overOK := 0.0
	for cycle := 0; cycle < 2; cycle++ {
		over, err := open(url, work, 2*c, o.pick(10*time.Second, 2*time.Second))
		if err != nil {
			return fail(r, err)
		}
		overOK = float64(over.ok) / float64(max(over.sent, 1))
		// A model that queues (fork above all: every abandoned connection
		// in its backlog still costs a process start) drains the backlog at
		// C/2 spare capacity: up to 2 x 1024 / C seconds.
		rec, err := open(url, work, c/2, o.pick(30*time.Second, 10*time.Second))
		if err != nil {
			return fail(r, err)
		}
		recovered[cycle] = recoveryTime(rec.perSec, base)
		if cycle == 0 && recovered[0] < 0 && o.Log != nil {
			for i, st := range rec.perSec {
				o.logf("  %s overload, recovery second %d: %d sent, %d ok, p50 %.1f ms, p99 %.1f ms (baseline %.1f, %.1f); measured p50 %.1f ms, lag p50 %.1f ms",
					model, i, st.n, st.ok, ms(st.p50), ms(st.p99), ms(base.p50), ms(base.p99), ms(st.raw50), ms(st.lag50))
			}
		}
		if after[cycle], err = settle(s.PID, 10*time.Second); err != nil {
			return fail(r, err)
		}
		o.heapProfile(s)
	}
	f := r.Figures
	f["capacity_rps"], f["baseline_p50_ms"], f["baseline_p99_ms"] = c, ms(base.p50), ms(base.p99)
	f["overload_ok_share"] = overOK
	f["recovery_s"], f["recovery2_s"] = recovered[0], recovered[1]
	f["fds_before"], f["fds_after"] = float64(before.FDs), float64(after[1].FDs)
	f["threads_before"], f["threads_after"] = float64(before.Threads), float64(after[1].Threads)
	f["procs_before"], f["procs_after"] = float64(before.Procs), float64(after[1].Procs)
	f["rss_before_kib"], f["rss_after1_kib"], f["rss_after2_kib"] = float64(before.RSSKiB), float64(after[0].RSSKiB), float64(after[1].RSSKiB)
	var leaks []string
	for _, a := range after {
		if a.FDs > before.FDs+2 {
			leaks = append(leaks, fmt.Sprintf("fds %d→%d", before.FDs, a.FDs))
		}
		if a.Procs > before.Procs {
			leaks = append(leaks, fmt.Sprintf("processes %d→%d", before.Procs, a.Procs))
		}
	}
	if len(leaks) > 0 {
		r.Hard = strings.Join(leaks, ", ")
	}
	if after[1].Threads > after[0].Threads+2 {
		leaks = append(leaks, fmt.Sprintf("threads %d→%d→%d", before.Threads, after[0].Threads, after[1].Threads))
	}
	if rssGrew(after[0].RSSKiB, after[1].RSSKiB) {
		leaks = append(leaks, fmt.Sprintf("RSS grew again: %.1f→%.1f→%.1f MiB", mib(before.RSSKiB), mib(after[0].RSSKiB), mib(after[1].RSSKiB)))
	}
	r.Pass = recovered[0] >= 0 && recovered[1] >= 0 && len(leaks) == 0
	rs := func(v float64) string {
		if v < 0 {
			return "not within the window"
		}
		return fmt.Sprintf("%.0f s", v)
	}
	r.Detail = fmt.Sprintf("capacity %.0f/s; at 2x, %.0f%% ok; recovered in %s and %s; RSS %.1f→%.1f→%.1f MiB; %s",
		c, 100*overOK, rs(recovered[0]), rs(recovered[1]), mib(before.RSSKiB), mib(after[0].RSSKiB), mib(after[1].RSSKiB), orNone(leaks, "no leak"))
	return r
}

func mib(kib uint64) float64 { return float64(kib) / 1024 }

// heapSlackKiB is the Go runtime's minimum heap goal, 4 MiB: a Go heap
// collects only once it has grown by that much, so between collections it
// holds up to that much garbage, and an RSS read at a random moment of
// the cycle swings by as much with nothing leaking (iterative, whose whole
// footprint is about 6 MiB, read 6.7 then 9.1 MiB after its two overloads
// with 0.5 MiB of heap in use at both; docs/measurements/reliability.md).
const heapSlackKiB = 4 << 10

// rssGrew reports whether RSS grew from a to b by more than 10% and more
// than a heap's slack: growth that a collection cycle alone does not make.
func rssGrew(a, b uint64) bool {
	return float64(b) > 1.1*float64(a) && b > a+heapSlackKiB
}

// recoveryTime is the second from which p50 and p99 stay within 2x of the
// baseline's for 2 seconds, -1 if they never do.
func recoveryTime(secs []secStat, base *phase) float64 {
	good := 0
	for i, st := range secs {
		if st.n > 0 && st.p50 <= 2*max(base.p50, time.Millisecond) && st.p99 <= 2*max(base.p99, time.Millisecond) {
			good++
			if good == 2 {
				return float64(i - 1)
			}
		} else {
			good = 0
		}
	}
	return -1
}

func orNone(s []string, none string) string {
	if len(s) == 0 {
		return none
	}
	return strings.Join(s, ", ")
}
