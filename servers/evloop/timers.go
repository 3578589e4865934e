package evloop

import (
	"time"

	"golang.org/x/sys/unix"

	"netmodels/servers/httpx"
	"netmodels/servers/timerq"
)

// fireTimers completes the deferred answers that are due.
func (l *Loop) fireTimers(now time.Time) {
	for {
		c, ok := l.timers.PopDue(now)
		if !ok {
			return
		}
		c.deferred = false
		if l.stopping.Load() {
			c.sess.Drain()
		}
		out, closeAfter := c.sess.Complete(l.wbuf[:0])
		l.queue(c, out)
		if closeAfter {
			c.closing = true
			l.flush(c)
			continue
		}
		if !l.flush(c) {
			continue
		}
		_ = l.p.watch(c.fd, true, false)
		if len(c.in) > 0 {
			// Pipelined requests that waited behind the deferred one.
			in := c.in
			l.serve(c, in)
		} else {
			c.deadline = now.Add(l.cfg.IdleTimeout)
		}
	}
}

// sweep closes connections past their deadline; a stalled request is
// answered 408 first.
func (l *Loop) sweep(now time.Time) {
	for _, c := range l.conns {
		if c == nil || c.deadline.IsZero() || now.Before(c.deadline) {
			continue
		}
		if len(c.in) > 0 && len(c.out) == 0 {
			_, _ = unix.Write(c.fd, c.sess.AppendError(l.wbuf[:0], httpx.ErrRequestTimeout))
		}
		l.close(c)
	}
}

// newTimers is the loop's timer queue: connections by when their deferred
// answer is due.
func newTimers() *timerq.Queue[*conn] {
	return timerq.New(func(c *conn) time.Time { return c.wake }, func(c *conn) *int { return &c.idx })
}
