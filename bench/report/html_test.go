package report

import (
	"regexp"
	"strings"
	"testing"

	"netmodels/bench/summary"
)

// TestHTMLGolden: report.html of the fixed run, the chart library left
// out of the golden file (it is vegeta's, checked below for being there).
func TestHTMLGolden(t *testing.T) {
	b, err := HTML(input(), nil, "")
	if err != nil {
		t.Fatal(err)
	}
	js, css, err := ChartLibrary()
	if err != nil {
		t.Fatal(err)
	}
	got := string(b)
	if !strings.Contains(got, js) || !strings.Contains(got, css) || len(js) < 10000 {
		t.Fatal("report.html does not carry the chart library inline")
	}
	got = strings.Replace(strings.Replace(got, js, "/* uPlot.min.js */", 1), css, "/* uPlot.min.css */", 1)
	golden(t, "report-html.golden", got)
	// Nothing is fetched: no external script, style, image or frame.
	if m := regexp.MustCompile(`(?i)(src|href)\s*=\s*["']?(https?:)?//`).FindString(got); m != "" {
		t.Errorf("report.html refers outside itself: %s", m)
	}
	if strings.Contains(got, "<link") || strings.Contains(got, "@import") {
		t.Error("report.html loads a style sheet")
	}
	for _, want := range []string{`<h2 id="blog">blog</h2>`, "Statistics by request name", "/sort/heap?n=1000&amp;max=5000",
		"503 refused by the server", `"blog":{"gnet":[{"t":0`} {
		if !strings.Contains(got, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
}

// A run whose latencies were stamped says so in report.html too, in
// plain words (no Markdown).
func TestHTMLLatencyClock(t *testing.T) {
	in := input()
	for _, s := range in.Rows {
		s.ReadWait = &summary.Wait{Stamped: 1, Answers: 1, P99: 0.25}
	}
	b, err := HTML(in, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := string(b); !strings.Contains(got, `<p class="note">The latency clock: latencies end when the kernel received each answer`) || strings.Contains(got, "**The latency clock") {
		t.Error("report.html of a stamped run does not say where its latencies end, in plain words")
	}
}

// FuzzInlineHTML: whatever a finding's line holds, its HTML carries no
// markup but the links, bold and code spans it asks for.
func FuzzInlineHTML(f *testing.F) {
	for _, s := range []string{"**[blog](#blog)**, a ≈ b < c", "`x` <script>alert(1)</script>", "[a](\"><b>)", "**", "[](#)", "x & y's \"z\""} {
		f.Add(s)
	}
	ours := regexp.MustCompile(`<a href="[^"<>]*">|</a>|</?strong>|</?code>`)
	f.Fuzz(func(t *testing.T, md string) {
		got := string(inlineHTML(md))
		if rest := ours.ReplaceAllString(got, ""); strings.ContainsAny(rest, `<>"`) {
			t.Errorf("inlineHTML(%q) = %q: markup of its own", md, got)
		}
	})
}

// report.html carries the findings, in HTML, and the idle memory table.
func TestHTMLFindings(t *testing.T) {
	b, err := HTML(input(), nil, "")
	if err != nil {
		t.Fatal(err)
	}
	got, _, _ := strings.Cut(string(b), "<script>") // the page, not the chart library
	for _, want := range []string{`<h2 id="what-this-run-shows">`, `<li><strong><a href="#blog">blog</a></strong>, breaking points`,
		"fork at 500/s ≈ thread at 500/s", `<h2 id="memory-per-idle-connection">`, "<td>705.0</td>"} {
		if !strings.Contains(got, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	if strings.Contains(got, "**") {
		t.Error("report.html carries Markdown")
	}
}

// report.html carries what REPORT.md carries besides its tables: the
// seeds' section, the latency section and the charts drawn as images,
// embedded so that the file stands alone.
func TestHTMLCarriesTheReport(t *testing.T) {
	in := input()
	in.Rows = append(in.Rows, latencyRows()...)
	dir := t.TempDir()
	d, err := DrawCharts(in, dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := HTML(in, d, dir)
	if err != nil {
		t.Fatal(err)
	}
	got, _, _ := strings.Cut(string(b), "<script>")
	for _, want := range []string{`<h2 id="reproducing-the-seeds">Reproducing the seeds</h2>`, `<h3 id="the-blog-python-servers-under-locust">`,
		"<td>select</td><td>netmodels&#39; model (Go)</td><td>400 (held 406/s, broke at 438/s)</td>",
		`<h2 id="latency-below-capacity">`, "<td>epoll</td><td>8000</td>", `<h2 id="breaking-points">`,
		`<img src="data:image/svg`, "blog: server CPU per answer by model", "Memory per idle keep-alive connection"} {
		if !strings.Contains(got, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	if strings.Contains(got, "**") || strings.Contains(got, "|---") {
		t.Error("report.html carries Markdown")
	}
}

func TestBlocksHTML(t *testing.T) {
	got := string(blocksHTML("### A b\n\nsome `x`\n\n| h1 | h2 |\n|---|---|\n| a | b |\n\n- one\n- two\n"))
	want := "<h3 id=\"a-b\">A b</h3>\n<p>some <code>x</code></p>\n<table>\n<tr><th>h1</th><th>h2</th></tr>\n<tr><td>a</td><td>b</td></tr>\n</table>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
