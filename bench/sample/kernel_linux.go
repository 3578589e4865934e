package sample

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Kernel is what the kernel did for a process tree over an interval:
// system calls (all, and the reads and writes among them), context
// switches (all, and those where the task was preempted rather than
// blocked) and page faults. perf stat counts them; ok is false when it
// could not.
type Kernel struct {
	Syscalls    uint64 `json:"syscalls"`
	Reads       uint64 `json:"reads"`  // read, readv, recvfrom, recvmsg
	Writes      uint64 `json:"writes"` // write, writev, sendto, sendmsg
	CtxSwitches uint64 `json:"ctx_switches"`
	Involuntary uint64 `json:"involuntary_ctx_switches"`
	PageFaults  uint64 `json:"page_faults"`
}

// kernelEvents are perf's names for what Kernel counts, and
// switchEvent, filtered, the involuntary switches: a task that was
// preempted leaves the CPU still runnable, with prev_state 0
// (TASK_RUNNING); one that blocked leaves it sleeping. (Two busy loops
// on one CPU for a second: 367 of 378 switches pass the filter.)
var kernelEvents = []string{
	"raw_syscalls:sys_enter",
	"syscalls:sys_enter_read", "syscalls:sys_enter_readv", "syscalls:sys_enter_recvfrom", "syscalls:sys_enter_recvmsg",
	"syscalls:sys_enter_write", "syscalls:sys_enter_writev", "syscalls:sys_enter_sendto", "syscalls:sys_enter_sendmsg",
	"context-switches", "page-faults",
}

const (
	switchEvent  = "sched:sched_switch"
	switchFilter = "prev_state == 0"
)

// KernelCounter is a perf stat counting over a process tree until Stop.
type KernelCounter struct {
	cmd    *exec.Cmd
	stderr bytes.Buffer
}

// StartKernel starts counting the kernel's work for pid and its
// descendants (new ones included: perf's counters are inherited across
// fork and clone). It needs perf (linux-perf) and the right to trace the
// tree (root, or perf_event_paranoid at most 1).
func StartKernel(pid int) (*KernelCounter, error) {
	bin, err := exec.LookPath("perf")
	if err != nil {
		return nil, errors.New("counting system calls needs perf (apt-get install linux-perf)")
	}
	var pids []string
	for _, p := range Pids(pid) {
		pids = append(pids, strconv.Itoa(p))
	}
	// perf starts with its counters disabled and enables them on the
	// command "enable" (fd 3), answering "ack" (fd 4) once they count:
	// StartKernel returns only then, however long perf takes to attach.
	ctlR, ctlW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	ackR, ackW, err := os.Pipe()
	if err != nil {
		ctlR.Close()
		ctlW.Close()
		return nil, err
	}
	defer ctlR.Close()
	defer ackW.Close()
	defer ctlW.Close()
	defer ackR.Close()
	k := &KernelCounter{}
	k.cmd = exec.Command(bin, "stat", "-x", ";", "-D", "-1", "--control", "fd:3,4", "-e", strings.Join(kernelEvents, ","),
		"-e", switchEvent, "--filter", switchFilter, "-p", strings.Join(pids, ","))
	k.cmd.Stderr = &k.stderr
	k.cmd.ExtraFiles = []*os.File{ctlR, ackW}
	if err := k.cmd.Start(); err != nil {
		return nil, err
	}
	if _, err := ctlW.Write([]byte("enable\n")); err != nil {
		_ = k.cmd.Process.Kill()
		_ = k.cmd.Wait()
		return nil, fmt.Errorf("perf stat: %v", err)
	}
	acked := make(chan error, 1)
	go func() {
		b := make([]byte, 4)
		_, err := io.ReadFull(ackR, b)
		if err == nil && string(b) != "ack\n" {
			err = fmt.Errorf("answered %q", b)
		}
		acked <- err
	}()
	select {
	case err = <-acked:
	case <-time.After(10 * time.Second):
		err = errors.New("no ack in 10 s")
	}
	if err != nil {
		_ = k.cmd.Process.Kill()
		_ = k.cmd.Wait()
		return nil, fmt.Errorf("perf stat did not start counting (%v): %s", err, perfError(k.stderr.String()))
	}
	return k, nil
}

// Stop ends the count and returns it.
func (k *KernelCounter) Stop() (Kernel, error) {
	_ = k.cmd.Process.Signal(syscall.SIGINT)
	err := k.cmd.Wait()
	got, perr := parsePerfStat(k.stderr.String())
	if perr != nil {
		return got, fmt.Errorf("perf stat (%v): %v", err, perr)
	}
	return got, nil
}

// parsePerfStat reads perf stat -x ';' output: value;unit;event;...
// A counter perf could not read ("<not counted>", "<not supported>") is
// an error: a zero would be a lie.
func parsePerfStat(out string) (Kernel, error) {
	var k Kernel
	seen := 0
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		f := strings.Split(sc.Text(), ";")
		if len(f) < 3 {
			continue
		}
		event := f[2]
		slot := kernelSlot(&k, event)
		if slot == nil {
			continue
		}
		v, err := strconv.ParseUint(strings.TrimSpace(f[0]), 10, 64)
		if err != nil {
			return k, fmt.Errorf("%s: %q", event, f[0])
		}
		*slot += v
		seen++
	}
	if seen < len(kernelEvents)+1 {
		return k, fmt.Errorf("%d of %d counters read: %s", seen, len(kernelEvents), strings.TrimSpace(out))
	}
	return k, nil
}

// kernelSlot is the field of k an event counts into, nil for none.
func kernelSlot(k *Kernel, event string) *uint64 {
	switch {
	case event == "raw_syscalls:sys_enter":
		return &k.Syscalls
	case strings.HasPrefix(event, "syscalls:sys_enter_read"), strings.HasPrefix(event, "syscalls:sys_enter_recv"):
		return &k.Reads
	case strings.HasPrefix(event, "syscalls:sys_enter_write"), strings.HasPrefix(event, "syscalls:sys_enter_send"):
		return &k.Writes
	case event == "context-switches" || event == "cs":
		return &k.CtxSwitches
	case event == "page-faults" || event == "faults":
		return &k.PageFaults
	case event == switchEvent:
		return &k.Involuntary
	}
	return nil
}

// perfError is what perf stat said when it failed, less its warnings
// about tasks that exited before it could attach (a fork server's
// children come and go by the thousand; one line says how many).
func perfError(stderr string) string {
	var keep []string
	gone := 0
	for _, l := range strings.Split(strings.TrimSpace(stderr), "\n") {
		if strings.HasPrefix(l, "WARNING: Ignored open failure for pid") {
			gone++
			continue
		}
		keep = append(keep, strings.TrimSpace(l))
	}
	if gone > 0 {
		keep = append([]string{fmt.Sprintf("%d tasks of the tree exited before perf could attach;", gone)}, keep...)
	}
	return strings.Join(keep, " ")
}
