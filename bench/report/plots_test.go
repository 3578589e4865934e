package report

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
	vplot "github.com/tsenart/vegeta/v12/lib/plot"

	"netmodels/bench/scenario"
)

func TestRestylePlot(t *testing.T) {
	p := vplot.New(vplot.Title("t"))
	began := time.Unix(1000, 0)
	for i, m := range []string{"epoll", "fork"} {
		for k := 0; k < 10; k++ {
			r := vegeta.Result{Attack: m, Seq: uint64(k), Timestamp: began.Add(time.Duration(k) * time.Second), Latency: time.Millisecond, Code: 200}
			if i == 1 && k > 5 {
				r.Error, r.Code = "timeout", 0
			}
			if err := p.Add(&r); err != nil {
				t.Fatal(err)
			}
		}
	}
	p.Close()
	var html bytes.Buffer
	if _, err := p.WriteTo(&html); err != nil {
		t.Fatal(err)
	}
	st := modelStyle{"fork": 0, "epoll": 3}
	steps := stepMarks(&scenario.Scenario{Load: scenario.Load{Kind: scenario.Steps, Rates: []float64{250, 500},
		Step: scenario.Duration{Duration: 4 * time.Second}}, Stress: &scenario.Stress{RecoveryRate: 250, Recovery: scenario.Duration{Duration: 10 * time.Second}}})
	out, err := restylePlot(html.Bytes(), st.index, steps)
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	if !strings.Contains(s, `<body class="light">`) || !strings.Contains(s, "let isDarkTheme = false;") || !strings.Contains(s, "opts.steps") {
		t.Fatal("not restyled: light theme or step hook missing")
	}
	i := strings.Index(s, plotOpts) + len(plotOpts)
	var opts struct {
		Labels []string   `json:"labels"`
		Colors []string   `json:"colors"`
		Steps  []StepMark `json:"steps"`
	}
	if err := json.Unmarshal([]byte(s[i:i+strings.Index(s[i:], ";\n")]), &opts); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"epoll: OK": hex(palette[3]), "fork: OK": hex(palette[0]), "fork: ERROR": failureReds[0]}
	for k, l := range opts.Labels[1:] {
		if want[l] != opts.Colors[k] {
			t.Errorf("%s drawn in %s, want %s", l, opts.Colors[k], want[l])
		}
	}
	if len(opts.Steps) != 3 || opts.Steps[1].T != 4 || opts.Steps[2].Label != "recovery 250/s" {
		t.Errorf("steps %+v", opts.Steps)
	}
	if _, err := restylePlot([]byte("<html>another template</html>"), st.index, nil); err == nil {
		t.Error("a changed template must be reported, not half restyled")
	}
}

// TestAddGobGaps: results with gaps in their sequence numbers (requests
// not sent) are all plotted, not only those before the first gap, and so
// are results whose timestamps are out of sequence order (a users load's
// users stamp their requests concurrently; vegeta's plot refuses those).
func TestAddGobGaps(t *testing.T) {
	path := t.TempDir() + "/a.gob.gz"
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	z := gzip.NewWriter(f)
	enc := vegeta.NewEncoder(z)
	began := time.Unix(1000, 0)
	for _, seq := range []uint64{0, 1, 2, 7, 8, 20} {
		at := time.Duration(seq) * time.Second
		if seq == 8 {
			at = 6 * time.Second // sent before 7
		}
		r := vegeta.Result{Attack: "epoll", Seq: seq, Code: 200, Latency: time.Millisecond, Timestamp: began.Add(at)}
		if err := enc.Encode(&r); err != nil {
			t.Fatal(err)
		}
	}
	z.Close()
	f.Close()
	p := vplot.New()
	if err := addGob(p, path); err != nil {
		t.Fatal(err)
	}
	p.Close()
	var html bytes.Buffer
	if _, err := p.WriteTo(&html); err != nil {
		t.Fatal(err)
	}
	s := html.String()
	i := strings.Index(s, "const rowData = ") + len("const rowData = ")
	var rows [][]any
	if err := json.Unmarshal([]byte(strings.ReplaceAll(s[i:i+strings.Index(s[i:], ";\n")], "NaN", "null")), &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 6 || rows[len(rows)-1][0].(float64) != 20 {
		t.Fatalf("plotted %d points, the last at %v s; want 6, the last at 20 s", len(rows), rows[len(rows)-1][0])
	}
}

// TestLogTicks: a log axis always carries at least two labelled marks,
// and one that starts at niceBelow starts on one.
func TestLogTicks(t *testing.T) {
	for _, c := range []struct{ lo, hi float64 }{{20.2, 5000}, {2.1, 4.8}, {2.1, 2.3}, {0.003, 0.004}, {1, 1e6}, {0, 10}, {30000.7, 30005}} {
		ts := logTicks{}.Ticks(c.lo, c.hi)
		if len(ts) < 2 {
			t.Errorf("%v–%v: %d marks, want 2 or more", c.lo, c.hi, len(ts))
		}
		if ts[0].Label == ts[len(ts)-1].Label {
			t.Errorf("%v–%v: both ends read %s", c.lo, c.hi, ts[0].Label)
		}
		for _, tk := range ts {
			if tk.Label == "" {
				t.Errorf("%v–%v: a mark at %v without a label", c.lo, c.hi, tk.Value)
			}
		}
	}
	for _, c := range []struct{ v, want float64 }{{20.2, 20}, {0.7, 0.5}, {1, 1}, {199, 100}, {4999, 2000}} {
		if got := niceBelow(c.v); math.Abs(got-c.want) > 1e-9*c.want {
			t.Errorf("niceBelow(%v) = %v, want %v", c.v, got, c.want)
		}
	}
	lo := niceBelow(30.3 / 1.5) // hello-close's cheapest model, as rangeChart sets the axis
	if ts := (logTicks{}).Ticks(lo, 5000); ts[0].Value != lo {
		t.Errorf("an axis from %v starts on a mark at %v", lo, ts[0].Value)
	}
}
