package iouring

import (
	"time"

	"golang.org/x/sys/unix"

	"netmodels/servers/evloop"
	"netmodels/servers/httpx"
)

// refuse answers 503 on a connection the loop can't take, best effort
// (one write that does not wait), and closes it. It logs the first
// refusal of a burst.
func (l *loop) refuse(fd int, why string) {
	if l.refused == 0 {
		l.cfg.Log.Printf("refusing connections: %s", why)
	}
	l.refused++
	_ = unix.Sendto(fd, l.cfg.Responder.AppendError(l.wbuf[:0], httpx.ErrUnavailable), unix.MSG_DONTWAIT|unix.MSG_NOSIGNAL, nil)
	unix.Close(fd)
}

// received serves the bytes a receive brought (they are in a provided
// buffer, which goes back to the kernel after this: what is kept is
// copied).
func (l *loop) received(c *conn, data []byte) {
	if len(c.in) == 0 {
		c.started = l.now
		l.serve(c, data)
		return
	}
	if len(c.in)+len(data) > maxInput {
		// Full at the limit: the session has answered 431 or 413 by now.
		l.close(c)
		return
	}
	c.in = append(c.in, data...)
	l.serve(c, c.in)
}

// serve feeds input to the session and queues the answers, until more
// input is needed, much output waits, or an answer is deferred. What
// comes next is step's to decide.
func (l *loop) serve(c *conn, in []byte) {
	for {
		if l.stopping.Load() {
			c.sess.Drain()
		}
		n, out, st := c.sess.Feed(in, l.wbuf[:0])
		in = in[n:]
		l.queue(c, out)
		switch st {
		case httpx.FeedClose:
			c.closing = true
			l.keep(c, nil)
			return
		case httpx.FeedFlush:
			l.keep(c, in)
			c.held = true
			return
		case httpx.FeedDefer:
			if kind, d := c.sess.Pending(); kind == httpx.DeferSleep && d > 0 {
				l.keep(c, in)
				c.deferred = true
				c.deadline = time.Time{}
				c.wake = l.now.Add(d)
				l.timers.Push(c)
				return
			}
			out, closeAfter := c.sess.Complete(l.wbuf[:0])
			l.queue(c, out)
			if closeAfter {
				c.closing = true
				l.keep(c, nil)
				return
			}
			continue
		}
		l.keep(c, in)
		if len(in) == 0 {
			c.deadline = l.now.Add(l.cfg.IdleTimeout)
		} else {
			c.deadline = c.started.Add(l.cfg.HeaderTimeout)
		}
		return
	}
}

// keep stores the unconsumed input of c, copied out of the provided
// buffer (evloop.KeepInput).
func (l *loop) keep(c *conn, in []byte) { c.in = evloop.KeepInput(c.in, in) }

// queue appends answers to c's output; step sends them.
func (l *loop) queue(c *conn, out []byte) {
	if len(out) == 0 {
		return
	}
	if c.next == nil && len(l.free) > 0 {
		c.next = l.free[len(l.free)-1]
		l.free = l.free[:len(l.free)-1]
	}
	c.next = append(c.next, out...)
}

// step is c's next move once a completion or a timer for it is handled:
// send what is queued (with the next receive linked behind it when c
// reads next), close it, serve held input, or receive.
func (l *loop) step(c *conn) {
	for l.alive(c) && !c.sending {
		switch {
		case len(c.next) > 0:
			c.out, c.next, c.sentN = c.next, nil, 0
			thenRead := !c.closing && !c.deferred && !c.held && !c.reading && !l.stopping.Load()
			l.submitSend(c, thenRead)
		case c.reading || c.deferred:
		case c.closing:
			l.close(c)
		case c.held:
			c.held = false
			l.serve(c, c.in)
			continue
		case l.stopping.Load() && len(c.in) == 0:
			l.close(c)
		default:
			l.submitRecv(c)
		}
		return
	}
}

func (l *loop) alive(c *conn) bool {
	return c.fd < len(l.conns) && l.conns[c.fd] == c
}

// close ends c with a close request, submitted: no system call now.
// When a receive or a send of c is still in the kernel, a cancel of every
// request on c's descriptor goes first, linked to the close (a shutdown
// would do too, but the kernel always hands a shutdown to a worker
// thread: two context switches). Later completions for c carry an old
// generation and are dropped.
func (l *loop) close(c *conn) {
	if !l.alive(c) {
		return
	}
	l.timers.Remove(c)
	if c.sending {
		l.orphans[userData(kSend, c.gen, c.fd)] = c.out // the kernel may still read it
	}
	if c.reading || c.sending {
		e := l.sqe()
		e.opcode, e.fd, e.opFlags = opAsyncCancel, int32(c.fd), cancelFD|cancelAll
		e.flags = sqeIOHardLink | sqeCQESkipOnSucc
		e.userData = userData(kIgnore, 0, 0)
	}
	e := l.sqe()
	e.opcode, e.fd = opClose, int32(c.fd)
	e.userData = userData(kClose, 0, 0)
	l.inflight++
	l.conns[c.fd] = nil
	l.open--
}
