package main

import (
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"netmodels/bench/sample"
)

func list(s string) []string {
	// Commas or spaces: make's MODELS="fork gnet" and -models fork,gnet.
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' })
}

// cpuSet parses a CPU list such as "0", "1,2" or "0-3".
func cpuSet(s string) map[int]bool {
	m := map[int]bool{}
	for _, part := range strings.Split(s, ",") {
		lo, hi, ok := strings.Cut(part, "-")
		l, err := strconv.Atoi(strings.TrimSpace(lo))
		if err != nil {
			continue
		}
		h := l
		if ok {
			h, _ = strconv.Atoi(strings.TrimSpace(hi))
		}
		for i := l; i <= h; i++ {
			m[i] = true
		}
	}
	return m
}

// sampler samples an outside server: a container's cgroup (under root)
// when cgroup is set, else a process tree when pid is, else nothing. It
// also says which, for meta.json.
func sampler(pid int, cgroup, root string) (func() (sample.Stat, error), string) {
	switch {
	case cgroup != "":
		return func() (sample.Stat, error) { return sample.Cgroup(root, cgroup) }, "sampled from its container's cgroup"
	case pid > 0:
		return func() (sample.Stat, error) { return sample.Tree(pid) }, "its process tree sampled from /proc"
	}
	return nil, "not sampled"
}

// otherCPUs is the machine's online CPUs that are not in server, or
// server itself on a one-CPU machine.
func otherCPUs(server string) string {
	b, err := os.ReadFile("/sys/devices/system/cpu/online")
	if err != nil {
		return ""
	}
	srv := cpuSet(server)
	var rest []int
	for c := range cpuSet(strings.TrimSpace(string(b))) {
		if !srv[c] {
			rest = append(rest, c)
		}
	}
	if len(rest) == 0 {
		return server
	}
	slices.Sort(rest)
	parts := make([]string, len(rest))
	for i, c := range rest {
		parts[i] = strconv.Itoa(c)
	}
	return strings.Join(parts, ",")
}

// hardNoFile is this process's hard descriptor limit.
func hardNoFile() int {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil || r.Max > 1<<30 {
		return 1 << 30
	}
	return int(r.Max)
}

// countCPUs counts the CPUs of a list.
func countCPUs(s string) int { return len(cpuSet(s)) }

// overlap reports whether two CPU lists share a CPU.
func overlap(a, b string) bool {
	sb := cpuSet(b)
	for c := range cpuSet(a) {
		if sb[c] {
			return true
		}
	}
	return false
}
