// Package locust runs Locust, the generator the seeds used, headless
// against a server, and reads its statistics CSV, so that netbench's users
// load can be checked against it on one server (netbench locust).
//
// locust_test.py beside this file is the course slides' locustfile; the
// built-in scenario slides-locustfile is the same load in netbench.
package locust

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// Stat is one row of Locust's <prefix>_stats.csv: a request name, or the
// "Aggregated" row. Times are in milliseconds, as Locust writes them; its
// percentiles come from its rounded buckets (to the ms below 100 ms, to
// 10 ms below 1 s).
type Stat struct {
	Method   string  `json:"method"`
	Name     string  `json:"name"`
	Requests int     `json:"requests"`
	Failures int     `json:"failures"`
	Median   float64 `json:"median_ms"`
	Mean     float64 `json:"mean_ms"`
	Min      float64 `json:"min_ms"`
	Max      float64 `json:"max_ms"`
	MeanSize float64 `json:"mean_size_bytes"`
	RPS      float64 `json:"rps"`
	FailRPS  float64 `json:"failures_per_s"`
	P50      float64 `json:"p50_ms"`
	P90      float64 `json:"p90_ms"`
	P99      float64 `json:"p99_ms"`
}

// Aggregated is the name of Locust's row over every request.
const Aggregated = "Aggregated"

// ParseStats reads a Locust statistics CSV by its header's column names,
// which Locust has kept since 1.0. A missing column is an error; "N/A"
// (Locust's value for a name with no request) reads as 0.
func ParseStats(r io.Reader) ([]Stat, error) {
	rows, err := csv.NewReader(r).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("locust stats: %v", err)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("locust stats: empty")
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[strings.TrimSpace(h)] = i
	}
	need := []string{"Type", "Name", "Request Count", "Failure Count", "Median Response Time", "Average Response Time",
		"Min Response Time", "Max Response Time", "Average Content Size", "Requests/s", "Failures/s", "50%", "90%", "99%"}
	for _, n := range need {
		if _, ok := col[n]; !ok {
			return nil, fmt.Errorf("locust stats: no column %q", n)
		}
	}
	var out []Stat
	for line, row := range rows[1:] {
		if len(row) < len(rows[0]) {
			return nil, fmt.Errorf("locust stats: line %d has %d fields, the header %d", line+2, len(row), len(rows[0]))
		}
		var bad error
		f := func(name string) float64 {
			v := strings.TrimSpace(row[col[name]])
			if v == "" || v == "N/A" {
				return 0
			}
			x, err := strconv.ParseFloat(v, 64)
			if err != nil && bad == nil {
				bad = fmt.Errorf("locust stats: line %d, %s: %v", line+2, name, err)
			}
			return x
		}
		s := Stat{Method: row[col["Type"]], Name: row[col["Name"]],
			Requests: int(f("Request Count")), Failures: int(f("Failure Count")),
			Median: f("Median Response Time"), Mean: f("Average Response Time"),
			Min: f("Min Response Time"), Max: f("Max Response Time"), MeanSize: f("Average Content Size"),
			RPS: f("Requests/s"), FailRPS: f("Failures/s"), P50: f("50%"), P90: f("90%"), P99: f("99%")}
		if bad != nil {
			return nil, bad
		}
		out = append(out, s)
	}
	return out, nil
}

// Options are one headless Locust run.
type Options struct {
	Locustfile string
	Host       string // base URL, http://host:port
	Users      int
	SpawnRate  float64
	Duration   time.Duration
	CPUs       string // taskset CPU list; "" for no pinning
	Prefix     string // where the CSVs go: <Prefix>_stats.csv and the others
}

// Result is what a run left: its statistics and the CPU Locust used.
type Result struct {
	Stats []Stat
	CPU   time.Duration // user and system time of the Locust process
	Wall  time.Duration
}

// Run runs Locust headless with o and reads its statistics. It needs the
// locust command (Debian's python3-locust).
func Run(o Options) (*Result, error) {
	bin, err := exec.LookPath("locust")
	if err != nil {
		return nil, fmt.Errorf("netbench locust needs Locust: apt-get install python3-locust")
	}
	args := []string{bin, "-f", o.Locustfile, "--headless", "-u", strconv.Itoa(o.Users),
		"-r", strconv.FormatFloat(o.SpawnRate, 'f', -1, 64), "-t", fmt.Sprintf("%ds", int(o.Duration.Seconds())),
		"--host", o.Host, "--csv", o.Prefix, "--only-summary", "--loglevel", "WARNING"}
	if o.CPUs != "" {
		args = append([]string{"taskset", "-c", o.CPUs}, args...)
	}
	cmd := exec.Command(args[0], args[1:]...)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	began := time.Now()
	err = cmd.Run()
	res := &Result{Wall: time.Since(began)}
	if cmd.ProcessState != nil {
		res.CPU = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	// Locust exits 1 when a request failed; the CSV says which.
	if err != nil && (cmd.ProcessState == nil || cmd.ProcessState.ExitCode() != 1) {
		return nil, fmt.Errorf("locust: %v: %s", err, lastLines(stderr.String(), 5))
	}
	b, err := os.ReadFile(o.Prefix + "_stats.csv")
	if err != nil {
		return nil, fmt.Errorf("locust wrote no statistics: %v: %s", err, lastLines(stderr.String(), 5))
	}
	if res.Stats, err = ParseStats(bytes.NewReader(b)); err != nil {
		return nil, err
	}
	return res, nil
}

func lastLines(s string, n int) string {
	l := strings.Split(strings.TrimSpace(s), "\n")
	if len(l) > n {
		l = l[len(l)-n:]
	}
	return strings.Join(l, " | ")
}
