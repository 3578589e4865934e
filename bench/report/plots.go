package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image/color"
	"strings"

	"netmodels/bench/scenario"
)

// StepMark is a change of the offered load in an attack, in seconds since
// it began: where vegeta's plot draws a dashed line with the new rate.
type StepMark struct {
	T     float64 `json:"t"`
	Label string  `json:"label"`
}

// stepMarks are the load changes of a scenario: each step of a stepped
// load and its recovery; none for other loads.
func stepMarks(sc *scenario.Scenario) []StepMark {
	l := sc.Load
	if l.Kind != scenario.Steps {
		return nil
	}
	var out []StepMark
	t := 0.0
	for _, r := range l.Rates {
		out = append(out, StepMark{T: t, Label: fmt.Sprintf("%g/s", r)})
		t += l.Step.Seconds()
	}
	if st := sc.Stress; st != nil && st.Recovery.Duration > 0 {
		out = append(out, StepMark{T: t, Label: fmt.Sprintf("recovery %g/s", st.RecoveryRate)})
	}
	return out
}

// hex writes a colour as CSS does.
func hex(c color.Color) string {
	r, g, b, _ := c.RGBA()
	return fmt.Sprintf("#%02X%02X%02X", r>>8, g>>8, b>>8)
}

// failureReds colour the ERROR series, one shade per model.
var failureReds = []string{"#EE7860", "#DD624E", "#CA4E3E", "#B63A30", "#9F2823", "#881618", "#6F050E"}

// The parts of vegeta's plot template that restylePlot changes; each must
// be found once, or the plot is left as vegeta wrote it.
const (
	plotDarkBody  = `<body class="dark">`
	plotDarkState = `let isDarkTheme = true;`
	plotThemeBtn  = `<button id="toggleTheme" class="btn">☀️ Light</button>`
	plotOpts      = `const opts = `
	plotHooks     = "hooks: {\n            setSelect: ["
)

// stepHook draws opts.steps as dashed vertical lines with their rates.
const stepHook = `hooks: {
            draw: [function(u) {
              const c = u.ctx, r = devicePixelRatio || 1;
              c.save();
              c.strokeStyle = '#6b7280'; c.fillStyle = '#374151';
              c.setLineDash([4 * r, 4 * r]); c.font = (11 * r) + 'px sans-serif';
              (opts.steps || []).forEach(function(s) {
                const x = u.valToPos(s.t, 'x', true);
                if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) return;
                c.beginPath(); c.moveTo(x, u.bbox.top); c.lineTo(x, u.bbox.top + u.bbox.height); c.stroke();
                c.fillText(s.label, x + 3 * r, u.bbox.top + 12 * r);
              });
              c.restore();
            }],
            setSelect: [`

// restylePlot turns vegeta's HTML plot light, gives each model's OK
// series the report's colour for it (model: its palette index) and its
// ERROR series a red, and marks the load's steps. It fails, leaving the
// caller to keep vegeta's own plot, when vegeta's template has changed.
func restylePlot(html []byte, model func(string) int, steps []StepMark) ([]byte, error) {
	s := string(html)
	for _, part := range []string{plotDarkBody, plotDarkState, plotThemeBtn, plotOpts, plotHooks} {
		if strings.Count(s, part) != 1 {
			return nil, fmt.Errorf("vegeta's plot template changed: %q found %d times", part, strings.Count(s, part))
		}
	}
	s = strings.Replace(s, plotDarkBody, `<body class="light">`, 1)
	s = strings.Replace(s, plotDarkState, `let isDarkTheme = false;`, 1)
	s = strings.Replace(s, plotThemeBtn, `<button id="toggleTheme" class="btn">🌙 Dark</button>`, 1)
	s = strings.Replace(s, plotHooks, stepHook, 1)
	i := strings.Index(s, plotOpts) + len(plotOpts)
	end := strings.Index(s[i:], ";\n")
	if end < 0 {
		return nil, fmt.Errorf("vegeta's plot template changed: its opts do not end")
	}
	var opts map[string]any
	if err := json.Unmarshal([]byte(s[i:i+end]), &opts); err != nil {
		return nil, fmt.Errorf("vegeta's plot opts: %v", err)
	}
	labels, _ := opts["labels"].([]any)
	var colors []string
	reds := 0
	for _, l := range labels[min(1, len(labels)):] {
		name, _ := l.(string)
		m, kind, _ := strings.Cut(name, ": ")
		if kind == "ERROR" {
			colors = append(colors, failureReds[reds%len(failureReds)])
			reds++
			continue
		}
		colors = append(colors, hex(palette[model(m)%len(palette)]))
	}
	opts["colors"] = colors
	opts["steps"] = steps
	b, err := json.Marshal(opts)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	out.WriteString(s[:i])
	out.Write(b)
	out.WriteString(s[i+end:])
	return out.Bytes(), nil
}
