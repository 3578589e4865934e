package main

import (
	"strings"
	"testing"

	"netmodels/bench/summary"
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
