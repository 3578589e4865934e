package ui

import (
	"embed"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"netmodels/bench/attack"
	"netmodels/bench/reference"
	"netmodels/bench/report"
	"netmodels/bench/scenario"
	"netmodels/bench/summary"
)

// View is what the page shows and what Locust's GET /stats/requests
// answers: Locust's fields (Snapshot, state, user_count) and netmodels'
// own, the server's and the generator's side.
type View struct {
	Snapshot
	State     string           `json:"state"`
	UserCount int              `json:"user_count"`
	Model     string           `json:"model,omitempty"`
	Scenario  string           `json:"scenario,omitempty"`
	Load      string           `json:"load,omitempty"`
	Models    []string         `json:"models,omitempty"` // the models this test ran so far, in order
	Point     *Point           `json:"point,omitempty"`  // the current model's last second
	Generator Generator        `json:"generator"`
	Marks     map[string]Marks `json:"marks,omitempty"`
	Run       string           `json:"run,omitempty"` // the last stored run's directory
	Error     string           `json:"error,omitempty"`
}

// Generator is the generator's side: its CPU share of its cores over the
// last second, and whether that makes it, not the server, the limit.
type Generator struct {
	CPUShare float64 `json:"cpu_share"`
	Cores    int     `json:"cores"`
	Limit    bool    `json:"limit"`
	Note     string  `json:"note,omitempty"`
}

// view computes the page's view now.
func (s *Session) view() View {
	s.mu.Lock()
	v := View{State: s.state, Run: s.lastRun, Error: s.err, Models: append([]string(nil), s.order...),
		Generator: Generator{Cores: attack.Cores()}}
	if len(s.marks) > 0 {
		v.Marks = map[string]Marks{}
		for k, m := range s.marks {
			v.Marks[k] = m
		}
	}
	cur, sc := s.cur, s.sc
	var st *Stats
	var live *attack.Live // execute replaces it, under the lock, when the test ends
	if cur != nil {
		st, live = cur.stats, cur.live
		v.Model = cur.model
		if ps := s.points[cur.model]; len(ps) > 0 {
			p := ps[len(ps)-1]
			v.Point = &p
		}
	}
	s.mu.Unlock()
	if sc != nil {
		v.Scenario, v.Load = sc.Name, summary.Describe(sc)
	}
	if cur != nil {
		v.UserCount = live.Users()
		if sc != nil && sc.Load.Kind == scenario.Closed {
			v.UserCount = sc.Load.Conns
		}
	}
	if v.State == Stopped {
		v.UserCount = 0
	}
	if st != nil {
		v.Snapshot = st.Snapshot(time.Now())
	} else {
		v.Snapshot = Snapshot{Stats: []Row{}, Errors: []ErrorRow{}, CurrentPercent: map[string]float64{}}
	}
	if v.Point != nil {
		v.Generator.CPUShare = v.Point.GeneratorCPU
		if v.Point.GeneratorCPU >= GeneratorLimit && v.State != Stopped {
			v.Generator.Limit = true
			v.Generator.Note = fmt.Sprintf("the generator used %.0f%% of its %d CPU(s) in the last second: it, not the server, is the limit now, and the figures are the generator's", 100*v.Point.GeneratorCPU, v.Generator.Cores)
		}
	}
	return v
}

// publish sends the view to every page listening.
func (s *Session) publish() {
	b, err := json.Marshal(s.view())
	if err != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.subs {
		select {
		case c <- b:
		default: // a slow page misses a second, never stalls the test
		}
	}
}

// History is every chart point of the test so far, by model.
type History struct {
	Points map[string][]Point `json:"points"`
	Order  []string           `json:"order"`
	Marks  map[string]Marks   `json:"marks"`
}

func (s *Session) history() History {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := History{Points: map[string][]Point{}, Order: append([]string(nil), s.order...), Marks: map[string]Marks{}}
	for k, v := range s.points {
		h.Points[k] = append([]Point(nil), v...)
	}
	for k, v := range s.marks {
		h.Marks[k] = v
	}
	return h
}

//go:embed page.html
var pageFS embed.FS

var page = template.Must(template.New("page.html").ParseFS(pageFS, "page.html"))

// Handler serves the page and Locust's API.
func (s *Session) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.serveIndex)
	mux.HandleFunc("GET /events", s.serveEvents)
	mux.HandleFunc("GET /history", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, s.history()) })
	mux.HandleFunc("POST /swarm", s.serveSwarm)
	mux.HandleFunc("GET /stop", func(w http.ResponseWriter, r *http.Request) {
		s.Stop()
		writeJSON(w, http.StatusOK, map[string]any{"success": true, "message": "Test stopped"})
	})
	mux.HandleFunc("GET /stats/reset", func(w http.ResponseWriter, r *http.Request) {
		s.Reset()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, "ok")
	})
	mux.HandleFunc("GET /stats/requests", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, s.view()) })
	mux.HandleFunc("GET /stats/requests/csv", s.serveRequestsCSV)
	mux.HandleFunc("GET /stats/requests_full_history/csv", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "Error: Server was not started with option to generate full history.", http.StatusNotFound)
	})
	mux.HandleFunc("GET /stats/failures/csv", s.serveFailuresCSV)
	mux.HandleFunc("GET /stats/report", s.serveReport)
	// The generator runs no user code: nothing raises an exception, there
	// are no workers, and its log is the terminal's. These answer as
	// Locust's do with nothing to show, so that a script reading them runs.
	mux.HandleFunc("GET /exceptions", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"exceptions": []any{}})
	})
	mux.HandleFunc("GET /exceptions/csv", func(w http.ResponseWriter, r *http.Request) {
		writeCSV(w, "exceptions", [][]string{{"Count", "Message", "Traceback", "Nodes"}})
	})
	mux.HandleFunc("GET /logs", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"master": []string{}, "workers": map[string]any{}})
	})
	mux.HandleFunc("GET /worker-count", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"worker_count": 0})
	})
	mux.HandleFunc("GET /tasks", s.serveTasks)
	return mux
}

// serveTasks is Locust's /tasks: one user class, whose tasks are the
// scenario's requests in the shares of their weights.
func (s *Session) serveTasks(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	sc := s.sc
	s.mu.Unlock()
	tasks := map[string]any{}
	if sc != nil {
		total := 0
		for _, t := range sc.Targets {
			total += max(t.Weight, 1)
		}
		for _, t := range sc.Targets {
			m := t.Method
			if m == "" {
				m = http.MethodGet
			}
			k := m + " " + t.Path
			prev, _ := tasks[k].(map[string]float64)
			tasks[k] = map[string]float64{"ratio": prev["ratio"] + float64(max(t.Weight, 1))/float64(total)}
		}
	}
	class := map[string]any{"User": map[string]any{"ratio": 1.0, "tasks": tasks}}
	writeJSON(w, http.StatusOK, map[string]any{"per_class": class, "total": class})
}

// writeCSV sends rows as a CSV download named as Locust names its own.
func writeCSV(w http.ResponseWriter, name string, rows [][]string) {
	w.Header().Set("Content-Type", "text/csv")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
	c := csv.NewWriter(w)
	_ = c.WriteAll(rows)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Session) serveIndex(w http.ResponseWriter, r *http.Request) {
	js, css, err := report.ChartLibrary()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	refs := map[string]string{}
	for _, r := range reference.All() {
		refs[r.Name] = r.Label
	}
	cfg := map[string]any{"models": s.cfg.Models, "references": refs, "scenarios": scenario.Names(s.cfg.ScenarioDir),
		"max_time_s": s.cfg.MaxTime.Seconds(), "server_cpus": s.cfg.Servers.Limits.CPUs, "generator_limit": GeneratorLimit,
		"default_scenario": CourseScenario, "default_model": s.cfg.DefaultModel}
	b, _ := json.Marshal(cfg)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = page.Execute(w, map[string]any{"ChartJS": template.JS(js), "ChartCSS": template.CSS(css), "Config": template.JS(b)})
}

func (s *Session) serveEvents(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	c := make(chan []byte, 4)
	s.mu.Lock()
	s.subs[c] = true
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.subs, c)
		s.mu.Unlock()
	}()
	if b, err := json.Marshal(s.view()); err == nil {
		fmt.Fprintf(w, "data: %s\n\n", b)
		fl.Flush()
	}
	keep := time.NewTicker(15 * time.Second)
	defer keep.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-s.closed:
			return
		case b := <-c:
			fmt.Fprintf(w, "data: %s\n\n", b)
			fl.Flush()
		case <-keep.C:
			fmt.Fprint(w, ": keep-alive\n\n")
			fl.Flush()
		}
	}
}

// serveSwarm is Locust's POST /swarm: it starts a test, or, while a users
// load runs, changes its users and spawn rate (Locust's "Edit").
func (s *Session) serveSwarm(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusOK, map[string]any{"success": false, "message": err.Error()})
		return
	}
	req, err := ParseRequest(r.PostForm)
	if err == nil {
		s.mu.Lock()
		running := s.state == Spawning || s.state == Running
		s.mu.Unlock()
		if running {
			err = s.SetUsers(req.Users, req.SpawnRate)
			if err == nil {
				writeJSON(w, http.StatusOK, map[string]any{"success": true, "message": "Swarming changed: " + strconv.Itoa(req.Users) + " users"})
				s.publish()
				return
			}
		} else {
			err = s.Start(req)
		}
	}
	if err != nil {
		// Locust answers a refused swarm with 200 and success false.
		writeJSON(w, http.StatusOK, map[string]any{"success": false, "message": err.Error(), "host": req.Host})
		return
	}
	answer := map[string]any{"success": true, "message": "Swarming started", "host": req.Host}
	if req.RunTime > 0 {
		answer["run_time"] = int(req.RunTime.Seconds())
	}
	writeJSON(w, http.StatusOK, answer)
	s.publish()
}

// serveRequestsCSV is Locust's requests CSV: its columns, with a column
// for each of Locust's percentiles, and the Aggregated row last.
func (s *Session) serveRequestsCSV(w http.ResponseWriter, r *http.Request) {
	v := s.view()
	head := []string{"Type", "Name", "Request Count", "Failure Count", "Median Response Time", "Average Response Time",
		"Min Response Time", "Max Response Time", "Average Content Size", "Requests/s", "Failures/s"}
	for _, q := range summary.LocustPercentiles {
		head = append(head, strconv.FormatFloat(math.Round(100*q*1e6)/1e6, 'f', -1, 64)+"%") // Locust's get_readable_percentiles
	}
	rows := [][]string{head}
	f := func(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
	for _, x := range v.Stats {
		row := []string{x.Method, x.Name, strconv.Itoa(x.NumRequests), strconv.Itoa(x.NumFailures), f(x.Median), f(x.Avg),
			f(x.Min), f(x.Max), f(x.AvgContentLength), f(x.TotalRPS), f(x.TotalFailPerSec)}
		for i := range summary.LocustPercentiles {
			p := "N/A" // Locust's for a row with no requests
			if i < len(x.Pct) {
				p = f(x.Pct[i])
			}
			row = append(row, p)
		}
		rows = append(rows, row)
	}
	writeCSV(w, "requests", rows)
}

// serveFailuresCSV is Locust's failures CSV.
func (s *Session) serveFailuresCSV(w http.ResponseWriter, r *http.Request) {
	v := s.view()
	rows := [][]string{{"Method", "Name", "Error", "Occurrences", "First Seen", "Last Seen"}}
	utc := func(t float64) string { return time.Unix(int64(t), 0).UTC().Format("2006-01-02T15:04:05Z") }
	for _, e := range v.Errors {
		rows = append(rows, []string{e.Method, e.Name, e.Error, strconv.Itoa(e.Occurrences), utc(e.FirstSeen), utc(e.LastSeen)})
	}
	writeCSV(w, "failures", rows)
}

// liveReport is /stats/report while a test runs: the statistics so far.
var liveReport = template.Must(template.New("live").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>netmodels: test in progress</title></head><body>
{{if .Stats}}<h1>netmodels: {{.Model}} · {{.Scenario}}</h1>
<p>The test is {{.State}}; these are its statistics so far ({{printf "%.0f" .Elapsed}} s, {{.UserCount}} users). The full report (tables, charts, the server's CPU and memory) is made when the test stops.</p>{{else}}<h1>netmodels: no test yet</h1>
<p>No test has run yet: the statistics are empty. Start one on the page or with POST /swarm; the full report (tables, charts, the server's CPU and memory) is made when it stops.</p>{{end}}
<table border="1" cellpadding="4"><tr><th>Type</th><th>Name</th><th># Requests</th><th># Fails</th><th>Median (ms)</th><th>90%ile (ms)</th><th>99%ile (ms)</th><th>Average (ms)</th><th>Min (ms)</th><th>Max (ms)</th><th>Current RPS</th><th>Current Failures/s</th></tr>
{{range .Stats}}<tr><td>{{.Method}}</td><td>{{.Name}}</td><td>{{.NumRequests}}</td><td>{{.NumFailures}}</td><td>{{printf "%.1f" .Median}}</td><td>{{printf "%.1f" .Ninetieth}}</td><td>{{printf "%.1f" .NinetyNinth}}</td><td>{{printf "%.1f" .Avg}}</td><td>{{printf "%.1f" .Min}}</td><td>{{printf "%.1f" .Max}}</td><td>{{printf "%.1f" .CurrentRPS}}</td><td>{{printf "%.1f" .CurrentFailPerSec}}</td></tr>
{{end}}</table>
</body></html>
`))

// serveReport is Locust's /stats/report: the last stored run's
// report.html (?download=1 sends it as a file). Right after /stop it waits
// for the stopped test to be stored, and serves that; while a test runs,
// it serves a page of the statistics so far, as Locust renders its report
// from the current statistics at any moment.
func (s *Session) serveReport(w http.ResponseWriter, r *http.Request) {
	if done := s.stopping(); done != nil {
		select {
		case <-done:
		case <-r.Context().Done():
			return
		case <-time.After(2 * time.Minute):
		}
	}
	v := s.view()
	if v.State == Spawning || v.State == Running {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = liveReport.Execute(w, v)
		return
	}
	dir := v.Run
	if dir == "" {
		// Locust renders its report at any moment, before a test too.
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = liveReport.Execute(w, v)
		return
	}
	b, err := os.ReadFile(filepath.Join(dir, report.HTMLFile))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if r.URL.Query().Get("download") != "" {
		w.Header().Set("Content-Disposition", `attachment; filename="netmodels-`+strings.ReplaceAll(filepath.Base(dir), `"`, "")+`.html"`)
	}
	_, _ = w.Write(b)
}
