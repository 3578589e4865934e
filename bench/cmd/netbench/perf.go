package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"netmodels/bench/cli"
	"netmodels/bench/runner"
	"netmodels/bench/sample"
	"netmodels/bench/session"
	"netmodels/bench/store"
	"netmodels/bench/summary"
	"netmodels/bench/wrk"
)

// PerfRow is one measurement of netbench perf: one server under one load
// for one round.
type PerfRow struct {
	Server string  `json:"server"`
	Load   string  `json:"load"` // keepalive or close
	Round  int     `json:"round"`
	RPS    float64 `json:"rps"`
	// CPUPerAnswerUS is the server's CPU (its process tree, reaped
	// children included) over the load, in µs, divided by the answers wrk
	// counted.
	CPUPerAnswerUS float64 `json:"cpu_per_answer_us"`
	Requests       int     `json:"requests"`
	Non2xx         int     `json:"non2xx"`
	SocketErrors   string  `json:"socket_errors,omitempty"`
	// Kernel is the kernel's work per answer, from a second pass of the
	// same load counted by perf stat (-kernel), so that counting does not
	// inflate CPUPerAnswerUS; nil without -kernel.
	Kernel *summary.KernelPerAnswer `json:"kernel,omitempty"`
}

// perfLoads are the two loads of netbench perf.
var perfLoads = []string{"keepalive", "close"}

func perfCmd() command {
	fs := flag.NewFlagSet("perf", flag.ExitOnError)
	models := fs.String("models", "nginx gnet goroutine fork iterative", "servers, comma- or space-separated: models, and nginx for the reference")
	duration := fs.Duration("duration", 5*time.Second, "length of each load")
	conns := fs.Int("conns", 50, "wrk's connections")
	path := fs.String("path", "/hello", "the path wrk requests")
	rounds := fs.Int("rounds", 3, "rounds; each round runs every server once, interleaved")
	var srv session.Flags
	srv.Register(fs, "0", "1")
	scenDir := fs.String("scenario-dir", "bench/scenarios", "scenario files (-server-cpu auto calibrates on "+strings.Join(session.CalibrationScenarios, " and ")+")")
	wrkCPUs := fs.String("wrk-cpus", "", "CPU set of wrk (default: the CPUs the server does not have)")
	out := fs.String("out", "results", "where to write <run-id>/ (meta.json, perf.json, PERF.md)")
	floor := fs.String("floor", "auto", "the floor of a process start: this program is started 400 times per round, -conns at a time, on the server's CPUs (netbench startcost), and fork's cost is set against it; auto: emptyprog beside -bin, when fork is measured; none: skip")
	kernel := fs.Bool("kernel", false, "after each load, run it again under perf stat and report system calls and context switches per answer (linux-perf, root)")
	g := cli.New(fs)
	srv.Group(g)
	fs.Usage = func() {
		g.Usage(fs.Output(), "usage: netbench perf [flags]\n\nServer CPU per answered request, the models next to nginx, in one run: each\nserver pinned to -server-cpus, wrk (one thread) to -wrk-cpus, two loads\n(keep-alive, and a new connection per request), rounds interleaving the\nservers. Prints the table (median [min–max] over rounds, ratio of medians to\nnginx) and writes it with every measurement into <out>/<run-id>/.\n\n")
	}
	return command{fs: fs, help: "server CPU per request of the models next to nginx, with wrk", run: func(args []string) error {
		if g.Help(fs.Output(), args) {
			return nil
		}
		_ = fs.Parse(args)
		if _, err := exec.LookPath("wrk"); err != nil {
			return errors.New("netbench perf needs wrk (apt-get install wrk)")
		}
		names := list(*models)
		if slices.Contains(names, "nginx") {
			if _, err := exec.LookPath("nginx"); err != nil {
				return errors.New("nginx missing (apt-get install nginx), or leave it out of -models")
			}
		}
		wcpus, err := session.Generator(*wrkCPUs, srv.CPUs)
		if err != nil {
			return err
		}
		res, err := srv.Resolve(context.Background(), nil, nil, nil, *scenDir)
		if err != nil {
			return err
		}
		if res.Servers.Limits.Limited() && slices.Contains(names, "nginx") {
			return errors.New("nginx runs at its whole CPU, so a share would set the models against it unequally: leave nginx out of -models, or -server-cpu 1")
		}
		run, err := session.Open(*out, fs, res, wcpus)
		if err != nil {
			return err
		}
		dir, id, meta := run.Dir, run.ID, run.Meta
		floorBin := perfFloor(*floor, srv.Bin, names)
		var rows []PerfRow
		for round := 1; round <= *rounds; round++ {
			// Rounds interleave the servers, so that a slow patch of the
			// machine falls on all of them rather than on one.
			for _, m := range names {
				fmt.Fprintf(os.Stderr, "round %d/%d: %s\n", round, *rounds, m)
				rs, err := perfServer(m, round, res.Servers, wcpus, *path, *conns, *duration, *kernel)
				if err != nil {
					return fmt.Errorf("%s: %v", m, err)
				}
				rows = append(rows, rs...)
			}
			if floorBin != "" {
				fmt.Fprintf(os.Stderr, "round %d/%d: the floor, %s started 400 times\n", round, *rounds, floorBin)
				r, err := perfFloorRound(floorBin, round, srv.CPUs, *conns)
				if err != nil {
					return fmt.Errorf("floor: %v", err)
				}
				rows = append(rows, r)
			}
		}
		meta.Finished = time.Now()
		env := perfEnv(meta, *duration, *rounds, *conns, *path)
		if floorBin != "" {
			names = append(names, FloorServer)
		}
		table := PerfTable(rows, names) + "\nenv: " + env + "\n"
		fmt.Print(table)
		meta.Notes = append(meta.Notes, "env: "+env)
		if err := store.WriteMeta(dir, meta); err != nil {
			return err
		}
		if err := store.WriteJSON(filepath.Join(dir, store.PerfFile), rows); err != nil {
			return err
		}
		doc := "# netbench perf " + id + "\n\nCommand: `" + strings.Join(os.Args, " ") + "`\n\n" + table
		if err := os.WriteFile(filepath.Join(dir, "PERF.md"), []byte(doc), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "results in %s\n", dir)
		return nil
	}}
}

// perfServer starts one server, measures both loads on it, and stops it.
func perfServer(name string, round int, servers session.Servers, wcpus, path string, conns int, d time.Duration, kernel bool) ([]PerfRow, error) {
	var (
		base string
		pid  int
		stop func()
	)
	if name == "nginx" {
		n, err := startNginx(servers.Limits.CPUs)
		if err != nil {
			return nil, err
		}
		base, pid, stop = n.base, n.pid, n.stop
	} else {
		s, err := servers.Start(name)
		if err != nil {
			return nil, err
		}
		base, pid, stop = "http://"+s.Addr, s.PID, func() { _, _ = s.Stop(10 * time.Second) }
	}
	defer stop()
	if err := runner.WaitHealthy(base, 10*time.Second); err != nil {
		return nil, err
	}
	var rows []PerfRow
	for _, load := range perfLoads {
		before, err := sample.Tree(pid)
		if err != nil {
			return nil, err
		}
		w, err := wrk.Run(wrk.Options{URL: base + path, Conns: conns, Duration: d, Close: load == "close", CPUs: wcpus})
		if err != nil {
			return nil, err
		}
		time.Sleep(300 * time.Millisecond) // let children end and be reaped
		after, err := sample.Tree(pid)
		if err != nil {
			return nil, err
		}
		r := PerfRow{Server: name, Load: load, Round: round, RPS: w.RPS, Requests: w.Requests, Non2xx: w.Non2xx, SocketErrors: w.SocketErrors}
		if w.Requests > 0 {
			r.CPUPerAnswerUS = float64(after.CPU-before.CPU) / float64(time.Microsecond) / float64(w.Requests)
		}
		if kernel {
			if r.Kernel, err = perfKernel(pid, wrk.Options{URL: base + path, Conns: conns, Duration: d, Close: load == "close", CPUs: wcpus}); err != nil {
				return nil, err
			}
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// perfKernel runs a wrk load again with perf stat counting the server's
// tree, and divides the counts by the answers.
func perfKernel(pid int, o wrk.Options) (*summary.KernelPerAnswer, error) {
	kc, err := sample.StartKernel(pid)
	if err != nil {
		return nil, err
	}
	w, err := wrk.Run(o)
	time.Sleep(300 * time.Millisecond)
	k, kerr := kc.Stop()
	if err != nil {
		return nil, err
	}
	if kerr != nil {
		return nil, kerr
	}
	if w.Requests == 0 {
		return nil, fmt.Errorf("wrk counted no answers")
	}
	return summary.PerAnswer(k, w.Requests), nil
}

// nginx is a running nginx, one worker, answering every path "hello\n".
type nginx struct {
	base string
	pid  int
	stop func()
}

// startNginx starts nginx pinned to cpus with a configuration of its own in
// a temporary directory, on a free port.
func startNginx(cpus string) (*nginx, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	tmp, err := os.MkdirTemp("", "netbench-nginx-")
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(tmp, "logs"), 0o755); err != nil {
		return nil, err
	}
	conf := fmt.Sprintf(`worker_processes 1;
daemon off;
pid %[1]s/nginx.pid;
error_log %[1]s/logs/error.log crit;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:%[2]d reuseport;
    location / { default_type "text/plain; charset=utf-8"; return 200 "hello\n"; }
  }
}
`, tmp, port)
	if err := os.WriteFile(filepath.Join(tmp, "nginx.conf"), []byte(conf), 0o644); err != nil {
		return nil, err
	}
	cmd := exec.Command("taskset", "-c", cpus, "nginx", "-p", tmp, "-c", filepath.Join(tmp, "nginx.conf"))
	if err := cmd.Start(); err != nil {
		os.RemoveAll(tmp)
		return nil, err
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	stop := func() {
		_ = cmd.Process.Signal(os.Interrupt) // nginx: SIGINT is a fast shutdown
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		os.RemoveAll(tmp)
	}
	return &nginx{base: "http://127.0.0.1:" + strconv.Itoa(port), pid: cmd.Process.Pid, stop: stop}, nil
}

// PerfTable is netbench perf's table: per server and load, the median rate,
// the median CPU per answer with its range, the ratio of medians to
// nginx's (when nginx ran), and the errors summed over rounds.
func PerfTable(rows []PerfRow, servers []string) string {
	var b strings.Builder
	kernel := false
	for _, r := range rows {
		kernel = kernel || r.Kernel != nil
	}
	b.WriteString("| server | load | answers/s (median) | server CPU per answer, µs: median [min–max] | × nginx |")
	if kernel {
		b.WriteString(" syscalls/answer | reads+writes/answer | ctx switches/answer (involuntary) | page faults/answer |")
	}
	b.WriteString(" non-2xx | socket errors |\n|---|---|---|---|---|")
	if kernel {
		b.WriteString("---|---|---|---|")
	}
	b.WriteString("---|---|\n")
	pick := func(server, load string) (rps, us []float64, non2xx int, errs []string) {
		for _, r := range rows {
			if r.Server == server && r.Load == load {
				rps, us, non2xx = append(rps, r.RPS), append(us, r.CPUPerAnswerUS), non2xx+r.Non2xx
				if r.SocketErrors != "" {
					errs = append(errs, r.SocketErrors)
				}
			}
		}
		return
	}
	for _, s := range servers {
		loads := perfLoads
		if s == FloorServer {
			loads = []string{FloorLoad}
		}
		for _, load := range loads {
			rps, us, non2xx, errs := pick(s, load)
			if len(us) == 0 {
				continue
			}
			ratio := "n/a"
			if _, nu, _, _ := pick("nginx", load); len(nu) > 0 && median(nu) > 0 {
				ratio = fmt.Sprintf("%.2f", median(us)/median(nu))
			}
			e := "none"
			if len(errs) > 0 {
				e = strings.Join(errs, "; ")
			}
			fmt.Fprintf(&b, "| %s | %s | %.0f | %.1f [%.1f–%.1f] | %s |", s, load, median(rps), median(us),
				slices.Min(us), slices.Max(us), ratio)
			if kernel {
				b.WriteString(kernelCells(rows, s, load))
			}
			fmt.Fprintf(&b, " %d | %s |\n", non2xx, e)
		}
	}
	b.WriteString(floorLine(rows))
	return b.String()
}

// floorLine sets fork's CPU per answer with a new connection per request
// against the floor measured in the same rounds: the ratio of medians, and
// its range over the rounds. Empty without both.
func floorLine(rows []PerfRow) string {
	var fork, floor []float64
	byRound := map[int][2]float64{}
	for _, r := range rows {
		p := byRound[r.Round]
		switch {
		case r.Server == "fork" && r.Load == "close":
			fork, p[0] = append(fork, r.CPUPerAnswerUS), r.CPUPerAnswerUS
		case r.Server == FloorServer:
			floor, p[1] = append(floor, r.CPUPerAnswerUS), r.CPUPerAnswerUS
		}
		byRound[r.Round] = p
	}
	if len(fork) == 0 || len(floor) == 0 || median(floor) <= 0 {
		return ""
	}
	var ratios []float64
	for _, p := range byRound {
		if p[0] > 0 && p[1] > 0 {
			ratios = append(ratios, p[0]/p[1])
		}
	}
	rng := ""
	if len(ratios) > 0 {
		rng = fmt.Sprintf("; round by round %.2f–%.2f×", slices.Min(ratios), slices.Max(ratios))
	}
	return fmt.Sprintf("\nfork, a new connection per request: %.2f× the floor (%.0f µs of server CPU per answer against %.0f µs per start of an empty static binary, medians over the rounds%s)\n",
		median(fork)/median(floor), median(fork), median(floor), rng)
}

// kernelCells are the medians over rounds of a server's kernel counts
// under one load.
func kernelCells(rows []PerfRow, server, load string) string {
	var sys, rw, ctx, inv, pf []float64
	for _, r := range rows {
		if r.Server == server && r.Load == load && r.Kernel != nil {
			k := r.Kernel
			sys, rw, ctx = append(sys, k.Syscalls), append(rw, k.Reads+k.Writes), append(ctx, k.CtxSwitches)
			inv, pf = append(inv, k.Involuntary), append(pf, k.PageFaults)
		}
	}
	if len(sys) == 0 {
		return " – | – | – | – |"
	}
	return fmt.Sprintf(" %.2f | %.2f | %.2f (%.2f) | %.2f |", median(sys), median(rw), median(ctx), median(inv), median(pf))
}

// median of a non-empty list.
func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// perfEnv is the table's environment line.
func perfEnv(m *store.Meta, d time.Duration, rounds, conns int, path string) string {
	ng := ""
	if b, err := exec.Command("nginx", "-v").CombinedOutput(); err == nil {
		if f := strings.Fields(string(b)); len(f) >= 3 {
			ng = ", " + f[2]
		}
	}
	return fmt.Sprintf("%d CPUs, %s, kernel %s, %s, %s%s; server on CPUs %s, wrk on %s; duration %v x %d rounds, %d connections, path %s; git %s",
		m.CPUs, m.CPUModel, m.Kernel, m.Go, wrk.Version(), ng, m.ServerCPUs, m.HarnessCPUs, d, rounds, conns, path, m.Git)
}
