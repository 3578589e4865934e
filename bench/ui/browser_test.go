package ui

import (
	"context"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"netmodels/bench/runner"
	"netmodels/bench/session"
	"netmodels/internal/headless"
)

var shots = flag.String("screenshots", "", "TestBrowserUI: write the page's screenshots (ui-statistics.png, ui-charts.png, ui-server.png) into `dir`")

// browser starts headless Chromium, or skips.
func browser(t *testing.T) context.Context { return headless.Start(t, 1280, 900) }

// requests records every URL the browser asks for.
type requests struct {
	mu   sync.Mutex
	urls []string
}

func (r *requests) listen(ctx context.Context) {
	chromedp.ListenTarget(ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			r.mu.Lock()
			r.urls = append(r.urls, e.Request.URL)
			r.mu.Unlock()
		}
	})
}

// outside returns the URLs that did not go to one of the prefixes.
func (r *requests) outside(prefixes ...string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
next:
	for _, u := range r.urls {
		for _, p := range prefixes {
			if strings.HasPrefix(u, p) {
				continue next
			}
		}
		out = append(out, u)
	}
	return out
}

// poll evaluates a JavaScript condition until it is true, or fails.
func poll(t *testing.T, ctx context.Context, within time.Duration, what, js string) {
	t.Helper()
	for end := time.Now().Add(within); ; time.Sleep(250 * time.Millisecond) {
		var ok bool
		if err := chromedp.Run(ctx, chromedp.Evaluate(js, &ok)); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if ok {
			return
		}
		if time.Now().After(end) {
			var state, errText string
			_ = chromedp.Run(ctx, chromedp.Text("#state", &state, chromedp.ByQuery), chromedp.Text("#error", &errText, chromedp.ByQuery))
			t.Fatalf("after %v, not %s (state %q, error %q)", within, what, state, errText)
		}
	}
}

// TestBrowserUI drives the page as a student would: starts a users load
// on a model from the form, sees the Statistics rows and the charts fill
// while it runs, changes the number of users, stops, downloads the
// report and opens it, its charts drawn, with no request leaving the
// machine.
func TestBrowserUI(t *testing.T) {
	bctx := browser(t)
	_, base, _ := newUI(t)
	ctx, cancel := context.WithTimeout(bctx, 90*time.Second)
	defer cancel()
	var seen requests
	seen.listen(ctx)
	shot := func(tab, name string) {
		if *shots == "" {
			return
		}
		var png []byte
		if err := chromedp.Run(ctx, chromedp.Click(`nav button[data-tab="`+tab+`"]`, chromedp.ByQuery),
			chromedp.Sleep(300*time.Millisecond), chromedp.FullScreenshot(&png, 100)); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(*shots, name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := chromedp.Run(ctx, network.Enable(), chromedp.Navigate(base+"/"),
		chromedp.WaitVisible("#start", chromedp.ByQuery),
		chromedp.SetValue("#user_count", "20", chromedp.ByQuery),
		chromedp.SetValue("#spawn_rate", "10", chromedp.ByQuery),
		chromedp.SetValue("#think_min", "20ms", chromedp.ByQuery),
		chromedp.SetValue("#think_max", "80ms", chromedp.ByQuery),
		chromedp.Click("#go", chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	poll(t, ctx, 20*time.Second, "20 users running", `document.getElementById("users").textContent === "20" && document.getElementById("state").textContent === "running"`)
	poll(t, ctx, 20*time.Second, "Statistics rows with requests",
		`[...document.querySelectorAll("#statstable tbody tr")].length >= 2 && Number(document.querySelector("#statstable tbody tr.agg td:nth-child(3)").textContent) > 100`)
	poll(t, ctx, 20*time.Second, "charts with points", `charts.length >= 8 && charts.every(c => c.u.data[0].length >= 3)`)
	poll(t, ctx, 10*time.Second, "the server's threads charted", `charts.some(c => c.d.title.startsWith("Threads") && c.u.data[1].some(v => v > 0))`)
	if err := chromedp.Run(ctx, chromedp.Click("#edit", chromedp.ByQuery),
		chromedp.SetValue("#e_users", "35", chromedp.ByQuery),
		chromedp.Click("#e_go", chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	poll(t, ctx, 20*time.Second, "35 users running", `document.getElementById("users").textContent === "35" && document.getElementById("state").textContent === "running"`)
	time.Sleep(3 * time.Second) // the charts show the change
	shot("stats", "ui-statistics.png")
	shot("charts", "ui-charts.png")
	shot("server", "ui-server.png")
	if err := chromedp.Run(ctx, chromedp.Click("#stop", chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	poll(t, ctx, 30*time.Second, "stopped with a run stored", `document.getElementById("state").textContent === "stopped" && document.getElementById("rundir").textContent.includes("stored in")`)
	if out := seen.outside(base + "/"); len(out) > 0 {
		t.Errorf("the page asked for more than its own server: %v", out)
	}

	// The report, downloaded as the page's link does, opened as a file.
	var href string
	if err := chromedp.Run(ctx, chromedp.AttributeValue("#dlreport", "href", &href, nil, chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(base)
	ref, _ := url.Parse(href)
	resp, err := http.Get(u.ResolveReference(ref).String())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("the report's download has Content-Disposition %q", resp.Header.Get("Content-Disposition"))
	}
	file := filepath.Join(t.TempDir(), "report.html")
	if err := os.WriteFile(file, b, 0o644); err != nil {
		t.Fatal(err)
	}
	var reqs requests
	rctx, cancel2 := chromedp.NewContext(bctx)
	defer cancel2()
	reqs.listen(rctx)
	if err := chromedp.Run(rctx, network.Enable(), chromedp.Navigate("file://"+file), chromedp.WaitReady("body", chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	poll(t, rctx, 10*time.Second, "the report's charts drawn", `document.querySelectorAll(".charts canvas").length >= 3 && document.body.textContent.includes("Statistics by request name")`)
	if out := reqs.outside("file://", "data:"); len(out) > 0 {
		t.Errorf("the report fetched %v; it must need nothing but itself", out)
	}
}

var (
	compareShot = flag.String("compare-shot", "", "TestBrowserCompare: run compare mode and write its Charts tab as a PNG to `file`")
	compareOut  = flag.String("compare-out", "", "TestBrowserCompare: store its run under `dir` (default: a temporary directory)")
	compareCPU  = flag.Float64("compare-cpu", 0.35, "TestBrowserCompare: the models' share of their CPU")
)

// TestBrowserCompare runs compare mode: the blog's stress test on
// thread, goroutine and epoll, one after the other, started with the
// fields the page's form sends, then opens the page and writes a
// screenshot of its overlaid charts. The browser opens only when the
// runs are over, so that it takes no CPU from the generator. It is a
// documentation run (about 2 minutes), run only when -compare-shot names
// the file.
func TestBrowserCompare(t *testing.T) {
	if *compareShot == "" {
		t.Skip("-compare-shot is unset: compare mode's screenshot is a documentation run")
	}
	out := *compareOut
	if out == "" {
		out = t.TempDir()
	}
	s := NewSession(Config{Servers: session.Servers{Bin: bin, Limits: runner.Limits{CPUs: serverCPUs(), CPUShare: *compareCPU, CPUPeriod: 10 * time.Millisecond},
		Args: []string{"-idle-timeout", "60s"}}, ScenarioDir: "../scenarios", Out: out, MaxTime: 5 * time.Minute,
		Models: []string{"thread", "goroutine", "epoll"}, DefaultModel: "thread"})
	srv := httptest.NewServer(s.Handler())
	defer func() { s.Close(); srv.Close() }()
	resp, err := http.PostForm(srv.URL+"/swarm", url.Values{"model": {"thread", "goroutine", "epoll"}, "scenario": {"blog"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	v := waitState(t, srv.URL, 4*time.Minute, "three models run and stored", func(v View) bool { return v.State == Stopped && len(v.Models) == 3 && v.Run != "" })
	t.Logf("stored in %s", v.Run)
	bctx := browser(t)
	ctx, cancel := context.WithTimeout(bctx, time.Minute)
	defer cancel()
	var png []byte
	if err := chromedp.Run(ctx, chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible("nav", chromedp.ByQuery),
		chromedp.Click(`nav button[data-tab="charts"]`, chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	poll(t, ctx, 10*time.Second, "the history charted", `hist.order.length === 3 && charts.length >= 8 && charts[0].u.data[0].length > 30`)
	if err := chromedp.Run(ctx, chromedp.Sleep(500*time.Millisecond), chromedp.FullScreenshot(&png, 100)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(*compareShot, png, 0o644); err != nil {
		t.Fatal(err)
	}
}
