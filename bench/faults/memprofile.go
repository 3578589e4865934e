package faults

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"netmodels/bench/runner"
)

// memArgs are the server's arguments for a case that reads memory: with
// MemProfile, netserver writes a heap profile at each SIGUSR1.
func (o Options) memArgs(model, name string) []string {
	if !o.MemProfile || o.LogDir == "" {
		return nil
	}
	return []string{"-memprofile", filepath.Join(o.LogDir, model+"-"+name)}
}

// heapProfile asks the server for a heap profile right after a memory
// reading (a no-op without MemProfile) and gives it the time to write it.
func (o Options) heapProfile(s *runner.Server) {
	if !o.MemProfile || o.LogDir == "" {
		return
	}
	_ = syscall.Kill(s.PID, syscall.SIGUSR1)
	time.Sleep(300 * time.Millisecond)
}

// keepMemory stops the server and, with MemProfile, keeps the runtime's
// memory lines of its log beside the profiles, as <model>-<case>.memory,
// and names that file in the result's detail.
func (o Options) keepMemory(r *Result, s *runner.Server) {
	log, _ := s.Stop(30 * time.Second)
	if !o.MemProfile || o.LogDir == "" {
		return
	}
	var lines []string
	for _, l := range strings.Split(log, "\n") {
		if i := strings.Index(l, "memory "); i >= 0 && strings.Contains(l, "heap in use") {
			lines = append(lines, l[i:])
		}
	}
	name := filepath.Join(o.LogDir, r.Model+"-"+r.Case+".memory")
	if err := os.WriteFile(name, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err == nil {
		r.Detail += "; heap profiles: " + name
	}
}
