package store

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"netmodels/bench/summary"
)

func TestSeriesRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.csv")
	in := []summary.Second{{T: 0, Offered: 250, Sent: 250, OK: 249, Failed: 1, P50: 0.5, P95: 1, P99: 2},
		{T: 1, Offered: 12000, Sent: 9000, OK: 8000, Failed: 10, NotSent: 3000, P50: 5, P95: 50, P99: 500}}
	if err := WriteSeries(path, in); err != nil {
		t.Fatal(err)
	}
	out, err := ReadSeries(path)
	if err != nil || !reflect.DeepEqual(in, out) {
		t.Fatalf("round trip: %+v %v", out, err)
	}
	// A series written before not_sent was kept still reads.
	old := "t_s,offered_rps,sent,ok,failed,p50_ms,p95_ms,p99_ms\n0,250.000,250,250,0,0.231,0.313,0.592\n"
	if err := os.WriteFile(path, []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := ReadSeries(path); err != nil || len(out) != 1 || out[0].OK != 250 || out[0].NotSent != 0 {
		t.Fatalf("old series: %+v %v", out, err)
	}
}

// summary.csv has a column for every figure of summary.Columns, once
// each, and leaves empty those an attack does not have.
func TestSummaryCSV(t *testing.T) {
	dir := t.TempDir()
	drops := uint64(3)
	rows := []*summary.Summary{
		{Scenario: "hello-keepalive", Model: "epoll", Repeat: 1, Requests: 100, Throughput: 1234.5678, ConntrackDrops: &drops,
			Kernel: &summary.KernelPerAnswer{Syscalls: 2.5}, SendWait: &summary.Wait{P99: 0.25}},
		{Scenario: "blog", Model: "fork", Repeat: 2, Stress: &summary.Stress{KneeRPS: -1, BreakRPS: 500}},
	}
	if err := WriteSummaries(dir, rows); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(dir, SummaryCSV))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil || len(recs) != 3 {
		t.Fatalf("%d records, %v", len(recs), err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		if _, dup := col[h]; dup {
			t.Errorf("column %s twice", h)
		}
		col[h] = i
	}
	for _, c := range []struct {
		row        int
		name, want string
	}{
		{1, "throughput_rps", "1234.568"}, {1, "requests", "100"}, {1, "conntrack_drops", "3"},
		{1, "syscalls_per_answer", "2.500"}, {1, "send_wait_p99_ms", "0.250"}, {1, "knee_rps", ""},
		{2, "knee_rps", "-1"}, {2, "break_rps", "500"}, {2, "syscalls_per_answer", ""},
	} {
		i, ok := col[c.name]
		if !ok {
			t.Errorf("no column %s", c.name)
			continue
		}
		if got := recs[c.row][i]; got != c.want {
			t.Errorf("row %d, %s = %q, want %q", c.row, c.name, got, c.want)
		}
	}
}
