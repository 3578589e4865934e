package faults

import (
	"fmt"
	"time"

	"netmodels/bench/sample"
)

// soak: 70% of capacity for a minute after a warm-up of a third of that.
// Memory, descriptors, threads and processes are compared between the end
// of the minute's first third and its end: a Go runtime's heap and stacks
// take a while to reach their working size, a leak keeps growing.
func soak(model string, o Options) Result {
	r := result(model, "soak", o)
	s, err := start(model, o, 0)
	if err != nil {
		return fail(r, err)
	}
	defer s.Stop(30 * time.Second)
	// The idle baseline once the tree is steady: a prefork worker opens
	// descriptors of its own (the runtime's poller, cgroup files) while
	// it starts, after the server already answers.
	idle, err := settle(s.PID, 10*time.Second)
	if err != nil {
		return fail(r, err)
	}
	url := "http://" + s.Addr
	c, err := capacity(url, o.pick(3*time.Second, time.Second))
	if err != nil {
		return fail(r, err)
	}
	d := o.pick(60*time.Second, 9*time.Second)
	if _, err := open(url, work, 0.7*c, d/3); err != nil {
		return fail(r, err)
	}
	first, err := open(url, work, 0.7*c, d/3)
	if err != nil {
		return fail(r, err)
	}
	a, err := sample.Tree(s.PID)
	if err != nil {
		return fail(r, err)
	}
	rest, err := open(url, work, 0.7*c, 2*d/3)
	if err != nil {
		return fail(r, err)
	}
	b, err := sample.Tree(s.PID)
	if err != nil {
		return fail(r, err)
	}
	after, err := settle(s.PID, 10*time.Second)
	if err != nil {
		return fail(r, err)
	}
	sent, ok := first.sent+rest.sent, first.ok+rest.ok
	f := r.Figures
	f["rate"], f["ok_share"], f["p99_ms"] = 0.7*c, float64(ok)/float64(max(sent, 1)), ms(max(first.p99, rest.p99))
	f["rss_third_kib"], f["rss_end_kib"] = float64(a.RSSKiB), float64(b.RSSKiB)
	f["fds_third"], f["fds_end"], f["procs_third"], f["procs_end"] = float64(a.FDs), float64(b.FDs), float64(a.Procs), float64(b.Procs)
	f["threads_third"], f["threads_end"] = float64(a.Threads), float64(b.Threads)
	f["fds_idle_after"], f["procs_idle_after"] = float64(after.FDs), float64(after.Procs)
	var growth []string
	if rssGrew(a.RSSKiB, b.RSSKiB) {
		growth = append(growth, fmt.Sprintf("RSS %.1f→%.1f MiB", mib(a.RSSKiB), mib(b.RSSKiB)))
	}
	// Descriptors and processes under load vary with the connections in
	// flight: compare them against 10% more load, and idle after.
	if float64(b.FDs) > 1.1*float64(a.FDs)+4 {
		growth = append(growth, fmt.Sprintf("fds %d→%d", a.FDs, b.FDs))
	}
	if float64(b.Procs) > 1.1*float64(a.Procs)+2 {
		growth = append(growth, fmt.Sprintf("processes %d→%d", a.Procs, b.Procs))
	}
	// Idle again after the soak, the server must hold what it held idle
	// before it: more is a leak, whatever the load did meanwhile.
	if after.FDs > idle.FDs+2 || after.Procs > idle.Procs {
		r.Hard = fmt.Sprintf("idle before and after: fds %d→%d, processes %d→%d", idle.FDs, after.FDs, idle.Procs, after.Procs)
		growth = append(growth, r.Hard)
	}
	if b.Threads > a.Threads+a.Threads/10+2 {
		growth = append(growth, fmt.Sprintf("threads %d→%d", a.Threads, b.Threads))
	}
	r.Pass = len(growth) == 0 && f["ok_share"] >= 0.99
	r.Detail = fmt.Sprintf("%.0f/s for %v: %.1f%% ok, p99 %.0f ms; RSS %.1f→%.1f MiB from a third in to the end; %s", 0.7*c, d, 100*f["ok_share"], f["p99_ms"],
		mib(a.RSSKiB), mib(b.RSSKiB), orNone(growth, "no growth"))
	return r
}
