package servertest

import (
	"encoding/json"
	"testing"
	"time"
)

// routeCases: every route and status of API.md.
var routeCases = []Case{
	{Name: "hello", Run: func(t *testing.T, s *Server) {
		for _, p := range []string{"/", "/hello"} {
			a := roundTrip(t, s, Get(p), "GET")
			a.Check(t, 200, "hello\n")
			checkHeaders(t, s, a)
			if ct := a.Header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			if a.Close {
				t.Errorf("HTTP/1.1 answer closes without being asked")
			}
		}
	}},
	{Name: "healthz", Run: func(t *testing.T, s *Server) {
		roundTrip(t, s, Get("/healthz"), "GET").Check(t, 200, "ok\n")
	}},
	{Name: "sort_algorithms", Run: func(t *testing.T, s *Server) {
		c := Dial(t, s)
		for _, algo := range []string{"builtin", "bubble", "heap", "linear"} {
			// 3000 values below 8: the largest, 7, is drawn almost surely
			// (the chance it is not is (6/7)^3000).
			c.Send(Get("/sort/" + algo + "?n=3000&max=8"))
			a := c.Read("GET")
			a.Check(t, 200, "")
			checkHeaders(t, s, a)
			var got sortAnswer
			if err := json.Unmarshal([]byte(a.Body), &got); err != nil {
				t.Fatalf("%s: body %q: %v", algo, a.Body, err)
			}
			if got.Algo != algo || got.N != 3000 || got.Max != 8 || got.Top == nil || *got.Top != 7 {
				t.Fatalf("%s: answer %q", algo, a.Body)
			}
			if ct := a.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
		}
		c.Send(Get("/sort/linear"))
		var got sortAnswer
		_ = json.Unmarshal([]byte(c.Read("GET").Body), &got)
		if got.N != 1000 || got.Max != 5000 || got.Top == nil || *got.Top < 1 || *got.Top >= 5000 {
			t.Fatalf("defaults: %+v", got)
		}
	}},
	{Name: "seed_aliases", Run: func(t *testing.T, s *Server) {
		c := Dial(t, s)
		for _, p := range []string{"/test/normal_sort/", "/test/bubble_sort/", "/test/priority_queue/"} {
			c.Send(Get(p))
			a := c.Read("GET")
			a.Check(t, 200, "")
			var m map[string]int
			if err := json.Unmarshal([]byte(a.Body), &m); err != nil || len(m) != 1 || m["top"] < 1 || m["top"] >= 5000 {
				t.Fatalf("%s: body %q", p, a.Body)
			}
		}
	}},
	{Name: "sleep", Run: func(t *testing.T, s *Server) {
		start := time.Now()
		a := roundTrip(t, s, Get("/sleep?ms=60"), "GET")
		a.Check(t, 200, `{"slept_ms":60}`)
		if d := time.Since(start); d < 60*time.Millisecond {
			t.Fatalf("answered after %v, before the 60ms sleep", d)
		}
		roundTrip(t, s, Get("/sleep?ms=0"), "GET").Check(t, 200, `{"slept_ms":0}`)
	}},
	{Name: "head", Run: func(t *testing.T, s *Server) {
		c := Dial(t, s)
		// HEAD then GET on one connection: a body after the HEAD answer
		// would be read as the GET's status line and fail.
		c.Send("HEAD /hello HTTP/1.1\r\nHost: t\r\n\r\n" + Get("/healthz"))
		a := c.Read("HEAD")
		a.Check(t, 200, "")
		if a.Header.Get("Content-Length") != "6" {
			t.Fatalf("HEAD Content-Length %q, want 6", a.Header.Get("Content-Length"))
		}
		c.Read("GET").Check(t, 200, "ok\n")
		c.Send("HEAD /sort/linear?n=10 HTTP/1.1\r\nHost: t\r\n\r\n" + Get("/hello"))
		c.Read("HEAD").Check(t, 200, "")
		c.Read("GET").Check(t, 200, "hello\n")
	}},
	{Name: "not_found", Run: func(t *testing.T, s *Server) {
		for _, p := range []string{"/nope", "/sort", "/sort/", "/test/normal_sort", "/hello/"} {
			roundTrip(t, s, Get(p), "GET").CheckError(t, 404, false)
		}
	}},
	{Name: "method_not_allowed", Run: func(t *testing.T, s *Server) {
		c := Dial(t, s)
		for _, m := range []string{"POST", "PUT", "DELETE", "OPTIONS", "BREW"} {
			c.Send(m + " /hello HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n")
			a := c.Read(m)
			a.CheckError(t, 405, false)
			if a.Header.Get("Allow") != "GET, HEAD" {
				t.Fatalf("Allow %q", a.Header.Get("Allow"))
			}
		}
		c.Send(Get("/hello"))
		c.Read("GET").Check(t, 200, "hello\n")
	}},
	{Name: "bad_parameters", Run: func(t *testing.T, s *Server) {
		c := Dial(t, s)
		for _, p := range []string{
			"/sort/builtin?n=0", "/sort/builtin?n=100001", "/sort/builtin?n=abc", "/sort/builtin?n=",
			"/sort/builtin?n=-5", "/sort/heap?max=1", "/sort/heap?max=1000000001", "/sort/quick",
			"/sleep?ms=-1", "/sleep?ms=60001", "/sleep?ms=1.5", "/sort/bubble?n=99999999999999",
		} {
			c.Send(Get(p))
			c.Read("GET").CheckError(t, 400, false)
		}
		c.Send(Get("/sort/builtin?n=100000&max=1000000000"))
		c.Read("GET").Check(t, 200, "")
	}},
}
