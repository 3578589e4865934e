package report

import (
	"bytes"
	"image"
	_ "image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"netmodels/bench/store"
	"netmodels/bench/stress"
	"netmodels/bench/summary"
)

// input is a fixed run: the table fixtures, the blog's four servers with
// stress steps, one slides run, idle memory and a time series.
func input() *Input {
	rows := summaries()
	for _, m := range []string{"fork", "thread", "select"} {
		rows = append(rows, &summary.Summary{Scenario: "blog", Model: m, Repeat: 1, Load: "open, steps", Requests: 9000,
			Throughput: 400, Success: 0.9, P50: 3, P95: 20, P99: 60, Max: 5000, Mean: 12.5,
			Stress: &summary.Stress{KneeRPS: 250, BreakRPS: 500, BeforeFirstFailure: 3000, Failed: true, RecoverySeconds: 2,
				Steps: steps(250, 500, 1000)}})
	}
	for _, s := range rows {
		if s.Scenario == "blog" && s.Stress.Steps[0].Offered == 250 && len(s.Stress.Steps) == 1 {
			s.Stress.Steps = steps(250, 500, 1000)
		}
	}
	for _, s := range rows {
		if s.Scenario == "blog" && s.Model == "select" {
			// Probes narrowed select's breaking point from the grid's
			// 500/s: it held 406/s and broke at 438/s.
			s.Stress.Probes = []stress.Step{{Offered: 375, Throughput: 370, Requests: 1500},
				{Offered: 437.5, Throughput: 380, Requests: 1750, Failures: 100},
				{Offered: 406.25, Throughput: 400, Requests: 1625}}
			s.Stress.GridBreakRPS, s.Stress.CleanRPS, s.Stress.BreakRPS = 500, 406.25, 437.5
		}
		if s.Scenario == "blog" && s.Model == "fork" {
			s.Failures = []summary.Failure{{Cause: summary.CauseTimeout, Count: 600, First: 4.25, Example: "read tcp 127.0.0.1:4: i/o timeout"},
				{Cause: summary.CauseRefused503, Count: 300, First: 6, Example: "status 503"}}
		}
	}
	rows = append(rows, &summary.Summary{Scenario: "slides-1-builtin", Model: "thread", Repeat: 1, Load: "users, 500 at 20/s",
		Requests: 8000, Throughput: 187, Success: 1, P50: 0.3, P95: 1, P99: 3.3, Max: 12,
		Routes: []summary.Route{
			{Method: "GET", Name: "/sort/builtin?n=1000&max=5000", Requests: 5000, Median: 0.3, Mean: 0.41, Min: 0.1, Max: 12, P90: 0.9, P99: 3.3, MeanSize: 5123, RPS: 125},
			{Method: "GET", Name: "/sort/heap?n=1000&max=5000", Requests: 3000, Failures: 2, Median: 0.35, Mean: 0.5, Min: 0.12, Max: 9.5, P90: 1, P99: 3.1, MeanSize: 5120, RPS: 62, FailRPS: 0.05}}})
	var series []summary.Second
	for t := 0; t < 20; t++ {
		series = append(series, summary.Second{T: t, Offered: float64(250 * (1 + t/5)), Sent: 250, OK: 240 + t, Failed: t % 3,
			P50: 1 + float64(t)/10, P95: 4 + float64(t), P99: 9 + float64(t)})
	}
	return &Input{
		Meta: &store.Meta{RunID: "20260101-000000", CPUModel: "Test CPU", CPUs: 2, MemoryKiB: 8 << 20, Kernel: "6.0",
			Go: "go1.26", Vegeta: "v12.13.0", Git: "abc1234", ServerCPUs: "0", ServerGOMAXPROCS: 1, HarnessCPUs: "1",
			Command: []string{"netbench", "run", "-profile", "seeds"}, ServerCPUShare: 0.4, ServerCPUPeriod: "10ms",
			Calibration: []store.CalibrationRow{
				{Shape: "close GET /", Model: "gnet", Answers: 20000, HarnessShare: 0.98, Ceiling: 20408, ServerUS: 31},
				{Shape: "close GET /", Model: "fork", Answers: 500, HarnessShare: 0.1, Ceiling: 5000, ServerUS: 2000}},
			Started: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Finished: time.Date(2026, 1, 1, 0, 20, 0, 0, time.UTC)},
		Rows: rows,
		Idle: []store.IdleRow{{Model: "gnet", Conns: 2000, PSSPerConnKiB: 2.3, RSSPerConnKiB: 2.5},
			{Model: "thread", Conns: 2000, PSSPerConnKiB: 29.7, RSSPerConnKiB: 31, ThreadsPerConn: 1},
			{Model: "fork", Conns: 200, PSSPerConnKiB: 705, ProcsPerConn: 1, Note: "a process per connection"},
			{Model: "iterative", Conns: 1, Note: "serves one connection at a time"}},
		Series:  map[string][]summary.Second{"blog/gnet": series, "blog/iterative": series, "slides-1-builtin/thread": series},
		Docs:    map[string]string{"blog": "the blog's stress test"},
		Shapes:  map[string]string{"blog": "close GET /"},
		HasGobs: map[string]bool{}, Timeouts: map[string]time.Duration{"blog": 5 * time.Second},
	}
}

func steps(rates ...float64) []stress.Step {
	var out []stress.Step
	for i, r := range rates {
		out = append(out, stress.Step{Offered: r, Sent: r, Throughput: r * (1 - 0.1*float64(i)), Requests: int(r * 5),
			Failures: i * 10, P50: time.Duration(i+1) * time.Millisecond, P99: time.Duration(i+1) * 10 * time.Millisecond})
	}
	return out
}

// TestBlogCapacity: the blog table's capacity is the median of the
// repeats with their range, and models whose ranges overlap rank as tied.
func TestBlogCapacity(t *testing.T) {
	var rows []*summary.Summary
	for rep, thr := range map[int][3]float64{1: {900, 880, 300}, 2: {1000, 910, 310}, 3: {950, 870, 320}} {
		for i, m := range []string{"fork", "thread", "select"} {
			rows = append(rows, &summary.Summary{Scenario: "blog", Model: m, Repeat: rep,
				Stress: &summary.Stress{BreakRPS: 2000, Steps: []stress.Step{{Offered: 1000, Throughput: thr[i], Requests: 4000}, {Offered: 2000, Throughput: 700, Requests: 8000, Failures: 800}}}})
		}
	}
	got := blogTable(rows)
	for _, want := range []string{"| fork | netmodels' model (Go) | 950 [900–1000] |", "| select | netmodels' model (Go) | 310 [300–320] |",
		"medians of up to 3 repeats", "| thread | netmodels' model (Go) | 880 [870–910] |", "fork 950 ≈ thread 880 > select 310"} {
		if !strings.Contains(got, want) {
			t.Errorf("the blog table lacks %q:\n%s", want, got)
		}
	}
}

func TestDocumentGolden(t *testing.T) {
	dir := t.TempDir()
	in := input()
	d, err := DrawCharts(in, dir)
	if err != nil {
		t.Fatal(err)
	}
	got := Document(in, d, map[string]string{"blog": "plots/blog.html"})
	golden(t, "report.golden", got)
	// Every chart the document shows exists.
	for _, line := range strings.Split(got, "\n") {
		if i := strings.Index(line, "](charts/"); i >= 0 && strings.HasPrefix(line, "![") {
			name := strings.TrimSuffix(line[i+len("](charts/"):], ")")
			if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
				t.Errorf("the report shows %s, which was not drawn", name)
			}
		}
	}
}

// TestChartsDraw is the charts' smoke test: each is a PNG that decodes to
// a picture of the size asked for and an SVG.
func TestChartsDraw(t *testing.T) {
	dir := t.TempDir()
	d, err := DrawCharts(input(), dir)
	if err != nil {
		t.Fatal(err)
	}
	var all []Chart
	for _, cs := range d.Scenario {
		all = append(all, cs...)
	}
	if d.Breaking == nil || d.Memory == nil {
		t.Fatal("no breaking-point or memory chart")
	}
	all = append(all, *d.Breaking, *d.Memory)
	want := []string{"blog-throughput", "blog-p99", "blog-gnet-series", "blog-cpu", "hello-keepalive-models", "hello-keepalive-cpu", "hello-keepalive-kernel", "slides-1-builtin-thread-series", "breaking-points", "memory-per-connection"}
	names := map[string]bool{}
	for _, c := range all {
		names[c.Name] = true
		b, err := os.ReadFile(filepath.Join(dir, c.Name+".png"))
		if err != nil {
			t.Fatal(err)
		}
		cfg, format, err := image.DecodeConfig(bytes.NewReader(b))
		if err != nil || format != "png" || cfg.Width < 500 || cfg.Height < 200 {
			t.Errorf("%s.png: %v %s %dx%d", c.Name, err, format, cfg.Width, cfg.Height)
		}
		svg, err := os.ReadFile(filepath.Join(dir, c.Name+".svg"))
		if err != nil || !bytes.Contains(svg, []byte("<svg")) || !bytes.Contains(svg, []byte("</svg>")) {
			t.Errorf("%s.svg: not an SVG (%v)", c.Name, err)
		}
	}
	for _, w := range want {
		if !names[w] {
			t.Errorf("chart %s not drawn (drew %v)", w, names)
		}
	}
	if names["blog-models"] {
		t.Error("a stress test's mean answers/s by model is drawn: it shows nothing")
	}
}
