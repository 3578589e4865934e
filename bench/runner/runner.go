// Package runner starts a netserver model as a native process for a
// benchmark, pinned to a CPU set, waits until it answers /healthz, and
// stops it gracefully. It knows the models only as the binary describes
// them (Models): it imports no model's package.
package runner

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"netmodels/bench/reference"
	"netmodels/servers/model"
)

// Server is a running model.
type Server struct {
	Model string
	Addr  string // host:port it listens on
	PID   int    // the netserver process (the root of its tree)
	CPUs  string // the CPU set it is pinned to, "" when not pinned
	cmd   *exec.Cmd
	log   *strings.Builder
	done  chan error
	group *cpuGroup // its CPU share's cgroup; nil when it has a whole CPU
	// ref is set for one of the seeds' systems (package reference): it
	// runs in a process group of its own, swept when it stops.
	ref bool
}

// Options of Start.
type Options struct {
	Bin  string   // netserver; netchild is expected beside it
	CPUs string   // taskset CPU list, e.g. "0"; "" for no pinning
	Args []string // more netserver flags
	// NoFile, when > 0, starts the server with this descriptor limit
	// (soft and hard, via prlimit from util-linux).
	NoFile int
	// CPUShare, when in (0, 1), limits the server's process tree to this
	// share of one CPU per CPUPeriod (a cgroup's CPU bandwidth control).
	CPUShare  float64
	CPUPeriod time.Duration
}

// groups numbers the CPU groups this process makes.
var groups atomic.Int64

// Start starts model and waits until it serves /healthz (10 s at most).
// A reference (package reference: the blog's Python servers, the
// course's Django views) starts the same way, pinned, limited and
// wrapped alike, on a port picked for it, and is ready when its Ready
// path answers.
func Start(model string, o Options) (*Server, error) {
	args := append([]string{o.Bin, "-model", model, "-addr", "127.0.0.1:0"}, o.Args...)
	ref, isRef := reference.Lookup(model)
	var dir, addr string
	if isRef {
		root := reference.Root(o.Bin)
		if err := ref.Check(root); err != nil {
			return nil, err
		}
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		args, dir = ref.Command(root, port)
		addr = "127.0.0.1:" + strconv.Itoa(port)
	}
	if o.NoFile > 0 {
		if _, err := exec.LookPath("prlimit"); err != nil {
			return nil, errors.New("a descriptor limit needs prlimit (util-linux)")
		}
		n := strconv.Itoa(o.NoFile)
		args = append([]string{"prlimit", "--nofile=" + n + ":" + n}, args...)
	}
	if o.CPUs != "" {
		if _, err := exec.LookPath("taskset"); err != nil {
			return nil, errors.New("pinning needs taskset (util-linux)")
		}
		args = append([]string{"taskset", "-c", o.CPUs}, args...)
	}
	var group *cpuGroup
	if o.CPUShare > 0 && o.CPUShare < 1 {
		g, err := newCPUGroup(fmt.Sprintf("netmodels-%d-%d", os.Getpid(), groups.Add(1)), o.CPUShare, o.CPUPeriod)
		if err != nil {
			return nil, err
		}
		group, args = g, g.wrap(args)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir = dir
	if isRef {
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	}
	stderr, err := cmd.StderrPipe()
	if err == nil {
		err = cmd.Start()
	}
	if err != nil {
		if group != nil {
			group.remove()
		}
		return nil, err
	}
	s := &Server{Model: model, PID: cmd.Process.Pid, CPUs: o.CPUs, cmd: cmd, log: &strings.Builder{}, done: make(chan error, 1), group: group, ref: isRef}
	addrc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sent := false
		for sc.Scan() {
			line := sc.Text()
			if s.log.Len() < 64<<10 {
				s.log.WriteString(line + "\n")
			}
			if _, a, ok := strings.Cut(line, "serving on "); ok && !sent && !isRef {
				addrc <- a
				sent = true
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
	}()
	go func() { s.done <- cmd.Wait() }()
	ready := "/healthz"
	if isRef {
		s.Addr, ready = addr, ref.Ready
	} else {
		select {
		case s.Addr = <-addrc:
		case err := <-s.done:
			s.ungroup()
			return nil, fmt.Errorf("%s exited before serving: %v\n%s", model, err, s.log)
		case <-time.After(10 * time.Second):
			s.Kill()
			return nil, fmt.Errorf("%s: no 'serving on' line within 10s", model)
		}
	}
	if err := s.waitReady(ready, 15*time.Second); err != nil {
		return nil, err
	}
	return s, nil
}

// freePort asks the kernel for a free port on 127.0.0.1, for a
// reference, which cannot say which port it took.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// probe asks whether a server is ready on a connection of its own, closed
// after the answer: a kept one would hold a model that serves one
// connection at a time (iterative) until its idle timeout.
var probe = &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}

// waitReady waits until path answers 200, up to d; a server that exits
// meanwhile is reported at once, with its log.
func (s *Server) waitReady(path string, d time.Duration) error {
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		res, err := probe.Get("http://" + s.Addr + path)
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return nil
			}
		}
		select {
		case err := <-s.done:
			s.done <- err
			s.ungroup()
			return fmt.Errorf("%s exited before serving: %v\n%s", s.Model, err, s.log)
		case <-time.After(20 * time.Millisecond):
		}
	}
	s.Kill()
	return fmt.Errorf("%s: http://%s%s not answering 200 after %v\n%s", s.Model, s.Addr, path, d, s.log)
}

// WaitReady waits until url answers 200, up to d, on a connection closed
// after each try.
func WaitReady(url string, d time.Duration) error {
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		if res, err := probe.Get(url); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("%s not answering 200 after %v", url, d)
}

// WaitHealthy waits until base+"/healthz" answers 200, up to d.
func WaitHealthy(base string, d time.Duration) error {
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		res, err := http.Get(base + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("%s/healthz not answering after %v", base, d)
}

// Stop stops the server with SIGTERM and waits up to grace for it to exit,
// then kills it. It returns the log the server wrote.
func (s *Server) Stop(grace time.Duration) (string, error) {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.done:
		s.sweep()
		s.ungroup()
		var ee *exec.ExitError
		if s.ref && errors.As(err, &ee) {
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGTERM {
				err = nil // runserver stops so: SIGTERM's default action
			}
		}
		return s.log.String(), err
	case <-time.After(grace):
		s.Kill()
		return s.log.String(), fmt.Errorf("%s did not stop within %v", s.Model, grace)
	}
}

func (s *Server) ungroup() {
	if s.group != nil {
		s.group.remove()
		s.group = nil
	}
}

// Kill ends the server at once (its whole process group is not touched:
// children of fork and prefork end when their parent is killed only if
// they notice; Stop is the clean way).
func (s *Server) Kill() {
	_ = s.cmd.Process.Kill()
	<-s.done
	s.sweep()
	s.ungroup()
}

// sweep kills what is left of a reference's process group: a child its
// parent did not wait for (the blog's fork server's, gunicorn's worker).
func (s *Server) sweep() {
	if s.ref {
		_ = syscall.Kill(-s.PID, syscall.SIGKILL)
	}
}

// Exists reports whether path is an executable file.
func Exists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0
}

// Models returns the models the netserver binary bin serves, with the
// traits each declares (`netserver -list -json`): the harness knows a model
// only from what the binary says of it.
func Models(bin string) ([]model.Description, error) {
	out, err := exec.Command(bin, "-list", "-json").Output()
	if err != nil {
		return nil, fmt.Errorf("%s -list -json: %v (make build makes it)", bin, err)
	}
	var ds []model.Description
	if err := json.Unmarshal(out, &ds); err != nil {
		return nil, fmt.Errorf("%s -list -json: %v", bin, err)
	}
	return ds, nil
}

// Traits returns each model's traits by name, from Models.
func Traits(bin string) (map[string]model.Traits, error) {
	ds, err := Models(bin)
	if err != nil {
		return nil, err
	}
	m := make(map[string]model.Traits, len(ds))
	for _, d := range ds {
		m[d.Name] = d.Traits
	}
	return m, nil
}

// Names returns the names of the models the binary serves, in its order.
func Names(bin string) ([]string, error) {
	ds, err := Models(bin)
	var n []string
	for _, d := range ds {
		n = append(n, d.Name)
	}
	return n, err
}
