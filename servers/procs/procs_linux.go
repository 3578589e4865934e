// Package procs starts child processes by re-executing the running binary
// and reaps them, for the process-based models (fork, prefork).
//
// Reaping is process-wide by nature: SIGCHLD and wait4(-1) know nothing of
// who started a child. So one reaper per process owns every child: it
// waits with wait4(-1, WNOHANG) on each SIGCHLD and tells the Group that
// started the child. A process that runs these models must not start
// children with os/exec at the same time (the reaper would take them).
package procs

import (
	"os"
	"os/signal"
	"runtime"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Group is a set of children started from one binary with one environment.
type Group struct {
	exe  string
	argv []string
	env  []string
	mu   sync.Mutex
	live map[int]struct{}
	// OnExit, when set, is called by the reaper for each child of the group
	// that ended, with its status; it must not block.
	OnExit func(pid int, ws unix.WaitStatus)
}

// NewGroup prepares children that run exe with env (which should carry
// the child-mode marker); exe "" is this binary.
func NewGroup(exe string, env []string) (*Group, error) {
	if exe == "" {
		self, err := os.Executable()
		if err != nil {
			return nil, err
		}
		exe = self
	}
	return &Group{exe: exe, argv: []string{exe}, env: env, live: make(map[int]struct{})}, nil
}

// Exe returns the binary the children run.
func (g *Group) Exe() string { return g.exe }

// reaper is the process-wide reaper: who started each live child.
var reaper struct {
	once  sync.Once
	mu    sync.Mutex
	owner map[int]*Group
}

func startReaper() {
	reaper.owner = make(map[int]*Group)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGCHLD)
	go func() {
		for range ch {
			reapAll()
		}
	}()
}

// reapAll collects every child that has ended.
func reapAll() {
	for {
		var ws unix.WaitStatus
		pid, err := unix.Wait4(-1, &ws, unix.WNOHANG, nil)
		if err == unix.EINTR {
			continue
		}
		if pid <= 0 || err != nil {
			return
		}
		reaper.mu.Lock()
		g := reaper.owner[pid]
		delete(reaper.owner, pid)
		reaper.mu.Unlock()
		if g == nil {
			continue
		}
		g.mu.Lock()
		delete(g.live, pid)
		g.mu.Unlock()
		if g.OnExit != nil {
			g.OnExit(pid, ws)
		}
	}
}

// Start starts a child with fd as its descriptor 3 (stdin, stdout and
// stderr are shared with this process) and returns its pid. fd stays open
// here; the caller closes its copy.
func (g *Group) Start(fd int) (int, error) {
	reaper.once.Do(startReaper)
	attr := &syscall.ProcAttr{Env: g.env, Files: []uintptr{0, 1, 2, uintptr(fd)}}
	// Hold the owner table while forking so that a child that ends at once
	// is never reaped before it is known.
	reaper.mu.Lock()
	pid, err := syscall.ForkExec(g.exe, g.argv, attr)
	if err == nil {
		reaper.owner[pid] = g
		g.mu.Lock()
		g.live[pid] = struct{}{}
		g.mu.Unlock()
	}
	reaper.mu.Unlock()
	return pid, err
}

// Len returns the number of live children.
func (g *Group) Len() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.live)
}

// Signal sends sig to every live child.
func (g *Group) Signal(sig syscall.Signal) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for pid := range g.live {
		_ = unix.Kill(pid, sig)
	}
}

// Wait waits until no child is alive or timeout passed, and reports
// whether none is.
func (g *Group) Wait(timeout time.Duration) bool {
	end := time.Now().Add(timeout)
	for g.Len() > 0 {
		if time.Now().After(end) {
			return false
		}
		reapAll() // a SIGCHLD may still be on its way
		time.Sleep(5 * time.Millisecond)
	}
	return true
}

// Stop ends the group: SIGTERM to every child, then SIGKILL to those still
// alive after grace, and waits for them all to be reaped.
func (g *Group) Stop(grace time.Duration) bool {
	g.Signal(syscall.SIGTERM)
	if g.Wait(grace) {
		return true
	}
	g.Signal(syscall.SIGKILL)
	return g.Wait(5 * time.Second)
}

// ReserveThreads makes the Go runtime create n OS threads now and leaves
// them idle for its scheduler to use later. The runtime starts a thread
// whenever it needs one and none is idle: to poll the network while the
// only other thread sits in a system call, say, which a loaded CPU makes
// likely. Under a pids limit that the parent's own children fill, that
// moment comes when no thread can be created, and the runtime aborts
// (fatal error: newosproc). Threads made at start, before the children,
// are counted in the baseline the limit is set from and never released:
// the runtime keeps idle threads. Each thread is made by a goroutine that
// locks itself to one and parks, so that n of them hold n threads at
// once; they then unlock and end, leaving the threads idle.
func ReserveThreads(n int) {
	var started, ended sync.WaitGroup
	release := make(chan struct{})
	started.Add(n)
	ended.Add(n)
	for range n {
		go func() {
			defer ended.Done()
			runtime.LockOSThread()
			started.Done()
			<-release
			runtime.UnlockOSThread()
		}()
	}
	started.Wait()
	close(release)
	ended.Wait()
}
