package servertest

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"
)

// framingCases: how requests arrive and connections are kept: keep-alive,
// close, HTTP/1.0, pipelining, byte-by-byte delivery, bodies and bad input.
var framingCases = []Case{
	{Name: "keep_alive_reuse", Run: func(t *testing.T, s *Server) {
		c := Dial(t, s)
		for i := 0; i < 5; i++ {
			c.Send(Get("/hello"))
			c.Read("GET").Check(t, 200, "hello\n")
		}
		c.ExpectOpen(100 * time.Millisecond)
		c.Send(Get("/hello"))
		c.Read("GET").Check(t, 200, "hello\n")
	}},
	{Name: "connection_close", Run: func(t *testing.T, s *Server) {
		c := Dial(t, s)
		c.Send("GET /hello HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
		a := c.Read("GET")
		a.Check(t, 200, "hello\n")
		if !a.Close {
			t.Fatalf("no Connection: close on the answer")
		}
		c.ExpectEOF(time.Second)
	}},
	{Name: "http10", Run: func(t *testing.T, s *Server) {
		c := Dial(t, s)
		c.Send("GET /hello HTTP/1.0\r\n\r\n")
		c.Read("GET").Check(t, 200, "hello\n")
		c.ExpectEOF(time.Second)
		c = Dial(t, s)
		c.Send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
		a := c.Read("GET")
		a.Check(t, 200, "hello\n")
		if a.Header.Get("Connection") != "keep-alive" {
			t.Fatalf("HTTP/1.0 keep-alive answer says Connection %q", a.Header.Get("Connection"))
		}
		c.Send("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
		c.Read("GET").Check(t, 200, "ok\n")
		// A higher HTTP/1.x minor version is served as HTTP/1.1.
		roundTrip(t, s, "GET /hello HTTP/1.7\r\nHost: t\r\n\r\n", "GET").Check(t, 200, "hello\n")
	}},
	{Name: "pipelining", Run: func(t *testing.T, s *Server) {
		c := Dial(t, s)
		paths := []string{"/hello", "/sort/linear?n=10&max=2", "/sleep?ms=20", "/healthz", "/nope",
			"/test/normal_sort/", "/sleep?ms=1", "/hello"}
		var all strings.Builder
		for _, p := range paths {
			all.WriteString(Get(p))
		}
		c.Send(all.String())
		want := []string{"hello\n", `{"algo":"linear","n":10,"max":2,"top":1}`, `{"slept_ms":20}`, "ok\n",
			`{"error":"not found"}`, "", `{"slept_ms":1}`, "hello\n"}
		for i, w := range want {
			a := c.Read("GET")
			if w != "" && a.Body != w {
				t.Fatalf("answer %d (%s): %q, want %q", i, paths[i], a.Body, w)
			}
		}
		// Many small requests in one segment: more answers than one
		// flush of the session holds.
		all.Reset()
		for i := 0; i < 600; i++ {
			all.WriteString(Get("/sort/linear?n=1&max=" + strconv.Itoa(i+2)))
		}
		go func() { _, _ = io.WriteString(c.C, all.String()) }()
		for i := 0; i < 600; i++ {
			a := c.Read("GET")
			if w := fmt.Sprintf(`"max":%d,"top":`, i+2); !strings.Contains(a.Body, w) {
				t.Fatalf("answer %d out of order: %q", i, a.Body)
			}
		}
	}},
	{Name: "byte_by_byte", Run: func(t *testing.T, s *Server) {
		c := Dial(t, s)
		req := "GET /sort/linear?n=5&max=2 HTTP/1.1\r\nHost: t\r\nX-Pad: abc\r\n\r\n" + Get("/hello")
		for i := 0; i < len(req); i++ {
			c.Send(req[i : i+1])
			time.Sleep(time.Millisecond)
		}
		c.Read("GET").Check(t, 200, `{"algo":"linear","n":5,"max":2,"top":1}`)
		c.Read("GET").Check(t, 200, "hello\n")
	}},
	{Name: "leading_empty_lines", Run: func(t *testing.T, s *Server) {
		roundTrip(t, s, "\r\n\r\n"+Get("/hello"), "GET").Check(t, 200, "hello\n")
	}},
	{Name: "absolute_form", Run: func(t *testing.T, s *Server) {
		roundTrip(t, s, "GET http://example.com/hello HTTP/1.1\r\nHost: example.com\r\n\r\n", "GET").Check(t, 200, "hello\n")
		roundTrip(t, s, "GET http://example.com HTTP/1.1\r\nHost: example.com\r\n\r\n", "GET").Check(t, 200, "hello\n")
	}},
	{Name: "content_length_body", Run: func(t *testing.T, s *Server) {
		c := Dial(t, s)
		c.Send("GET /hello HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\nhello world" + Get("/healthz"))
		c.Read("GET").Check(t, 200, "hello\n")
		c.Read("GET").Check(t, 200, "ok\n")
		// A body in several segments.
		c.Send("GET /hello HTTP/1.1\r\nHost: t\r\nContent-Length: 20000\r\n\r\n")
		for i := 0; i < 4; i++ {
			time.Sleep(5 * time.Millisecond)
			c.Send(strings.Repeat("x", 5000))
		}
		c.Read("GET").Check(t, 200, "hello\n")
		c.Send(Get("/healthz"))
		c.Read("GET").Check(t, 200, "ok\n")
	}},
	{Name: "chunked_body", Run: func(t *testing.T, s *Server) {
		c := Dial(t, s)
		c.Send("GET /hello HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" +
			"5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nTrailer: x\r\n\r\n" + Get("/healthz"))
		c.Read("GET").Check(t, 200, "hello\n")
		c.Read("GET").Check(t, 200, "ok\n")
		// Chunks split at every awkward place.
		body := "3\r\nabc\r\nA\r\n0123456789\r\n0\r\n\r\n"
		c.Send("GET /hello HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n")
		for i := 0; i < len(body); i++ {
			c.Send(body[i : i+1])
			time.Sleep(time.Millisecond)
		}
		c.Read("GET").Check(t, 200, "hello\n")
	}},
	{Name: "expect_continue", Run: func(t *testing.T, s *Server) {
		c := Dial(t, s)
		c.Send("GET /hello HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
		a := c.Read("GET")
		a.Check(t, 100, "")
		c.Send("body")
		c.Read("GET").Check(t, 200, "hello\n")
		roundTrip(t, s, "GET /hello HTTP/1.1\r\nHost: t\r\nExpect: teapot\r\n\r\n", "GET").CheckError(t, 417, true)
	}},
	{Name: "malformed_requests", Run: func(t *testing.T, s *Server) {
		for _, req := range []string{
			"GET/hello HTTP/1.1\r\nHost: t\r\n\r\n",
			"GET /hello http/1.1\r\nHost: t\r\n\r\n",
			"GET /hello HTTP/1.1 x\r\nHost: t\r\n\r\n",
			"GET /hello HTTP/11\r\nHost: t\r\n\r\n",
			"G(T /hello HTTP/1.1\r\nHost: t\r\n\r\n",
			"GET hello HTTP/1.1\r\nHost: t\r\n\r\n",
			"GET /hello HTTP/1.1\r\n\r\n",
			"GET /hello HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
			"GET /hello HTTP/1.1\r\nHost: t\r\nX-A: 1\r\n  folded\r\n\r\n",
			"GET /hello HTTP/1.1\r\nHost : t\r\n\r\n",
			"GET /hello HTTP/1.1\r\nHost: t\r\nNoColon\r\n\r\n",
			"GET /hello HTTP/1.1\r\nHost: t\r\nX: a\x00b\r\n\r\n",
			"GET /hello HTTP/1.1\r\nHost: t\r\nContent-Length: abc\r\n\r\n",
			"GET /hello HTTP/1.1\r\nHost: t\r\nContent-Length: -1\r\n\r\n",
			"GET /hello HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
			"GET /hello HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
			"GET /hello HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
			"GET /hello HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
		} {
			c := Dial(t, s)
			c.Send(req)
			a := c.Read("GET")
			a.CheckError(t, 400, true)
			c.ExpectEOF(time.Second)
		}
	}},
	{Name: "unsupported_coding", Run: func(t *testing.T, s *Server) {
		a := roundTrip(t, s, "GET /hello HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", "GET")
		a.CheckError(t, 501, true)
	}},
	{Name: "unsupported_versions", Run: func(t *testing.T, s *Server) {
		for _, req := range []string{
			"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
			"GET /hello HTTP/2.0\r\nHost: t\r\n\r\n",
			"GET /hello HTTP/0.9\r\n\r\n",
			"GET /hello\r\n",
		} {
			c := Dial(t, s)
			c.Send(req)
			a := c.Read("GET")
			a.CheckError(t, 505, true)
			c.ExpectEOF(time.Second)
		}
	}},
}
