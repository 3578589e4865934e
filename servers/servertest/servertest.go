// Package servertest is the conformance suite every netmodels model passes
// over the wire: one table of cases (every route and status of API.md,
// byte-by-byte delivery, pipelining, keep-alive, HTTP/1.0, HEAD, bad input,
// stalled peers, graceful stop) run over real TCP against a model.
//
// A model that can't pass a case by its nature names it in its traits with
// the reason; the case then logs the reason and checks that the model fails
// exactly the way its design predicts. Nothing is skipped.
package servertest

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"netmodels/servers"
	"netmodels/servers/handler"
	"netmodels/servers/model"
)

// Timeouts the suite runs models with: short, so the timeout cases are
// quick, and far enough apart to tell which one fired.
const (
	HeaderTimeout = 400 * time.Millisecond
	IdleTimeout   = 800 * time.Millisecond
)

// exception returns why model fails case name by design, or "": the
// model's own traits say so (model.Traits.Conformance).
func exception(model, name string) string {
	e, _ := servers.Lookup(model)
	return e.Traits.Conformance[name]
}

// Server is a model serving on a loopback port for a test.
type Server struct {
	Model string
	Addr  string
	stop  context.CancelFunc
	done  chan error
}

// Start serves the model e on 127.0.0.1 with the suite's timeouts until the
// test ends (or Stop). cfg may set more fields.
func Start(t testing.TB, e servers.Entry, cfg model.Config) *Server {
	t.Helper()
	if cfg.Handler == nil {
		cfg.Handler = handler.New()
	}
	if cfg.HeaderTimeout == 0 {
		cfg.HeaderTimeout = HeaderTimeout
	}
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = IdleTimeout
	}
	if cfg.GraceTimeout == 0 {
		cfg.GraceTimeout = 5 * time.Second
	}
	ready := make(chan net.Addr, 1)
	cfg.Ready = func(a net.Addr) { ready <- a }
	m := e.New(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{Model: e.Name, stop: cancel, done: make(chan error, 1)}
	go func() { s.done <- m.Serve(ctx, "127.0.0.1:0") }()
	select {
	case a := <-ready:
		s.Addr = a.String()
	case err := <-s.done:
		cancel()
		t.Fatalf("%s: Serve: %v", e.Name, err)
	case <-time.After(10 * time.Second):
		cancel()
		t.Fatalf("%s: not ready after 10s", e.Name)
	}
	t.Cleanup(func() { s.Stop(t) })
	return s
}

// Stop stops the model gracefully and checks that Serve returned cleanly.
func (s *Server) Stop(t testing.TB) {
	t.Helper()
	if s.stop == nil {
		return
	}
	s.stop()
	s.stop = nil
	select {
	case err := <-s.done:
		if err != nil {
			t.Errorf("%s: Serve returned %v", s.Model, err)
		}
	case <-time.After(15 * time.Second):
		t.Errorf("%s: Serve did not return 15s after the stop", s.Model)
	}
}

// Run runs every case against the model e, each on a fresh server.
func Run(t *testing.T, e servers.Entry) {
	for _, c := range Cases {
		t.Run(c.Name, func(t *testing.T) {
			if why := exception(e.Name, c.Name); why != "" {
				t.Logf("fails by design, checked as such: %s", why)
			}
			s := Start(t, e, c.Config)
			c.Run(t, s)
		})
	}
}

// Case is one conformance case.
type Case struct {
	Name   string
	Run    func(t *testing.T, s *Server)
	Config model.Config // settings the case needs; zero fields take Start's
}

// Client is a raw TCP client that writes bytes and reads answers with
// net/http's response reader: an implementation independent of ours.
type Client struct {
	t  testing.TB
	C  net.Conn
	br *bufio.Reader
}

// Dial connects to s, with a 10 s deadline on the whole exchange.
func Dial(t testing.TB, s *Server) *Client {
	t.Helper()
	c, err := net.DialTimeout("tcp", s.Addr, 5*time.Second)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	t.Cleanup(func() { c.Close() })
	return &Client{t: t, C: c, br: bufio.NewReader(c)}
}

// Send writes raw bytes.
func (c *Client) Send(s string) {
	c.t.Helper()
	if _, err := io.WriteString(c.C, s); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// Answer is one HTTP answer as read off the wire.
type Answer struct {
	Status int
	Header http.Header
	Body   string
	Close  bool // the answer said Connection: close
}

// Read reads one answer to a request of the given method.
func (c *Client) Read(method string) *Answer {
	c.t.Helper()
	a, err := c.TryRead(method)
	if err != nil {
		c.t.Fatalf("reading the answer: %v", err)
	}
	return a
}

// TryRead is Read that returns its error.
func (c *Client) TryRead(method string) (*Answer, error) {
	res, err := http.ReadResponse(c.br, &http.Request{Method: method})
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	return &Answer{Status: res.StatusCode, Header: res.Header, Body: string(b), Close: res.Close}, nil
}

// ExpectEOF checks that the server closes the connection within d.
func (c *Client) ExpectEOF(d time.Duration) {
	c.t.Helper()
	_ = c.C.SetReadDeadline(time.Now().Add(d))
	var b [1]byte
	n, err := c.br.Read(b[:])
	if n > 0 {
		c.t.Fatalf("expected the server to close, read %q", b[:n])
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		c.t.Fatalf("the server did not close within %v", d)
	}
}

// ExpectOpen checks that the connection is still open and silent for d.
func (c *Client) ExpectOpen(d time.Duration) {
	c.t.Helper()
	_ = c.C.SetReadDeadline(time.Now().Add(d))
	var b [1]byte
	n, err := c.br.Read(b[:])
	var ne net.Error
	if n > 0 || !errors.As(err, &ne) || !ne.Timeout() {
		c.t.Fatalf("expected an open, silent connection; got n=%d err=%v", n, err)
	}
	_ = c.C.SetReadDeadline(time.Now().Add(10 * time.Second))
}

// Get is one GET request line with Host, for keep-alive use.
func Get(path string) string { return "GET " + path + " HTTP/1.1\r\nHost: t\r\n\r\n" }

// Check fails the test unless the answer has the status and, when body is
// not "", the body.
func (a *Answer) Check(t testing.TB, status int, body string) {
	t.Helper()
	if a.Status != status {
		t.Fatalf("status %d, want %d (body %q)", a.Status, status, a.Body)
	}
	if body != "" && a.Body != body {
		t.Fatalf("body %q, want %q", a.Body, body)
	}
}

// CheckError checks an error answer: the status and a JSON {"error":…}
// body, and whether it closes.
func (a *Answer) CheckError(t testing.TB, status int, closes bool) {
	t.Helper()
	if a.Status != status {
		t.Fatalf("status %d, want %d (body %q)", a.Status, status, a.Body)
	}
	var e struct {
		Error string `json:"error"`
	}
	if err := json.Unmarshal([]byte(a.Body), &e); err != nil || e.Error == "" {
		t.Fatalf("error body %q is not {\"error\":…}", a.Body)
	}
	if ct := a.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("error Content-Type %q", ct)
	}
	if closes && !a.Close {
		t.Fatalf("a %d here must say Connection: close", status)
	}
}

// sortAnswer is the JSON of /sort/{algo}.
type sortAnswer struct {
	Algo string `json:"algo"`
	N    int    `json:"n"`
	Max  int    `json:"max"`
	Top  *int   `json:"top"`
}

// roundTrip sends one request on a new connection and reads its answer.
func roundTrip(t *testing.T, s *Server, req, method string) *Answer {
	t.Helper()
	c := Dial(t, s)
	c.Send(req)
	return c.Read(method)
}

func checkHeaders(t *testing.T, s *Server, a *Answer) {
	t.Helper()
	if got, want := a.Header.Get("Server"), "netmodels/"+s.Model; got != want {
		t.Errorf("Server %q, want %q", got, want)
	}
	if _, err := http.ParseTime(a.Header.Get("Date")); err != nil || !strings.HasSuffix(a.Header.Get("Date"), " GMT") {
		t.Errorf("Date %q is not an IMF-fixdate", a.Header.Get("Date"))
	}
	if a.Header.Get("Content-Length") == "" {
		t.Errorf("no Content-Length")
	}
	if len(a.Header.Values("Transfer-Encoding")) > 0 {
		t.Errorf("chunked answer")
	}
}

// Cases is the suite: the core cases, then the up-down game's.
var Cases = append(coreCases, gameCases...)

var coreCases = []Case{
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
	{Name: "header_too_large", Run: func(t *testing.T, s *Server) {
		c := Dial(t, s)
		c.Send("GET /hello HTTP/1.1\r\nHost: t\r\nX-Big: " + strings.Repeat("a", 9000) + "\r\n\r\n")
		c.Read("GET").CheckError(t, 431, true)
		c.ExpectEOF(time.Second)
		// Just under the limit is fine.
		pad := 8192 - len("GET /hello HTTP/1.1\r\nHost: t\r\nX-Big: \r\n\r\n")
		roundTrip(t, s, "GET /hello HTTP/1.1\r\nHost: t\r\nX-Big: "+strings.Repeat("a", pad)+"\r\n\r\n", "GET").Check(t, 200, "hello\n")
	}},
	{Name: "body_too_large", Run: func(t *testing.T, s *Server) {
		c := Dial(t, s)
		c.Send("GET /hello HTTP/1.1\r\nHost: t\r\nContent-Length: 1048577\r\n\r\n")
		c.Read("GET").CheckError(t, 413, true)
		c = Dial(t, s)
		c.Send("GET /hello HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n")
		chunk := "10000\r\n" + strings.Repeat("z", 0x10000) + "\r\n"
		go func() {
			for i := 0; i < 17; i++ {
				if _, err := io.WriteString(c.C, chunk); err != nil {
					return
				}
			}
		}()
		c.Read("GET").CheckError(t, 413, true)
		// Exactly 1 MiB is accepted.
		c = Dial(t, s)
		c.Send("GET /hello HTTP/1.1\r\nHost: t\r\nContent-Length: 1048576\r\n\r\n" + strings.Repeat("b", 1<<20))
		c.Read("GET").Check(t, 200, "hello\n")
	}},
	{Name: "stalled_request_times_out", Run: func(t *testing.T, s *Server) {
		c := Dial(t, s)
		start := time.Now()
		c.Send("GET /hello HTTP/1.1\r\nHost: t\r\n")
		a := c.Read("GET")
		a.CheckError(t, 408, true)
		if d := time.Since(start); d < HeaderTimeout*9/10 || d > 3*HeaderTimeout {
			t.Fatalf("408 after %v; header timeout is %v", d, HeaderTimeout)
		}
		c.ExpectEOF(time.Second)
		// Trickling bytes does not stretch the header timeout.
		c = Dial(t, s)
		start = time.Now()
		var err error
		for err == nil && time.Since(start) < 4*HeaderTimeout {
			_, err = io.WriteString(c.C, "X")
			time.Sleep(HeaderTimeout / 10)
		}
		if time.Since(start) >= 4*HeaderTimeout {
			t.Fatalf("a trickling client was still connected after %v", 4*HeaderTimeout)
		}
	}},
	{Name: "idle_connection_closes", Run: func(t *testing.T, s *Server) {
		c := Dial(t, s)
		c.Send(Get("/hello"))
		c.Read("GET").Check(t, 200, "hello\n")
		start := time.Now()
		c.ExpectEOF(4 * IdleTimeout)
		if d := time.Since(start); d < IdleTimeout*9/10 {
			t.Fatalf("idle connection closed after %v; idle timeout is %v", d, IdleTimeout)
		}
	}},
	{Name: "served_while_another_stalls", Run: func(t *testing.T, s *Server) {
		stalled := Dial(t, s)
		stalled.Send("GET /hello HTTP/1.1\r\n")
		time.Sleep(20 * time.Millisecond)
		c := Dial(t, s)
		start := time.Now()
		c.Send(Get("/hello"))
		c.Read("GET").Check(t, 200, "hello\n")
		d := time.Since(start)
		if exception(s.Model, "served_while_another_stalls") != "" {
			// The design predicts the wait: served only once the stalled
			// client's header timeout freed the server.
			if d < HeaderTimeout*3/4 {
				t.Fatalf("served after %v, before the stalled client timed out (%v)", d, HeaderTimeout)
			}
			return
		}
		if d > HeaderTimeout/2 {
			t.Fatalf("served after %v: the stalled client held it", d)
		}
	}},
	{Name: "concurrent_clients", Run: func(t *testing.T, s *Server) {
		var wg sync.WaitGroup
		errs := make(chan error, 40)
		for i := 0; i < 40; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c, err := net.DialTimeout("tcp", s.Addr, 5*time.Second)
				if err != nil {
					errs <- err
					return
				}
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(20 * time.Second))
				br := bufio.NewReader(c)
				for j := 0; j < 5; j++ {
					close := ""
					if j == 4 {
						close = "Connection: close\r\n"
					}
					if _, err := io.WriteString(c, "GET /sort/heap?n=50 HTTP/1.1\r\nHost: t\r\n"+close+"\r\n"); err != nil {
						errs <- err
						return
					}
					res, err := http.ReadResponse(br, nil)
					if err != nil {
						errs <- err
						return
					}
					_, _ = io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if res.StatusCode != 200 {
						errs <- fmt.Errorf("status %d", res.StatusCode)
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
	}},
	{Name: "graceful_stop_in_flight", Run: func(t *testing.T, s *Server) {
		c := Dial(t, s)
		c.Send(Get("/sleep?ms=300"))
		time.Sleep(100 * time.Millisecond)
		stopped := make(chan struct{})
		go func() { s.Stop(t); close(stopped) }()
		a := c.Read("GET")
		a.Check(t, 200, `{"slept_ms":300}`)
		if !a.Close {
			t.Errorf("an answer during the stop should say Connection: close")
		}
		c.ExpectEOF(2 * time.Second)
		select {
		case <-stopped:
		case <-time.After(10 * time.Second):
			t.Fatalf("the model did not stop")
		}
		if c, err := net.DialTimeout("tcp", s.Addr, time.Second); err == nil {
			c.Close()
			t.Errorf("still accepting after the stop")
		}
	}},
	{Name: "graceful_stop_bounded", Config: model.Config{GraceTimeout: 300 * time.Millisecond}, Run: func(t *testing.T, s *Server) {
		// An answer that outlasts the grace period must not hold the stop:
		// Serve returns once the grace period is over, whatever the answer.
		c := Dial(t, s)
		c.Send(Get("/sleep?ms=8000"))
		time.Sleep(100 * time.Millisecond)
		start := time.Now()
		s.Stop(t)
		if d := time.Since(start); d > 4*time.Second {
			t.Fatalf("Serve returned %v after the stop, with a 300ms grace period", d)
		}
	}},
	{Name: "graceful_stop_idle", Run: func(t *testing.T, s *Server) {
		c := Dial(t, s)
		c.Send(Get("/hello"))
		c.Read("GET").Check(t, 200, "hello\n")
		start := time.Now()
		stopped := make(chan struct{})
		go func() { s.Stop(t); close(stopped) }()
		c.ExpectEOF(time.Second)
		if d := time.Since(start); d > IdleTimeout/2 {
			t.Fatalf("an idle keep-alive connection was closed %v after the stop began", d)
		}
		<-stopped
	}},
}
