package httpx

import (
	"bytes"
	"testing"
)

// FuzzSession feeds arbitrary bytes to a session, whole and split at an
// arbitrary point, and checks the invariants every model relies on: no
// panic, consumption within the input, every answer a well-formed HTTP/1.1
// status line, and the same final answers however the bytes are split
// (only the interim 100 Continue may differ: it is sent only while the body
// has not arrived, RFC 9110 §10.1.1). A session Reset after any input
// answers like a new one.
func FuzzSession(f *testing.F) {
	for _, s := range []string{
		"GET / HTTP/1.1\r\nHost: a\r\n\r\n",
		"GET /x HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /y HTTP/1.1\r\nHost: b\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc",
		"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;x\r\nabc\r\n0\r\nT: 1\r\n\r\n",
		"GET /defer HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
		"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
		"GET /\r\n",
		"\r\n\nGET http://h/p?q HTTP/1.1\nHost: h\n\n",
		"GET / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx",
	} {
		f.Add([]byte(s), uint16(7))
	}
	r := NewResponder("fuzz", echo{})
	f.Fuzz(func(t *testing.T, in []byte, split uint16) {
		whole := run(t, r.NewSession(), in, len(in)+1)
		cut := run(t, r.NewSession(), in, int(split)%(len(in)+1)+1)
		if !bytes.Equal(stripDateBytes(whole), stripDateBytes(cut)) {
			t.Fatalf("answers differ by split:\n%q\n%q", whole, cut)
		}
		reused := r.NewSession()
		run(t, reused, in, int(split)%(len(in)+1)+1)
		reused.Drain() // state that must not outlive the connection
		reused.Reset()
		if again := run(t, reused, in, len(in)+1); !bytes.Equal(stripDateBytes(whole), stripDateBytes(again)) {
			t.Fatalf("a reset session answers unlike a new one:\n%q\n%q", whole, again)
		}
	})
}

func run(t *testing.T, s *Session, in []byte, step int) []byte {
	var buf, out []byte
	for i := 0; i < len(in); i += step {
		buf = append(buf, in[i:min(i+step, len(in))]...)
		for {
			n, o, st := s.Feed(buf, out)
			if n < 0 || n > len(buf) {
				t.Fatalf("consumed %d of %d", n, len(buf))
			}
			start := len(out)
			out = o
			checkAnswers(t, out[start:])
			buf = buf[n:]
			switch st {
			case FeedDefer:
				out, _ = s.Complete(out)
				continue
			case FeedFlush:
				continue
			case FeedClose:
				return out
			}
			break
		}
	}
	return out
}

// checkAnswers checks that new output starts with a status line.
func checkAnswers(t *testing.T, b []byte) {
	if len(b) > 0 && !bytes.HasPrefix(b, []byte("HTTP/1.1 ")) {
		t.Fatalf("answer does not start with a status line: %q", b)
	}
}

func stripDateBytes(b []byte) []byte {
	b = bytes.ReplaceAll(b, []byte("HTTP/1.1 100 Continue\r\n\r\n"), nil)
	var out []byte
	for _, line := range bytes.SplitAfter(b, []byte("\r\n")) {
		if !bytes.HasPrefix(line, []byte("Date: ")) {
			out = append(out, line...)
		}
	}
	return out
}
