package sample

import (
	"os"
	"os/exec"
	"testing"
	"time"
)

func TestRunning(t *testing.T) {
	if !Running(os.Getpid()) {
		t.Fatal("this process does not read as running")
	}
	cmd := exec.Command("true")
	if err := cmd.Start(); err != nil {
		t.Skip("no true(1):", err)
	}
	pid := cmd.Process.Pid
	// Ended but not reaped: a zombie, which has ended.
	deadline := time.Now().Add(5 * time.Second)
	for Running(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("pid %d still reads as running 5 s after true(1) started", pid)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if st, err := Tree(pid); err != nil || st.Zombies != 1 {
		t.Errorf("Tree(%d) = %+v, %v; want one zombie", pid, st, err)
	}
	_ = cmd.Wait()
	if Running(pid) {
		t.Errorf("pid %d reads as running after it was reaped", pid)
	}
}

func TestQuietWaitsForABusyTreeToStop(t *testing.T) {
	busy := exec.Command("sh", "-c", "end=$(($(date +%s)+1)); while [ $(date +%s) -le $end ]; do :; done; sleep 5")
	if err := busy.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = busy.Process.Kill(); _ = busy.Wait() }()
	waited, quiet, err := Quiet(busy.Process.Pid, 0.1, 100*time.Millisecond, 5*time.Second)
	if err != nil || !quiet {
		t.Fatalf("Quiet: waited %v, quiet %v, err %v", waited, quiet, err)
	}
	if waited < 500*time.Millisecond {
		t.Errorf("Quiet returned after %v while the tree was still spinning (about 1-2 s)", waited)
	}
	_, quiet, err = Quiet(busy.Process.Pid, 0.1, 100*time.Millisecond, 5*time.Second)
	if err != nil || !quiet {
		t.Errorf("a sleeping tree is not quiet: %v %v", quiet, err)
	}
}
