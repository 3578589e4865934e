package store

import (
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
