package iouring

import (
	"container/heap"
	"time"

	"golang.org/x/sys/unix"

	"netmodels/servers/httpx"
)

// fireTimers completes the deferred answers that are due.
func (l *loop) fireTimers(now time.Time) {
	for len(l.timers) > 0 && !l.timers[0].wake.After(now) {
		c := heap.Pop(&l.timers).(*conn)
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

// timerHeap orders deferred connections by wake time.
type timerHeap []*conn

func (h timerHeap) Len() int           { return len(h) }
func (h timerHeap) Less(i, j int) bool { return h[i].wake.Before(h[j].wake) }
func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].idx, h[j].idx = i, j
}
func (h *timerHeap) Push(x any) {
	c := x.(*conn)
	c.idx = len(*h)
	*h = append(*h, c)
}
func (h *timerHeap) Pop() any {
	old := *h
	c := old[len(old)-1]
	old[len(old)-1] = nil
	c.idx = -1
	*h = old[:len(old)-1]
	return c
}
