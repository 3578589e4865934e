// Package faults is the reliability suite: what real clients and real
// overload do to a model, measured. Each case starts a fresh server
// (natively, pinned like netbench run), does one thing to it, and returns
// figures and a verdict:
//
//   - overload: twice the model's capacity for a while, then half of it,
//     twice over: how long until p50 and p99 are back within 2x of before,
//     and whether descriptors, threads, processes or memory stayed behind;
//   - slowloris: a thousand connections trickling a header that never
//     ends, beside clients at a fixed rate: the good clients' success and
//     p99, and whether the header timeout frees the slots;
//   - emfile: a descriptor limit of 256 and a thousand connections: accept
//     errors must not spin a core, and service resumes after the flood;
//   - pids: the fork and prefork models under a pids cgroup limit, 10,000
//     connections: failed forks answer 503 or close, the parent lives, and
//     no zombie is left;
//   - shutdown: SIGTERM in the middle of a constant-rate attack: no answer
//     cut off mid-body;
//   - soak: 70% of capacity for a minute: no growth of memory, descriptors
//     or processes.
//
// A case a model fails by its design (the iterative model under slowloris)
// is marked so, with the reason, in its traits (model.Traits.Stress); it is still run and
// measured.
package faults

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"netmodels/bench/session"
	"netmodels/servers/model"
)

// Options of a suite run.
type Options struct {
	// Servers start the model of each case, a fresh one per case, with
	// the case's descriptor limit where it has one.
	Servers session.Servers
	Short   bool // the CI form: shorter phases, fewer connections
	Log     func(format string, args ...any)
	Cgroups string // cgroup v1 root for the pids case (default /sys/fs/cgroup)
	// Traits are the models' traits by name, as the binary describes them
	// (runner.Traits): which cases a design fails, and whether it starts
	// processes.
	Traits map[string]model.Traits
	// LogDir, when set, is where a case that fails keeps the server's
	// whole log, as <model>-<case>.log; the result's detail names it.
	LogDir string
	// MemProfile, with LogDir, has the overload case ask the server for a
	// heap profile after each of its memory readings (netserver
	// -memprofile): LogDir/<model>-overload-N.pprof, and the runtime's
	// breakdown of its memory in LogDir/<model>-overload.memory.
	MemProfile bool
}

// serverLog adds the end of a failed case's server log to its detail and
// keeps the whole log in LogDir.
func (o Options) serverLog(r *Result, log string) {
	r.Detail += "; server log: " + lastLines(log, 3)
	if o.LogDir == "" {
		return
	}
	name := filepath.Join(o.LogDir, r.Model+"-"+r.Case+".log")
	if err := os.WriteFile(name, []byte(log), 0o644); err == nil {
		r.Detail += " (whole log: " + name + ")"
	}
}

func (o Options) logf(format string, args ...any) {
	if o.Log != nil {
		o.Log(format, args...)
	}
}

// pick returns the full or the short value.
func (o Options) pick(full, short time.Duration) time.Duration {
	if o.Short {
		return short
	}
	return full
}

// Result is one case on one model.
type Result struct {
	Model    string             `json:"model"`
	Case     string             `json:"case"`
	Pass     bool               `json:"pass"`
	Skipped  string             `json:"skipped,omitempty"`   // why the case does not apply
	ByDesign string             `json:"by_design,omitempty"` // a failure the model's design predicts
	Figures  map[string]float64 `json:"figures"`
	Detail   string             `json:"detail"`
	// Hard is set when a failure is one of correctness, not of timing:
	// the server died, spun, leaked descriptors or processes, left a
	// zombie or cut an answer. Timing verdicts (recovery time, the good
	// clients' success beside slowloris, memory within 10%) depend on
	// the machine; these do not. make stress-short fails on them only.
	Hard string `json:"hard,omitempty"`
}

// Verdict is the result's state: pass, n/a, fails by design, FAIL (a
// correctness property broke) or below target (a timing figure missed its
// threshold on this machine).
func (r Result) Verdict() string {
	switch {
	case r.Skipped != "":
		return "n/a"
	case r.Pass:
		return "pass"
	case r.ByDesign != "":
		return "fails by design"
	case r.Hard != "":
		return "FAIL"
	}
	return "below target" // a timing verdict: see Hard
}

// Case is one reliability case.
type Case struct {
	Name string
	Doc  string
	Run  func(model string, o Options) Result
}

// Cases are the suite, in order.
var Cases = []Case{
	{"overload", "2x capacity, then half: recovery time and leaks", overload},
	{"slowloris", "1000 trickling headers beside good clients", slowloris},
	{"emfile", "ulimit -n 256 and 1000 connections", emfile},
	{"pids", "fork/prefork under a pids limit, 10,000 connections", pidsLimit},
	{"shutdown", "SIGTERM during a constant-rate attack", shutdown},
	{"soak", "70% of capacity for a minute: no growth", soak},
}

// Table writes results as a Markdown table: one row per model, one column
// per case, with each case's key figure.
func Table(rs []Result) string {
	var models []string
	seen := map[string]bool{}
	cell := map[string]Result{}
	for _, r := range rs {
		if !seen[r.Model] {
			seen[r.Model] = true
			models = append(models, r.Model)
		}
		cell[r.Model+"/"+r.Case] = r
	}
	var b strings.Builder
	b.WriteString("| model |")
	for _, c := range Cases {
		b.WriteString(" " + c.Name + " |")
	}
	b.WriteString("\n|---|")
	for range Cases {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	for _, m := range models {
		b.WriteString("| " + m + " |")
		for _, c := range Cases {
			r, ok := cell[m+"/"+c.Name]
			if !ok {
				b.WriteString(" – |")
				continue
			}
			detail := r.Detail
			if r.Skipped != "" {
				detail = r.Skipped
			}
			fmt.Fprintf(&b, " %s: %s |", r.Verdict(), detail)
		}
		b.WriteString("\n")
	}
	var notes []string
	for _, r := range rs {
		if r.ByDesign != "" && !r.Pass {
			notes = append(notes, fmt.Sprintf("- %s, %s: %s.", r.Model, r.Case, r.ByDesign))
		}
	}
	sort.Strings(notes)
	if len(notes) > 0 {
		b.WriteString("\nFailures by design:\n\n" + strings.Join(notes, "\n") + "\n")
	}
	return b.String()
}
