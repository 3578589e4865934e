package servertest

import (
	"io"
	"strings"
	"testing"
	"time"
)

// limitCases: the limits API.md sets on a request and a connection.
var limitCases = []Case{
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
}
