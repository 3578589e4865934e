package main

import (
	"strings"
	"testing"

	"netmodels/bench/summary"
)

func TestPerfTable(t *testing.T) {
	rows := []PerfRow{
		{Server: "nginx", Load: "keepalive", Round: 1, RPS: 100000, CPUPerAnswerUS: 5},
		{Server: "epoll", Load: "keepalive", Round: 1, RPS: 90000, CPUPerAnswerUS: 9},
		{Server: "epoll", Load: "keepalive", Round: 2, RPS: 95000, CPUPerAnswerUS: 11},
	}
	plain := PerfTable(rows, []string{"nginx", "epoll"})
	if strings.Contains(plain, "syscalls") || !strings.Contains(plain, "| epoll | keepalive | 92500 | 10.0 [9.0–11.0] | 2.00 | 0 | none |") {
		t.Fatalf("without kernel counts:\n%s", plain)
	}
	rows[1].Kernel = &summary.KernelPerAnswer{Syscalls: 2, Reads: 1, Writes: 1, CtxSwitches: 0.02, Involuntary: 0.01}
	rows[2].Kernel = &summary.KernelPerAnswer{Syscalls: 3, Reads: 1, Writes: 1, CtxSwitches: 0.04, Involuntary: 0.01, PageFaults: 0.5}
	got := PerfTable(rows, []string{"nginx", "epoll"})
	for _, want := range []string{"syscalls/answer", "| epoll | keepalive | 92500 | 10.0 [9.0–11.0] | 2.00 | 2.50 | 2.00 | 0.03 (0.01) | 0.25 | 0 | none |",
		"| nginx | keepalive | 100000 | 5.0 [5.0–5.0] | 1.00 | – | – | – | – |"} {
		if !strings.Contains(got, want) {
			t.Errorf("table lacks %q:\n%s", want, got)
		}
	}
}

func TestPerfTableFloor(t *testing.T) {
	rows := []PerfRow{
		{Server: "fork", Load: "close", Round: 1, RPS: 100, CPUPerAnswerUS: 9000},
		{Server: "fork", Load: "close", Round: 2, RPS: 100, CPUPerAnswerUS: 8000},
		{Server: FloorServer, Load: FloorLoad, Round: 1, RPS: 250, CPUPerAnswerUS: 4000},
		{Server: FloorServer, Load: FloorLoad, Round: 2, RPS: 250, CPUPerAnswerUS: 5000},
	}
	got := PerfTable(rows, []string{"fork", FloorServer})
	for _, want := range []string{"| " + FloorServer + " | start | 250 | 4500.0 [4000.0–5000.0] | n/a |",
		"1.89× the floor (8500 µs of server CPU per answer against 4500 µs per start", "round by round 1.60–2.25×"} {
		if !strings.Contains(got, want) {
			t.Errorf("table lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(PerfTable(rows[:2], []string{"fork"}), "floor") {
		t.Error("a floor line without a floor measured")
	}
}

func TestMeasureStarts(t *testing.T) {
	c, err := measureStarts("/bin/true", 20, 4)
	if err != nil {
		t.Fatal(err)
	}
	if c.Starts != 20 || c.ChildUS <= 0 || c.ParentUS <= 0 || c.WallUS <= 0 {
		t.Errorf("startcost of /bin/true: %+v", c)
	}
	if _, err := measureStarts("/nonexistent/program", 2, 1); err == nil {
		t.Error("no error starting a program that does not exist")
	}
}
