// Package coursework checks docs/coursework.md: each exercise's command,
// at a reduced size, must show what the exercise says the data will show.
// It runs the built binaries (make build) and takes minutes, so it runs
// only under make coursework-check (NETMODELS_COURSEWORK=1), which CI
// runs; an exercise that needs hardware this machine lacks is skipped by
// name, with the reason.
package coursework

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"netmodels/bench/runner"
	"netmodels/bench/store"
	"netmodels/bench/summary"
)

var root = filepath.Join("..", "..")

func bin(name string) string { return filepath.Join(root, "bin", name) }

func TestMain(m *testing.M) {
	if os.Getenv("NETMODELS_COURSEWORK") == "" {
		fmt.Println("coursework: skipped; make coursework-check runs it")
		os.Exit(0)
	}
	for _, b := range []string{"netserver", "netchild", "netbench"} {
		if _, err := os.Stat(bin(b)); err != nil {
			fmt.Printf("coursework: %v (make build first)\n", err)
			os.Exit(1)
		}
	}
	os.Exit(m.Run())
}

// netbench runs bin/netbench from the repository root, bounded in time,
// and returns its standard output.
func netbench(t *testing.T, limit time.Duration, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join("bin", "netbench"), args...)
	cmd.Dir = root
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("netbench %s: %v\n%s", strings.Join(args, " "), err, tail(stderr.String()))
	}
	return string(out)
}

func tail(s string) string {
	if len(s) > 2000 {
		return s[len(s)-2000:]
	}
	return s
}

// run runs netbench run with args into a fresh results directory and
// returns the run directory and its summaries.
func run(t *testing.T, limit time.Duration, args ...string) (string, []*summary.Summary) {
	t.Helper()
	out := t.TempDir()
	netbench(t, limit, append([]string{"run", "-out", out, "-server-cpus", "0"}, args...)...)
	dirs, _ := filepath.Glob(filepath.Join(out, "*"))
	if len(dirs) != 1 {
		t.Fatalf("netbench run left %v", dirs)
	}
	rows, err := store.ReadSummaries(dirs[0])
	if err != nil {
		t.Fatal(err)
	}
	return dirs[0], rows
}

func find(t *testing.T, rows []*summary.Summary, scenario, model string) *summary.Summary {
	t.Helper()
	for _, s := range rows {
		if s.Scenario == scenario && s.Model == model {
			return s
		}
	}
	t.Fatalf("no %s on %s in the run", scenario, model)
	return nil
}

func route(t *testing.T, s *summary.Summary, prefix string) summary.Route {
	t.Helper()
	for _, r := range s.Routes {
		if strings.HasPrefix(r.Name, prefix) {
			return r
		}
	}
	t.Fatalf("%s on %s: no route %s in %+v", s.Scenario, s.Model, prefix, s.Routes)
	return summary.Route{}
}

// TestExercisesCovered holds every exercise of coursework.md to a check
// here: a new exercise without one fails.
func TestExercisesCovered(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(root, "docs", "coursework.md"))
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("coursework_test.go")
	if err != nil {
		t.Fatal(err)
	}
	heads := regexp.MustCompile(`(?m)^## (\d+)\. `).FindAllStringSubmatch(string(b), -1)
	if len(heads) < 10 {
		t.Fatalf("coursework.md has %d numbered exercises", len(heads))
	}
	for _, h := range heads {
		if !strings.Contains(string(src), "func TestExercise"+h[1]+"_") {
			t.Errorf("exercise %s has no TestExercise%s_ check", h[1], h[1])
		}
	}
}

// 1. One at a time: a /hello behind a 1.5 s /sleep waits for it on
// iterative, and not on goroutine.
func TestExercise1_OneAtATime(t *testing.T) {
	wait := func(model string) time.Duration {
		s, err := runner.Start(model, runner.Options{Bin: bin("netserver"), CPUs: "0"})
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _, _ = s.Stop(10 * time.Second) }()
		base := "http://" + s.Addr
		if err := runner.WaitHealthy(base, 10*time.Second); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() {
			r, err := http.Get(base + "/sleep?ms=1500")
			if err == nil {
				r.Body.Close()
			}
			done <- err
		}()
		time.Sleep(100 * time.Millisecond)
		began := time.Now()
		r, err := (&http.Client{Timeout: 10 * time.Second}).Get(base + "/hello")
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		took := time.Since(began)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		return took
	}
	if d := wait("iterative"); d < 1200*time.Millisecond {
		t.Errorf("iterative answered /hello in %v behind a 1.5 s /sleep: the exercise says it waits", d)
	}
	if d := wait("goroutine"); d > 500*time.Millisecond {
		t.Errorf("goroutine took %v for /hello beside a /sleep", d)
	}
}

// 2. The price of a process: fork's CPU per answer is milliseconds with a
// new connection per request, tens of µs for the others, and comes down
// with keep-alive.
func TestExercise2_PriceOfAProcess(t *testing.T) {
	_, rows := run(t, 3*time.Minute, "-models", "fork,prefork,goroutine", "-scenarios", "hello-close,hello-keepalive", "-duration", "2s")
	fc, fk := find(t, rows, "hello-close", "fork"), find(t, rows, "hello-keepalive", "fork")
	pc, gc := find(t, rows, "hello-close", "prefork"), find(t, rows, "hello-close", "goroutine")
	t.Logf("µs/answer: fork close %.0f, keep-alive %.1f; prefork close %.1f; goroutine close %.1f",
		fc.ServerCPUPerAnswer, fk.ServerCPUPerAnswer, pc.ServerCPUPerAnswer, gc.ServerCPUPerAnswer)
	if fc.ServerCPUPerAnswer < 1000 {
		t.Errorf("fork costs %.0f µs per new connection; the exercise says milliseconds", fc.ServerCPUPerAnswer)
	}
	if fc.ServerCPUPerAnswer < 10*pc.ServerCPUPerAnswer || fc.ServerCPUPerAnswer < 10*gc.ServerCPUPerAnswer {
		t.Errorf("fork is not ten times prefork's or goroutine's cost per connection")
	}
	if fk.ServerCPUPerAnswer > fc.ServerCPUPerAnswer/10 {
		t.Errorf("keep-alive does not amortise fork's cost: %.0f µs against %.0f", fk.ServerCPUPerAnswer, fc.ServerCPUPerAnswer)
	}
}

// 3. Threads are not free: memory per idle connection, thread > goroutine
// > epoll, thread at least ten times epoll.
func TestExercise3_ThreadsAreNotFree(t *testing.T) {
	dir := t.TempDir()
	netbench(t, 2*time.Minute, "idle", "-n", "1000", "-models", "thread,goroutine,epoll", "-run-dir", dir)
	rows, err := store.ReadIdle(dir)
	if err != nil || len(rows) != 3 {
		t.Fatalf("idle rows %+v: %v", rows, err)
	}
	kib := map[string]float64{}
	for _, r := range rows {
		kib[r.Model] = r.PSSPerConnKiB
	}
	t.Logf("KiB per idle connection: %v", kib)
	if !(kib["thread"] > kib["goroutine"] && kib["goroutine"] > kib["epoll"]) || kib["thread"] < 10*kib["epoll"] {
		t.Errorf("the exercise promises thread > goroutine > epoll, thread ten times epoll: %v", kib)
	}
}

// 4. select's wall: past 1024 descriptors select holds no more, and says
// so to the connections it refuses.
func TestExercise4_SelectsWall(t *testing.T) {
	dir := t.TempDir()
	out := netbench(t, 2*time.Minute, "idle", "-n", "1100", "-models", "select", "-over-cap", "-run-dir", dir)
	rows, err := store.ReadIdle(dir)
	if err != nil || len(rows) != 1 {
		t.Fatalf("idle rows %+v: %v", rows, err)
	}
	r := rows[0]
	t.Logf("held %d, failed %d: %s", r.Conns, r.Failed, r.Note)
	if r.Conns > 1024 || r.Conns < 900 || r.Failed < 1100-1024 {
		t.Errorf("select held %d and refused %d of 1100; the exercise says about 1000 held and the rest refused\n%s", r.Conns, r.Failed, out)
	}
	if !strings.Contains(r.Note, "503") {
		t.Errorf("the refusals are not 503s: %q", r.Note)
	}
}

// 5. Open and closed loads: the stepped open load finds a knee and its
// p99 climbs by an order of magnitude past it; the closed load has no
// knee to find. The calm p99 is the least of the steps below the knee:
// one step of 2 s holds a single stall of the machine in its p99 (a
// clean-clone CI run on 2026-12-05 read 26 ms at 1000/s, then 1.5-2.7 ms
// below the knee on the same commit by hand).
func TestExercise5_OpenAndClosed(t *testing.T) {
	dir, rows := run(t, 3*time.Minute, "-models", "epoll", "-scenarios", "hello-keepalive,hello-stress", "-duration", "2s", "-server-cpu", "0.2")
	st := find(t, rows, "hello-stress", "epoll").Stress
	if st == nil || len(st.Steps) < 3 {
		t.Fatalf("hello-stress has no stress steps: %+v", st)
	}
	calm, last := st.Steps[0], st.Steps[len(st.Steps)-1]
	for _, s := range st.Steps {
		if s.Offered < st.KneeRPS && s.P99 < calm.P99 {
			calm = s
		}
	}
	t.Logf("knee %.0f/s, break %.0f/s, p99 %v at %.0f/s (the calmest step below the knee), %v at %.0f/s", st.KneeRPS, st.BreakRPS, calm.P99, calm.Offered, last.P99, last.Offered)
	if st.KneeRPS <= 0 || st.KneeRPS >= last.Offered {
		t.Errorf("no knee inside the steps: %.0f", st.KneeRPS)
	}
	if last.P99 < 10*calm.P99 {
		t.Errorf("p99 past the knee (%v) is not ten times that of the calmest step below it (%v at %.0f/s)", last.P99, calm.P99, calm.Offered)
	}
	if find(t, rows, "hello-keepalive", "epoll").Stress != nil {
		t.Error("the closed load has stress figures")
	}
	if _, err := os.Stat(filepath.Join(dir, "charts", "hello-stress-p99.png")); err != nil {
		t.Errorf("the report has no p99 chart for the stress test: %v", err)
	}
}

// 6. A CPU-heavy request on one event loop delays the cheap ones behind
// it for about a sort's time; a goroutine per connection lets the runtime
// preempt the sort, so cheap requests wait well under a sort's time. Both
// are held against the sort's own time, measured in the same run. The
// sorts are heavy (n=20000, about 0.2 s) and rare: a goroutine's wait
// behind one is the scheduler's (10-30 ms) whatever the sort costs, so
// the margin grows with the sort (docs/measurements/coursework-check.md).
func TestExercise6_HeavyRequestOnALoop(t *testing.T) {
	_, rows := run(t, 3*time.Minute, "-models", "epoll,goroutine", "-scenarios", "sort-mix")
	e, g := find(t, rows, "sort-mix", "epoll"), find(t, rows, "sort-mix", "goroutine")
	eh, gh, sort := route(t, e, "/hello"), route(t, g, "/hello"), route(t, e, "/sort/bubble")
	t.Logf("/hello p99: epoll %.1f ms, goroutine %.1f ms; bubble sort median %.1f ms", eh.P99, gh.P99, sort.Median)
	if eh.P99 < sort.Median/2 {
		t.Errorf("on epoll the hello p99 (%.1f ms) is not near a sort's time (%.1f ms)", eh.P99, sort.Median)
	}
	if gh.P99 > 0.7*sort.Median {
		t.Errorf("goroutine's hello p99 (%.1f ms) is not well under a sort's time (%.1f ms)", gh.P99, sort.Median)
	}
}

// 7. Reproduce the seeds: the committed seeds run's report has the seeds'
// section with both tables and the seeds' own systems in them; and, run
// here on the blog's own Python servers, the blog's fix of its join() bug
// flips the ranking of its multi-thread and single-process servers where
// some clients are late to send (blog-late-clients), and not where every
// client sends at once (hello-close): fixing the bug matters only when a
// connection makes a serial server wait.
func TestExercise7_ReproduceTheSeeds(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(root, "results", "seeds", "REPORT.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"## Reproducing the seeds", "### The blog: Python servers under Locust", "### The course slides",
		"| py-thread-join |", "| py-thread |", "django-runserver (the course's Django views, runserver)"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("the seeds run's report lacks %q", want)
		}
	}
	models := "py-single,py-thread-join,py-thread"
	_, late := run(t, 3*time.Minute, "-models", models, "-scenarios", "blog-late-clients", "-duration", "6s")
	_, fast := run(t, 3*time.Minute, "-models", models, "-scenarios", "hello-close", "-duration", "3s")
	rate := func(rows []*summary.Summary, sc, m string) float64 { return find(t, rows, sc, m).Throughput }
	single, joined, fixed := rate(late, "blog-late-clients", "py-single"), rate(late, "blog-late-clients", "py-thread-join"), rate(late, "blog-late-clients", "py-thread")
	t.Logf("late clients, answers/s: py-single %.0f, py-thread-join %.0f, py-thread %.0f", single, joined, fixed)
	if fixed < 3*single || fixed < 3*joined {
		t.Errorf("with late clients the blog's fixed thread server (%.0f/s) is not well ahead of its serial servers (single %.0f/s, join in the loop %.0f/s)", fixed, single, joined)
	}
	fs, fj, ff := rate(fast, "hello-close", "py-single"), rate(fast, "hello-close", "py-thread-join"), rate(fast, "hello-close", "py-thread")
	t.Logf("prompt clients, answers/s: py-single %.0f, py-thread-join %.0f, py-thread %.0f", fs, fj, ff)
	if fs < 1.5*ff || fs < 1.5*fj {
		t.Errorf("with prompt clients the single-process server (%.0f/s) is not ahead of both thread servers (%.0f/s join, %.0f/s fixed): a thread per connection should cost more than it gains", fs, fj, ff)
	}
}

// 8. Overload and recovery: a model under a CPU budget breaks in the
// blog's steps and recovers after them.
func TestExercise8_OverloadAndRecovery(t *testing.T) {
	// A tenth of a CPU, the least a 10 ms period allows: on a 2-CPU Intel
	// Xeon VM (2026-12-03) epoll on a fifth served every step up to
	// 12000 new connections/s, and on a tenth broke at 8000/s (6793
	// answers/s) and recovered in 2 s.
	dir, rows := run(t, 3*time.Minute, "-models", "epoll", "-scenarios", "blog", "-server-cpu", "0.1")
	st := find(t, rows, "blog", "epoll").Stress
	if st == nil {
		t.Fatal("no stress figures")
	}
	t.Logf("knee %.0f/s, break %.0f/s (on the steps %.0f/s, held %.0f/s, %d probes), recovery %.1f s", st.KneeRPS, st.BreakRPS, st.GridBreakRPS, st.CleanRPS, len(st.Probes), st.RecoverySeconds)
	if st.BreakRPS <= 0 {
		t.Errorf("epoll on a tenth of a CPU did not break up to 12000 new connections/s")
	}
	// The breaking point is measured, not read off the grid: the probes
	// bracket it within 10%.
	if st.CleanRPS <= 0 || st.BreakRPS > 1.1*st.CleanRPS {
		t.Errorf("the breaking point is not narrowed to 10%%: held %.0f/s, broke at %.0f/s after %d probes", st.CleanRPS, st.BreakRPS, len(st.Probes))
	}
	if st.RecoverySeconds < 0 {
		t.Errorf("epoll did not recover within the recovery window")
	}
	if _, err := os.Stat(filepath.Join(dir, "charts", "breaking-points.png")); err != nil {
		t.Errorf("no breaking-points chart: %v", err)
	}
}

// 9. The up-down game under fork: every answer right.
func TestExercise9_StateWithoutMemory(t *testing.T) {
	_, rows := run(t, 2*time.Minute, "-models", "fork", "-scenarios", "updown", "-duration", "4s")
	s := find(t, rows, "updown", "fork")
	t.Logf("%d requests, success %.3f, errors %v", s.Requests, s.Success, s.Errors)
	if s.Requests < 100 || s.Errors["wrong-answer"] > 0 || s.Success < 0.99 {
		t.Errorf("the game under fork: %d requests, success %.3f, errors %v", s.Requests, s.Success, s.Errors)
	}
}

// 10. Multi-core scaling needs eight cores or more.
func TestExercise10_MultiCore(t *testing.T) {
	if n := runtime.NumCPU(); n < 8 {
		t.Skipf("exercise 10 needs 8 or more cores; this machine has %d", n)
	}
	_, rows := run(t, 3*time.Minute, "-models", "epoll,epoll-multi", "-scenarios", "hello-keepalive", "-duration", "2s",
		"-server-cpus", "0-3", "-harness-cpus", "4-7")
	one, multi := find(t, rows, "hello-keepalive", "epoll"), find(t, rows, "hello-keepalive", "epoll-multi")
	if multi.ServerCPUShare < 2*one.ServerCPUShare {
		t.Errorf("epoll-multi used %.2f CPUs, epoll %.2f: no scaling", multi.ServerCPUShare, one.ServerCPUShare)
	}
}

// 11. Count the calls: iouring's system calls per keep-alive answer are
// a fraction of epoll's, and it makes no read or write calls at all. How
// many answers one io_uring_enter carries depends on how the requests
// arrive: clean-clone CI runs read 0.13, 0.28, 0.19 and 0.58 calls per
// answer against epoll's 2.05-2.11, so the bound is a third of epoll's.
func TestExercise11_CountTheCalls(t *testing.T) {
	if _, err := exec.LookPath("perf"); err != nil || os.Geteuid() != 0 {
		t.Skip("exercise 11 counts with perf stat, as root: no perf here, or not root")
	}
	_, rows := run(t, 2*time.Minute, "-models", "epoll,iouring", "-scenarios", "hello-keepalive", "-duration", "2s", "-kernel")
	e, u := find(t, rows, "hello-keepalive", "epoll"), find(t, rows, "hello-keepalive", "iouring")
	if e.Kernel == nil || u.Kernel == nil {
		t.Fatalf("no kernel counts: epoll %q, iouring %q", e.KernelNote, u.KernelNote)
	}
	t.Logf("syscalls per answer: epoll %.2f (reads %.2f, writes %.2f), iouring %.2f (reads %.2f, writes %.2f); CPU µs/answer: epoll %.1f, iouring %.1f",
		e.Kernel.Syscalls, e.Kernel.Reads, e.Kernel.Writes, u.Kernel.Syscalls, u.Kernel.Reads, u.Kernel.Writes, e.ServerCPUPerAnswer, u.ServerCPUPerAnswer)
	if u.Kernel.Syscalls > e.Kernel.Syscalls/3 {
		t.Errorf("iouring's %.2f system calls per answer are not under a third of epoll's %.2f", u.Kernel.Syscalls, e.Kernel.Syscalls)
	}
	if u.Kernel.Reads+u.Kernel.Writes > 0.05 {
		t.Errorf("iouring made %.2f reads and writes per answer; its receives and sends are submitted", u.Kernel.Reads+u.Kernel.Writes)
	}
}
