package runner

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// cpuGroup is a cgroup whose CPU controller gives its processes share of
// one CPU per period (CFS bandwidth control: quota = share × period). A
// server under it is what a container under --cpus, or a Kubernetes pod
// under limits.cpu, is.
type cpuGroup struct {
	dir   string // the group's directory
	procs string // the file a process writes its pid into to join
}

// cgroupRoot is where the hierarchies are mounted.
var cgroupRoot = "/sys/fs/cgroup"

// newCPUGroup makes a group named name. It uses the cgroup v2 hierarchy
// where that is mounted at the root (cpu.max), else v1's cpu controller
// (cpu.cfs_quota_us, cpu.cfs_period_us).
func newCPUGroup(name string, share float64, period time.Duration) (*cpuGroup, error) {
	if share <= 0 || period <= 0 {
		return nil, errors.New("cpu group: a share and a period are needed")
	}
	quota := int64(share * float64(period/time.Microsecond))
	periodUS := int64(period / time.Microsecond)
	if quota < 1000 {
		return nil, fmt.Errorf("cpu group: a quota of %d µs is below the kernel's 1 ms minimum: raise the share or the period", quota)
	}
	if _, err := os.Stat(filepath.Join(cgroupRoot, "cgroup.controllers")); err == nil {
		dir := filepath.Join(cgroupRoot, name)
		if err := os.Mkdir(dir, 0o755); err != nil {
			return nil, fmt.Errorf("cpu group: %w", err)
		}
		g := &cpuGroup{dir: dir, procs: filepath.Join(dir, "cgroup.procs")}
		if err := os.WriteFile(filepath.Join(dir, "cpu.max"), []byte(fmt.Sprintf("%d %d", quota, periodUS)), 0o644); err != nil {
			g.remove()
			return nil, fmt.Errorf("cpu group: %w (is the cpu controller enabled in %s/cgroup.subtree_control?)", err, cgroupRoot)
		}
		return g, nil
	}
	dir := filepath.Join(cgroupRoot, "cpu", name)
	if err := os.Mkdir(dir, 0o755); err != nil {
		return nil, fmt.Errorf("cpu group: %w (a CPU share needs the cgroup cpu controller and root)", err)
	}
	g := &cpuGroup{dir: dir, procs: filepath.Join(dir, "cgroup.procs")}
	for _, w := range [][2]string{{"cpu.cfs_period_us", strconv.FormatInt(periodUS, 10)}, {"cpu.cfs_quota_us", strconv.FormatInt(quota, 10)}} {
		if err := os.WriteFile(filepath.Join(dir, w[0]), []byte(w[1]), 0o644); err != nil {
			g.remove()
			return nil, fmt.Errorf("cpu group: %s: %w", w[0], err)
		}
	}
	return g, nil
}

// wrap returns args run so that the process joins the group before it
// executes them: every process it starts later (a fork child, a prefork
// worker) is then in the group too.
func (g *cpuGroup) wrap(args []string) []string {
	return append([]string{"/bin/sh", "-c", `echo $$ > "$0" && exec "$@"`, g.procs}, args...)
}

// remove deletes the group once its processes are gone (the kernel
// refuses while any is left; it waits a second for the last to exit).
func (g *cpuGroup) remove() {
	for i := 0; i < 100; i++ {
		if err := os.Remove(g.dir); err == nil || os.IsNotExist(err) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// ProbeCPUQuota makes a CPU group and removes it: nil when this process
// may hold a server to a share of a CPU, else why not.
func ProbeCPUQuota() error {
	g, err := newCPUGroup(fmt.Sprintf("netmodels-probe-%d", os.Getpid()), 0.5, 100*time.Millisecond)
	if err != nil {
		if os.IsPermission(errors.Unwrap(err)) || errors.Is(err, os.ErrPermission) {
			return fmt.Errorf("%v: a CPU quota needs root, or a cgroup v2 subtree delegated to this user", err)
		}
		return err
	}
	g.remove()
	return nil
}

// CgroupVersion names the hierarchy newCPUGroup uses.
func CgroupVersion() string {
	if _, err := os.Stat(filepath.Join(cgroupRoot, "cgroup.controllers")); err == nil {
		return "cgroup v2 at " + cgroupRoot
	}
	return "cgroup v1, cpu controller at " + filepath.Join(cgroupRoot, "cpu")
}
