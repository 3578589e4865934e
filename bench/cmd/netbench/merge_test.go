package main

import (
	"strings"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"netmodels/bench/sample"
	"netmodels/bench/scenario"
	"netmodels/bench/store"
	"netmodels/bench/summary"
)

// writeShardRun writes a run directory as netbench run -shard i/3 leaves
// it: meta, one summary, the vegeta results and the shard file. Shard k's
// latencies are k+1 ms plus i µs for its i-th request, 100/s for 10 s.
func writeShardRun(t *testing.T, root string, k int, began time.Time, bound bool) string {
	t.Helper()
	whole := &scenario.Scenario{Name: "open", Targets: []scenario.Target{{Path: "/hello"}},
		Load: scenario.Load{Kind: scenario.Constant, Rate: 300}, Duration: scenario.Duration{Duration: 10 * time.Second}}
	sh := scenario.Shard{I: k, N: 3}
	dir, id, err := store.NewRun(root)
	if err != nil {
		t.Fatal(err)
	}
	var rs []vegeta.Result
	var due, waits, sends []time.Duration
	for i := 0; i < 1000; i++ {
		d := time.Duration(i) * 10 * time.Millisecond
		rs = append(rs, vegeta.Result{Seq: uint64(i), Timestamp: began.Add(d), Code: 200, Method: "GET", URL: "http://t/hello",
			Latency: time.Duration(k+1)*time.Millisecond + time.Duration(i)*time.Microsecond})
		due = append(due, d)
		waits = append(waits, rs[i].Latency/2) // -rx-stamps: half of each answer's time was the generator's
		sends = append(sends, rs[i].Latency/4) // -tx-stamps: and a quarter more before its request left
	}
	if err := store.WriteAttack(dir, "open", "epoll", 1, rs, nil); err != nil {
		t.Fatal(err)
	}
	// Shard k started k ms late. Shard 1 says so as netbench now does:
	// its schedule counted from -start-at and it woke late (StartSkew);
	// the others as earlier netbench did, a Began later than StartAt.
	startAt, startSkew := began.Add(-time.Duration(k)*time.Millisecond), time.Duration(0)
	if k == 1 {
		startAt, startSkew = began, time.Millisecond
	}
	if err := store.WriteShard(store.AttackBase(dir, "open", "epoll", 1), &store.ShardAttack{Shard: sh.String(), Whole: whole,
		StartAt: startAt, StartSkew: startSkew, Host: "host" + sh.String(), Began: began, Due: due,
		HarnessCPU: time.Second, HarnessCores: 1, Wall: 10 * time.Second, Steal: &sample.Stolen{Share: 0.01 * float64(k), CPU: k},
		Boot: []string{"boot-a", "boot-a", "boot-b"}[k], CPUs: "1", ReadWait: waits, SendWait: sends}); err != nil {
		t.Fatal(err)
	}
	row := &summary.Summary{Scenario: "open", Model: "epoll", Repeat: 1, Requests: 1000, Success: 1}
	if bound {
		row.GeneratorBound, row.GeneratorNote = true, "12 requests not sent: the generator was over 10 ms behind schedule"
	}
	if err := store.WriteSummaries(dir, []*summary.Summary{row}); err != nil {
		t.Fatal(err)
	}
	if err := store.WriteMeta(dir, &store.Meta{RunID: id}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestMergeRuns: three shard runs merge into one run whose summary is
// recomputed from every result (exact nearest-rank percentiles of the
// union), whose meta lists the shards with their start skew, and whose
// generator note names the shard that lagged.
func TestMergeRuns(t *testing.T) {
	root := t.TempDir()
	t0 := time.Unix(1_000_000, 0).UTC()
	var dirs []string
	for k := 0; k < 3; k++ {
		dirs = append(dirs, writeShardRun(t, t.TempDir(), k, t0.Add(time.Duration(k)*time.Millisecond), k == 1))
	}
	dir, err := mergeRuns(root, dirs)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := store.ReadSummaries(dir)
	if err != nil || len(rows) != 1 {
		t.Fatalf("merged summaries: %v, %v", rows, err)
	}
	s := rows[0]
	if s.Requests != 3000 || s.P50 != 2.499 || s.P99 != 3.969 || s.Max != 3.999 {
		t.Errorf("merged: %d requests, p50 %g, p99 %g, max %g; want 3000, 2.499, 3.969, 3.999", s.Requests, s.P50, s.P99, s.Max)
	}
	// The read waits' percentiles are the union's too: half the latencies'.
	if w := s.ReadWait; w == nil || *w != (summary.Wait{Stamped: 3000, Answers: 3000, P50: 1.2495, P99: 1.9845, Max: 1.9995, ReadP99: 5.9535}) {
		t.Errorf("merged read wait %+v, want 3000 stamped with p50 1.2495, p99 1.9845, max 1.9995, read at p99 5.9535", w)
	}
	// So are the send waits': a quarter of the latencies'.
	if w := s.SendWait; w == nil || *w != (summary.Wait{Stamped: 3000, Answers: 3000, P50: 0.62475, P99: 0.99225, Max: 0.99975, BeganP99: 4.96125}) {
		t.Errorf("merged send wait %+v, want 3000 stamped with p50 0.62475, p99 0.99225, max 0.99975, begun at p99 4.96125", w)
	}
	if !s.GeneratorBound || !strings.Contains(s.GeneratorNote, "shard 1/3 (host1/3)") {
		t.Errorf("the lagging shard is not named: bound %v, note %q", s.GeneratorBound, s.GeneratorNote)
	}
	m, err := store.ReadMeta(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Shards) != 3 {
		t.Fatalf("meta lists %d shards", len(m.Shards))
	}
	for k, sh := range m.Shards {
		if want := time.Duration(k) * time.Millisecond; sh.Skew != want {
			t.Errorf("shard %s: skew %v, want %v", sh.Shard, sh.Skew, want)
		}
		if sh.Steal == nil || sh.Steal.CPU != k {
			t.Errorf("shard %s: steal %+v, want its own reading, of CPU %d", sh.Shard, sh.Steal, k)
		}
	}
	if s.Steal == nil || s.Steal.Share != 0.02 || s.Steal.CPU != 2 {
		t.Errorf("merged steal %+v, want the most any shard lost: 0.02 of CPU 2", s.Steal)
	}
	// Shards 0 and 1 ran on one machine, on one CPU; shard 2 elsewhere.
	shared := false
	for _, n := range m.Notes {
		if strings.HasPrefix(n, "shards 0/3, 1/3 shared CPU 1 of one machine") {
			shared = true
		}
	}
	if !shared {
		t.Errorf("no note that shards 0/3 and 1/3 shared CPU 1: %q", m.Notes)
	}
	// A split with a shard missing does not merge.
	if _, err := mergeRuns(root, dirs[:2]); err == nil || !strings.Contains(err.Error(), "2/3") {
		t.Errorf("two of three shards merged: %v", err)
	}
}

func TestSharedCPUs(t *testing.T) {
	info := func(sh, boot, cpus string) store.ShardInfo { return store.ShardInfo{Shard: sh, Boot: boot, CPUs: cpus} }
	for _, c := range []struct {
		in   []store.ShardInfo
		want string // the note's opening; "" for none
	}{
		{[]store.ShardInfo{info("0/2", "a", "1"), info("1/2", "b", "1")}, ""},                                                                   // two machines
		{[]store.ShardInfo{info("0/2", "a", "1"), info("1/2", "a", "2")}, ""},                                                                   // one machine, CPUs apart
		{[]store.ShardInfo{info("0/2", "", "1"), info("1/2", "", "1")}, ""},                                                                     // machine unknown
		{[]store.ShardInfo{info("0/3", "a", "1-2"), info("1/3", "a", "2,3"), info("2/3", "a", "1")}, "shards 0/3, 1/3, 2/3 shared CPUs 1,2 of"}, // compose: one cpuset
		{[]store.ShardInfo{info("0/4", "a", "1"), info("1/4", "b", "1"), info("2/4", "a", "1"), info("3/4", "b", "1")},
			"shards 0/4, 2/4 shared CPU 1; shards 1/4, 3/4 shared CPU 1 of"},
	} {
		got := sharedCPUs(c.in, false)
		if (c.want == "") != (got == "") || !strings.HasPrefix(got, c.want) {
			t.Errorf("%+v: got %q, want it to open with %q", c.in, got, c.want)
		}
	}
	// Stamped shards' wait is not in their latencies, and the note says so.
	one := []store.ShardInfo{info("0/2", "a", "1"), info("1/2", "a", "1")}
	if got := sharedCPUs(one, false); !strings.Contains(got, "that wait is in the latencies") {
		t.Errorf("unstamped: %q", got)
	}
	if got := sharedCPUs(one, true); !strings.Contains(got, "kept apart as the read wait") || strings.Contains(got, "is in the latencies") {
		t.Errorf("stamped: %q", got)
	}
}

func TestParseStartAt(t *testing.T) {
	now := time.Date(2026, 12, 2, 10, 0, 7, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"next:30s":             time.Date(2026, 12, 2, 10, 0, 30, 0, time.UTC), // 23 s ahead
		"next:10s":             time.Date(2026, 12, 2, 10, 0, 20, 0, time.UTC), // 10:00:10 is only 3 s ahead
		"2026-12-02T10:05:00Z": time.Date(2026, 12, 2, 10, 5, 0, 0, time.UTC),
	} {
		got, err := parseStartAt(in, now)
		if err != nil || !got.Equal(want) {
			t.Errorf("parseStartAt(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"next:", "next:-1s", "soon"} {
		if _, err := parseStartAt(bad, now); err == nil {
			t.Errorf("parseStartAt(%q) took it", bad)
		}
	}
}
