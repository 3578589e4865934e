package faults

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"netmodels/bench/sample"
)

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
