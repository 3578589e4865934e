package httpx

import (
	"strings"
	"testing"
)

// echo is a handler for the parser tests: it answers with the parsed
// method, path, query and body.
type echo struct{}

func (echo) Handle(req *Request, res *Response) {
	if string(req.Path) == "/defer" {
		res.Defer = DeferCompute
		return
	}
	res.ContentType = "text/plain"
	res.Body = append(res.Body, req.Method...)
	res.Body = append(res.Body, ' ')
	res.Body = append(res.Body, req.Path...)
	res.Body = append(res.Body, '?')
	res.Body = append(res.Body, req.Query...)
	res.Body = append(res.Body, ' ')
	res.Body = append(res.Body, req.Body...)
}

func (echo) Complete(res *Response) {
	res.ContentType = "text/plain"
	res.Body = append(res.Body[:0], "deferred"...)
}

func TestParseHeadErrors(t *testing.T) {
	cases := []struct {
		head string
		want *Error
	}{
		{"GET / HTTP/1.1\r\nHost: a\r\n\r\n", nil},
		{"GET / HTTP/1.0\r\n\r\n", nil},
		{"GET / HTTP/1.1\nHost: a\n\n", nil},
		{"GET /x?a=b HTTP/1.1\r\nhOsT: a\r\n\r\n", nil},
		{"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n", nil},
		{"GET / HTTP/1.1\r\n\r\n", ErrHost},
		{"GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", ErrHost},
		{"GET / HTTP/1.1 \r\nHost: a\r\n\r\n", ErrVersion},
		{"GET  / HTTP/1.1\r\nHost: a\r\n\r\n", ErrVersion},
		{"GET / HTTP/2.0\r\nHost: a\r\n\r\n", ErrVersionSupported},
		{"GET / HTTP/0.9\r\n\r\n", ErrHTTP09},
		{"GET /\r\n\r\n", ErrHTTP09},
		{"GET\r\n\r\n", ErrRequestLine},
		{"G:T / HTTP/1.1\r\nHost: a\r\n\r\n", ErrMethod},
		{"GET * HTTP/1.1\r\nHost: a\r\n\r\n", ErrTarget},
		{"GET ftp://a/ HTTP/1.1\r\nHost: a\r\n\r\n", ErrTarget},
		{"GET /a\x7f HTTP/1.1\r\nHost: a\r\n\r\n", ErrTarget},
		{"GET /% HTTP/1.0\r\n\r\n", ErrTarget},
		{"GET /a%4 HTTP/1.1\r\nHost: a\r\n\r\n", ErrTarget},
		{"GET http://h/a%zz?q HTTP/1.1\r\nHost: h\r\n\r\n", ErrTarget},
		{"GET / HTTP/1.1\r\nHost: a\r\n x\r\n\r\n", ErrObsFold},
		{"GET / HTTP/1.1\r\nHost : a\r\n\r\n", ErrHeaderLine},
		{"GET / HTTP/1.1\r\n: a\r\n\r\n", ErrHeaderLine},
		{"GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", ErrHeaderLine},
		{"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", ErrContentLength},
		{"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: +1\r\n\r\n", ErrContentLength},
		{"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1 2\r\n\r\n", ErrContentLength},
		{"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n", ErrContentLength},
		{"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", ErrTEAndCL},
		{"GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 1\r\n\r\n", ErrTEAndCL},
		{"GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", ErrTEUnsupported},
		{"GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", ErrTEUnsupported},
		{"GET / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", ErrTE10},
		{"GET / HTTP/1.1\r\nHost: a\r\nExpect: nothing\r\n\r\n", ErrExpect},
	}
	for _, c := range cases {
		var req Request
		end := HeadEnd([]byte(c.head), 0)
		if end != len(c.head) {
			t.Fatalf("%q: head end %d, want %d", c.head, end, len(c.head))
		}
		if got := parseHead([]byte(c.head), &req); got != c.want {
			t.Errorf("%q: error %v, want %v", c.head, got, c.want)
		}
	}
}

func TestParseHeadFields(t *testing.T) {
	var req Request
	head := "GET http://h:80/p/q?x=1&y=2 HTTP/1.0\r\nConnection: Keep-Alive, foo\r\nContent-Length: 12\r\n\r\n"
	if err := parseHead([]byte(head), &req); err != nil {
		t.Fatal(err)
	}
	if string(req.Path) != "/p/q" || string(req.Query) != "x=1&y=2" || req.Minor != 0 ||
		req.Close || !req.KeepAlive10 || req.ContentLength != 12 {
		t.Fatalf("parsed %+v", req)
	}
	head = "HEAD / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
	if err := parseHead([]byte(head), &req); err != nil {
		t.Fatal(err)
	}
	if !req.IsHead() || !req.Close || req.ContentLength != -1 {
		t.Fatalf("parsed %+v", req)
	}
	// Escapes are checked in the path only; the query is the handler's.
	head = "GET /a%2Fb%c3%a9?q=%zz HTTP/1.1\r\nHost: a\r\n\r\n"
	if err := parseHead([]byte(head), &req); err != nil {
		t.Fatal(err)
	}
	if string(req.Path) != "/a%2Fb%c3%a9" || string(req.Query) != "q=%zz" {
		t.Fatalf("parsed %+v", req)
	}
}

func TestParseContentLength(t *testing.T) {
	for _, c := range []struct {
		in string
		n  int64
		ok bool
	}{
		{"0", 0, true},
		{"0000000000000000000000000", 0, true}, // zeros do not count to the cap
		{"000000000000000000000012", 12, true},
		{"999999999999999999", 999999999999999999, true},
		{"1000000000000000000", 0, false}, // 19 significant digits
		{"", 0, false},
		{"1a", 0, false},
		{"-1", 0, false},
	} {
		n, ok := ParseLength([]byte(c.in))
		if n != c.n && ok || ok != c.ok {
			t.Errorf("ParseLength(%q) = %d, %v; want %d, %v", c.in, n, ok, c.n, c.ok)
		}
	}
}

// feedAll feeds in to a session in pieces of size step, the way a model
// does (keeping unconsumed bytes), and returns all output and the last
// status.
func feedAll(s *Session, in string, step int) (string, FeedStatus) {
	var buf, out []byte
	var st FeedStatus
	for i := 0; i < len(in); i += step {
		buf = append(buf, in[i:min(i+step, len(in))]...)
		for {
			var n int
			n, out, st = s.Feed(buf, out)
			buf = buf[n:]
			if st == FeedDefer {
				out, _ = s.Complete(out)
				continue
			}
			if st == FeedFlush {
				continue
			}
			break
		}
		if st == FeedClose {
			break
		}
	}
	return string(out), st
}

func TestSessionSplitAnywhere(t *testing.T) {
	in := "\r\nGET /a?q HTTP/1.1\r\nHost: x\r\n\r\n" +
		"POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nxyz" +
		"POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n1;e=f\r\nc\r\n0\r\nT: v\r\n\r\n" +
		"GET /defer HTTP/1.1\r\nHost: x\r\n\r\n" +
		"GET /d HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" +
		"GET /never HTTP/1.1\r\nHost: x\r\n\r\n"
	r := NewResponder("test", echo{})
	want, wantSt := feedAll(r.NewSession(), in, len(in))
	for _, body := range []string{"GET /a?q ", "POST /b? xyz", "POST /c? abc", "deferred", "GET /d? "} {
		if !strings.Contains(want, "\r\n\r\n"+body) {
			t.Fatalf("whole input: no answer %q in\n%s", body, want)
		}
	}
	if wantSt != FeedClose || strings.Contains(want, "/never") {
		t.Fatalf("whole input: status %v; answered past Connection: close", wantSt)
	}
	for step := 1; step < 40; step++ {
		got, st := feedAll(r.NewSession(), in, step)
		// Dates may differ by a second; compare without them.
		if stripDates(got) != stripDates(want) || st != wantSt {
			t.Fatalf("step %d:\n%s\nwant\n%s", step, got, want)
		}
	}
}

func stripDates(s string) string {
	var b strings.Builder
	for _, line := range strings.Split(s, "\r\n") {
		if !strings.HasPrefix(line, "Date: ") {
			b.WriteString(line)
			b.WriteString("\n")
		}
	}
	return b.String()
}

func TestSessionLimits(t *testing.T) {
	r := NewResponder("test", echo{})
	cases := []struct {
		in     string
		status string
	}{
		{"GET / HTTP/1.1\r\nHost: a\r\nX: " + strings.Repeat("a", MaxHeaderBytes) + "\r\n\r\n", "431"},
		{"GET / HTTP/1.1\r\nHost: a\r\nX: " + strings.Repeat("a", MaxHeaderBytes), "431"},
		{"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1048577\r\n\r\n", "413"},
		{"GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n100001\r\n", "413"},
		{"GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + strings.Repeat("0", 2000), "400"},
		{"GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n", "400"},
		// Chunk lines end in CRLF: a bare LF is refused (smuggling).
		{"GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\na\r\n0\r\n\r\n", "400"},
		{"GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\n0\r\n\r\n", "400"},
		{"GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\n", "400"},
		{"GET /\r\n", "505"},
		{"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\n", "400"},
	}
	for _, c := range cases {
		out, st := feedAll(r.NewSession(), c.in, 1024)
		if st != FeedClose || !strings.HasPrefix(out, "HTTP/1.1 "+c.status+" ") ||
			!strings.Contains(out, "Connection: close\r\n") || !strings.Contains(out, `{"error":"`) {
			t.Errorf("%.40q: status %v, answer %q", c.in, st, out)
		}
	}
}

func TestExpectContinueOnce(t *testing.T) {
	r := NewResponder("test", echo{})
	s := r.NewSession()
	in := []byte("PUT /x HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n")
	n, out, st := s.Feed(in, nil)
	if n != 0 || st != FeedMore || string(out) != "HTTP/1.1 100 Continue\r\n\r\n" {
		t.Fatalf("n=%d st=%v out=%q", n, st, out)
	}
	in = append(in, "ab"...)
	if _, out, _ = s.Feed(in, nil); len(out) != 0 {
		t.Fatalf("100 Continue sent twice: %q", out)
	}
	in = append(in, "cd"...)
	n, out, _ = s.Feed(in, nil)
	if n != len(in) || !strings.HasSuffix(string(out), "PUT /x? abcd") {
		t.Fatalf("n=%d out=%q", n, out)
	}
}

func TestDrainCloses(t *testing.T) {
	s := NewResponder("test", echo{}).NewSession()
	s.Drain()
	_, out, st := s.Feed([]byte("GET / HTTP/1.1\r\nHost: a\r\n\r\n"), nil)
	if st != FeedClose || !strings.Contains(string(out), "Connection: close\r\n") {
		t.Fatalf("status %v, answer %q", st, out)
	}
}

func TestAppendJSONString(t *testing.T) {
	got := string(AppendJSONString(nil, "a\"b\\c\nd\x01"))
	if want := `"a\"b\\c\u000ad\u0001"`; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}
