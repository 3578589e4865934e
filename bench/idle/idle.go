// Package idle measures what an idle keep-alive connection costs a server:
// it opens N connections, sends one request on each and reads its answer
// (so the server has really taken the connection), then holds them idle,
// and compares the server's memory before and after.
package idle

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"time"

	"netmodels/bench/sample"
)

// Result of one measurement.
type Result struct {
	Conns          int // connections held
	Before, After  sample.Stat
	PSSPerConnKiB  float64 // (After.PSS - Before.PSS) / Conns
	RSSPerConnKiB  float64
	ThreadsPerConn float64
	ProcsPerConn   float64
	Failed         int // connections that could not be opened or answered
	FirstFailure   string
}

// Measure holds n idle connections to addr, served by the process tree
// rooted at pid, and returns the difference they make. settle is how long
// to wait before sampling (the server may allocate lazily).
func Measure(addr string, pid, n int, settle time.Duration) (Result, error) {
	var r Result
	before, err := sample.Tree(pid)
	if err != nil {
		return r, err
	}
	conns := make([]net.Conn, 0, n)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for i := 0; i < n; i++ {
		c, err := open(addr)
		if err != nil {
			r.Failed++
			if r.FirstFailure == "" {
				r.FirstFailure = fmt.Sprintf("connection %d: %v", i+1, err)
			}
			continue
		}
		conns = append(conns, c)
	}
	time.Sleep(settle)
	after, err := sample.Tree(pid)
	if err != nil {
		return r, err
	}
	r.Conns, r.Before, r.After = len(conns), before, after
	if k := float64(len(conns)); k > 0 {
		r.PSSPerConnKiB = (float64(after.PSSKiB) - float64(before.PSSKiB)) / k
		r.RSSPerConnKiB = (float64(after.RSSKiB) - float64(before.RSSKiB)) / k
		r.ThreadsPerConn = float64(after.Threads-before.Threads) / k
		r.ProcsPerConn = float64(after.Procs-before.Procs) / k
	}
	return r, nil
}

// open connects and makes one keep-alive request.
func open(addr string) (net.Conn, error) {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write([]byte("GET /hello HTTP/1.1\r\nHost: idle\r\n\r\n")); err != nil {
		c.Close()
		return nil, err
	}
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		c.Close()
		return nil, err
	}
	res.Body.Close()
	if res.StatusCode != 200 || res.Close {
		c.Close()
		return nil, fmt.Errorf("answer %d, close %v", res.StatusCode, res.Close)
	}
	_ = c.SetDeadline(time.Time{})
	return c, nil
}
