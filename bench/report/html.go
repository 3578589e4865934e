package report

import (
	"embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"unicode"

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
	Figures   []htmlFigure
}

// htmlFigure is a chart REPORT.md draws as an image, embedded.
type htmlFigure struct {
	Title   string
	SVG     template.URL // a data: URL
	Caption string
}

// figures embeds the charts d drew into charts (their SVG files), for a
// scenario's section or another; nil where a file cannot be read. Series
// charts are left out: report.html draws them itself, interactive.
func figures(charts string, cs ...Chart) []htmlFigure {
	var out []htmlFigure
	for _, c := range cs {
		if strings.HasSuffix(c.Name, "-series") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(charts, c.Name+".svg"))
		if err != nil {
			continue
		}
		out = append(out, htmlFigure{Title: c.Title, Caption: c.Caption,
			SVG: template.URL("data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString(b))})
	}
	return out
}

// HTML renders the run's report.html: the attacks' tables and
// interactive charts (zoom by dragging, values on hover, series toggled
// from the legend) of the same data as REPORT.md, in one file: REPORT.md's
// other charts (d, drawn into charts) embedded as images, its sections on
// latency below capacity and on the seeds rendered from the same
// Markdown. d may be nil: no embedded charts.
func HTML(in *Input, d *Drawn, charts string) ([]byte, error) {
	js, css, err := ChartLibrary()
	if err != nil {
		return nil, err
	}
	if d == nil {
		d = &Drawn{}
	}
	var secs []htmlScenario
	for _, sc := range scenarios(in.Rows) {
		h := htmlScenario{Name: sc, Doc: in.Docs[sc], Figures: figures(charts, d.Scenario[sc]...)}
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
	var breaking, latency, memory []htmlFigure
	if d.Breaking != nil {
		breaking = figures(charts, *d.Breaking)
	}
	if d.Latency != nil {
		latency = figures(charts, *d.Latency)
	}
	if d.Memory != nil {
		memory = figures(charts, *d.Memory)
	}
	var b strings.Builder
	err = htmlPage.Execute(&b, map[string]any{"Meta": in.Meta, "Scenarios": secs, "ChartJS": template.JS(js),
		"ChartCSS": template.CSS(css), "Data": template.JS(data), "Clock": clock,
		"Findings": found, "TieRule": inlineHTML(tieRule), "Idle": in.Idle,
		"Breaking": breaking, "Memory": memory, "Latency": blocksHTML(latencySection(in.Rows, in.Meta)), "LatencyChart": latency,
		"Seeds": blocksHTML(seedsSection(in, agg))})
	return []byte(b.String()), err
}

// writeHTML writes dir/report.html, with the charts d drew.
func writeHTML(dir string, in *Input, d *Drawn) error {
	b, err := HTML(in, d, filepath.Join(dir, ChartsDir))
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

// blocksHTML renders the Markdown REPORT.md's sections are written in:
// headings (###), tables, list items, paragraphs, each line's inline
// Markdown by inlineHTML.
func blocksHTML(md string) template.HTML {
	var b strings.Builder
	lines := strings.Split(md, "\n")
	for i := 0; i < len(lines); i++ {
		l := strings.TrimSpace(lines[i])
		switch {
		case l == "":
		case strings.HasPrefix(l, "#"):
			level := len(l) - len(strings.TrimLeft(l, "#"))
			level = min(max(level, 2), 6)
			text := strings.TrimSpace(strings.TrimLeft(l, "#"))
			fmt.Fprintf(&b, "<h%d id=\"%s\">%s</h%d>\n", level, anchor(text), inlineHTML(text), level)
		case strings.HasPrefix(l, "|"):
			b.WriteString("<table>\n")
			for head := true; i < len(lines) && strings.HasPrefix(strings.TrimSpace(lines[i]), "|"); i++ {
				row := strings.Trim(strings.TrimSpace(lines[i]), "|")
				if strings.Trim(row, "|-: ") == "" {
					continue // the header's rule
				}
				cell := "td"
				if head {
					cell = "th"
				}
				b.WriteString("<tr>")
				for _, c := range strings.Split(row, " | ") {
					fmt.Fprintf(&b, "<%s>%s</%s>", cell, inlineHTML(strings.TrimSpace(c)), cell)
				}
				b.WriteString("</tr>\n")
				head = false
			}
			i--
			b.WriteString("</table>\n")
		case strings.HasPrefix(l, "- "):
			b.WriteString("<ul>\n")
			for ; i < len(lines) && strings.HasPrefix(strings.TrimSpace(lines[i]), "- "); i++ {
				fmt.Fprintf(&b, "<li>%s</li>\n", inlineHTML(strings.TrimPrefix(strings.TrimSpace(lines[i]), "- ")))
			}
			i--
			b.WriteString("</ul>\n")
		default:
			fmt.Fprintf(&b, "<p>%s</p>\n", inlineHTML(l))
		}
	}
	return template.HTML(b.String())
}

// anchor is a heading's id as GitHub makes it from Markdown: lower case,
// spaces as hyphens, other punctuation dropped.
func anchor(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case r == ' ' || r == '-':
			b.WriteRune('-')
		case r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}
