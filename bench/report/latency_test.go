package report

import (
	"strings"
	"testing"
	"time"

	"netmodels/bench/sample"
	"netmodels/bench/store"
	"netmodels/bench/stress"
	"netmodels/bench/summary"
)

// latencyRows is a latency pass of two models, each measured once: the
// capacity held in hello-open, then three shares of it under the quota
// and on a whole CPU.
func latencyRows() []*summary.Summary {
	var rows []*summary.Summary
	for m, v := range map[string]struct {
		held         float64
		quota, whole [3]float64 // p99 ms
	}{
		"epoll":  {8000, [3]float64{3, 6, 20}, [3]float64{0.5, 0.6, 0.7}},
		"thread": {4000, [3]float64{2, 90, 300}, [3]float64{0.4, 0.62, 1.5}},
	} {
		rows = append(rows, &summary.Summary{Scenario: "hello-open", Model: m, Repeat: 1,
			Stress: &summary.Stress{CleanRPS: v.held, BreakRPS: v.held * 1.08, Probes: []stress.Step{{Offered: v.held}}}})
		for _, whole := range []bool{false, true} {
			s := &summary.Summary{Scenario: "hello-latency", Model: m, Repeat: 1, Of: "hello-open", WholeCPU: whole, Throughput: v.held / 2, ServerCPUPerAnswer: 20,
				ServerCPUShare: 0.12, Softirq: &sample.Softirq{Generator: 0.05, Others: 0.04}}
			p99 := v.quota
			if whole {
				s.Scenario, p99 = "hello-latency-whole", v.whole
			}
			for i, f := range []float64{0.25, 0.5, 0.75} {
				s.Levels = append(s.Levels, stress.Step{Offered: f * v.held, P99: time.Duration(p99[i] * float64(time.Millisecond))})
			}
			rows = append(rows, s)
		}
	}
	return rows
}

func TestLatencySection(t *testing.T) {
	got := latencySection(latencyRows(), &store.Meta{ServerCPUShare: 0.15, ServerCPUPeriod: "10ms"})
	for _, want := range []string{
		"at 25%, 50%, 75% of the rate it held in `hello-open`, first under the run's quota, 0.15 of a CPU per 10ms period",
		"| epoll | 8000 | 2000 · 4000 · 6000 | 3.00 · 6.00 · 20.00 | 0.50 · 0.60 · 0.70 | 10.0× | 0.050 · 0.040 | 0.120 |",
		"| thread | 4000 | 1000 · 2000 · 3000 | 2.00 · 90.00 · 300.00 | 0.40 · 0.62 · 1.50 | 145.2× |",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the section lacks %q:\n%s", want, got)
		}
	}
	if latencySection(nil, nil) != "" {
		t.Error("a section for a run without a latency pass")
	}
}

// TestLatencyFinding: the whole-CPU p99s at half the capacity, 0.60 and
// 0.62 ms measured once, are tied, not ranked.
func TestLatencyFinding(t *testing.T) {
	got := latencyFinding(latencyRows())
	for _, want := range []string{"p99 on a whole CPU at 50% of each model's capacity, lowest first: epoll 0.60 ms ≈ thread 0.62 ms",
		"under the quota the same rates' p99 was 10.0–145.2× the whole CPU's"} {
		if !strings.Contains(got, want) {
			t.Errorf("the finding lacks %q: %s", want, got)
		}
	}
}
