package sample

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"strings"
)

// ConntrackStatFile holds the kernel's connection tracking counters, a
// line a CPU (in hex) under a line of their names; absent where the
// nf_conntrack module is not loaded. It is per network namespace.
const ConntrackStatFile = "/proc/net/stat/nf_conntrack"

// ConntrackDrops reads how many packets connection tracking has dropped
// since boot, summed over the CPUs: packets it could not make an entry
// for, the table being full ("nf_conntrack: table full, dropping
// packet"). A loopback SYN so dropped is retransmitted after 1 s, then
// 3 s and 7 s: an answer's latency that is neither the model's nor the
// generator's. ok is false where the counters cannot be read.
func ConntrackDrops() (drops uint64, ok bool) {
	b, err := os.ReadFile(ConntrackStatFile)
	if err != nil {
		return 0, false
	}
	return ParseConntrackDrops(b)
}

// ParseConntrackDrops sums the "drop" column of ConntrackStatFile's text.
func ParseConntrackDrops(b []byte) (uint64, bool) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	col := -1
	var sum uint64
	rows := 0
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if col < 0 {
			for i, name := range f {
				if name == "drop" {
					col = i
				}
			}
			if col < 0 {
				return 0, false
			}
			continue
		}
		if col >= len(f) {
			return 0, false
		}
		v, err := strconv.ParseUint(f[col], 16, 64)
		if err != nil {
			return 0, false
		}
		sum += v
		rows++
	}
	return sum, rows > 0
}
