package httpx

import "testing"

// hello answers like the /hello route, for measuring the responder alone.
type hello struct{}

func (hello) Handle(req *Request, res *Response) {
	res.ContentType = "text/plain; charset=utf-8"
	res.Body = append(res.Body, "hello\n"...)
}
func (hello) Complete(*Response) {}

var helloReq = []byte("GET /hello HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: Go-http-client/1.1\r\nAccept-Encoding: gzip\r\n\r\n")

// BenchmarkParseHead is the parser alone on a typical request head.
func BenchmarkParseHead(b *testing.B) {
	var req Request
	b.SetBytes(int64(len(helloReq)))
	b.ReportAllocs()
	for b.Loop() {
		end := HeadEnd(helloReq, 0)
		if err := parseHead(helloReq[:end], &req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFeedHello is parse-and-answer of GET /hello: what a model pays
// per keep-alive request besides its system calls. It must not allocate.
func BenchmarkFeedHello(b *testing.B) {
	s := NewResponder("bench", hello{}).NewSession()
	out := make([]byte, 0, 4096)
	b.SetBytes(int64(len(helloReq)))
	b.ReportAllocs()
	for b.Loop() {
		n, o, st := s.Feed(helloReq, out[:0])
		if n != len(helloReq) || st != FeedMore || len(o) == 0 {
			b.Fatalf("n=%d st=%v", n, st)
		}
	}
}

// BenchmarkFeedPipelined16 answers 16 pipelined requests per call.
func BenchmarkFeedPipelined16(b *testing.B) {
	var in []byte
	for i := 0; i < 16; i++ {
		in = append(in, helloReq...)
	}
	s := NewResponder("bench", hello{}).NewSession()
	out := make([]byte, 0, 16<<10)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if n, _, _ := s.Feed(in, out[:0]); n != len(in) {
			b.Fatal(n)
		}
	}
}

func TestFeedHelloAllocatesNothing(t *testing.T) {
	s := NewResponder("bench", hello{}).NewSession()
	out := make([]byte, 0, 4096)
	allocs := testing.AllocsPerRun(1000, func() {
		_, out, _ = s.Feed(helloReq, out[:0])
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per request, want 0", allocs)
	}
}

// TestResetAllocatesNothing: the iterative loop (and every prefork worker)
// reuses one session for all its connections, so that its heap does not
// grow with the connections it serves.
func TestResetAllocatesNothing(t *testing.T) {
	s := NewResponder("bench", hello{}).NewSession()
	out := make([]byte, 0, 4096)
	allocs := testing.AllocsPerRun(1000, func() {
		s.Reset()
		_, out, _ = s.Feed(helloReq, out[:0])
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per connection, want 0", allocs)
	}
}
