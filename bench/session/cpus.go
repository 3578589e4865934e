package session

import (
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

// CPUSet parses a CPU list such as "0", "1,2" or "0-3".
func CPUSet(s string) map[int]bool {
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

// OtherCPUs is the machine's online CPUs that are not in server, or
// server itself on a one-CPU machine: where the generator runs.
func OtherCPUs(server string) string {
	b, err := os.ReadFile("/sys/devices/system/cpu/online")
	if err != nil {
		return ""
	}
	srv := CPUSet(server)
	var rest []int
	for c := range CPUSet(strings.TrimSpace(string(b))) {
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

// HardNoFile is this process's hard descriptor limit.
func HardNoFile() int {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil || r.Max > 1<<30 {
		return 1 << 30
	}
	return int(r.Max)
}

// CountCPUs counts the CPUs of a list.
func CountCPUs(s string) int { return len(CPUSet(s)) }

// Overlap reports whether two CPU lists share a CPU.
func Overlap(a, b string) bool {
	sb := CPUSet(b)
	for c := range CPUSet(a) {
		if sb[c] {
			return true
		}
	}
	return false
}
