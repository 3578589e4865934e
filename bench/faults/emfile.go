package faults

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"netmodels/bench/sample"
)

// emfile: the server with 256 descriptors and n idle connections; its CPU
// while they are held, then whether it serves once they are gone.
func emfile(model string, o Options) Result {
	r := result(model, "emfile", o)
	s, err := start(model, o, 256, "-idle-timeout", "1m")
	if err != nil {
		return fail(r, err)
	}
	defer s.Stop(30 * time.Second)
	n := 1000
	var conns []net.Conn
	for i := 0; i < n; i++ {
		c, err := net.DialTimeout("tcp", s.Addr, time.Second)
		if err != nil {
			break
		}
		conns = append(conns, c)
	}
	time.Sleep(500 * time.Millisecond)
	hold := o.pick(3*time.Second, 2*time.Second)
	c0, err := sample.Tree(s.PID)
	if err != nil {
		return fail(r, err)
	}
	time.Sleep(hold)
	c1, err := sample.Tree(s.PID)
	if err != nil {
		return fail(r, err)
	}
	// Which of the flood's connections the server dropped while they were
	// held (gnet's engine, stopping on EMFILE, closes them all): a read
	// that times out finds a connection still open.
	dropped := 0
	for _, c := range conns {
		_ = c.SetReadDeadline(time.Now().Add(time.Millisecond))
		var b [1]byte
		if _, err := c.Read(b[:]); !errors.Is(err, os.ErrDeadlineExceeded) {
			dropped++
		}
		c.Close()
	}
	// Service after the flood: 20 requests within 10 s.
	served := 0
	end := time.Now().Add(10 * time.Second)
	for served < 20 && time.Now().Before(end) {
		if get("http://"+s.Addr+"/hello") == nil {
			served++
		} else {
			time.Sleep(100 * time.Millisecond)
		}
	}
	cpu := (c1.CPU - c0.CPU).Seconds() / hold.Seconds()
	f := r.Figures
	f["held"], f["cpu_share_during_flood"], f["fds_at_flood"], f["served_after"] = float64(len(conns)), cpu, float64(c1.FDs), float64(served)
	f["dropped"] = float64(dropped)
	r.Pass = cpu < 0.2 && served == 20
	if !r.Pass {
		r.Hard = "spins or stops serving at EMFILE"
	}
	r.Detail = fmt.Sprintf("%d connections on 256 fds: %.0f%% of a core while held (%d fds), %d dropped by the server, %d/20 served after", len(conns), 100*cpu, c1.FDs, dropped, served)
	return r
}

func get(url string) error {
	c := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	res, err := c.Get(url)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	if res.StatusCode != 200 {
		return fmt.Errorf("status %d", res.StatusCode)
	}
	return nil
}
