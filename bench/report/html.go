package report

import (
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	vplot "github.com/tsenart/vegeta/v12/lib/plot"

	"netmodels/bench/summary"
)

// HTMLFile is the run's self-contained interactive report, beside
// REPORT.md.
const HTMLFile = "report.html"

// ChartLibrary returns the chart library the HTML report and netbench ui
// draw with: uPlot (MIT licence, © Leon Sorokin), as vegeta's plot embeds
// it, so nothing is fetched from anywhere.
func ChartLibrary() (js, css string, err error) {
	read := func(name string) (string, error) {
		f, err := vplot.Assets.Open(name)
		if err != nil {
			return "", fmt.Errorf("vegeta's plot assets: %v", err)
		}
		defer f.Close()
		b, err := io.ReadAll(f)
		return string(b), err
	}
	if js, err = read("uPlot.min.js"); err != nil {
		return "", "", err
	}
	css, err = read("uPlot.min.css")
	return js, css, err
}

//go:embed report.html.tpl
var htmlFS embed.FS

var htmlPage = template.Must(template.New("report.html.tpl").Funcs(template.FuncMap{
	"f":          func(digits int, v float64) string { return fmt.Sprintf("%.*f", digits, v) },
	"mib":        func(kib uint64) string { return fmt.Sprintf("%.1f", float64(kib)/1024) },
	"pct":        func(v float64) string { return fmt.Sprintf("%.2f%%", 100*v) },
	"pctOf":      func(v float64) float64 { return 100 * v },
	"stealLimit": func() string { return fmt.Sprintf("%.0f", 100*summary.StealLimit) },
}).ParseFS(htmlFS, "report.html.tpl"))

// htmlScenario is one scenario's section of the HTML report.
type htmlScenario struct {
	Name, Doc string
	Rows      []*summary.Summary
}

// HTML renders the run's report.html: the attacks' tables and
// interactive charts (zoom by dragging, values on hover, series toggled
// from the legend) of the same data as REPORT.md, in one file.
func HTML(in *Input) ([]byte, error) {
	js, css, err := ChartLibrary()
	if err != nil {
		return nil, err
	}
	var secs []htmlScenario
	for _, sc := range scenarios(in.Rows) {
		h := htmlScenario{Name: sc, Doc: in.Docs[sc]}
		for _, s := range in.Rows {
			if s.Scenario == sc {
				h.Rows = append(h.Rows, s)
			}
		}
		secs = append(secs, h)
	}
	// The charts' data: per scenario, per model (repeat 1), its seconds.
	series := map[string]map[string][]summary.Second{}
	keys := make([]string, 0, len(in.Series))
	for k := range in.Series {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		sc, m, _ := strings.Cut(k, "/")
		if series[sc] == nil {
			series[sc] = map[string][]summary.Second{}
		}
		series[sc][m] = in.Series[k]
	}
	st := newModelStyle(in.Rows)
	colors, dashed := map[string]string{}, map[string]bool{}
	for _, s := range in.Rows {
		i := st.index(s.Model)
		colors[s.Model], dashed[s.Model] = hex(palette[i%len(palette)]), i >= len(palette)
	}
	data, err := json.Marshal(map[string]any{"series": series, "colors": colors, "dashed": dashed})
	if err != nil {
		return nil, err
	}
	// REPORT.md's line on where latencies end, in plain words.
	clock := strings.Replace(latencyClock(Aggregate(in.Rows)), "**The latency clock**", "The latency clock", 1)
	agg := Aggregate(in.Rows)
	var found []template.HTML
	for _, l := range findingLines(in.Meta, agg, in.Idle, in.Shapes, in.Rows) {
		found = append(found, inlineHTML(l))
	}
	var b strings.Builder
	err = htmlPage.Execute(&b, map[string]any{"Meta": in.Meta, "Scenarios": secs, "ChartJS": template.JS(js),
		"ChartCSS": template.CSS(css), "Data": template.JS(data), "Clock": clock,
		"Findings": found, "TieRule": inlineHTML(tieRule), "Idle": in.Idle})
	return []byte(b.String()), err
}

// writeHTML writes dir/report.html.
func writeHTML(dir string, in *Input) error {
	b, err := HTML(in)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, HTMLFile), b, 0o644)
}

// The Markdown of the findings' lines: links, bold and code.
var (
	mdLink = regexp.MustCompile(`\[([^\]]+)\]\(([^)\s"]+)\)`)
	mdBold = regexp.MustCompile(`\*\*(.+?)\*\*`)
	mdCode = regexp.MustCompile("`([^`]+)`")
)

// inlineHTML renders one line of the report's own Markdown (links, bold
// and code spans, as the findings write them) as HTML, escaping the rest.
func inlineHTML(md string) template.HTML {
	s := template.HTMLEscapeString(md)
	s = mdCode.ReplaceAllString(s, "<code>$1</code>")
	s = mdLink.ReplaceAllString(s, `<a href="$2">$1</a>`)
	s = mdBold.ReplaceAllString(s, "<strong>$1</strong>")
	return template.HTML(s)
}
