package locust

import (
	"os"
	"strings"
	"testing"
)

func TestParseStats(t *testing.T) {
	f, err := os.Open("testdata/stats.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	stats, err := ParseStats(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(stats) < 2 || stats[len(stats)-1].Name != Aggregated {
		t.Fatalf("want request rows then %q, got %+v", Aggregated, stats)
	}
	total := 0
	for _, s := range stats[:len(stats)-1] {
		if s.Method != "GET" || !strings.HasPrefix(s.Name, "/test/") || s.Requests == 0 || s.P50 <= 0 || s.RPS <= 0 {
			t.Errorf("row %+v", s)
		}
		total += s.Requests
	}
	if agg := stats[len(stats)-1]; agg.Requests != total || agg.Median <= 0 || agg.Max < agg.P99 || agg.P99 < agg.P50 {
		t.Errorf("aggregate %+v over %d requests", agg, total)
	}
}

func TestParseStatsBad(t *testing.T) {
	for _, in := range []string{
		"",
		"Type,Name\nGET,/\n",
		"Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,90%,99%\nGET,/,x,0,1,1,1,1,1,1,0,1,1,1\n",
		"Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,90%,99%\nGET,/,1\n",
	} {
		if _, err := ParseStats(strings.NewReader(in)); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
	na := "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,90%,99%\n,Aggregated,0,0,0,0,0,0,0,0,0,N/A,N/A,N/A\n"
	s, err := ParseStats(strings.NewReader(na))
	if err != nil || len(s) != 1 || s[0].P50 != 0 {
		t.Errorf("N/A: %+v %v", s, err)
	}
}
