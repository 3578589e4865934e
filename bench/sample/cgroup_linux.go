package sample

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Cgroup samples a Docker container's cgroup under root (the host's
// /sys/fs/cgroup, possibly mounted elsewhere in the harness's container):
// CPU usage, memory in use and tasks (threads). Processes and descriptors
// are not counted: the server's pids are not visible from the harness's
// container. Both cgroup v1 (root/<controller>/docker/<id>) and v2
// (root/system.slice/docker-<id>.scope) layouts are read.
func Cgroup(root, id string) (Stat, error) {
	var s Stat
	// cgroup v1, with Docker's cgroupfs driver or the systemd one.
	for _, group := range []string{filepath.Join("docker", id), filepath.Join("system.slice", "docker-"+id+".scope")} {
		v1 := filepath.Join(root, "cpuacct", group)
		if !exists(v1) {
			continue
		}
		ns, err := readUint(filepath.Join(v1, "cpuacct.usage"))
		if err != nil {
			return s, err
		}
		s.CPU = time.Duration(ns)
		if b, err := readUint(filepath.Join(root, "memory", group, "memory.usage_in_bytes")); err == nil {
			s.RSSKiB = b / 1024
			s.PSSKiB = s.RSSKiB
		}
		// pids.current counts tasks (threads) and reads the same from any
		// pid namespace; cgroup.procs lists only the pids visible to the
		// reader, none from the harness's container: processes are not
		// counted there.
		if n, err := readUint(filepath.Join(root, "pids", group, "pids.current")); err == nil {
			s.Threads = int(n)
		}
		return s, nil
	}
	v2 := filepath.Join(root, "system.slice", "docker-"+id+".scope")
	if !exists(v2) {
		return s, errors.New("no cgroup for container " + id + " under " + root)
	}
	b, err := os.ReadFile(filepath.Join(v2, "cpu.stat"))
	if err != nil {
		return s, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "usage_usec "); ok {
			us, _ := strconv.ParseUint(v, 10, 64)
			s.CPU = time.Duration(us) * time.Microsecond
		}
	}
	if m, err := readUint(filepath.Join(v2, "memory.current")); err == nil {
		s.RSSKiB = m / 1024
		s.PSSKiB = s.RSSKiB
	}
	if n, err := readUint(filepath.Join(v2, "pids.current")); err == nil {
		s.Threads = int(n)
	}
	return s, nil
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

func readUint(p string) (uint64, error) {
	b, err := os.ReadFile(p)
	if err != nil {
		return 0, err
	}
	return strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
}
