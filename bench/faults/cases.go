package faults

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"netmodels/bench/attack"
	"netmodels/bench/runner"
	"netmodels/bench/sample"
	"netmodels/bench/scenario"
)

// work is the request of the load phases: CPU-bound (about 0.6 ms of CPU
// here), so that one core is the bottleneck of every model at rates the
// generator sustains, and a new connection each, as the blog's clients.
const work = "/sort/bubble?n=1000"

func start(model string, o Options, nofile int, args ...string) (*runner.Server, error) {
	return runner.Start(model, runner.Options{Bin: o.Bin, CPUs: o.CPUs, NoFile: nofile, Args: args})
}

func result(model, name string, o Options) Result {
	return Result{Model: model, Case: name, Figures: map[string]float64{}, ByDesign: o.Traits[model].Stress[name]}
}

func fail(r Result, err error) Result {
	r.Pass, r.Detail, r.Hard = false, "error: "+err.Error(), err.Error()
	return r
}

// phase is the outcome of one open-load phase.
type phase struct {
	sent, ok int
	p50, p99 time.Duration // of all requests, lag behind schedule included
	perSec   []secStat     // by the second the requests were due
	rs       []vegeta.Result
}

type secStat struct {
	n, ok    int
	p50, p99 time.Duration // lag behind schedule included
	raw50    time.Duration // p50 of the latency as measured, without the lag
	lag50    time.Duration // p50 of the lag: the generator's share
}

// open runs an open load of rate/s GET path for d, a new connection per
// request.
func open(url, path string, rate float64, d time.Duration) (*phase, error) {
	sc := &scenario.Scenario{Name: "faults", Targets: []scenario.Target{{Path: path}},
		Load:     scenario.Load{Kind: scenario.Constant, Rate: rate},
		Duration: scenario.Duration{Duration: d}, Timeout: scenario.Duration{Duration: 2 * time.Second}, MaxConns: 2000}
	a, err := attack.Run(context.Background(), sc, attack.Options{URL: url, Name: "faults"})
	if err != nil {
		return nil, err
	}
	p := &phase{sent: len(a.Results), rs: a.Results}
	var all []time.Duration
	bySec := map[int][]time.Duration{}
	rawSec, lagSec, okSec := map[int][]time.Duration{}, map[int][]time.Duration{}, map[int]int{}
	for i, r := range a.Results {
		lat := r.Latency
		due, lag := time.Duration(0), time.Duration(0)
		if a.Due != nil {
			due = a.Due[i]
			lag = max(r.Timestamp.Sub(a.Began)-due, 0)
			lat += lag
		}
		sec := int(due / time.Second)
		rawSec[sec] = append(rawSec[sec], r.Latency)
		lagSec[sec] = append(lagSec[sec], lag)
		if r.Error == "" && r.Code == 200 {
			p.ok++
			okSec[sec]++
		} else {
			lat = 2 * time.Second // a failure counts as the timeout
		}
		all = append(all, lat)
		bySec[sec] = append(bySec[sec], lat)
	}
	p.p50, p.p99 = quantile(all, .5), quantile(all, .99)
	for s := 0; s <= int(d/time.Second); s++ {
		v := bySec[s]
		p.perSec = append(p.perSec, secStat{n: len(v), ok: okSec[s], p50: quantile(v, .5), p99: quantile(v, .99),
			raw50: quantile(rawSec[s], .5), lag50: quantile(lagSec[s], .5)})
	}
	return p, nil
}

// capacity measures answers/s of work on 32 connections back to back.
func capacity(url string, d time.Duration) (float64, error) {
	sc := &scenario.Scenario{Name: "capacity", Targets: []scenario.Target{{Path: work}},
		Load: scenario.Load{Kind: scenario.Closed, Conns: 32}, Duration: scenario.Duration{Duration: d},
		Timeout: scenario.Duration{Duration: 5 * time.Second}}
	a, err := attack.Run(context.Background(), sc, attack.Options{URL: url, Name: "capacity"})
	if err != nil {
		return 0, err
	}
	ok := 0
	for _, r := range a.Results {
		if r.Error == "" && r.Code == 200 {
			ok++
		}
	}
	if ok == 0 {
		return 0, fmt.Errorf("no answer in the capacity probe")
	}
	return float64(ok) / d.Seconds(), nil
}

func quantile(v []time.Duration, q float64) time.Duration {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	return s[min(int(q*float64(len(s))), len(s)-1)]
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }

// settle waits until the server's process tree stops shrinking (fork
// children exiting, threads ending), up to d, and samples it.
func settle(pid int, d time.Duration) (sample.Stat, error) {
	end := time.Now().Add(d)
	last, err := sample.Tree(pid)
	for err == nil && time.Now().Before(end) {
		time.Sleep(500 * time.Millisecond)
		var s sample.Stat
		if s, err = sample.Tree(pid); err != nil {
			break
		}
		if s.Procs == last.Procs && s.FDs == last.FDs && s.Threads == last.Threads {
			return s, nil
		}
		last = s
	}
	return last, err
}

// overload: capacity C (closed probe), C/2 for a baseline, then twice
// 2C followed by C/2 until p50 and p99 are within 2x of the baseline for 2
// seconds running. Descriptors and processes must be back to the
// baseline's after each cycle. Memory is judged between the two cycles:
// the first overload sets a Go runtime's high-water mark of heap and
// stacks, which it keeps for reuse and returns only slowly; a leak grows
// again with the second.
func overload(model string, o Options) Result {
	r := result(model, "overload", o)
	s, err := start(model, o, 0)
	if err != nil {
		return fail(r, err)
	}
	defer s.Stop(30 * time.Second)
	url := "http://" + s.Addr
	c, err := capacity(url, o.pick(3*time.Second, time.Second))
	if err != nil {
		return fail(r, err)
	}
	base, err := open(url, work, c/2, o.pick(4*time.Second, 2*time.Second))
	if err != nil {
		return fail(r, err)
	}
	before, err := settle(s.PID, 5*time.Second)
	if err != nil {
		return fail(r, err)
	}
	var recovered [2]float64
	var after [2]sample.Stat
	overOK := 0.0
	for cycle := 0; cycle < 2; cycle++ {
		over, err := open(url, work, 2*c, o.pick(10*time.Second, 2*time.Second))
		if err != nil {
			return fail(r, err)
		}
		overOK = float64(over.ok) / float64(max(over.sent, 1))
		// A model that queues (fork above all: every abandoned connection
		// in its backlog still costs a process start) drains the backlog at
		// C/2 spare capacity: up to 2 x 1024 / C seconds.
		rec, err := open(url, work, c/2, o.pick(30*time.Second, 10*time.Second))
		if err != nil {
			return fail(r, err)
		}
		recovered[cycle] = recoveryTime(rec.perSec, base)
		if cycle == 0 && recovered[0] < 0 && o.Log != nil {
			for i, st := range rec.perSec {
				o.logf("  %s overload, recovery second %d: %d sent, %d ok, p50 %.1f ms, p99 %.1f ms (baseline %.1f, %.1f); measured p50 %.1f ms, lag p50 %.1f ms",
					model, i, st.n, st.ok, ms(st.p50), ms(st.p99), ms(base.p50), ms(base.p99), ms(st.raw50), ms(st.lag50))
			}
		}
		if after[cycle], err = settle(s.PID, 10*time.Second); err != nil {
			return fail(r, err)
		}
	}
	f := r.Figures
	f["capacity_rps"], f["baseline_p50_ms"], f["baseline_p99_ms"] = c, ms(base.p50), ms(base.p99)
	f["overload_ok_share"] = overOK
	f["recovery_s"], f["recovery2_s"] = recovered[0], recovered[1]
	f["fds_before"], f["fds_after"] = float64(before.FDs), float64(after[1].FDs)
	f["threads_before"], f["threads_after"] = float64(before.Threads), float64(after[1].Threads)
	f["procs_before"], f["procs_after"] = float64(before.Procs), float64(after[1].Procs)
	f["rss_before_kib"], f["rss_after1_kib"], f["rss_after2_kib"] = float64(before.RSSKiB), float64(after[0].RSSKiB), float64(after[1].RSSKiB)
	var leaks []string
	for _, a := range after {
		if a.FDs > before.FDs+2 {
			leaks = append(leaks, fmt.Sprintf("fds %d→%d", before.FDs, a.FDs))
		}
		if a.Procs > before.Procs {
			leaks = append(leaks, fmt.Sprintf("processes %d→%d", before.Procs, a.Procs))
		}
	}
	if len(leaks) > 0 {
		r.Hard = strings.Join(leaks, ", ")
	}
	if after[1].Threads > after[0].Threads+2 {
		leaks = append(leaks, fmt.Sprintf("threads %d→%d→%d", before.Threads, after[0].Threads, after[1].Threads))
	}
	if float64(after[1].RSSKiB) > 1.1*float64(after[0].RSSKiB) {
		leaks = append(leaks, fmt.Sprintf("RSS grew again: %.1f→%.1f→%.1f MiB", mib(before.RSSKiB), mib(after[0].RSSKiB), mib(after[1].RSSKiB)))
	}
	r.Pass = recovered[0] >= 0 && recovered[1] >= 0 && len(leaks) == 0
	rs := func(v float64) string {
		if v < 0 {
			return "not within the window"
		}
		return fmt.Sprintf("%.0f s", v)
	}
	r.Detail = fmt.Sprintf("capacity %.0f/s; at 2x, %.0f%% ok; recovered in %s and %s; RSS %.1f→%.1f→%.1f MiB; %s",
		c, 100*overOK, rs(recovered[0]), rs(recovered[1]), mib(before.RSSKiB), mib(after[0].RSSKiB), mib(after[1].RSSKiB), orNone(leaks, "no leak"))
	return r
}

func mib(kib uint64) float64 { return float64(kib) / 1024 }

// recoveryTime is the second from which p50 and p99 stay within 2x of the
// baseline's for 2 seconds, -1 if they never do.
func recoveryTime(secs []secStat, base *phase) float64 {
	good := 0
	for i, st := range secs {
		if st.n > 0 && st.p50 <= 2*max(base.p50, time.Millisecond) && st.p99 <= 2*max(base.p99, time.Millisecond) {
			good++
			if good == 2 {
				return float64(i - 1)
			}
		} else {
			good = 0
		}
	}
	return -1
}

func orNone(s []string, none string) string {
	if len(s) == 0 {
		return none
	}
	return strings.Join(s, ", ")
}

// slowloris: n connections each sending a request head a byte at a time,
// never finishing, beside good clients at 50/s. The server runs with a
// 2 s header timeout.
func slowloris(model string, o Options) Result {
	r := result(model, "slowloris", o)
	const headerTimeout = 2 * time.Second
	s, err := start(model, o, 0, "-header-timeout", headerTimeout.String())
	if err != nil {
		return fail(r, err)
	}
	defer s.Stop(30 * time.Second)
	n := 1000
	if o.Short {
		n = 300
	}
	var (
		wg              sync.WaitGroup
		opened, closedN atomic.Int64
		stop            = make(chan struct{})
	)
	for i := 0; i < n; i++ {
		c, err := net.DialTimeout("tcp", s.Addr, time.Second)
		if err != nil {
			continue
		}
		opened.Add(1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer c.Close()
			head := "GET /hello HTTP/1.1\r\nHost: slow\r\nX-Trickle: "
			if _, err := io.WriteString(c, head); err != nil {
				closedN.Add(1)
				return
			}
			t := time.NewTicker(500 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-stop:
					return
				case <-t.C:
				}
				if _, err := c.Write([]byte("x")); err != nil {
					closedN.Add(1)
					return
				}
				// Did the server answer (408) and close?
				_ = c.SetReadDeadline(time.Now().Add(time.Millisecond))
				var b [64]byte
				if _, err := c.Read(b[:]); err == nil || !isTimeout(err) {
					closedN.Add(1)
					return
				}
			}
		}()
	}
	good, err := open("http://"+s.Addr, "/hello", 50, o.pick(8*time.Second, 4*time.Second))
	close(stop)
	wg.Wait()
	if err != nil {
		return fail(r, err)
	}
	f := r.Figures
	f["trickling"], f["trickling_closed"] = float64(opened.Load()), float64(closedN.Load())
	f["good_success"] = float64(good.ok) / float64(max(good.sent, 1))
	f["good_p99_ms"] = ms(good.p99)
	freed := float64(closedN.Load()) / float64(max(opened.Load(), 1))
	r.Pass = f["good_success"] >= 0.99 && freed >= 0.99
	r.Detail = fmt.Sprintf("good clients %.1f%% ok, p99 %.0f ms; %d of %d trickling connections cut by the header timeout",
		100*f["good_success"], f["good_p99_ms"], closedN.Load(), opened.Load())
	return r
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

// emfile: the server with 256 descriptors and n idle connections; its CPU
// while they are held, then whether it serves once they are gone.
func emfile(model string, o Options) Result {
	r := result(model, "emfile", o)
	s, err := start(model, o, 256, "-idle-timeout", "1m")
	if err != nil {
		return fail(r, err)
	}
	defer s.Stop(30 * time.Second)
	n := 1000
	var conns []net.Conn
	for i := 0; i < n; i++ {
		c, err := net.DialTimeout("tcp", s.Addr, time.Second)
		if err != nil {
			break
		}
		conns = append(conns, c)
	}
	time.Sleep(500 * time.Millisecond)
	hold := o.pick(3*time.Second, 2*time.Second)
	c0, err := sample.Tree(s.PID)
	if err != nil {
		return fail(r, err)
	}
	time.Sleep(hold)
	c1, err := sample.Tree(s.PID)
	if err != nil {
		return fail(r, err)
	}
	// Which of the flood's connections the server dropped while they were
	// held (gnet's engine, stopping on EMFILE, closes them all): a read
	// that times out finds a connection still open.
	dropped := 0
	for _, c := range conns {
		_ = c.SetReadDeadline(time.Now().Add(time.Millisecond))
		var b [1]byte
		if _, err := c.Read(b[:]); !errors.Is(err, os.ErrDeadlineExceeded) {
			dropped++
		}
		c.Close()
	}
	// Service after the flood: 20 requests within 10 s.
	served := 0
	end := time.Now().Add(10 * time.Second)
	for served < 20 && time.Now().Before(end) {
		if get("http://"+s.Addr+"/hello") == nil {
			served++
		} else {
			time.Sleep(100 * time.Millisecond)
		}
	}
	cpu := (c1.CPU - c0.CPU).Seconds() / hold.Seconds()
	f := r.Figures
	f["held"], f["cpu_share_during_flood"], f["fds_at_flood"], f["served_after"] = float64(len(conns)), cpu, float64(c1.FDs), float64(served)
	f["dropped"] = float64(dropped)
	r.Pass = cpu < 0.2 && served == 20
	if !r.Pass {
		r.Hard = "spins or stops serving at EMFILE"
	}
	r.Detail = fmt.Sprintf("%d connections on 256 fds: %.0f%% of a core while held (%d fds), %d dropped by the server, %d/20 served after", len(conns), 100*cpu, c1.FDs, dropped, served)
	return r
}

func get(url string) error {
	c := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	res, err := c.Get(url)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	if res.StatusCode != 200 {
		return fmt.Errorf("status %d", res.StatusCode)
	}
	return nil
}

// pidsLimit puts a fork or prefork server into a pids cgroup whose limit
// is a little above what it uses idle, then makes 10,000 connections.
func pidsLimit(model string, o Options) Result {
	r := result(model, "pids", o)
	if !o.Traits[model].Processes {
		r.Skipped = "starts no process per connection"
		return r
	}
	root := o.Cgroups
	if root == "" {
		root = "/sys/fs/cgroup"
	}
	dir := filepath.Join(root, "pids", fmt.Sprintf("netmodels-faults-%d", os.Getpid()))
	if err := os.Mkdir(dir, 0o755); err != nil {
		r.Skipped = "no cgroup v1 pids controller to use here: " + err.Error()
		return r
	}
	defer os.Remove(dir)
	s, err := start(model, o, 0)
	if err != nil {
		return fail(r, err)
	}
	stopped := false
	defer func() {
		if !stopped {
			s.Stop(30 * time.Second)
		}
	}()
	// Move the whole tree in: every task of every process.
	tasks, err := treeTasks(s.PID)
	if err != nil {
		return fail(r, err)
	}
	for _, t := range tasks {
		err := os.WriteFile(filepath.Join(dir, "tasks"), []byte(strconv.Itoa(t)), 0o644)
		if errors.Is(err, syscall.ESRCH) {
			continue // a thread that ended since the listing
		}
		if err != nil {
			return fail(r, err)
		}
	}
	limit := len(tasks) + 24
	if err := os.WriteFile(filepath.Join(dir, "pids.max"), []byte(strconv.Itoa(limit)), 0o644); err != nil {
		return fail(r, err)
	}
	total := 10000
	if o.Short {
		total = 2000
	}
	var ok, refused, closed, other atomic.Int64
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < 64; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(total) {
				switch st, err := status("http://" + s.Addr + "/hello"); {
				case err == nil && st == 200:
					ok.Add(1)
				case err == nil && st == 503:
					refused.Add(1)
				case err != nil:
					closed.Add(1)
				default:
					other.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	// The parent lives if its process does; it serves again once the
	// flood's children have ended and freed the limit (a 503 until then).
	alive := sample.Running(s.PID)
	served := false
	for end := time.Now().Add(10 * time.Second); alive && !served && time.Now().Before(end); {
		if served = get("http://"+s.Addr+"/healthz") == nil; !served {
			time.Sleep(100 * time.Millisecond)
		}
	}
	st, _ := settle(s.PID, 10*time.Second)
	zombies := st.Zombies
	events, _ := os.ReadFile(filepath.Join(dir, "pids.events"))
	f := r.Figures
	f["limit"], f["ok"], f["503"], f["closed"], f["other"] = float64(limit), float64(ok.Load()), float64(refused.Load()), float64(closed.Load()), float64(other.Load())
	f["zombies"], f["procs_after"] = float64(zombies), float64(st.Procs)
	log, err := s.Stop(30 * time.Second)
	stopped = true
	r.Pass = alive && served && zombies == 0 && other.Load() == 0 && err == nil
	if !r.Pass {
		r.Hard = "the parent died, did not serve again within 10 s, left zombies or answered other than 200/503"
	}
	r.Detail = fmt.Sprintf("pids.max %d, %d connections: %d ok, %d 503, %d closed; parent alive %v, serving again %v, %d zombies (%s)",
		limit, total, ok.Load(), refused.Load(), closed.Load(), alive, served, zombies, strings.TrimSpace(string(events)))
	if !r.Pass {
		o.serverLog(&r, log)
	}
	return r
}

// lastLines returns the last n lines of a log, joined by " / ".
func lastLines(log string, n int) string {
	lines := strings.Split(strings.TrimSpace(log), "\n")
	return strings.Join(lines[max(len(lines)-n, 0):], " / ")
}

func status(url string) (int, error) {
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	res, err := c.Get(url)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	_, err = io.Copy(io.Discard, res.Body)
	return res.StatusCode, err
}

// treeTasks lists every thread of pid and its descendants.
func treeTasks(pid int) ([]int, error) {
	var out []int
	for _, p := range sample.Pids(pid) {
		ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", p))
		if err != nil {
			continue
		}
		for _, e := range ents {
			if t, err := strconv.Atoi(e.Name()); err == nil {
				out = append(out, t)
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no tasks under pid %d", pid)
	}
	return out, nil
}

// shutdown: 200/s of /sleep?ms=200, a new connection each; SIGTERM after
// 2 s. Every answer that began must be complete: none cut mid-body.
// Requests after the stop are refused, which is fine.
func shutdown(model string, o Options) Result {
	r := result(model, "shutdown", o)
	s, err := start(model, o, 0)
	if err != nil {
		return fail(r, err)
	}
	var (
		complete, refused, noAnswer, cut atomic.Int64
		wg                               sync.WaitGroup
	)
	one := func() {
		defer wg.Done()
		c, err := net.DialTimeout("tcp", s.Addr, time.Second)
		if err != nil {
			refused.Add(1)
			return
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		if _, err := io.WriteString(c, "GET /sleep?ms=200 HTTP/1.1\r\nHost: t\r\n\r\n"); err != nil {
			noAnswer.Add(1)
			return
		}
		br := bufio.NewReader(c)
		res, err := http.ReadResponse(br, nil)
		if err != nil {
			noAnswer.Add(1) // no status line: closed before answering
			return
		}
		b, err := io.ReadAll(res.Body)
		if err != nil || int64(len(b)) != res.ContentLength {
			cut.Add(1)
			return
		}
		complete.Add(1)
	}
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	began := time.Now()
	stopDone := make(chan error, 1)
	signalled := false
	for time.Since(began) < 4*time.Second {
		<-tick.C
		if !signalled && time.Since(began) > 2*time.Second {
			signalled = true
			go func() { _, err := s.Stop(30 * time.Second); stopDone <- err }()
		}
		wg.Add(1)
		go one()
	}
	wg.Wait()
	stopErr := <-stopDone
	f := r.Figures
	f["complete"], f["refused"], f["closed_before_answer"], f["cut_mid_answer"] = float64(complete.Load()), float64(refused.Load()), float64(noAnswer.Load()), float64(cut.Load())
	r.Pass = cut.Load() == 0 && stopErr == nil && complete.Load() > 0
	if !r.Pass {
		r.Hard = "an answer cut off, no answer at all, or no clean stop"
	}
	r.Detail = fmt.Sprintf("%d complete, %d cut mid-answer, %d closed before answering, %d refused after the stop", complete.Load(), cut.Load(), noAnswer.Load(), refused.Load())
	if stopErr != nil {
		r.Detail += "; stop: " + stopErr.Error()
	}
	return r
}

// soak: 70% of capacity for a minute after a warm-up of a third of that.
// Memory, descriptors, threads and processes are compared between the end
// of the minute's first third and its end: a Go runtime's heap and stacks
// take a while to reach their working size, a leak keeps growing.
func soak(model string, o Options) Result {
	r := result(model, "soak", o)
	s, err := start(model, o, 0)
	if err != nil {
		return fail(r, err)
	}
	defer s.Stop(30 * time.Second)
	// The idle baseline once the tree is steady: a prefork worker opens
	// descriptors of its own (the runtime's poller, cgroup files) while
	// it starts, after the server already answers.
	idle, err := settle(s.PID, 10*time.Second)
	if err != nil {
		return fail(r, err)
	}
	url := "http://" + s.Addr
	c, err := capacity(url, o.pick(3*time.Second, time.Second))
	if err != nil {
		return fail(r, err)
	}
	d := o.pick(60*time.Second, 9*time.Second)
	if _, err := open(url, work, 0.7*c, d/3); err != nil {
		return fail(r, err)
	}
	first, err := open(url, work, 0.7*c, d/3)
	if err != nil {
		return fail(r, err)
	}
	a, err := sample.Tree(s.PID)
	if err != nil {
		return fail(r, err)
	}
	rest, err := open(url, work, 0.7*c, 2*d/3)
	if err != nil {
		return fail(r, err)
	}
	b, err := sample.Tree(s.PID)
	if err != nil {
		return fail(r, err)
	}
	after, err := settle(s.PID, 10*time.Second)
	if err != nil {
		return fail(r, err)
	}
	sent, ok := first.sent+rest.sent, first.ok+rest.ok
	f := r.Figures
	f["rate"], f["ok_share"], f["p99_ms"] = 0.7*c, float64(ok)/float64(max(sent, 1)), ms(max(first.p99, rest.p99))
	f["rss_third_kib"], f["rss_end_kib"] = float64(a.RSSKiB), float64(b.RSSKiB)
	f["fds_third"], f["fds_end"], f["procs_third"], f["procs_end"] = float64(a.FDs), float64(b.FDs), float64(a.Procs), float64(b.Procs)
	f["threads_third"], f["threads_end"] = float64(a.Threads), float64(b.Threads)
	f["fds_idle_after"], f["procs_idle_after"] = float64(after.FDs), float64(after.Procs)
	var growth []string
	if float64(b.RSSKiB) > 1.1*float64(a.RSSKiB) {
		growth = append(growth, fmt.Sprintf("RSS %.1f→%.1f MiB", mib(a.RSSKiB), mib(b.RSSKiB)))
	}
	// Descriptors and processes under load vary with the connections in
	// flight: compare them against 10% more load, and idle after.
	if float64(b.FDs) > 1.1*float64(a.FDs)+4 {
		growth = append(growth, fmt.Sprintf("fds %d→%d", a.FDs, b.FDs))
	}
	if float64(b.Procs) > 1.1*float64(a.Procs)+2 {
		growth = append(growth, fmt.Sprintf("processes %d→%d", a.Procs, b.Procs))
	}
	// Idle again after the soak, the server must hold what it held idle
	// before it: more is a leak, whatever the load did meanwhile.
	if after.FDs > idle.FDs+2 || after.Procs > idle.Procs {
		r.Hard = fmt.Sprintf("idle before and after: fds %d→%d, processes %d→%d", idle.FDs, after.FDs, idle.Procs, after.Procs)
		growth = append(growth, r.Hard)
	}
	if b.Threads > a.Threads+a.Threads/10+2 {
		growth = append(growth, fmt.Sprintf("threads %d→%d", a.Threads, b.Threads))
	}
	r.Pass = len(growth) == 0 && f["ok_share"] >= 0.99
	r.Detail = fmt.Sprintf("%.0f/s for %v: %.1f%% ok, p99 %.0f ms; RSS %.1f→%.1f MiB from a third in to the end; %s", 0.7*c, d, 100*f["ok_share"], f["p99_ms"],
		mib(a.RSSKiB), mib(b.RSSKiB), orNone(growth, "no growth"))
	return r
}
