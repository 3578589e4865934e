package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// StartCost is what starting a program costs, as netbench startcost
// measures it: the CPU of the starting process and of its children, per
// start.
type StartCost struct {
	Program string `json:"program"`
	Starts  int    `json:"starts"`
	Conc    int    `json:"concurrent"`
	// ParentUS and ChildUS are per start: the starter's own CPU (its
	// clone, exec and wait, as the fork model's parent spends them) and
	// the children's (exec, the runtime's start, exit).
	ParentUS float64 `json:"parent_us"`
	ChildUS  float64 `json:"child_us"`
	WallUS   float64 `json:"wall_us"`
}

// PerStartUS is the whole CPU of one start, parent's and child's.
func (s StartCost) PerStartUS() float64 { return s.ParentUS + s.ChildUS }

func startcostCmd() command {
	fs := flag.NewFlagSet("startcost", flag.ExitOnError)
	bin := fs.String("bin", "bin/emptyprog", "the program to start")
	n := fs.Int("n", 400, "starts")
	conc := fs.Int("conc", 50, "starts in flight at once, as 50 connections keep 50 fork children alive")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: netbench startcost [flags]\n\nStarts a program n times, conc at once, with /dev/null as descriptor 3 (as the\nfork model gives netchild its connection), and prints as JSON the CPU per start:\nthis process's (fork, exec, wait) and the children's. Pin it with taskset to\nmeasure it on one CPU; netbench perf does, for its floor.\n\n")
		fs.PrintDefaults()
	}
	return command{fs: fs, help: "what starting a program costs, n starts conc at a time (netbench perf's floor)", run: func(args []string) error {
		_ = fs.Parse(args)
		c, err := measureStarts(*bin, *n, *conc)
		if err != nil {
			return err
		}
		return json.NewEncoder(os.Stdout).Encode(c)
	}}
}

// measureStarts starts bin n times, conc at once, and returns the CPU per
// start from this process's and its children's rusage.
func measureStarts(bin string, n, conc int) (StartCost, error) {
	if n <= 0 || conc <= 0 {
		return StartCost{}, errors.New("startcost: -n and -conc must be positive")
	}
	null, err := os.Open(os.DevNull)
	if err != nil {
		return StartCost{}, err
	}
	defer null.Close()
	var self0, kids0, self1, kids1 syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &self0)
	_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &kids0)
	began := time.Now()
	jobs := make(chan struct{})
	errc := make(chan error, conc)
	var wg sync.WaitGroup
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range jobs {
				c := exec.Command(bin)
				c.ExtraFiles = []*os.File{null}
				if err := c.Run(); err != nil {
					select {
					case errc <- fmt.Errorf("startcost: %s: %v", bin, err):
					default:
					}
				}
			}
		}()
	}
	for range n {
		jobs <- struct{}{}
	}
	close(jobs)
	wg.Wait()
	wall := time.Since(began)
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &self1)
	_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &kids1)
	select {
	case err := <-errc:
		return StartCost{}, err
	default:
	}
	us := func(a, b syscall.Rusage) float64 {
		d := syscall.TimevalToNsec(b.Utime) + syscall.TimevalToNsec(b.Stime) - syscall.TimevalToNsec(a.Utime) - syscall.TimevalToNsec(a.Stime)
		return float64(d) / 1e3 / float64(n)
	}
	return StartCost{Program: bin, Starts: n, Conc: conc, ParentUS: us(self0, self1), ChildUS: us(kids0, kids1),
		WallUS: float64(wall.Microseconds()) / float64(n)}, nil
}

// FloorServer and FloorLoad name netbench perf's floor rows: an empty
// static binary's start, n at a time, on the server's CPUs.
const (
	FloorServer = "floor: empty static binary"
	FloorLoad   = "start"
)

// perfFloor is the floor program netbench perf starts: flag's value, or
// with auto emptyprog beside bin when fork is measured, or "" for none.
func perfFloor(flag, bin string, names []string) string {
	switch flag {
	case "none", "":
		return ""
	case "auto":
		if !slices.Contains(names, "fork") {
			return ""
		}
		p := filepath.Join(filepath.Dir(bin), "emptyprog")
		if _, err := os.Stat(p); err != nil {
			fmt.Fprintf(os.Stderr, "perf: no floor: %s missing (make build makes it)\n", p)
			return ""
		}
		return p
	}
	return flag
}

// perfFloorRound measures one round of the floor: netbench startcost
// pinned to the server's CPUs, as many starts in flight as wrk keeps
// connections.
func perfFloorRound(bin string, round int, cpus string, conns int) (PerfRow, error) {
	self, err := os.Executable()
	if err != nil {
		return PerfRow{}, err
	}
	const n = 400
	out, err := exec.Command("taskset", "-c", cpus, self, "startcost", "-bin", bin, "-n", strconv.Itoa(n), "-conc", strconv.Itoa(conns)).Output()
	if err != nil {
		return PerfRow{}, fmt.Errorf("netbench startcost: %v", err)
	}
	var c StartCost
	if err := json.Unmarshal(out, &c); err != nil {
		return PerfRow{}, fmt.Errorf("netbench startcost: %v", err)
	}
	return PerfRow{Server: FloorServer, Load: FloorLoad, Round: round, RPS: 1e6 / c.WallUS, CPUPerAnswerUS: c.PerStartUS(), Requests: n}, nil
}
