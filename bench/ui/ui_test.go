package ui

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"netmodels/bench/reference"
	"netmodels/bench/runner"
	"netmodels/bench/scenario"
	"netmodels/bench/session"
	"netmodels/bench/store"
	"netmodels/bench/summary"
)

// bin is netserver, built once for the tests that start models.
var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "netmodels-ui-")
	if err != nil {
		panic(err)
	}
	code := 1
	defer func() { os.RemoveAll(dir); os.Exit(code) }()
	cmd := exec.Command("go", "build", "-o", dir+"/", "netmodels/servers/cmd/netserver", "netmodels/servers/cmd/netchild")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building netserver: %v\n%s", err, out)
		return
	}
	bin = filepath.Join(dir, "netserver")
	code = m.Run()
}

// serverCPUs pins the models to CPU 0 as make ui does, where the machine
// has CPUs to spare (the test itself may be pinned to fewer, so count
// the machine's).
func serverCPUs() string {
	if out, err := exec.Command("nproc", "--all").Output(); err == nil && strings.TrimSpace(string(out)) != "1" {
		return "0"
	}
	if runtime.NumCPU() >= 2 {
		return "0"
	}
	return ""
}

// newUI serves a session on loopback and returns its base URL and the
// directory its runs are stored in.
func newUI(t *testing.T) (*Session, string, string) {
	t.Helper()
	out := t.TempDir()
	s := NewSession(Config{Servers: session.Servers{Bin: bin, Limits: runner.Limits{CPUs: serverCPUs()}, Args: []string{"-idle-timeout", "60s"}},
		ScenarioDir: "../scenarios", Out: out, MaxTime: time.Minute, DefaultModel: "thread",
		Models: []string{"thread", "goroutine", "epoll", "fork"}})
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(func() { s.Close(); srv.Close() })
	return s, srv.URL, out
}

func TestParseRequest(t *testing.T) {
	r, err := ParseRequest(url.Values{"user_count": {"500"}, "spawn_rate": {"20"}, "host": {""}, "models": {"thread, epoll"}, "run_time": {"90"}})
	if err != nil {
		t.Fatal(err)
	}
	if r.Users != 500 || r.SpawnRate != 20 || strings.Join(r.Models, ",") != "thread,epoll" || r.RunTime != 90*time.Second || r.Load != "users" {
		t.Fatalf("%+v", r)
	}
	sc, err := r.Scenario("../scenarios", 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	course, _ := scenario.Find("../scenarios", CourseScenario)
	if sc.Load.Kind != scenario.Users || sc.Load.ThinkMin.Duration != time.Second || sc.Load.ThinkMax.Duration != 3*time.Second ||
		len(sc.Targets) != len(course.Targets) || sc.Duration.Duration != 90*time.Second {
		t.Fatalf("the default load is the course's locustfile, 1-3 s think: %+v", sc)
	}
	for _, c := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"user_count": {"-3"}}, "user_count"},
		{url.Values{"spawn_rate": {"fast"}}, "spawn_rate"},
		{url.Values{"run_time": {"soon"}}, "run_time"},
		{url.Values{"host": {"127.0.0.1:80"}}, "want http://host:port"},
		{url.Values{"host": {"http://127.0.0.1:80"}, "model": {"epoll"}}, "not both"},
	} {
		if _, err := ParseRequest(c.form); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want an error about %q", c.form, err, c.want)
		}
	}
	for _, c := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"user_count": {"0"}, "spawn_rate": {"1"}}, "users"},
		{url.Values{"load": {"rate"}}, "rate"},
		{url.Values{"load": {"sideways"}}, "load \"sideways\""},
		{url.Values{"load": {"closed"}, "conns": {"5"}, "paths": {"hello"}}, "begins with /"},
		{url.Values{"load": {"closed"}, "conns": {"5"}, "paths": {"/hello*x"}}, "weight"},
		{url.Values{"load": {"rate"}, "rate": {"10"}, "run_time": {"2h"}}, "over this UI's limit"},
		{url.Values{"scenario": {"no-such"}}, "no-such"},
	} {
		r, err := ParseRequest(c.form)
		if err == nil {
			_, err = r.Scenario("../scenarios", 10*time.Minute)
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want an error about %q", c.form, err, c.want)
		}
	}
	r, _ = ParseRequest(url.Values{"load": {"closed"}, "conns": {"8"}, "paths": {"/hello*9, /sort/heap?n=100"}, "keep_alive": {"false"}, "run_time": {"3s"}})
	sc, err = r.Scenario("../scenarios", time.Minute)
	if err != nil || sc.Load.Conns != 8 || len(sc.Targets) != 2 || sc.Targets[0].Weight != 9 || sc.KeepAlive {
		t.Fatalf("closed mix: %+v, %v", sc, err)
	}
}

// TestStatsAreTheSummarys: while the attack runs, the rows count what
// summary.Routes counts, their percentiles within half a percent; once
// it ended, they are summary.Routes' and summary.Aggregated's exactly;
// the failures are grouped by cause.
func TestStatsAreTheSummarys(t *testing.T) {
	began := time.Now().Add(-3 * time.Second)
	st := NewStats(began)
	var rs []vegeta.Result
	for i := 0; i < 3000; i++ {
		r := vegeta.Result{Method: "GET", URL: "http://h/a", Code: 200, Latency: time.Duration(i%170+1) * 37 * time.Microsecond,
			Timestamp: began.Add(time.Duration(i) * 900 * time.Microsecond)}
		if i%3 == 0 {
			r.URL = "http://h/b?n=1"
		}
		if i%50 == 0 {
			r.Code = 503
		}
		rs = append(rs, r)
		st.Add(&rs[len(rs)-1])
	}
	check := func(snap Snapshot, exact bool) {
		t.Helper()
		want := summary.Routes(rs, 3*time.Second)
		if len(snap.Stats) != len(want)+1 || snap.Stats[len(snap.Stats)-1].Name != "Aggregated" {
			t.Fatalf("rows %+v", snap.Stats)
		}
		near := func(got, want float64) bool {
			if exact {
				return got == want
			}
			return got >= want*0.995 && got <= want*1.005
		}
		for i, w := range want {
			g := snap.Stats[i]
			if g.Name != w.Name || g.NumRequests != w.Requests || g.NumFailures != w.Failures || g.Min != w.Min || g.Max != w.Max ||
				!near(g.Median, w.Median) || !near(g.Ninetieth, w.P90) || !near(g.NinetyNinth, w.P99) || !near(g.Avg, w.Mean) {
				t.Errorf("exact %v, row %d: %+v, the summary's %+v", exact, i, g, w)
			}
		}
		agg := snap.Stats[len(snap.Stats)-1]
		if a := summary.Aggregated(rs, 3*time.Second); agg.NumRequests != 3000 || agg.NumFailures != 60 || snap.FailRatio != 60.0/3000 || !near(agg.Median, a.Median) {
			t.Errorf("exact %v: aggregated %+v, fail ratio %v; the summary's %+v", exact, agg, snap.FailRatio, a)
		}
		if len(snap.Errors) != 2 || snap.Errors[0].Error != summary.CauseRefused503 || snap.Errors[0].Occurrences+snap.Errors[1].Occurrences != 60 {
			t.Errorf("errors %+v", snap.Errors)
		}
	}
	snap := st.Snapshot(began.Add(3 * time.Second))
	check(snap, false)
	// Current figures: the results completed in the last complete seconds.
	if snap.CurrentRPS <= 0 || snap.CurrentPercent["response_time_percentile_0.95"] <= 0 {
		t.Errorf("current rps %v, percentiles %v", snap.CurrentRPS, snap.CurrentPercent)
	}
	st.Finish(rs, 3*time.Second)
	check(st.Snapshot(began.Add(time.Hour)), true)
}

// TestHistQuantiles: the histogram's nearest-rank quantiles are within
// half a percent of the exact ones, from microseconds to minutes.
func TestHistQuantiles(t *testing.T) {
	var h hist
	var lat []time.Duration
	for i := 1; i <= 20000; i++ {
		d := time.Duration(float64(time.Microsecond) * math.Pow(1.0009, float64(i)))
		lat = append(lat, d)
		h.add(d)
	}
	for _, q := range []float64{0, .01, .5, .9, .95, .99, .999, 1} {
		want, got := summary.Quantile(lat, q), h.quantile(q)
		if r := float64(got) / float64(want); r < 0.995 || r > 1.005 {
			t.Errorf("q %v: %v, exact %v", q, got, want)
		}
	}
	var empty hist
	if empty.quantile(.5) != 0 {
		t.Error("an empty histogram's median is 0")
	}
}

// getJSON fetches a JSON answer into v.
func getJSON(t *testing.T, u string, v any) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("%s: %v", u, err)
	}
}

// waitState polls /stats/requests until cond holds, or fails.
func waitState(t *testing.T, base string, within time.Duration, what string, cond func(View) bool) View {
	t.Helper()
	var v View
	for end := time.Now().Add(within); ; time.Sleep(200 * time.Millisecond) {
		getJSON(t, base+"/stats/requests", &v)
		if cond(v) {
			return v
		}
		if time.Now().After(end) {
			t.Fatalf("after %v, still not %s: state %s, %d users, error %q", within, what, v.State, v.UserCount, v.Error)
		}
	}
}

// storedRun reads the one run a UI stored.
func storedRun(t *testing.T, out string) (string, []*summary.Summary) {
	t.Helper()
	dirs, _ := filepath.Glob(filepath.Join(out, "*-ui"))
	if len(dirs) != 1 {
		t.Fatalf("runs stored: %v, want one", dirs)
	}
	rows, err := store.ReadSummaries(dirs[0])
	if err != nil {
		t.Fatal(err)
	}
	return dirs[0], rows
}

// agree checks that the figures read from the API are the stored run's.
func agree(t *testing.T, v View, s *summary.Summary) {
	t.Helper()
	if len(v.Stats) != len(s.Routes)+1 {
		t.Fatalf("API rows %d, stored routes %d", len(v.Stats), len(s.Routes))
	}
	by := map[string]summary.Route{}
	for _, r := range s.Routes {
		by[r.Method+" "+r.Name] = r
	}
	total := 0
	for _, x := range v.Stats[:len(v.Stats)-1] {
		r, ok := by[x.Method+" "+x.Name]
		if !ok || x.NumRequests != r.Requests || x.NumFailures != r.Failures || x.Median != r.Median || x.NinetyNinth != r.P99 || x.Max != r.Max {
			t.Errorf("%s %s: API %+v, stored %+v", x.Method, x.Name, x, r)
		}
		total += x.NumRequests
	}
	if agg := v.Stats[len(v.Stats)-1]; agg.NumRequests != s.Requests || total != s.Requests {
		t.Errorf("API %d requests (rows sum %d), stored %d", agg.NumRequests, total, s.Requests)
	}
}

// TestLocustAPIScript: scripts/locust_api.py, speaking only Locust's API,
// runs the course's load on the default model, and what it read agrees
// with the stored run.
func TestLocustAPIScript(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3")
	}
	_, base, out := newUI(t)
	cmd := exec.Command(py, "../../scripts/locust_api.py", base, "--users", "40", "--spawn-rate", "40", "--seconds", "4", "--think-min", "20ms", "--think-max", "60ms")
	cmd.Stderr = os.Stderr
	b, err := cmd.Output()
	if err != nil {
		t.Fatalf("locust_api.py: %v", err)
	}
	var v View
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("the script's output: %v\n%s", err, b)
	}
	_, rows := storedRun(t, out)
	if len(rows) != 1 || rows[0].Model != "thread" || rows[0].Requests < 200 {
		t.Fatalf("stored %+v", rows)
	}
	agree(t, v, rows[0])
}

// TestSwarmChangesUsersThenStops: POST /swarm while a users load runs
// changes its users, as Locust's edit does; the page's stream reports
// them; the run stored on /stop is what the API last showed, with a
// report.html beside REPORT.md.
func TestSwarmChangesUsersThenStops(t *testing.T) {
	_, base, out := newUI(t)
	swarm := func(f url.Values) {
		t.Helper()
		resp, err := http.PostForm(base+"/swarm", f)
		if err != nil {
			t.Fatal(err)
		}
		var a map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&a)
		resp.Body.Close()
		if a["success"] != true {
			t.Fatalf("swarm %v: %v", f, a)
		}
	}
	swarm(url.Values{"model": {"epoll"}, "user_count": {"10"}, "spawn_rate": {"100"}, "think_min": {"10ms"}, "think_max": {"30ms"}, "paths": {"/hello"}})
	waitState(t, base, 10*time.Second, "running with 10 users", func(v View) bool { return v.State == Running && v.UserCount == 10 })
	swarm(url.Values{"user_count": {"30"}, "spawn_rate": {"100"}})
	v := waitState(t, base, 10*time.Second, "running with 30 users", func(v View) bool { return v.State == Running && v.UserCount == 30 })
	if v.Model != "epoll" || v.Point == nil || v.Point.Threads == 0 || v.Point.FDs == 0 {
		t.Errorf("the server's side is missing: model %q, point %+v", v.Model, v.Point)
	}
	// Locust refuses a swarm with 200 and success false.
	resp, err := http.PostForm(base+"/swarm", url.Values{"user_count": {"5"}, "spawn_rate": {"0"}})
	if err == nil {
		var a map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&a)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || a["success"] != false || a["message"] == "" {
			t.Errorf("spawn_rate 0 while running: status %d, %v; want 200 and success false", resp.StatusCode, a)
		}
	}
	time.Sleep(1500 * time.Millisecond)
	getJSON(t, base+"/stop", &map[string]any{})
	v = waitState(t, base, 20*time.Second, "stopped", func(v View) bool { return v.State == Stopped })
	dir, rows := storedRun(t, out)
	if len(rows) != 1 {
		t.Fatalf("stored %d rows", len(rows))
	}
	agree(t, v, rows[0])
	for _, f := range []string{"REPORT.md", "report.html", "summary.json"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	var h History
	getJSON(t, base+"/history", &h)
	if ps := h.Points["epoll"]; len(ps) < 2 || ps[len(ps)-1].Users != 30 {
		t.Errorf("history %+v", h)
	}
	// A stopped UI has a report to give; CSVs have Locust's headers.
	for path, want := range map[string]string{"/stats/report": "uPlot",
		"/stats/requests/csv": "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%\n",
		"/stats/failures/csv": "Method,Name,Error,Occurrences,First Seen,Last Seen"} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(b), want) {
			t.Errorf("%s lacks %q", path, want)
		}
	}
}

// The page offers the seeds' own systems beside the models, each marked
// as a reference with what it is.
func TestPageMarksReferences(t *testing.T) {
	s := NewSession(Config{Servers: session.Servers{Bin: "netserver"}, Models: append([]string{"thread"}, reference.Names()...)})
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	res, err := http.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	for _, r := range reference.All() {
		if !strings.Contains(string(b), `"`+r.Name+`":"`+r.Label+`"`) {
			t.Errorf("the page's config lacks %s as a reference (%q)", r.Name, r.Label)
		}
	}
	if !strings.Contains(string(b), "(reference)") {
		t.Error("the page does not mark references")
	}
}

// TestReportDuringAndRightAfterATest drives /stats/report as a script of
// Locust's web API would: during a test it is the statistics so far, and
// right after GET /stop it is the stopped test's full report, not an
// error while the run is being stored.
func TestReportDuringAndRightAfterATest(t *testing.T) {
	_, base, _ := newUI(t)
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("/stats/report"); code != http.StatusOK || !strings.Contains(body, "No test has run yet") {
		t.Errorf("before any test: status %d, body %.300q; want 200 and the empty statistics, as Locust's", code, body)
	}
	resp, err := http.PostForm(base+"/swarm", url.Values{"model": {"epoll"}, "user_count": {"5"}, "spawn_rate": {"100"}, "think_min": {"10ms"}, "think_max": {"20ms"}, "paths": {"/hello"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	waitState(t, base, 10*time.Second, "running", func(v View) bool { return v.State == Running && len(v.Stats) > 0 && v.Stats[0].NumRequests > 0 })
	code, body := get("/stats/report")
	if code != http.StatusOK || !strings.Contains(body, "statistics so far") || !strings.Contains(body, "/hello") {
		t.Errorf("during the test: status %d, body %.300q", code, body)
	}
	getJSON(t, base+"/stop", &map[string]any{})
	code, body = get("/stats/report")
	if code != http.StatusOK || !strings.Contains(body, "uPlot") {
		t.Errorf("right after /stop: status %d, body %.300q", code, body)
	}
}

// TestLocustRoutes compares every route of Locust's web API with Locust's
// own (locust/web.py and locust/stats.py, commit 407343d of
// locustio/locust): the status, the answer's type, and the JSON fields a
// script reads, during a test.
func TestLocustRoutes(t *testing.T) {
	_, base, _ := newUI(t)
	resp, err := http.PostForm(base+"/swarm", url.Values{"model": {"epoll"}, "user_count": {"5"}, "spawn_rate": {"100"}, "run_time": {"30"},
		"think_min": {"10ms"}, "think_max": {"20ms"}, "paths": {"/hello"}})
	if err != nil {
		t.Fatal(err)
	}
	var started map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&started)
	resp.Body.Close()
	if started["success"] != true || started["run_time"] != float64(30) || started["host"] == nil {
		t.Fatalf("swarm answered %v; Locust's has success, message, host and run_time in seconds", started)
	}
	defer getJSON(t, base+"/stop", &map[string]any{})
	waitState(t, base, 10*time.Second, "running", func(v View) bool { return v.State == Running && len(v.Stats) > 1 && v.Stats[0].NumRequests > 0 })
	time.Sleep(1200 * time.Millisecond) // a complete second, for the current figures
	type route struct {
		path, ctype string
		code        int
		keys        []string // the JSON object's keys Locust's answer has
	}
	routes := []route{
		{"/stats/requests", "application/json", 200, []string{"stats", "errors", "current_rps", "current_fail_per_sec", "total_rps",
			"total_fail_per_sec", "fail_ratio", "current_response_time_percentiles", "state", "user_count"}},
		{"/exceptions", "application/json", 200, []string{"exceptions"}},
		{"/tasks", "application/json", 200, []string{"per_class", "total"}},
		{"/logs", "application/json", 200, []string{"master", "workers"}},
		{"/worker-count", "application/json", 200, []string{"worker_count"}},
		{"/stats/requests/csv", "text/csv", 200, nil},
		{"/stats/failures/csv", "text/csv", 200, nil},
		{"/exceptions/csv", "text/csv", 200, nil},
		{"/stats/requests_full_history/csv", "", 404, nil},
		{"/stats/report", "text/html", 200, nil},
	}
	bodies := map[string][]byte{}
	for _, r := range routes {
		resp, err := http.Get(base + r.path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		bodies[r.path] = b
		if resp.StatusCode != r.code || !strings.HasPrefix(resp.Header.Get("Content-Type"), r.ctype) {
			t.Errorf("%s: status %d, %q; Locust's %d, %q", r.path, resp.StatusCode, resp.Header.Get("Content-Type"), r.code, r.ctype)
		}
		if r.keys == nil {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Errorf("%s: %v", r.path, err)
			continue
		}
		for _, k := range r.keys {
			if _, ok := m[k]; !ok {
				t.Errorf("%s lacks Locust's %q: %.300s", r.path, k, b)
			}
		}
	}
	// A row of the statistics has the fields of Locust's StatsEntry.to_dict.
	var req struct {
		Stats   []map[string]any   `json:"stats"`
		Current map[string]float64 `json:"current_response_time_percentiles"`
	}
	if err := json.Unmarshal(bodies["/stats/requests"], &req); err != nil || len(req.Stats) < 2 {
		t.Fatalf("stats %v: %s", err, bodies["/stats/requests"])
	}
	for _, row := range req.Stats {
		for _, k := range []string{"method", "name", "num_requests", "num_failures", "min_response_time", "max_response_time", "current_rps",
			"current_fail_per_sec", "avg_response_time", "median_response_time", "total_rps", "total_fail_per_sec",
			"response_time_percentile_0.95", "response_time_percentile_0.99", "avg_content_length"} {
			if _, ok := row[k]; !ok {
				t.Errorf("a statistics row lacks Locust's %q: %v", k, row)
			}
		}
	}
	if agg := req.Stats[len(req.Stats)-1]; agg["name"] != "Aggregated" || agg["total_rps"].(float64) <= 0 || agg["response_time_percentile_0.95"].(float64) <= 0 {
		t.Errorf("the Aggregated row %v", agg)
	}
	if _, ok := req.Current["response_time_percentile_0.5"]; !ok {
		t.Errorf("current percentiles %v: Locust's are 0.5 and 0.95", req.Current)
	}
	var tasks struct {
		PerClass map[string]struct {
			Ratio float64                       `json:"ratio"`
			Tasks map[string]map[string]float64 `json:"tasks"`
		} `json:"per_class"`
	}
	_ = json.Unmarshal(bodies["/tasks"], &tasks)
	if u := tasks.PerClass["User"]; u.Ratio != 1 || u.Tasks["GET /hello"]["ratio"] != 1 {
		t.Errorf("tasks %s: want one class, its one task /hello at ratio 1", bodies["/tasks"])
	}
	csvRows := strings.Split(strings.TrimSpace(string(bodies["/stats/requests/csv"])), "\n")
	if len(csvRows) != 3 || !strings.HasPrefix(csvRows[2], ",Aggregated,") || strings.Count(csvRows[1], ",") != 21 {
		t.Errorf("requests CSV: want a header, /hello and Aggregated, 22 columns each:\n%s", bodies["/stats/requests/csv"])
	}
	if string(bodies["/exceptions/csv"]) != "Count,Message,Traceback,Nodes\n" {
		t.Errorf("exceptions CSV %q", bodies["/exceptions/csv"])
	}
	// /stats/reset answers Locust's plain "ok" and zeroes the figures.
	resp, err = http.Get(base + "/stats/reset")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != "ok" {
		t.Errorf("/stats/reset: %d %q, Locust's 200 \"ok\"", resp.StatusCode, b)
	}
}
