package httpx

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

// recorder is a handler that keeps the first request it is given.
type recorder struct {
	got  bool
	req  Request
	body []byte
}

func (r *recorder) Handle(req *Request, res *Response) {
	if !r.got {
		r.got = true
		r.req = *req
		r.req.Method = bytes.Clone(req.Method)
		r.req.Target = bytes.Clone(req.Target)
		r.req.Host = bytes.Clone(req.Host)
		r.body = bytes.Clone(req.Body)
	}
	res.ContentType = "text/plain"
}

func (r *recorder) Complete(*Response) {}

// ours parses the first request of in with a Session: accepted (and what
// it read), rejected (an error answer first), or incomplete.
func ours(in []byte) (rec *recorder, rejected bool) {
	rec = &recorder{}
	s := NewResponder("diff", rec).NewSession()
	_, out, _ := s.Feed(in, nil)
	if rec.got {
		return rec, false
	}
	return nil, bytes.HasPrefix(out, []byte("HTTP/1.1 4")) || bytes.HasPrefix(out, []byte("HTTP/1.1 5"))
}

// theirs parses the first request of in with net/http's ReadRequest and
// reads its body: the request, or an error; incomplete is true when the
// input ended first.
func theirs(in []byte) (req *http.Request, body []byte, incomplete bool, err error) {
	req, err = http.ReadRequest(bufio.NewReader(bytes.NewReader(in)))
	if err == nil {
		body, err = io.ReadAll(req.Body)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, nil, true, err
	}
	return req, body, false, err
}

// knownDifference names the documented reason (parse.go's doc, "Where it
// differs from net/http") why the two parsers may disagree on in, or "".
func knownDifference(in []byte, their *http.Request, theirErr error) string {
	line, _, _ := bytes.Cut(in, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	switch {
	case len(in) > 0 && (in[0] == '\r' || in[0] == '\n'):
		return "leading empty lines"
	case len(in) > MaxHeaderBytes:
		return "limits"
	case theirErr == nil && their.ProtoMajor != 1:
		return "versions"
	case theirErr == nil && their.ProtoMajor == 1 && their.ProtoMinor > 1:
		return "versions"
	case obsFold(in):
		return "obs-fold"
	}
	if f := bytes.Split(line, []byte(" ")); len(f) == 3 && len(f[1]) > 0 && f[1][0] != '/' {
		return "targets"
	}
	if theirErr == nil && their.ProtoAtLeast(1, 1) && (their.Host == "" || hostFields(in) > 1) {
		return "host"
	}
	if theirErr == nil && badFieldName(in) {
		return "field-names"
	}
	if theirErr == nil && hasField(in, "transfer-encoding:") && (!their.ProtoAtLeast(1, 1) || len(their.TransferEncoding) != 1) {
		return "transfer-encoding"
	}
	if theirErr == nil && len(their.TransferEncoding) == 1 && bareLFAfterHead(in) {
		return "chunked-lf"
	}
	return ""
}

// hostFields counts the Host fields of in's first head.
func hostFields(in []byte) int { return countField(in, "host:") }

// hasField reports whether in's first head has a field named by prefix
// (lower case, with the colon).
func hasField(in []byte, prefix string) bool { return countField(in, prefix) > 0 }

func countField(in []byte, prefix string) int {
	head, _, _ := bytes.Cut(in, []byte("\n\r\n"))
	head, _, _ = bytes.Cut(head, []byte("\n\n"))
	n := 0
	for _, l := range bytes.Split(head, []byte("\n"))[1:] {
		if len(l) >= len(prefix) && EqualFold(l[:len(prefix)], prefix) {
			n++
		}
	}
	return n
}

// badFieldName reports whether a header line of in's first head has a
// field name that is not a token (RFC 9110 §5.1), a space included.
func badFieldName(in []byte) bool {
	head, _, _ := bytes.Cut(in, []byte("\n\r\n"))
	head, _, _ = bytes.Cut(head, []byte("\n\n"))
	for _, l := range bytes.Split(head, []byte("\n"))[1:] {
		l = bytes.TrimSuffix(l, []byte("\r"))
		if len(l) == 0 || l[0] == ' ' || l[0] == '\t' {
			continue
		}
		name, _, _ := bytes.Cut(l, []byte(":"))
		if !IsToken(name) {
			return true
		}
	}
	return false
}

// bareLFAfterHead reports whether the bytes after in's first head hold a
// LF not preceded by CR: in chunked framing this parser refuses it
// everywhere, trailer fields included, where net/http accepts it in
// trailer fields.
func bareLFAfterHead(in []byte) bool {
	i := bytes.Index(in, []byte("\n\n"))
	j := bytes.Index(in, []byte("\n\r\n"))
	end := -1
	switch {
	case i >= 0 && (j < 0 || i < j):
		end = i + 2
	case j >= 0:
		end = j + 3
	}
	if end < 0 {
		return false
	}
	for k := end; k < len(in); k++ {
		if in[k] == '\n' && (k == end || in[k-1] != '\r') {
			return true
		}
	}
	return false
}

// obsFold reports whether a header line of in's first head starts with
// whitespace (a continuation, RFC 9112 §5.2).
func obsFold(in []byte) bool {
	head, _, _ := bytes.Cut(in, []byte("\r\n\r\n"))
	lines := bytes.Split(head, []byte("\n"))
	for _, l := range lines[1:] {
		if len(l) > 0 && (l[0] == ' ' || l[0] == '\t') {
			return true
		}
	}
	return false
}

// FuzzDifferential compares the first request of any input as our parser
// and net/http's ReadRequest read it: whether it is accepted, and then its
// method, target, Host, body and whether the connection closes after it.
// Every disagreement must be fixed or be one of knownDifference's.
func FuzzDifferential(f *testing.F) {
	for _, s := range []string{
		"GET / HTTP/1.1\r\nHost: a\r\n\r\n",
		"GET /x?y=1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc",
		"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;x\r\nabc\r\n0\r\nT: 1\r\n\r\n",
		"GET http://h/p?q HTTP/1.1\nHost: h\n\n",
		"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx",
		"GET / HTTP/1.1\r\nHost: a\r\n X: folded\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		rec, rejected := ours(in)
		their, body, incomplete, err := theirs(in)
		why := knownDifference(in, their, err)
		switch {
		case incomplete:
			// net/http ran out of input. We may have answered already
			// (an error seen early), or be waiting for more: both fine.
			// But we must not have accepted a request it found cut short.
			if rec != nil && why == "" {
				t.Fatalf("%q: we accept %q %q; net/http finds it incomplete (%v)", in, rec.req.Method, rec.req.Target, err)
			}
		case err != nil:
			if rec != nil && why == "" {
				t.Fatalf("%q: we accept %q %q; net/http rejects it: %v", in, rec.req.Method, rec.req.Target, err)
			}
		default:
			if rec == nil {
				if !rejected {
					// We wait for more where net/http had enough: a
					// difference in framing.
					if why == "" {
						t.Fatalf("%q: net/http reads %s %s; we wait for more input", in, their.Method, their.RequestURI)
					}
					return
				}
				if why == "" {
					t.Fatalf("%q: we reject what net/http reads as %s %s (Host %q)", in, their.Method, their.RequestURI, their.Host)
				}
				return
			}
			if why != "" {
				return
			}
			if string(rec.req.Method) != their.Method || string(rec.req.Target) != their.RequestURI {
				t.Fatalf("%q: we read %q %q, net/http %q %q", in, rec.req.Method, rec.req.Target, their.Method, their.RequestURI)
			}
			if !bytes.Equal(rec.body, body) {
				t.Fatalf("%q: body %q, net/http %q", in, rec.body, body)
			}
			if string(rec.req.Host) != their.Host && !strings.HasPrefix(their.RequestURI, "http") {
				t.Fatalf("%q: Host %q, net/http %q", in, rec.req.Host, their.Host)
			}
			if rec.req.Close != their.Close {
				t.Fatalf("%q: close %v, net/http %v", in, rec.req.Close, their.Close)
			}
		}
	})
}
