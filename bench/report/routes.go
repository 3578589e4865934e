package report

import (
	"fmt"
	"strings"

	"netmodels/bench/summary"
)

// statisticsTable is Locust's Statistics tab for one scenario: a row per
// model and request name, from each model's first repeat; "" when the run
// kept no routes (summaries from before they were recorded).
func statisticsTable(rows []*summary.Summary, scenario string) string {
	var b strings.Builder
	for _, s := range firstRepeats(rows, scenario) {
		for _, r := range s.Routes {
			fmt.Fprintf(&b, "| %s | %s | %s | %d | %d | %s | %s | %s | %s | %s | %s | %.0f | %s | %s |\n",
				s.Model, r.Method, r.Name, r.Requests, r.Failures, Figure(r.Median), Figure(r.Mean), Figure(r.Min), Figure(r.Max),
				Figure(r.P90), Figure(r.P99), r.MeanSize, Figure(r.RPS), Figure(r.FailRPS))
		}
	}
	if b.Len() == 0 {
		return ""
	}
	return "\n<details><summary>Statistics by request name (Locust's columns; latencies in ms, as measured; repeat 1)</summary>\n\n" +
		"| model | method | name | requests | fails | median | average | min | max | p90 | p99 | average size B | RPS | failures/s |\n" +
		"|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n" + b.String() + "\n</details>\n"
}

// failuresTable is Locust's Failures tab for one scenario, by cause: a row
// per model and cause, from each model's first repeat; "" when nothing
// failed.
func failuresTable(rows []*summary.Summary, scenario string) string {
	var b strings.Builder
	for _, s := range firstRepeats(rows, scenario) {
		total := s.Requests + s.NotSent
		for _, f := range s.Failures {
			share := 0.0
			if total > 0 {
				share = 100 * float64(f.Count) / float64(total)
			}
			cause := f.Cause
			if cause == "not sent" && s.NotSentLate > 0 {
				// A run from before the two were apart: say how many
				// the generator was late for.
				cause = fmt.Sprintf("not sent (%d of them the generator late for)", s.NotSentLate)
			}
			fmt.Fprintf(&b, "| %s | %s | %d | %s | %.1f | `%s` |\n", s.Model, cause, f.Count, Figure(share), f.First, example(f.Example))
		}
	}
	if b.Len() == 0 {
		return ""
	}
	return "\nFailures by cause (repeat 1): what went wrong, how often, and when it first did.\n\n" +
		"| model | cause | count | % of requests | first at s | first occurrence |\n|---|---|---|---|---|---|\n" + b.String()
}

// Figure formats a figure with three significant digits or so: enough to
// compare, not so many that a column becomes noise.
func Figure(v float64) string {
	switch {
	case v == 0:
		return "0"
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	case v >= 0.01:
		return fmt.Sprintf("%.2f", v)
	}
	return fmt.Sprintf("%.3g", v)
}

// example makes an error message safe and short inside a table cell.
func example(s string) string {
	s = strings.NewReplacer("|", "/", "`", "'", "\n", " ").Replace(s)
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return s
}
