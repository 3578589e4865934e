// Package doctor checks, before a run, what this machine gives netmodels:
// each requirement, whether it is met, what it is used for and what a run
// gives up without it. Nothing here fails a run; netbench turns a missing
// feature off and says so in the run's meta (the report's "Where and
// how").
package doctor

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// Result is one requirement, checked.
type Result struct {
	Name    string // what is needed
	OK      bool
	Found   string // what the check found, or why it failed
	UsedBy  string // what uses it
	Without string // what a run does or gives up without it
}

// Check runs every check, in the order of the table.
func Check() []Result {
	return []Result{
		linuxCheck(),
		cpusCheck(),
		tool("taskset", "util-linux", "pinning the server and the generator to CPUs of their own (make bench, netbench run -server-cpus)", "they share the CPUs, and meta.json says so"),
		quotaCheck(),
		perfCheck(),
		iouringCheck(),
		nofileCheck(),
		conntrackCheck(),
		dockerCheck(),
		tool("wrk", "wrk", "netbench perf, and netbench run -wrk (a cross-check of the closed hello scenarios)", "netbench perf refuses to run, saying so; netbench run and the UI do not need it"),
		tool("nginx", "nginx", "netbench perf's reference server", "netbench perf refuses nginx in -models, saying so: leave it out"),
		tool("locust", "python3-locust", "netbench locust, make locust (Locust beside netbench on one server)", "netbench locust refuses to run"),
		pythonCheck(),
		chromiumCheck(),
	}
}

// Missing is the names of the requirements not met.
func Missing(rs []Result) []string {
	var out []string
	for _, r := range rs {
		if !r.OK {
			out = append(out, r.Name)
		}
	}
	return out
}

// Table is the results as a Markdown table.
func Table(rs []Result) string {
	var b strings.Builder
	b.WriteString("| requirement | | found | used by | without it |\n|---|---|---|---|---|\n")
	for _, r := range rs {
		mark := "ok"
		if !r.OK {
			mark = "**missing**"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", r.Name, mark, cell(r.Found), cell(r.UsedBy), cell(r.Without))
	}
	return b.String()
}

func cell(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, "|", "\\|"), "\n", " ") }

// tool checks for a program in PATH; pkg is the Debian package that
// installs it.
func tool(name, pkg, usedBy, without string) Result {
	r := Result{Name: name, UsedBy: usedBy, Without: without}
	p, err := exec.LookPath(name)
	if err != nil {
		r.Found = "not in PATH: apt-get install " + pkg
		return r
	}
	r.OK, r.Found = true, p
	return r
}

// output runs a command with a timeout and returns its output: a check
// never hangs on a stuck daemon.
func output(d time.Duration, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	b, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	return strings.TrimSpace(string(b)), err
}

func dockerCheck() Result {
	r := Result{Name: "Docker", UsedBy: "make bench-all, make docker-test (every model in its own container)",
		Without: "make bench-all says so and stops: use make bench, the same comparison natively"}
	if _, err := exec.LookPath("docker"); err != nil {
		r.Found = "no docker command: install Docker Engine (docker.io)"
		return r
	}
	v, err := output(10*time.Second, "docker", "version", "--format", "{{.Server.Version}}")
	if err != nil {
		r.Found = "the engine does not answer: " + firstLine(v, err) + " (is dockerd running, and may this user use it?)"
		return r
	}
	r.OK, r.Found = true, "engine "+v
	return r
}

func firstLine(out string, err error) string {
	if out == "" {
		return err.Error()
	}
	l, _, _ := strings.Cut(out, "\n")
	return l
}

func pythonCheck() Result {
	r := Result{Name: "python3, Django, gunicorn", UsedBy: "the seeds' own systems (py-*, django-*: make bench PROFILE=seeds, netbench run -models py-single)",
		Without: "a run records each one's start error, naming what to install, in meta.json and goes on with the models"}
	py := "/usr/bin/python3"
	if _, err := exec.LookPath(py); err != nil {
		r.Found = "no /usr/bin/python3: apt-get install python3 python3-django gunicorn"
		return r
	}
	var missing []string
	for _, m := range [][2]string{{"django", "python3-django"}, {"gunicorn", "gunicorn"}} {
		if _, err := output(20*time.Second, py, "-c", "import "+m[0]); err != nil {
			missing = append(missing, m[1])
		}
	}
	if len(missing) > 0 {
		r.Found = "apt-get install " + strings.Join(missing, " ")
		return r
	}
	v, _ := output(10*time.Second, py, "--version")
	r.OK, r.Found = true, v+", django and gunicorn"
	return r
}

func chromiumCheck() Result {
	r := Result{Name: "Chromium", UsedBy: "make test's browser tests (netbench ui, the up-down game)", Without: "make test installs it (apt-get, scripts/browser-test.sh)"}
	for _, n := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(n); err == nil {
			r.OK, r.Found = true, p
			return r
		}
	}
	r.Found = "not in PATH: apt-get install chromium"
	return r
}
