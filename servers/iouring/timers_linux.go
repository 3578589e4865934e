package iouring

import (
	"time"

	"golang.org/x/sys/unix"

	"netmodels/servers/httpx"
	"netmodels/servers/timerq"
)

// fireTimers completes the deferred answers that are due.
func (l *loop) fireTimers(now time.Time) {
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
		switch {
		case closeAfter:
			c.closing = true
		case len(c.in) > 0:
			c.held = true // pipelined requests that waited behind the deferred one
		default:
			c.deadline = now.Add(l.cfg.IdleTimeout)
		}
		l.step(c)
	}
}

// sweep closes connections past their deadline; a stalled request is
// answered 408 first.
func (l *loop) sweep(now time.Time) {
	for _, c := range l.conns {
		if c == nil || c.deadline.IsZero() || now.Before(c.deadline) {
			continue
		}
		if len(c.in) > 0 && !c.sending && len(c.next) == 0 {
			_ = unix.Sendto(c.fd, c.sess.AppendError(l.wbuf[:0], httpx.ErrRequestTimeout), unix.MSG_DONTWAIT|unix.MSG_NOSIGNAL, nil)
		}
		l.close(c)
	}
}

// newTimers is the loop's timer queue: connections by when their deferred
// answer is due.
func newTimers() *timerq.Queue[*conn] {
	return timerq.New(func(c *conn) time.Time { return c.wake }, func(c *conn) *int { return &c.idx })
}
