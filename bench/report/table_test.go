package report

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"netmodels/bench/sample"
	"netmodels/bench/stress"
	"netmodels/bench/summary"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// summaries is a fixed run: two scenarios, two models, repeats, a
// generator-bound repeat and a stress test.
func summaries() []*summary.Summary {
	hello := func(model string, rep int, thr, p99, cpu float64, bound bool) *summary.Summary {
		return &summary.Summary{Scenario: "hello-keepalive", Model: model, Repeat: rep, Load: "closed, 50 connections for 10s, keep-alive",
			Requests: int(thr * 10), Throughput: thr, Success: 1, P50: p99 / 4, P95: p99 * 0.8, P99: p99, Max: p99 * 3,
			ServerCPUPerAnswer: cpu, PeakRSSKiB: 6 << 10, PeakThreads: 8, PeakProcs: 1, GeneratorBound: bound,
			Kernel: &summary.KernelPerAnswer{Syscalls: cpu / 10, Reads: cpu / 40, Writes: cpu / 40, CtxSwitches: cpu / 100}}
	}
	blog := func(model string, knee, brk float64, bff int, rec float64) *summary.Summary {
		return &summary.Summary{Scenario: "blog", Model: model, Repeat: 1, Load: "open, steps [250 500 1000]/s of 5s, new connection per request",
			Requests: 8750, Throughput: 480, Success: 0.97, P50: 2, P95: 30, P99: 40, Max: 5000, ServerCPUPerAnswer: 50,
			PeakRSSKiB: 12 << 10, PeakThreads: 7, PeakProcs: 1,
			Stress: &summary.Stress{Steps: []stress.Step{{Offered: 250, P99: time.Millisecond}}, KneeRPS: knee, BreakRPS: brk,
				BeforeFirstFailure: bff, Failed: brk > 0, RecoverySeconds: rec}}
	}
	rows := []*summary.Summary{
		hello("gnet", 1, 26000, 4.5, 20.1, true), blog("gnet", 1000, -1, 8750, 0),
		hello("gnet", 2, 26500, 4.1, 19.8, false), hello("gnet", 3, 25800, 5.0, 20.6, false),
		hello("iterative", 1, 2100, 0.3, 39.7, false), blog("iterative", 500, 1000, 4012, -1),
	}
	// The hypervisor took 12% of CPU 0 in gnet's second repeat, 0.4% in
	// the others read; the blog runs predate the reading.
	for i, s := range rows {
		if s.Scenario == "hello-keepalive" {
			s.Steal = &sample.Stolen{Share: 0.004, CPU: i % 2}
		}
	}
	rows[2].Steal = &sample.Stolen{Share: 0.12}
	return rows
}

// golden compares got with testdata/name, which -update rewrites.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (go test -update rewrites it):\n%s", path, got)
	}
}

func TestMarkdownGolden(t *testing.T) {
	golden(t, "table.golden", Markdown(Aggregate(summaries())))
}

func TestAggregateMedians(t *testing.T) {
	rows := Aggregate(summaries())
	if len(rows) != 4 || rows[0].Scenario != "hello-keepalive" || rows[1].Scenario != "hello-keepalive" || rows[2].Scenario != "blog" {
		t.Fatalf("rows not grouped by scenario: %v %v %v", rows[0].Scenario, rows[1].Scenario, rows[2].Scenario)
	}
	g := rows[0]
	if g.Model != "gnet" || g.Repeats != 3 || g.Throughput.Median != 26000 || g.Throughput.Min != 25800 ||
		g.Throughput.Max != 26500 || g.GeneratorBound != 1 || g.Disturbed != 1 || g.MostStolen != 0.12 || !g.StealRead {
		t.Fatalf("gnet row %+v", g)
	}
	if it := rows[1]; it.Disturbed != 0 || !it.StealRead || rows[2].StealRead {
		t.Errorf("iterative: %d disturbed, read %v; blog read %v", it.Disturbed, it.StealRead, rows[2].StealRead)
	}
}

func TestStressTexts(t *testing.T) {
	none := cell([]float64{-1})
	r := &Row{Knee: none, Break: none, FirstStep: 250, TopStep: 8000}
	if got := r.KneeText(); got != "< 250" {
		t.Errorf("knee below the first step: %q", got)
	}
	if got := r.BreakText(); got != "none to 8000" {
		t.Errorf("nothing broke: %q", got)
	}
	r = &Row{Knee: cell([]float64{2000}), Break: cell([]float64{4000}), FirstStep: 250, TopStep: 8000}
	if r.KneeText() != "2000" || r.BreakText() != "4000" {
		t.Errorf("reached: %q %q", r.KneeText(), r.BreakText())
	}
}

// TestMachineLine: the findings' machine line is there only when an
// attack read the steal, and says when none reached the mark.
func TestMachineLine(t *testing.T) {
	if got := machine([]*Row{{Model: "a"}}); got != "" {
		t.Errorf("no reading: %q, want no line", got)
	}
	calm := machine([]*Row{{Model: "a", StealRead: true, MostStolen: 0.004}})
	if !strings.Contains(calm, "at most 0.4% of a CPU") || !strings.Contains(calm, "no attack lost 1% or more") {
		t.Errorf("calm run: %q", calm)
	}
}

// TestLatencyClock: the findings say where stamped latencies end, and
// name the rows whose latencies netbench measured instead.
func TestLatencyClock(t *testing.T) {
	if got := latencyClock([]*Row{{Model: "a", Repeats: 1}}); got != "" {
		t.Errorf("no stamps: %q, want no line", got)
	}
	all := latencyClock([]*Row{{Scenario: "s", Model: "a", Repeats: 2, Stamped: 2, MostReadWait: 0.75}, {Scenario: "s", Model: "b", Repeats: 1, Stamped: 1, MostReadWait: 2.5}})
	if !strings.Contains(all, "up to 2.50 ms at p99") || strings.Contains(all, "not comparable") {
		t.Errorf("every row stamped: %q", all)
	}
	mixed := latencyClock([]*Row{{Scenario: "s", Model: "a", Repeats: 2, Stamped: 1, MostReadWait: 0.5}, {Scenario: "s", Model: "b", Repeats: 1}})
	if !strings.Contains(mixed, "at least one repeat of s/a, s/b the latencies end when netbench read") {
		t.Errorf("some rows stamped: %q", mixed)
	}
	if strings.Contains(all+mixed, "-tx-stamps") {
		t.Errorf("no send stamps, yet the line speaks of them: %q, %q", all, mixed)
	}
	both := latencyClock([]*Row{{Scenario: "s", Model: "a", Repeats: 1, Stamped: 1, MostReadWait: 0.5, SendStamped: 1, MostSendWait: 0.25}})
	if want := "**The latency clock**: latencies end when the kernel received each answer (netbench run -rx-stamps), not when netbench read it; answers then waited for netbench up to 0.50 ms at p99 in an attack, a wait left out of every latency here. They start when the kernel sent each request (netbench run -tx-stamps), not when netbench began it; requests waited for that up to 0.25 ms at p99 in an attack, a wait left out too."; both != want {
		t.Errorf("both stamps:\n%s\nwant\n%s", both, want)
	}
	send := latencyClock([]*Row{{Scenario: "s", Model: "a", Repeats: 2, SendStamped: 1, MostSendWait: 0.25}})
	if !strings.HasPrefix(send, "**The latency clock**: latencies start when the kernel sent") || !strings.Contains(send, "In at least one repeat of s/a the latencies start when netbench began") || strings.Contains(send, "-rx-stamps") {
		t.Errorf("send stamps alone, in one of two repeats: %q", send)
	}
}

// TestConntrackDrops: an attack whose packets connection tracking dropped
// is disturbed, its p99 marked ‡ with the cause in the table's note, and
// the findings name its row; an attack with no counters says nothing.
func TestConntrackDrops(t *testing.T) {
	mk := func(rep int, drops *uint64) *summary.Summary {
		return &summary.Summary{Scenario: "hello-close", Model: "epoll", Repeat: rep, Load: "closed, 50 connections", Requests: 1000,
			Throughput: 1000, Success: 1, P50: 1, P99: 2, ConntrackDrops: drops}
	}
	zero, some := uint64(0), uint64(935)
	rows := Aggregate([]*summary.Summary{mk(1, &zero), mk(2, &some)})
	if len(rows) != 1 || rows[0].Disturbed != 1 || rows[0].Dropped != 1 || rows[0].Stolen != 0 || rows[0].Drops != 935 || !rows[0].ConntrackRead {
		t.Fatalf("row %+v", rows[0])
	}
	md := Markdown(rows)
	if !strings.Contains(md, "‡") || !strings.Contains(md, "connection tracking") || strings.Contains(md, "steal time") {
		t.Errorf("table:\n%s", md)
	}
	if l := conntrack(rows); !strings.Contains(l, "dropped 935 packets in 1 of 1 rows") || !strings.Contains(l, "hello-close/epoll") {
		t.Errorf("findings line %q", l)
	}
	calm := Aggregate([]*summary.Summary{mk(1, &zero)})
	if l := conntrack(calm); !strings.Contains(l, "dropped no packet") || calm[0].Disturbed != 0 {
		t.Errorf("no drops: %q, disturbed %d", l, calm[0].Disturbed)
	}
	if l := conntrack(Aggregate([]*summary.Summary{mk(1, nil)})); l != "" {
		t.Errorf("no counters: %q, want no line", l)
	}
}
