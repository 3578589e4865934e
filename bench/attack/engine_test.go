package attack

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"netmodels/bench/scenario"
	"netmodels/servers/handler"
)

func dur(d time.Duration) scenario.Duration { return scenario.Duration{Duration: d} }

// An open load whose connections all wait on a slow server does not send
// late: what finds no free connection is counted as not sent, and every
// due request is either a result or not sent.
func TestOpenLoadDoesNotQueueBehindBusyConnections(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(300 * time.Millisecond)
	}))
	defer srv.Close()
	sc := &scenario.Scenario{Name: "busy", Targets: []scenario.Target{{Path: "/"}}, KeepAlive: true,
		Load: scenario.Load{Kind: scenario.Constant, Rate: 100}, Duration: dur(time.Second), MaxConns: 2}
	a, err := Run(context.Background(), sc, Options{URL: srv.URL, Name: "t"})
	if err != nil {
		t.Fatal(err)
	}
	busy := 0
	for _, x := range a.NotSent {
		if !x.Late {
			busy++
		}
	}
	if got := len(a.Results) + len(a.NotSent); got < 99 || got > 101 {
		t.Fatalf("%d results and %d not sent; the schedule had 100", len(a.Results), len(a.NotSent))
	}
	if busy < 80 || len(a.Results) > 10 {
		t.Fatalf("%d results, %d not sent for busy connections: two connections at 300 ms serve about 8 of 100", len(a.Results), busy)
	}
	for _, r := range a.Results {
		if r.Code != 200 || r.Error != "" {
			t.Fatalf("result %+v", r)
		}
	}
}

// A server that closes a kept-alive connection after each answer without
// saying so: the next request, which finds the connection closed before
// any answer, is sent again on a new one, as net/http's client does.
func TestClosedLoadResendsOnAConnectionClosedWhileIdle(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				br := bufio.NewReader(c)
				if _, err := http.ReadRequest(br); err != nil {
					return
				}
				_, _ = c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"))
				time.Sleep(5 * time.Millisecond) // closed after the answer was taken
			}()
		}
	}()
	sc := &scenario.Scenario{Name: "idle-close", Targets: []scenario.Target{{Path: "/"}}, KeepAlive: true,
		Load: scenario.Load{Kind: scenario.Closed, Conns: 1}, Duration: dur(300 * time.Millisecond)}
	a, err := Run(context.Background(), sc, Options{URL: "http://" + ln.Addr().String(), Name: "t"})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Results) < 5 {
		t.Fatalf("%d results in 300 ms", len(a.Results))
	}
	for _, r := range a.Results {
		if r.Code != 200 || r.Error != "" || r.BytesIn != 2 {
			t.Fatalf("result %+v", r)
		}
	}
}

// A stop cuts the requests in flight: Run returns at once, not when the
// server answers.
func TestStopCutsRequestsInFlight(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	sc := &scenario.Scenario{Name: "stop", Targets: []scenario.Target{{Path: "/"}}, KeepAlive: true,
		Load: scenario.Load{Kind: scenario.Closed, Conns: 3}, Duration: dur(time.Minute), Timeout: dur(time.Minute)}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	done := make(chan error, 1)
	go func() { _, err := Run(ctx, sc, Options{URL: srv.URL, Name: "t"}); done <- err }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Run did not return 20 s after the stop")
	}
}

// The users load plays the up-down game with request bodies against the
// game's router, and wins every game it finishes.
func TestUsersPlayTheGame(t *testing.T) {
	h := handler.NewWithKey([]byte("0123456789abcdef0123456789abcdef"))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		code, ans := serve(h, r.URL.Path, body)
		w.WriteHeader(code)
		_, _ = w.Write(ans)
	}))
	defer srv.Close()
	sc := &scenario.Scenario{Name: "game", Targets: []scenario.Target{{Path: "/updown", Game: true}}, KeepAlive: true,
		Load:     scenario.Load{Kind: scenario.Users, Users: 3, SpawnRate: 100, ThinkMin: dur(time.Millisecond), ThinkMax: dur(2 * time.Millisecond)},
		Duration: dur(500 * time.Millisecond)}
	a, err := Run(context.Background(), sc, Options{URL: srv.URL, Name: "t"})
	if err != nil {
		t.Fatal(err)
	}
	posts := 0
	for _, r := range a.Results {
		if r.Error != "" || r.Code != 200 {
			t.Fatalf("result %+v", r)
		}
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL, "/updown/guess") && r.BytesOut > 0 {
			posts++
		}
	}
	if posts < 10 {
		t.Fatalf("%d guesses with a body in %d results", posts, len(a.Results))
	}
}

// A target's method, headers and body reach the server as written, on
// the event loop (closed and open loads) and for users alike.
func TestTargetsWithMethodHeadersAndBody(t *testing.T) {
	var bad atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.Method != "PUT" || r.Header.Get("X-Course") != "os" || r.Header.Get("Content-Type") != "text/plain" || string(b) != "n=5" {
			bad.Add(1)
		}
	}))
	defer srv.Close()
	tg := []scenario.Target{{Method: "PUT", Path: "/items", Headers: map[string]string{"X-Course": "os", "Content-Type": "text/plain"}, Body: "n=5"}}
	for _, l := range []scenario.Load{
		{Kind: scenario.Closed, Conns: 2},
		{Kind: scenario.Constant, Rate: 200},
		{Kind: scenario.Users, Users: 2, SpawnRate: 100, ThinkMin: dur(time.Millisecond), ThinkMax: dur(time.Millisecond)},
	} {
		for _, keep := range []bool{true, false} {
			sc := &scenario.Scenario{Name: "put", Targets: tg, KeepAlive: keep, Load: l, Duration: dur(300 * time.Millisecond)}
			a, err := Run(context.Background(), sc, Options{URL: srv.URL, Name: "t"})
			if err != nil {
				t.Fatal(err)
			}
			if len(a.Results) < 5 {
				t.Fatalf("%s keep-alive %v: %d results", l.Kind, keep, len(a.Results))
			}
			for _, r := range a.Results {
				if r.Code != 200 || r.Method != "PUT" || r.BytesOut != 3 {
					t.Fatalf("%s keep-alive %v: result %+v", l.Kind, keep, r)
				}
			}
		}
	}
	if n := bad.Load(); n > 0 {
		t.Fatalf("%d requests reached the server otherwise than written", n)
	}
}

// A users task sends its requests in order, each after the answer to the
// one before: Locust's task that GETs two views in a row.
func TestUsersTaskSendsItsRequestsInOrder(t *testing.T) {
	var mu sync.Mutex
	last := map[string]string{} // per connection: the last path
	var wrong atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		prev := last[r.RemoteAddr]
		if (r.URL.Path == "/b" && prev != "/a") || (r.URL.Path == "/a" && prev == "/a") {
			wrong.Add(1)
		}
		last[r.RemoteAddr] = r.URL.Path
	}))
	defer srv.Close()
	sc := &scenario.Scenario{Name: "task", Targets: []scenario.Target{{Path: "/a", Then: []scenario.Target{{Path: "/b"}}}}, KeepAlive: true,
		Load:     scenario.Load{Kind: scenario.Users, Users: 3, SpawnRate: 100, ThinkMin: dur(time.Millisecond), ThinkMax: dur(2 * time.Millisecond)},
		Duration: dur(400 * time.Millisecond)}
	a, err := Run(context.Background(), sc, Options{URL: srv.URL, Name: "t"})
	if err != nil {
		t.Fatal(err)
	}
	var as, bs int
	for _, r := range a.Results {
		switch {
		case strings.HasSuffix(r.URL, "/a"):
			as++
		case strings.HasSuffix(r.URL, "/b"):
			bs++
		}
	}
	if as < 10 || bs < as-3 || bs > as {
		t.Fatalf("%d requests to /a and %d to /b from 3 users", as, bs)
	}
	if n := wrong.Load(); n > 0 {
		t.Fatalf("%d requests out of their task's order", n)
	}
}

// A users load with a send delay writes each request that long after its
// connection opened (scenario.Target.SendDelay): the server, which stamps
// the accept and the first byte, sees about the delay or more. (Without one
// the gap is the machine's to set, so it is not checked.)
func TestUsersLateToSend(t *testing.T) {
	for _, delay := range []time.Duration{0, 30 * time.Millisecond} {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		var (
			mu   sync.Mutex
			gaps []time.Duration
		)
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				go func() {
					defer c.Close()
					at := time.Now()
					b := make([]byte, 1024)
					if _, err := c.Read(b); err != nil {
						return
					}
					mu.Lock()
					gaps = append(gaps, time.Since(at))
					mu.Unlock()
					_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
				}()
			}
		}()
		sc := &scenario.Scenario{Name: "late", Targets: []scenario.Target{{Path: "/", SendDelay: dur(delay)}}, KeepAlive: false,
			Load:     scenario.Load{Kind: scenario.Users, Users: 2, SpawnRate: 100},
			Duration: dur(400 * time.Millisecond), Timeout: dur(2 * time.Second)}
		if err := sc.Validate(); err != nil {
			t.Fatal(err)
		}
		a, err := Run(context.Background(), sc, Options{URL: "http://" + ln.Addr().String(), Name: "t"})
		ln.Close()
		if err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		if len(gaps) < 4 || len(a.Results) < 4 {
			t.Fatalf("delay %v: %d requests seen, %d results", delay, len(gaps), len(a.Results))
		}
		for _, g := range gaps {
			// The server's clock starts when its accept returns, a little
			// after the client's dial did: a tenth of the delay is slack.
			if g < delay*9/10 {
				t.Errorf("delay %v: a request came %v after its connection", delay, g)
			}
		}
		mu.Unlock()
		for _, r := range a.Results {
			if r.Code != 200 || delay > 0 && r.Latency < delay {
				t.Errorf("delay %v: result %d in %v", delay, r.Code, r.Latency)
			}
		}
	}
	bad := &scenario.Scenario{Name: "x", Targets: []scenario.Target{{Path: "/", SendDelay: dur(time.Millisecond)}}, Load: scenario.Load{Kind: scenario.Closed, Conns: 1}, Duration: dur(time.Second)}
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "send_delay needs the users load") {
		t.Errorf("a closed load with a send delay: %v", err)
	}
}
