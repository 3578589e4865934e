package runner

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A process started under a CPU group is in it, its quota is what the
// share says, and the group is gone once the process is.
func TestCPUGroup(t *testing.T) {
	g, err := newCPUGroup("netmodels-test-"+strings.ReplaceAll(t.Name(), "/", "-"), 0.25, 10*time.Millisecond)
	if err != nil {
		t.Skipf("no cgroup CPU controller to write here: %v", err)
	}
	defer g.remove()
	quota, _ := os.ReadFile(filepath.Join(g.dir, "cpu.cfs_quota_us"))
	if max, err := os.ReadFile(filepath.Join(g.dir, "cpu.max")); err == nil {
		quota = max
	}
	if got := strings.Fields(string(quota)); len(got) == 0 || got[0] != "2500" {
		t.Fatalf("quota %q, want 2500 µs of a 10 ms period", quota)
	}
	args := g.wrap([]string{"sleep", "5"})
	cmd := exec.Command(args[0], args[1:]...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var in bool
	for i := 0; i < 100 && !in; i++ {
		procs, _ := os.ReadFile(g.procs)
		for _, p := range strings.Fields(string(procs)) {
			in = in || p == itoa(cmd.Process.Pid)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The process is the one exec'd in place of the shell.
	exe, _ := os.Readlink("/proc/" + itoa(cmd.Process.Pid) + "/exe")
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	if !in {
		t.Fatalf("pid %d not in %s", cmd.Process.Pid, g.procs)
	}
	if !strings.HasSuffix(exe, "/sleep") {
		t.Fatalf("the process in the group runs %q, not sleep", exe)
	}
	g.remove()
	if _, err := os.Stat(g.dir); !os.IsNotExist(err) {
		t.Fatalf("%s still there after remove: %v", g.dir, err)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
