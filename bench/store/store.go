// Package store writes a benchmark run to results/<run-id>/:
//
//	meta.json                         the machine, versions, commit, every flag
//	summary.json, summary.csv         one row per attack (scenario, model, repeat)
//	<scenario>/<model>.r<k>.gob.gz    vegeta's own encoding of every result:
//	                                  zcat it | vegeta report (or plot)
//	<scenario>/<model>.r<k>.csv       the per-second time series
//	idle.json                         memory per idle connection, per model
//	REPORT.md, charts/                the report (package report)
//
// and reads summaries back for reports.
package store

import (
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"netmodels/bench/sample"
	"netmodels/bench/summary"
)

// Meta describes a run: enough to know what produced its numbers.
type Meta struct {
	RunID      string            `json:"run_id"`
	Started    time.Time         `json:"started"`
	Finished   time.Time         `json:"finished"`
	Command    []string          `json:"command"`
	Flags      map[string]string `json:"flags"`
	CPUModel   string            `json:"cpu_model"`
	CPUs       int               `json:"cpus"`
	MemoryKiB  uint64            `json:"memory_kib"`
	Kernel     string            `json:"kernel"`
	Go         string            `json:"go"`
	Vegeta     string            `json:"vegeta"`
	Docker     string            `json:"docker,omitempty"`
	Git        string            `json:"git"`
	ServerCPUs string            `json:"server_cpus"`
	// ServerGOMAXPROCS is what the Go runtime of a server pinned to
	// ServerCPUs chooses: one per CPU of its affinity set.
	ServerGOMAXPROCS int `json:"server_gomaxprocs"`
	// ServerCPUShare is the share of one CPU the server's processes had
	// per ServerCPUPeriod (a cgroup's CPU quota); 0: the whole CPU set.
	ServerCPUShare  float64 `json:"server_cpu_share,omitempty"`
	ServerCPUPeriod string  `json:"server_cpu_period,omitempty"`
	// Calibration is how -server-cpu auto chose the share, when it did.
	Calibration []CalibrationRow `json:"calibration,omitempty"`
	HarnessCPUs string           `json:"harness_cpus"`
	// Durations says, per scenario, how long it ran and whose length that
	// was: the scenario's own, the profile's, or -duration's.
	Durations map[string]string `json:"durations,omitempty"`
	// Backend says where the models ran and under which limits
	// (runner.Backend's Describe).
	Backend string   `json:"backend,omitempty"`
	Notes   []string `json:"notes,omitempty"`
	// Shards are the generators a merged run was made from (netbench
	// merge), one per shard.
	Shards []ShardInfo `json:"shards,omitempty"`
}

// ShardInfo is one shard of a merged run: where it ran and when it began
// against the common start it was given. On one host Skew is how late the
// shard started; across hosts it is that plus the hosts' clock offset,
// which the merge cannot tell apart (docs/distributed.md).
type ShardInfo struct {
	Shard   string        `json:"shard"`
	Dir     string        `json:"dir"`
	Host    string        `json:"host"`
	CPU     string        `json:"cpu"`
	Cores   int           `json:"cores"`
	Boot    string        `json:"boot_id,omitempty"` // the machine's kernel boot_id
	CPUs    string        `json:"cpus,omitempty"`    // the generator's CPU list
	Began   time.Time     `json:"began"`
	Skew    time.Duration `json:"start_skew_ns"`
	Flagged string        `json:"flagged,omitempty"` // why the shard, not the server, may have set a figure
	// Steal is the most the hypervisor took of one of the shard's host's
	// CPUs during its attack; nil where not read.
	Steal *sample.Stolen `json:"steal,omitempty"`
}

// NewRun makes results/<run-id> and returns its path and id. The id is
// the UTC date and time, then any suffixes, each after a "-" (a shard's
// run: "-shard-1-of-3", so that shards started together do not share a
// directory).
func NewRun(root string, suffix ...string) (string, string, error) {
	id := strings.Join(append([]string{time.Now().UTC().Format("20060102-150405")}, suffix...), "-")
	dir := filepath.Join(root, id)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", "", err
	}
	return dir, id, nil
}

// Environment fills the machine and version fields of m.
func Environment(m *Meta) {
	// The machine's CPUs, not this process's affinity set (NumCPU).
	m.CPUs = runtime.NumCPU()
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		m.CPUs = strings.Count(string(b), "\nprocessor") + 1
	}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPUModel = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		f := strings.Fields(string(b))
		if len(f) > 1 {
			m.MemoryKiB, _ = strconv.ParseUint(f[1], 10, 64)
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	m.Go = runtime.Version()
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "github.com/tsenart/vegeta/v12" {
				m.Vegeta = d.Version
			}
		}
	}
	m.Git = output("git", "describe", "--always", "--dirty")
	m.Docker = output("docker", "version", "--format", "{{.Server.Version}}")
}

func output(name string, args ...string) string {
	b, err := exec.Command(name, args...).Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// WriteJSON writes v as indented JSON.
func WriteJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// The files of a run directory that are not one attack's.
const (
	MetaFile    = "meta.json"
	SummaryFile = "summary.json"
	SummaryCSV  = "summary.csv"
)

// AttackBase is the base path of one attack's files: AttackBase +
// ResultsExt holds its vegeta results, AttackBase + SeriesExt its series.
func AttackBase(dir, scenario, model string, repeat int) string {
	return filepath.Join(dir, scenario, fmt.Sprintf("%s.r%d", model, repeat))
}

// The extensions of an attack's files (after AttackBase).
const (
	ResultsExt = ".gob.gz"
	SeriesExt  = ".csv"
)

// CalibrationRow is one short closed attack of -server-cpu auto: a model
// with its whole CPU under one request shape, and what it showed of the
// generator and the server.
type CalibrationRow struct {
	Shape        string  `json:"shape"` // keep-alive or close, and the paths
	Model        string  `json:"model"`
	Answers      float64 `json:"answers_per_s"`
	HarnessShare float64 `json:"harness_cpu_share"`
	// Ceiling is the generator's rate at a whole core: Answers over
	// HarnessShare.
	Ceiling float64 `json:"generator_ceiling_per_s"`
	// ServerUS is the server's CPU per answer (µs).
	ServerUS float64 `json:"server_cpu_us_per_answer"`
	// Share is the CPU share the model had, for a row that checks the
	// chosen share; 0 for the rows at a whole CPU.
	Share float64 `json:"share,omitempty"`
}

// Shapes lists the request shapes of calibration rows, in first-seen
// order.
func Shapes(rows []CalibrationRow) []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range rows {
		if !seen[r.Shape] {
			seen[r.Shape] = true
			out = append(out, r.Shape)
		}
	}
	return out
}

// Fastest is the calibration row of shape at a whole CPU with the most
// answers/s: the attack that drove the generator hardest, whose ceiling is
// the generator's for that shape.
func Fastest(rows []CalibrationRow, shape string) (CalibrationRow, bool) {
	var best CalibrationRow
	ok := false
	for _, r := range rows {
		if r.Share > 0 {
			continue // a check at a share, not the model at its fastest
		}
		if r.Shape == shape && (!ok || r.Answers > best.Answers) {
			best, ok = r, true
		}
	}
	return best, ok
}

// WriteMeta writes dir's meta.json.
func WriteMeta(dir string, m *Meta) error { return WriteJSON(filepath.Join(dir, MetaFile), m) }

// WriteAttack stores one attack's results (vegeta's gob encoding, gzipped)
// and its time series.
func WriteAttack(dir, scenario, model string, repeat int, rs []vegeta.Result, series []summary.Second) error {
	base := AttackBase(dir, scenario, model, repeat)
	if err := os.MkdirAll(filepath.Dir(base), 0o755); err != nil {
		return err
	}
	f, err := os.Create(base + ResultsExt)
	if err != nil {
		return err
	}
	zw := gzip.NewWriter(f)
	enc := vegeta.NewEncoder(zw)
	for i := range rs {
		if err := enc.Encode(&rs[i]); err != nil {
			f.Close()
			return err
		}
	}
	if err := zw.Close(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return WriteSeries(base+SeriesExt, series)
}

// WriteSeries writes a time series as CSV.
func WriteSeries(path string, series []summary.Second) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	_ = w.Write([]string{"t_s", "offered_rps", "sent", "ok", "failed", "p50_ms", "p95_ms", "p99_ms", "not_sent"})
	for _, s := range series {
		_ = w.Write([]string{strconv.Itoa(s.T), ff(s.Offered), strconv.Itoa(s.Sent), strconv.Itoa(s.OK),
			strconv.Itoa(s.Failed), ff(s.P50), ff(s.P95), ff(s.P99), strconv.Itoa(s.NotSent)})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// ReadSeries reads a time series written by WriteSeries, older ones
// without the not_sent column included.
func ReadSeries(path string) ([]summary.Second, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, err
	}
	var out []summary.Second
	for _, r := range rows[1:] {
		if len(r) < 8 {
			continue
		}
		t, _ := strconv.Atoi(r[0])
		num := func(s string) float64 { v, _ := strconv.ParseFloat(s, 64); return v }
		n := func(s string) int { v, _ := strconv.Atoi(s); return v }
		sec := summary.Second{T: t, Offered: num(r[1]), Sent: n(r[2]), OK: n(r[3]), Failed: n(r[4]),
			P50: num(r[5]), P95: num(r[6]), P99: num(r[7])}
		if len(r) > 8 { // series written before not_sent was kept lack it
			sec.NotSent = n(r[8])
		}
		out = append(out, sec)
	}
	return out, nil
}

func ff(v float64) string { return strconv.FormatFloat(v, 'f', 3, 64) }

// WriteSummaries writes summary.json and summary.csv.
func WriteSummaries(dir string, rows []*summary.Summary) error {
	if err := WriteJSON(filepath.Join(dir, SummaryFile), rows); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(dir, SummaryCSV))
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	head := []string{"scenario", "model", "repeat"}
	for _, c := range summary.Columns {
		head = append(head, c.Name)
	}
	_ = w.Write(append(head, "errors", "codes"))
	for _, s := range rows {
		line := []string{s.Scenario, s.Model, strconv.Itoa(s.Repeat)}
		for _, c := range summary.Columns {
			v, ok := c.Value(s)
			if !ok {
				line = append(line, "")
				continue
			}
			if v == math.Trunc(v) && math.Abs(v) < 1e15 {
				line = append(line, strconv.FormatFloat(v, 'f', 0, 64)) // a count
				continue
			}
			line = append(line, ff(v))
		}
		_ = w.Write(append(line, mapString(s.Errors), mapString(s.Codes)))
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// ReadSummaries reads summary.json.
func ReadSummaries(dir string) ([]*summary.Summary, error) {
	b, err := os.ReadFile(filepath.Join(dir, SummaryFile))
	if err != nil {
		return nil, err
	}
	var rows []*summary.Summary
	return rows, json.Unmarshal(b, &rows)
}

// ReadMeta reads meta.json.
func ReadMeta(dir string) (*Meta, error) {
	b, err := os.ReadFile(filepath.Join(dir, MetaFile))
	if err != nil {
		return nil, err
	}
	var m Meta
	return &m, json.Unmarshal(b, &m)
}

// mapString writes a map as "k=v k=v", keys sorted.
func mapString(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s=%d", k, m[k])
	}
	return b.String()
}

// PerfFile is netbench perf's file of measurements (one row per server,
// load and round).
const PerfFile = "perf.json"

// IdleFile is the run directory's file of idle-connection measurements.
const IdleFile = "idle.json"

// IdleRow is one model's memory per idle keep-alive connection.
type IdleRow struct {
	Model          string  `json:"model"`
	Conns          int     `json:"conns"`
	PSSPerConnKiB  float64 `json:"pss_per_conn_kib"`
	RSSPerConnKiB  float64 `json:"rss_per_conn_kib"`
	ThreadsPerConn float64 `json:"threads_per_conn"`
	ProcsPerConn   float64 `json:"procs_per_conn"`
	Failed         int     `json:"failed"`
	Note           string  `json:"note,omitempty"`
}

// Measured says whether the row has a per-connection figure: a model that
// held fewer than two idle connections at once (iterative serves one at a
// time) has none, whatever its PSSPerConnKiB says.
func (r IdleRow) Measured() bool { return r.Conns > 1 }

// ReadIdle reads a run's idle.json; none is not an error.
func ReadIdle(dir string) ([]IdleRow, error) {
	b, err := os.ReadFile(filepath.Join(dir, IdleFile))
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var rows []IdleRow
	return rows, json.Unmarshal(b, &rows)
}
