package servertest

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"netmodels/servers/model"
)

// concurrencyCases: clients at once, one stalling beside others, and the
// graceful stop.
var concurrencyCases = []Case{
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
