package report

import (
	"fmt"
	"strings"
)

// The markers around a generated table in a doc page: the opening one
// names the models, "<!-- reference-table: epoll epoll-multi -->".
const (
	tableOpen  = "<!-- reference-table:"
	tableClose = "<!-- /reference-table -->"
)

// ModelTable is a model page's table of one run's figures for models: the
// basic scenarios' answers/s and server CPU per answer, sleep-io's success,
// the blog's knee and break and memory per idle connection. A figure the
// run lacks is "–".
func ModelTable(in *Input, models []string) string {
	agg := Aggregate(in.Rows)
	bound := false
	find := func(sc, m string) *Row {
		for _, r := range agg {
			if r.Scenario == sc && r.Model == m {
				return r
			}
		}
		return nil
	}
	thr := func(r *Row) string {
		if r == nil {
			return "–"
		}
		if r.GeneratorBound > 0 {
			bound = true
			return r.Throughput.Format(0) + " †"
		}
		return r.Throughput.Format(0)
	}
	cpu := func(r *Row) string {
		if r == nil {
			return "–"
		}
		return r.CPUPerAnswer.Format(1)
	}
	// The kernel's work per answer, keep-alive and close: "syscalls / ctx
	// switches", when the run counted it (netbench run -kernel).
	kern := func(r *Row) string {
		if r == nil || r.Syscalls.N == 0 {
			return "–"
		}
		return r.Syscalls.Format(2) + " / " + r.CtxSwitches.Format(2)
	}
	var b strings.Builder
	b.WriteString("| model | hello-keepalive answers/s | its server CPU µs/answer | its syscalls / ctx switches per answer | hello-close answers/s | its server CPU µs/answer | its syscalls / ctx switches per answer | sleep-io success % | blog knee / break (/s) | KiB per idle connection |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|\n")
	for _, m := range models {
		ka, cl, sl, bl := find("hello-keepalive", m), find("hello-close", m), find("sleep-io", m), find("blog", m)
		ok, stress, mem := "–", "–", "–"
		if sl != nil {
			ok = sl.Success.Format(1)
		}
		if bl != nil && bl.Knee.N > 0 {
			stress = bl.KneeText() + " / " + bl.BreakText()
		}
		for _, i := range in.Idle {
			if i.Model == m && i.Measured() {
				mem = fmt.Sprintf("%.1f (%d held)", i.PSSPerConnKiB, i.Conns)
			} else if i.Model == m {
				mem = fmt.Sprintf("– (%d held)", i.Conns)
			}
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", m, thr(ka), cpu(ka), kern(ka), thr(cl), cpu(cl), kern(cl), ok, stress, mem)
	}
	if bound {
		b.WriteString("\n† the generator, not the server, limited this figure: a lower bound.\n")
	}
	return b.String()
}

// RefreshTables replaces every marked table in page by ModelTable over
// in, and reports whether anything changed. A marker left open is an
// error: the page would lose its text.
func RefreshTables(page string, in *Input) (string, bool, error) {
	var out strings.Builder
	rest := page
	for {
		i := strings.Index(rest, tableOpen)
		if i < 0 {
			out.WriteString(rest)
			break
		}
		eol := strings.Index(rest[i:], "-->")
		if eol < 0 {
			return "", false, fmt.Errorf("report: %q not closed by -->", tableOpen)
		}
		models := strings.Fields(rest[i+len(tableOpen) : i+eol])
		j := strings.Index(rest[i:], tableClose)
		if j < 0 {
			return "", false, fmt.Errorf("report: %s %v without %s", tableOpen, models, tableClose)
		}
		out.WriteString(rest[:i+eol+len("-->")] + "\n")
		out.WriteString(ModelTable(in, models))
		out.WriteString(tableClose)
		rest = rest[i+j+len(tableClose):]
	}
	return out.String(), out.String() != page, nil
}
