package faults

import (
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// slowloris: n connections each sending a request head a byte at a time,
// never finishing, beside good clients at 50/s. The server runs with a
// 2 s header timeout.
func slowloris(model string, o Options) Result {
	r := result(model, "slowloris", o)
	const headerTimeout = 2 * time.Second
	s, err := start(model, o, 0, "-header-timeout", headerTimeout.String())
	if err != nil {
		return fail(r, err)
	}
	defer s.Stop(30 * time.Second)
	n := 1000
	if o.Short {
		n = 300
	}
	var (
		wg              sync.WaitGroup
		opened, closedN atomic.Int64
		stop            = make(chan struct{})
	)
	for i := 0; i < n; i++ {
		c, err := net.DialTimeout("tcp", s.Addr, time.Second)
		if err != nil {
			continue
		}
		opened.Add(1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer c.Close()
			head := "GET /hello HTTP/1.1\r\nHost: slow\r\nX-Trickle: "
			if _, err := io.WriteString(c, head); err != nil {
				closedN.Add(1)
				return
			}
			t := time.NewTicker(500 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-stop:
					return
				case <-t.C:
				}
				if _, err := c.Write([]byte("x")); err != nil {
					closedN.Add(1)
					return
				}
				// Did the server answer (408) and close?
				_ = c.SetReadDeadline(time.Now().Add(time.Millisecond))
				var b [64]byte
				if _, err := c.Read(b[:]); err == nil || !isTimeout(err) {
					closedN.Add(1)
					return
				}
			}
		}()
	}
	good, err := open("http://"+s.Addr, "/hello", 50, o.pick(8*time.Second, 4*time.Second))
	close(stop)
	wg.Wait()
	if err != nil {
		return fail(r, err)
	}
	f := r.Figures
	f["trickling"], f["trickling_closed"] = float64(opened.Load()), float64(closedN.Load())
	f["good_success"] = float64(good.ok) / float64(max(good.sent, 1))
	f["good_p99_ms"] = ms(good.p99)
	freed := float64(closedN.Load()) / float64(max(opened.Load(), 1))
	r.Pass = f["good_success"] >= 0.99 && freed >= 0.99
	r.Detail = fmt.Sprintf("good clients %.1f%% ok, p99 %.0f ms; %d of %d trickling connections cut by the header timeout",
		100*f["good_success"], f["good_p99_ms"], closedN.Load(), opened.Load())
	return r
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}
