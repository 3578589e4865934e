package main

import (
	"math"
	"strings"
	"testing"
	"time"

	"netmodels/bench/locust"
	"netmodels/bench/summary"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

func TestLocustTable(t *testing.T) {
	s := &summary.Summary{Requests: 1000, Success: 0.99, Throughput: 198, P50: 2, Mean: 2.5, P99: 9, ServerCPUShare: 0.2, HarnessCPUShare: 0.1,
		Routes: []summary.Route{{Method: "GET", Name: "/a", Requests: 600, Failures: 10, Median: 2, Mean: 2.4, P99: 8, RPS: 120}}}
	rows := []LocustRow{
		{Generator: "locust", Round: 1, Name: "/a", AnswersPS: 100, P50: 4, Mean: 5},
		{Generator: "locust", Round: 1, Name: "Aggregated", AnswersPS: 200, P50: 4, Mean: 5, ServerCPUShare: 0.25, GeneratorCPUShare: 0.6},
	}
	nb := netbenchRows(s, 1)
	if len(nb) != 2 || nb[0].AnswersPS != 118 || nb[1].Name != "Aggregated" || nb[1].Failures != 10 {
		t.Fatalf("netbench rows %+v", nb)
	}
	got := LocustTable(append(rows, nb...))
	for _, want := range []string{
		"| 1 | /a | 100.0 | 118.0 | 1.18 | 4.00 | 2.00 | 0.50 |",
		"| 1 | Aggregated | 200.0 | 198.0 | 0.99 |",
		"server 25% of a CPU under Locust, 20% under netbench; Locust's own CPU 60% of a core",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("table lacks %q:\n%s", want, got)
		}
	}
}

func TestWindowedCountsOnlyAnswersWithinTheLoad(t *testing.T) {
	t0 := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	at := func(url string, sent, lat time.Duration, code uint16) vegeta.Result {
		return vegeta.Result{URL: url, Timestamp: t0.Add(sent), Latency: lat, Code: code, Method: "GET"}
	}
	rs := []vegeta.Result{
		at("http://h/a", 0, time.Second, 200),                      // in
		at("http://h/a", 5*time.Second, 4*time.Second, 200),        // ends at 9 s: in
		at("http://h/a", 8*time.Second, 3*time.Second, 200),        // ends at 11 s: out
		at("http://h/b", time.Second, time.Second, 500),            // a failure: out
		at("http://h/b", 2*time.Second, time.Second, 200),          // in
		at("http://h/b", 9*time.Second+900*time.Millisecond, 0, 0), // an error: out
	}
	rows := windowed([]LocustRow{{Name: "/a", AnswersPS: 99}, {Name: "/b", AnswersPS: 99}, {Name: locust.Aggregated, AnswersPS: 99}}, rs, 10*time.Second)
	want := []float64{0.2, 0.1, 0.3}
	for i, r := range rows {
		if math.Abs(r.AnswersPS-want[i]) > 1e-9 {
			t.Errorf("%s: %.3f answers/s, want %.3f", r.Name, r.AnswersPS, want[i])
		}
	}
}

func TestRoundsLineSetsTheDifferenceBesideTheSpread(t *testing.T) {
	rows := []LocustRow{
		{Generator: "locust", Round: 1, Name: locust.Aggregated, AnswersPS: 80},
		{Generator: "netbench", Round: 1, Name: locust.Aggregated, AnswersPS: 90},
		{Generator: "locust", Round: 2, Name: locust.Aggregated, AnswersPS: 100},
		{Generator: "netbench", Round: 2, Name: locust.Aggregated, AnswersPS: 90},
		{Generator: "locust", Round: 2, Name: "/a", AnswersPS: 5},
	}
	got := roundsLine(rows)
	for _, want := range []string{"Over 2 rounds", "Locust 90.0 [80.0–100.0]", "netbench 90.0 [90.0–90.0]", "mean over Locust's 1.00", "up to 22%"} {
		if !strings.Contains(got, want) {
			t.Errorf("roundsLine lacks %q:\n%s", want, got)
		}
	}
	if roundsLine(rows[:2]) != "" {
		t.Error("one round has no spread to speak of")
	}
}
