// Package wrk runs wrk (the HTTP benchmarking tool, Debian's package) and
// reads its summary: the harness's cross-check of its own generator and
// the generator of netbench perf.
package wrk

import (
	"bufio"
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// Result is what wrk's summary says.
type Result struct {
	Requests int     // "N requests in ..."
	RPS      float64 // "Requests/sec:"
	Non2xx   int     // "Non-2xx or 3xx responses:"
	// SocketErrors is wrk's "Socket errors:" line after the colon
	// ("connect 0, read 3, write 0, timeout 0"), "" when there were none.
	SocketErrors string
}

// Parse reads wrk's summary output.
func Parse(out string) (Result, error) {
	var r Result
	seen := false
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.Contains(line, " requests in "):
			n, err := strconv.Atoi(strings.Fields(line)[0])
			if err != nil {
				return r, fmt.Errorf("wrk: %q: %v", line, err)
			}
			r.Requests = n
		case strings.HasPrefix(line, "Requests/sec:"):
			v, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimPrefix(line, "Requests/sec:")), 64)
			if err != nil {
				return r, fmt.Errorf("wrk: %q: %v", line, err)
			}
			r.RPS, seen = v, true
		case strings.HasPrefix(line, "Non-2xx or 3xx responses:"):
			n, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "Non-2xx or 3xx responses:")))
			if err != nil {
				return r, fmt.Errorf("wrk: %q: %v", line, err)
			}
			r.Non2xx = n
		case strings.HasPrefix(line, "Socket errors:"):
			r.SocketErrors = strings.TrimSpace(strings.TrimPrefix(line, "Socket errors:"))
		}
	}
	if !seen {
		return r, fmt.Errorf("wrk: no Requests/sec in its output:\n%s", out)
	}
	return r, nil
}

// Options of one wrk run.
type Options struct {
	URL      string
	Conns    int
	Duration time.Duration
	Close    bool   // a new connection per request (Connection: close)
	CPUs     string // taskset CPU list for wrk; "" none
}

// Run runs wrk with one thread and parses its summary.
func Run(o Options) (Result, error) {
	if _, err := exec.LookPath("wrk"); err != nil {
		return Result{}, errors.New("wrk not installed (apt-get install wrk)")
	}
	args := []string{"wrk", "-t1", "-c" + strconv.Itoa(o.Conns), "-d" + strconv.Itoa(max(int(o.Duration.Seconds()), 1)) + "s"}
	if o.Close {
		args = append(args, "-H", "Connection: close")
	}
	args = append(args, o.URL)
	if o.CPUs != "" {
		args = append([]string{"taskset", "-c", o.CPUs}, args...)
	}
	b, err := exec.Command(args[0], args[1:]...).CombinedOutput()
	if err != nil {
		return Result{}, fmt.Errorf("wrk: %v: %s", err, b)
	}
	return Parse(string(b))
}

// Version is wrk's version line, "wrk debian/4.1.0-3+b2", or "".
func Version() string {
	b, _ := exec.Command("wrk", "-v").CombinedOutput()
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return ""
	}
	return f[0] + " " + f[1]
}
