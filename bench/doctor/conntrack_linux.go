package doctor

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
)

// conntrackProbe is how many loopback connections the check holds open
// to see whether the connection table counts them.
const conntrackProbe = 32

// readInt reads a number from a /proc/sys file.
func readInt(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(string(b)))
}

// loopbackTracked holds conntrackProbe loopback connections open and
// reports whether the kernel's connection table grew by at least half
// as many.
func loopbackTracked() (bool, error) {
	before, err := readInt("/proc/sys/net/netfilter/nf_conntrack_count")
	if err != nil {
		return false, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return false, err
	}
	defer ln.Close()
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range conntrackProbe {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			return false, err
		}
		conns = append(conns, c)
	}
	after, err := readInt("/proc/sys/net/netfilter/nf_conntrack_count")
	if err != nil {
		return false, err
	}
	return after-before >= conntrackProbe/2, nil
}

func conntrackCheck() Result {
	r := Result{Name: "loopback out of connection tracking",
		UsedBy:  "the new-connection loads (hello-close, blog, the stress tests): where nf_conntrack is loaded (Docker's rules load it), each closed loopback connection holds an entry of its table for its TIME_WAIT timeout (120 s by default)",
		Without: "past the table's size ÷ that timeout new connections a second, sustained, the table fills and the kernel drops SYNs, sent again 1, 3 and 7 s later: a run marks those attacks ‡ and says so; scripts/loopback-notrack.sh (root) takes loopback out of the table"}
	size, err := readInt("/proc/sys/net/netfilter/nf_conntrack_max")
	if err != nil {
		r.OK, r.Found = true, "nf_conntrack not loaded: nothing tracks connections"
		return r
	}
	hold, err := readInt("/proc/sys/net/netfilter/nf_conntrack_tcp_timeout_time_wait")
	if err != nil || hold <= 0 {
		hold = 120 // the kernel's default
	}
	tracked, err := loopbackTracked()
	switch {
	case err != nil:
		r.Found = "could not tell: " + err.Error()
	case tracked:
		r.Found = fmt.Sprintf("loopback is tracked: a table of %d entries, each closed connection held %d s, fills at about %d new connections a second", size, hold, size/hold)
	default:
		r.OK, r.Found = true, fmt.Sprintf("nf_conntrack loaded (%d entries), loopback not tracked", size)
	}
	return r
}
