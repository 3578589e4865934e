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
