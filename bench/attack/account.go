package attack

import (
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// sampleServer samples the server's process tree until the returned func
// is called.
func sampleServer(o Options, res *Result) func() {
	if o.Sample == nil {
		return func() {}
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	// Its own clock: Run realigns res.Began once vegeta's first stamp is
	// known, while this goroutine may still be sampling.
	start := res.Began
	take := func() {
		if st, err := o.Sample(); err == nil {
			res.Samples = append(res.Samples, ServerSample{At: time.Since(start), Stat: st})
		}
	}
	take()
	go func() {
		defer close(done)
		t := time.NewTicker(o.SampleEvery)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				take()
			case <-stop:
				take()
				return
			}
		}
	}()
	return func() { close(stop); <-done }
}

func progress(o Options, total time.Duration) func() {
	if o.Progress == nil {
		return func() {}
	}
	start := time.Now()
	stop := make(chan struct{})
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				o.Progress(time.Since(start), total)
			case <-stop:
				return
			}
		}
	}()
	return func() { close(stop) }
}

// SelfCPU is the CPU time this process (the generator) has used so far.
func SelfCPU() time.Duration { return selfCPU() }

func selfCPU() time.Duration {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Cores is the number of CPUs this process may run on.
func Cores() int { return cores() }

func cores() int {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		return 1
	}
	return max(set.Count(), 1)
}

// Affinity returns the CPU list this process may run on, as taskset
// writes it (e.g. "1" or "0-1").
func Affinity() string {
	set := affinitySet()
	var cpus []string
	for i := 0; i < 1024; i++ {
		if set[i] {
			cpus = append(cpus, strconv.Itoa(i))
		}
	}
	return strings.Join(cpus, ",")
}

// affinitySet is the set of CPUs this process may run on; empty when
// it cannot be read.
func affinitySet() map[int]bool {
	out := map[int]bool{}
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		return out
	}
	for i := 0; i < 1024; i++ {
		if set.IsSet(i) {
			out[i] = true
		}
	}
	return out
}

// NotSentClass is the error class of an open load's requests that were
// due and not sent (NotSent); no request result carries it.
const NotSentClass = "not-sent"

// ErrorClass groups a request error: refused, reset, timeout, eof,
// wrong-answer (a game answer that breaks the rules), other.
func ErrorClass(err string) string {
	e := strings.ToLower(err)
	switch {
	case e == "":
		return ""
	case strings.Contains(e, "connection refused"):
		return "refused"
	case strings.Contains(e, "reset by peer") || strings.Contains(e, "broken pipe"):
		return "reset"
	case strings.Contains(e, "timeout") || strings.Contains(e, "deadline exceeded"):
		return "timeout"
	case strings.Contains(e, "eof"):
		return "eof"
	case strings.HasPrefix(e, "game:"):
		return "wrong-answer"
	}
	return "other"
}
