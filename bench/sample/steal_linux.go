package sample

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"strings"
	"time"
)

// Ticks is one CPU's time from /proc/stat, in clock ticks: all of it
// (user, nice, system, idle, iowait, irq, softirq, steal), the part the
// hypervisor gave to another guest while this one wanted to run (steal),
// and the part spent in software interrupts (softirq: on loopback, the
// network stack's receive work for what this CPU sent).
type Ticks struct {
	Total, Steal, Softirq uint64
}

// HostCPU reads the time of each of the machine's CPUs, by CPU number.
// /proc/stat is not namespaced, so a container reads the host's CPUs too.
func HostCPU() (map[int]Ticks, error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return nil, err
	}
	return ParseProcStat(b), nil
}

// ParseProcStat reads the per-CPU lines ("cpu0 ...") of /proc/stat. A
// line it cannot read is left out; the machine-wide "cpu" line is too.
// Guest time is part of user time already and is not added again.
func ParseProcStat(b []byte) map[int]Ticks {
	out := map[int]Ticks{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 5 || !strings.HasPrefix(f[0], "cpu") || f[0] == "cpu" {
			continue
		}
		n, err := strconv.Atoi(f[0][3:])
		if err != nil || n < 0 {
			continue
		}
		var t Ticks
		ok := true
		// user nice system idle iowait irq softirq steal [guest guest_nice]
		for i := 1; i < len(f) && i <= 8; i++ {
			v, err := strconv.ParseUint(f[i], 10, 64)
			if err != nil || t.Total+v < t.Total { // not a number, or an overflow
				ok = false
				break
			}
			t.Total += v
			switch i {
			case 7:
				t.Softirq = v
			case 8:
				t.Steal = v
			}
		}
		if ok {
			out[n] = t
		}
	}
	return out
}

// Stolen is the most a hypervisor took of one CPU over an interval: the
// share of the interval's wall-clock time that CPU lost to steal.
type Stolen struct {
	Share float64 `json:"share"`
	CPU   int     `json:"cpu"`
}

// MostStolen compares two readings of HostCPU taken wall apart and
// returns the CPU that lost the largest share of that time to steal (the
// lowest numbered of equals); nil when wall is not positive or no CPU was
// read both times. The share is of wall-clock time, not of the CPU's
// ticks: under load a guest's /proc/stat can account for less time than
// passed, which would inflate a share of its ticks.
func MostStolen(before, after map[int]Ticks, wall time.Duration) *Stolen {
	if wall <= 0 {
		return nil
	}
	var out *Stolen
	for c, a := range after {
		b, ok := before[c]
		if !ok || a.Total < b.Total || a.Steal < b.Steal {
			continue // not read before, or its counters went back (offline and back)
		}
		s := float64(a.Steal-b.Steal) / clockTicks / wall.Seconds()
		if out == nil || s > out.Share || (s == out.Share && c < out.CPU) {
			out = &Stolen{Share: s, CPU: c}
		}
	}
	return out
}

// Softirq is the CPU time software interrupts took during an interval,
// in CPUs (CPU seconds per second): on the generator's CPUs and on the
// machine's others. On loopback the receive work of a packet runs in a
// softirq on the CPU that sent it, outside any process and any cgroup's
// CPU quota: the requests' on the generator's CPUs, the answers' on the
// server's.
type Softirq struct {
	Generator float64 `json:"generator"`
	Others    float64 `json:"others"`
}

// SoftirqSplit compares two readings of HostCPU taken wall apart and
// splits the softirq time between the CPUs in gen and the others; nil
// when wall is not positive or no CPU was read both times.
func SoftirqSplit(before, after map[int]Ticks, wall time.Duration, gen map[int]bool) *Softirq {
	if wall <= 0 {
		return nil
	}
	var out *Softirq
	for c, a := range after {
		b, ok := before[c]
		if !ok || a.Softirq < b.Softirq {
			continue
		}
		if out == nil {
			out = &Softirq{}
		}
		v := float64(a.Softirq-b.Softirq) / clockTicks / wall.Seconds()
		if gen[c] {
			out.Generator += v
		} else {
			out.Others += v
		}
	}
	return out
}
