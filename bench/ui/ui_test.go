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
	"netmodels/bench/scenario"
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
	s := NewSession(Config{Bin: bin, ServerCPUs: serverCPUs(), ServerArgs: []string{"-idle-timeout", "60s"},
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
	if snap.TotalRPS <= 0 || snap.CurrentPercent["response_time_percentile_0.95"] <= 0 {
		t.Errorf("current rps %v, percentiles %v", snap.TotalRPS, snap.CurrentPercent)
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
	resp, err := http.PostForm(base+"/swarm", url.Values{"user_count": {"5"}, "spawn_rate": {"0"}})
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("spawn_rate 0 while running: status %d, want 400", resp.StatusCode)
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
	for path, want := range map[string]string{"/stats/report": "uPlot", "/stats/requests/csv": "Type,Name,Request Count", "/stats/failures/csv": "Method,Name,Error,Occurrences"} {
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
	s := NewSession(Config{Bin: "netserver", Models: append([]string{"thread"}, reference.Names()...)})
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
	if code, _ := get("/stats/report"); code != http.StatusConflict {
		t.Errorf("before any test: status %d, want 409", code)
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
