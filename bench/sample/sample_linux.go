// Package sample reads a server's resource use: from /proc for a native
// process tree (CPU time, memory, threads, open descriptors and processes,
// summed over the process and all its descendants: the fork and prefork
// models are process trees), or from a container's cgroup.
package sample

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"strings"
	"time"
)

// Stat is the resource use of a process tree at one instant.
type Stat struct {
	// CPU: utime+stime of the live processes plus cutime+cstime (reaped
	// children) of the root; for a cgroup, its CPU usage.
	CPU     time.Duration
	RSSKiB  uint64 // resident set, summed (shared pages counted in every process)
	PSSKiB  uint64 // proportional set: shared pages divided among their users; the fair sum for a tree
	Threads int
	FDs     int
	Procs   int
	Zombies int // processes of the tree that ended and were not reaped
}

// clockTicks is the unit of /proc's CPU times per second (USER_HZ).
const clockTicks = 100

// Tree samples pid and its descendants.
func Tree(pid int) (Stat, error) {
	var s Stat
	kids := children()
	todo := []int{pid}
	for len(todo) > 0 {
		p := todo[0]
		todo = todo[1:]
		if err := addProc(&s, p, p == pid); err != nil {
			if p == pid {
				return s, err
			}
			continue // a child that just ended
		}
		todo = append(todo, kids[p]...)
	}
	return s, nil
}

// Pids returns pid and its descendants, parents first.
func Pids(pid int) []int {
	kids := children()
	out := []int{pid}
	for i := 0; i < len(out); i++ {
		out = append(out, kids[out[i]]...)
	}
	return out
}

// children maps each pid to its child pids, from /proc/*/stat.
func children() map[int][]int {
	m := make(map[int][]int)
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		f := statFields(pid)
		if len(f) > 1 {
			ppid, _ := strconv.Atoi(f[1])
			m[ppid] = append(m[ppid], pid)
		}
	}
	return m
}

// Running reports whether process pid exists and has not ended: a zombie
// has ended, though its pid stays until it is reaped.
func Running(pid int) bool {
	f := statFields(pid)
	return len(f) > 0 && f[0] != "Z"
}

// statFields returns /proc/pid/stat's fields after the command name: [0]
// is the state (field 3 of proc(5)).
func statFields(pid int) []string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return nil
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return nil
	}
	return strings.Fields(string(b[i+1:]))
}

func addProc(s *Stat, pid int, root bool) error {
	f := statFields(pid)
	if len(f) < 18 {
		return os.ErrNotExist
	}
	num := func(i int) uint64 { v, _ := strconv.ParseUint(f[i], 10, 64); return v }
	// proc(5) fields 14-17 are utime, stime, cutime, cstime: indexes 11-14.
	ticks := num(11) + num(12)
	if root {
		ticks += num(13) + num(14)
	}
	s.CPU += time.Duration(ticks) * time.Second / clockTicks
	s.Threads += int(num(17))
	s.Procs++
	if f[0] == "Z" {
		s.Zombies++
	}
	p := "/proc/" + strconv.Itoa(pid)
	if fh, err := os.Open(p + "/smaps_rollup"); err == nil {
		sc := bufio.NewScanner(fh)
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "Rss:"):
				s.RSSKiB += kib(line)
			case strings.HasPrefix(line, "Pss:"):
				s.PSSKiB += kib(line)
			}
		}
		fh.Close()
	}
	if ents, err := os.ReadDir(p + "/fd"); err == nil {
		s.FDs += len(ents)
	}
	return nil
}

// kib parses "Name:   1234 kB".
func kib(line string) uint64 {
	f := strings.Fields(line)
	if len(f) < 2 {
		return 0
	}
	v, _ := strconv.ParseUint(f[1], 10, 64)
	return v
}
