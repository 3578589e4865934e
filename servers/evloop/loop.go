// Package evloop is a hand-written, single-threaded event loop over
// non-blocking raw sockets, in the shape of Redis's ae.c: one loop and a
// small poller interface with one implementation per kernel mechanism
// (select(2) in poll_select.go, epoll(7) in poll_epoll.go). The select and
// epoll models differ only in their Poller, so the difference a student
// sees between them is those few dozen lines.
//
// The loop is level-triggered. It reads from a socket when it is readable,
// feeds the shared httpx.Session, and writes answers at once; what the
// socket does not take waits in a per-connection buffer, and only then does
// the loop ask for writability (EPOLLOUT, the write set), while it stops
// reading that connection (back-pressure). Input is read into one buffer per
// loop and copied to the connection only when a request is incomplete, so an
// idle connection costs a few hundred bytes. /sleep uses the loop's timers;
// a sort runs on the loop and stalls it, as the design predicts.
package evloop

import (
	"errors"
	"log"
	"runtime"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"netmodels/servers/httpx"
	"netmodels/servers/model"
	"netmodels/servers/rawsock"
	"netmodels/servers/timerq"
)

// Poller is what a loop asks of the kernel (ae.c's aeApi* functions). Its
// methods are unexported: the implementations are this package's.
type Poller interface {
	// add starts watching fd for readability; it fails when the Poller
	// can't hold fd (select's FD_SETSIZE).
	add(fd int) error
	// watch sets fd's interest: read, write, both or neither.
	watch(fd int, read, write bool) error
	// del stops watching fd.
	del(fd int) error
	// wait waits up to timeout (-1: forever), calls ready for each fd
	// with an event, and returns how many there were.
	wait(timeout time.Duration, ready func(fd int, readable, writable bool)) (int, error)
	close() error
}

// Config of a loop.
type Config struct {
	Responder     *httpx.Responder
	HeaderTimeout time.Duration
	IdleTimeout   time.Duration
	GraceTimeout  time.Duration
	MaxConns      int
	Log           *log.Logger
}

// conn is one connection's state. Idle, it holds no buffers.
type conn struct {
	fd       int
	sess     *httpx.Session
	in       []byte // unconsumed input, nil when none
	out      []byte // output the socket did not take yet
	started  time.Time
	deadline time.Time // header or idle deadline; zero while deferred
	deferred bool      // a /sleep answer is pending on a timer
	closing  bool      // close once out is written
	writing  bool      // write interest is on
	idx      int       // index in the timer queue, -1 when not there
	wake     time.Time // timer: when the deferred answer is due
}

// Loop is one event loop on one listening socket.
type Loop struct {
	cfg      Config
	p        Poller
	lfd      int
	conns    []*conn // by descriptor
	open     int
	now      time.Time // the loop's clock, read once per iteration
	timers   *timerq.Queue[*conn]
	rbuf     []byte // the loop's read buffer
	wbuf     []byte // the loop's answer buffer
	stopping atomic.Bool
	wakeR    int // read end of the pipe that wakes a waiting loop
	wakeW    int
	refused  int

	// After a temporary accept error (EMFILE above all) the listening
	// socket stays readable: level-triggered, it would wake the loop at
	// once, forever. The loop stops watching it until resume, backing
	// off (rawsock.Backoff, as every model) while the error persists.
	acceptBackoff rawsock.Backoff
	resume        time.Time // zero while the listener is watched
}

// newLoop makes a loop over the non-blocking listening socket lfd. The
// loop owns p from then on: on an error p is closed, with the wake pipe.
// The caller keeps lfd.
func newLoop(cfg Config, p Poller, lfd int) (*Loop, error) {
	var fds [2]int
	if err := unix.Pipe2(fds[:], unix.O_NONBLOCK|unix.O_CLOEXEC); err != nil {
		_ = p.close()
		return nil, err
	}
	l := &Loop{cfg: cfg, p: p, lfd: lfd, timers: newTimers(),
		rbuf: make([]byte, 64<<10), wbuf: make([]byte, 0, 64<<10), wakeR: fds[0], wakeW: fds[1]}
	for _, fd := range []int{lfd, l.wakeR} {
		if err := p.add(fd); err != nil {
			l.cleanup()
			return nil, err
		}
	}
	return l, nil
}

// NewConfig is the loop configuration of the model name under cfg: what
// select and epoll pass to Serve.
func NewConfig(name string, cfg model.Config) Config {
	return Config{Responder: httpx.NewResponder(name, cfg.Handler), HeaderTimeout: cfg.HeaderTimeout,
		IdleTimeout: cfg.IdleTimeout, GraceTimeout: cfg.GraceTimeout, MaxConns: cfg.MaxConns, Log: cfg.Log}
}

// Stop asks the loop to stop gracefully; safe from any goroutine.
func (l *Loop) Stop() {
	l.stopping.Store(true)
	_, _ = unix.Write(l.wakeW, []byte{1})
}

// Run runs the loop until Stop and the graceful drain.
func (l *Loop) Run() error {
	defer l.cleanup()
	sweep := max(10*time.Millisecond, min(l.cfg.HeaderTimeout, l.cfg.IdleTimeout)/10)
	nextSweep := time.Now().Add(sweep)
	var stopAt time.Time
	busy := false
	for {
		// After a round with events, poll once without waiting, as gnet
		// does: while busy, the loop then rarely makes a system call that
		// really blocks, which costs the Go runtime a thread handoff.
		timeout := time.Duration(0)
		if !busy {
			timeout = time.Until(nextSweep)
			if l.timers.Len() > 0 {
				timeout = min(timeout, time.Until(l.timers.Next()))
			}
			if !l.resume.IsZero() {
				timeout = min(timeout, time.Until(l.resume))
			}
			timeout = max(timeout, 0)
		}
		// Pass through the Go scheduler once per iteration. A goroutine
		// that never does is force-preempted by sysmon every 10 ms, and
		// each preemption puts sysmon back to polling every 20 µs: on a
		// pinned CPU that cost 3 µs per keep-alive request, a fifth of the
		// loop's CPU (docs/models/epoll.md). The loop is not locked to
		// its thread: a locked goroutine that yields costs two thread
		// switches; an unlocked one with nothing else to run goes on at
		// once.
		runtime.Gosched()
		l.now = time.Now()
		n, err := l.p.wait(timeout, l.event)
		if err != nil && !errors.Is(err, unix.EINTR) {
			return err
		}
		busy = n > 0
		now := time.Now()
		l.now = now
		l.fireTimers(now)
		if !l.resume.IsZero() && !now.Before(l.resume) && !l.stopping.Load() {
			l.resume = time.Time{}
			_ = l.p.watch(l.lfd, true, false)
		}
		if l.stopping.Load() {
			if stopAt.IsZero() {
				stopAt = now
				_ = l.p.del(l.lfd)
				for _, c := range l.conns {
					if c != nil && len(c.in) == 0 && !c.deferred && len(c.out) == 0 {
						l.close(c)
					}
				}
			}
			if l.open == 0 {
				return nil
			}
			if now.Sub(stopAt) > l.cfg.GraceTimeout {
				l.cfg.Log.Printf("graceful stop: %d connections still open after the grace period", l.open)
				return nil
			}
		}
		if !now.Before(nextSweep) {
			l.sweep(now)
			nextSweep = now.Add(sweep)
		}
	}
}

func (l *Loop) cleanup() {
	for _, c := range l.conns {
		if c != nil {
			l.close(c)
		}
	}
	_ = l.p.close()
	unix.Close(l.wakeR)
	unix.Close(l.wakeW)
}

// event handles one readiness event.
func (l *Loop) event(fd int, readable, writable bool) {
	switch fd {
	case l.lfd:
		l.accept()
		return
	case l.wakeR:
		var b [64]byte
		_, _ = unix.Read(l.wakeR, b[:])
		return
	}
	if fd >= len(l.conns) || l.conns[fd] == nil {
		return
	}
	c := l.conns[fd]
	if writable && len(c.out) > 0 {
		if !l.flush(c) {
			return
		}
	}
	if readable && !c.writing {
		l.read(c)
	}
}

// accept takes every pending connection (the listening socket is
// level-triggered and non-blocking).
func (l *Loop) accept() {
	for {
		fd, err := rawsock.Accept(l.lfd, true)
		if err != nil {
			if err != unix.EAGAIN && rawsock.IsTemporary(err) {
				if !l.acceptBackoff.Failing() {
					l.cfg.Log.Printf("accept: %v; pausing accepts, backing off up to 1s", err)
				}
				l.resume = l.now.Add(l.acceptBackoff.Next())
				_ = l.p.watch(l.lfd, false, false)
			}
			return
		}
		l.acceptBackoff.Reset()
		if l.open >= l.cfg.MaxConns {
			l.refuse(fd, "max-conns reached")
			continue
		}
		if err := l.p.add(fd); err != nil {
			l.refuse(fd, err.Error())
			continue
		}
		c := &conn{fd: fd, sess: l.cfg.Responder.NewSession(), idx: -1}
		c.deadline = l.now.Add(l.cfg.IdleTimeout)
		for fd >= len(l.conns) {
			l.conns = append(l.conns, nil)
		}
		l.conns[fd] = c
		l.open++
	}
}

// refuse answers 503 on a connection the loop can't take, best effort
// (one non-blocking write), and closes it. It logs the first refusal of a
// burst.
func (l *Loop) refuse(fd int, why string) {
	if l.refused == 0 {
		l.cfg.Log.Printf("refusing connections: %s", why)
	}
	l.refused++
	_, _ = unix.Write(fd, l.cfg.Responder.AppendError(l.wbuf[:0], httpx.ErrUnavailable))
	unix.Close(fd)
}

// read reads what the socket has into the loop's buffer and serves it.
func (l *Loop) read(c *conn) {
	buf := l.rbuf
	have := 0
	if len(c.in) > 0 {
		// Continue an incomplete request: the new bytes go after it.
		if cap(c.in)-len(c.in) < 4096 {
			grown := make([]byte, len(c.in), min(max(2*cap(c.in), 8192), maxInput))
			copy(grown, c.in)
			c.in = grown
		}
		buf, have = c.in[:cap(c.in)], len(c.in)
		if have == len(buf) {
			// Full at the limit: the session has answered 431 or 413 by now.
			l.close(c)
			return
		}
	}
	n, err := unix.Read(c.fd, buf[have:])
	if err == unix.EAGAIN || err == unix.EINTR {
		return
	}
	if err != nil || n == 0 {
		l.close(c)
		return
	}
	if have == 0 {
		c.started = l.now
	}
	l.serve(c, buf[:have+n])
}

// maxInput bounds a connection's input buffer: one head and one body.
const maxInput = httpx.MaxHeaderBytes + httpx.MaxBodyBytes + 4096

// serve feeds input to the session and writes the answers, until more
// input is needed, the socket is full, or an answer is deferred.
func (l *Loop) serve(c *conn, in []byte) {
	for {
		if l.stopping.Load() {
			c.sess.Drain()
		}
		n, out, st := c.sess.Feed(in, l.wbuf[:0])
		in = in[n:]
		if len(out) > 0 {
			l.queue(c, out)
		}
		switch st {
		case httpx.FeedClose:
			c.closing = true
			l.keep(c, nil)
			l.flush(c)
			return
		case httpx.FeedFlush:
			if !l.flush(c) {
				l.keep(c, in)
				return
			}
			continue
		case httpx.FeedDefer:
			if kind, d := c.sess.Pending(); kind == httpx.DeferSleep && d > 0 {
				l.keep(c, in)
				c.deferred = true
				c.deadline = time.Time{}
				c.wake = l.now.Add(d)
				l.timers.Push(c)
				_ = l.p.watch(c.fd, false, c.writing)
				return
			}
			out, closeAfter := c.sess.Complete(l.wbuf[:0])
			l.queue(c, out)
			if closeAfter {
				c.closing = true
				l.keep(c, nil)
				l.flush(c)
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
		l.flush(c)
		return
	}
}

// keep stores the unconsumed input of c (KeepInput).
func (l *Loop) keep(c *conn, in []byte) { c.in = KeepInput(c.in, in) }

// KeepInput is what a connection keeps of its unconsumed input in after a
// read, given held, what it kept before: nil when in is empty; in itself
// when it was read in place at the start of held; else a copy, into held's
// storage when it fits. A loop's read buffer (evloop's, or the provided
// buffers of iouring) is reused at once, so what a connection keeps must
// be its own.
func KeepInput(held, in []byte) []byte {
	if len(in) == 0 {
		return nil
	}
	if len(held) > 0 && &in[0] == &held[0] {
		return in // read in place: only the length changed
	}
	if cap(held) >= len(in) {
		held = held[:len(in)]
		copy(held, in) // in may lie inside held: copy moves it forward
		return held
	}
	return append(make([]byte, 0, max(len(in), 4096)), in...)
}

// queue writes answers now if nothing is pending, else appends them.
func (l *Loop) queue(c *conn, out []byte) {
	if len(c.out) > 0 {
		c.out = append(c.out, out...)
		return
	}
	n, err := unix.Write(c.fd, out)
	if err != nil && err != unix.EAGAIN {
		c.closing = true
		c.out = nil
		return
	}
	n = max(n, 0)
	if n < len(out) {
		c.out = append([]byte(nil), out[n:]...)
	}
}

// flush writes pending output and sets the interest: write while output is
// pending (and no reading, for back-pressure), read otherwise. It reports
// whether everything was written; a connection marked closing is closed
// once it is.
func (l *Loop) flush(c *conn) bool {
	for len(c.out) > 0 {
		n, err := unix.Write(c.fd, c.out)
		if err == unix.EAGAIN {
			break
		}
		if err != nil {
			l.close(c)
			return false
		}
		c.out = c.out[n:]
	}
	if len(c.out) == 0 {
		c.out = nil
		if c.closing {
			l.close(c)
			return false
		}
		if c.writing {
			c.writing = false
			_ = l.p.watch(c.fd, !c.deferred, false)
		}
		return true
	}
	if !c.writing {
		c.writing = true
		_ = l.p.watch(c.fd, false, true)
	}
	return false
}

func (l *Loop) close(c *conn) {
	if c.fd >= len(l.conns) || l.conns[c.fd] != c {
		return
	}
	l.timers.Remove(c)
	_ = l.p.del(c.fd)
	unix.Close(c.fd)
	l.conns[c.fd] = nil
	l.open--
}
