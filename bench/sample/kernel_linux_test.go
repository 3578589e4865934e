package sample

import (
	"os/exec"
	"testing"
)

// perf stat -x ';' as perf 6.x writes it (the comment lines and the
// timing columns included).
const perfOut = `# started on Wed Dec  2 11:00:00 2026

324;;raw_syscalls:sys_enter;3906296;100.00;;
9;;syscalls:sys_enter_read;3906296;100.00;;
0;;syscalls:sys_enter_readv;3906296;100.00;;
3;;syscalls:sys_enter_recvfrom;3906296;100.00;;
0;;syscalls:sys_enter_recvmsg;3906296;100.00;;
2;;syscalls:sys_enter_write;3906296;100.00;;
1;;syscalls:sys_enter_writev;3906296;100.00;;
0;;syscalls:sys_enter_sendto;3906296;100.00;;
0;;syscalls:sys_enter_sendmsg;3906296;100.00;;
9;;context-switches;3906296;100.00;;
217;;page-faults;3906296;100.00;;
4;;sched:sched_switch;3906296;100.00;;
`

func TestParsePerfStat(t *testing.T) {
	k, err := parsePerfStat(perfOut)
	if err != nil {
		t.Fatal(err)
	}
	want := Kernel{Syscalls: 324, Reads: 12, Writes: 3, CtxSwitches: 9, Involuntary: 4, PageFaults: 217}
	if k != want {
		t.Fatalf("got %+v, want %+v", k, want)
	}
	if _, err := parsePerfStat("<not counted>;;raw_syscalls:sys_enter;0;0.00;;\n"); err == nil {
		t.Error("a counter perf did not read must be an error, not a zero")
	}
	if _, err := parsePerfStat("9;;context-switches;1;100.00;;\n"); err == nil {
		t.Error("missing counters must be an error")
	}
}

// TestKernelCounts counts a shell that forks: the children's calls are in
// the count (perf inherits across fork), and reads and writes are among
// the calls.
func TestKernelCounts(t *testing.T) {
	if _, err := exec.LookPath("perf"); err != nil {
		t.Skip("no perf here")
	}
	cmd := exec.Command("sh", "-c", "read x; for i in 1 2 3 4 5; do echo $i > /dev/null; cat /proc/self/stat > /dev/null; done")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	k, err := StartKernel(cmd.Process.Pid)
	if err != nil {
		_ = cmd.Process.Kill()
		t.Skipf("perf cannot count here: %v", err)
	}
	stdin.Write([]byte("go\n"))
	stdin.Close()
	_ = cmd.Wait()
	got, err := k.Stop()
	if err != nil {
		t.Fatal(err)
	}
	if got.Syscalls < 50 || got.Reads < 5 || got.Writes < 5 || got.Reads+got.Writes > got.Syscalls || got.PageFaults == 0 {
		t.Fatalf("counts %+v", got)
	}
}

func TestPerfErrorDropsExitedTasks(t *testing.T) {
	in := "WARNING: Ignored open failure for pid 3543\nWARNING: Ignored open failure for pid 3577\nError:\nThe sys_perf_event_open() syscall returned with 3 (No such process) for event (syscalls:sys_enter_read).\n"
	got := perfError(in)
	want := "2 tasks of the tree exited before perf could attach; Error: The sys_perf_event_open() syscall returned with 3 (No such process) for event (syscalls:sys_enter_read)."
	if got != want {
		t.Errorf("perfError:\n got %q\nwant %q", got, want)
	}
}
