package servertest

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

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
