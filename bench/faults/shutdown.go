package faults

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// shutdown: 200/s of /sleep?ms=200, a new connection each; SIGTERM after
// 2 s. Every answer that began must be complete: none cut mid-body.
// Requests after the stop are refused, which is fine.
func shutdown(model string, o Options) Result {
	r := result(model, "shutdown", o)
	s, err := start(model, o, 0)
	if err != nil {
		return fail(r, err)
	}
	var (
		complete, refused, noAnswer, cut atomic.Int64
		wg                               sync.WaitGroup
	)
	one := func() {
		defer wg.Done()
		c, err := net.DialTimeout("tcp", s.Addr, time.Second)
		if err != nil {
			refused.Add(1)
			return
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		if _, err := io.WriteString(c, "GET /sleep?ms=200 HTTP/1.1\r\nHost: t\r\n\r\n"); err != nil {
			noAnswer.Add(1)
			return
		}
		br := bufio.NewReader(c)
		res, err := http.ReadResponse(br, nil)
		if err != nil {
			noAnswer.Add(1) // no status line: closed before answering
			return
		}
		b, err := io.ReadAll(res.Body)
		if err != nil || int64(len(b)) != res.ContentLength {
			cut.Add(1)
			return
		}
		complete.Add(1)
	}
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	began := time.Now()
	stopDone := make(chan error, 1)
	signalled := false
	for time.Since(began) < 4*time.Second {
		<-tick.C
		if !signalled && time.Since(began) > 2*time.Second {
			signalled = true
			go func() { _, err := s.Stop(30 * time.Second); stopDone <- err }()
		}
		wg.Add(1)
		go one()
	}
	wg.Wait()
	stopErr := <-stopDone
	f := r.Figures
	f["complete"], f["refused"], f["closed_before_answer"], f["cut_mid_answer"] = float64(complete.Load()), float64(refused.Load()), float64(noAnswer.Load()), float64(cut.Load())
	r.Pass = cut.Load() == 0 && stopErr == nil && complete.Load() > 0
	if !r.Pass {
		r.Hard = "an answer cut off, no answer at all, or no clean stop"
	}
	r.Detail = fmt.Sprintf("%d complete, %d cut mid-answer, %d closed before answering, %d refused after the stop", complete.Load(), cut.Load(), noAnswer.Load(), refused.Load())
	if stopErr != nil {
		r.Detail += "; stop: " + stopErr.Error()
	}
	return r
}
