package iouring

import (
	"runtime"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"netmodels/servers/evloop"
	"netmodels/servers/httpx"
	"netmodels/servers/rawsock"
	"netmodels/servers/timerq"
)

// What a completion is for: the top byte of its user data. The next three
// bytes are the connection's generation, the low four its descriptor, so
// that a completion for a connection closed since (its descriptor perhaps
// reused) is recognised and dropped.
const (
	kAccept = iota + 1
	kRecv
	kSend
	kWake
	kClose  // counted in flight, so that a stop waits for every close
	kIgnore // shutdown and cancel: nothing to do on completion
)

func userData(kind uint8, gen uint32, fd int) uint64 {
	return uint64(kind)<<56 | uint64(gen&0xffffff)<<32 | uint64(uint32(fd))
}

func decode(u uint64) (kind uint8, gen uint32, fd int) {
	return uint8(u >> 56), uint32(u>>32) & 0xffffff, int(uint32(u))
}

// Ring sizes: submission entries, and the provided receive buffers.
const (
	sqEntries = 4096
	bufSize   = 8192
	bufGroup  = 1
)

// bufCount is how many receive buffers a ring provides, a power of two;
// a variable so that a test can starve a ring of them.
var bufCount = 1024

// maxInput bounds a connection's input buffer: one head and one body.
const maxInput = httpx.MaxHeaderBytes + httpx.MaxBodyBytes + 4096

// starved counts receives that found no free buffer, over every loop of
// the process (the tests read it).
var starved atomic.Int64

// conn is one connection's state. Idle, it holds no buffers: its receive
// is in the kernel, and the kernel picks a buffer when data arrives.
type conn struct {
	fd       int
	gen      uint32
	sess     *httpx.Session
	in       []byte // unconsumed input, nil when none
	out      []byte // the answers the kernel is sending; ours again at its completion
	sentN    int    // how much of out the kernel took
	next     []byte // answers queued behind out
	started  time.Time
	deadline time.Time // header or idle deadline; zero while deferred
	wake     time.Time // timer: when the deferred answer is due
	idx      int       // index in the timer queue, -1 when not there
	sending  bool      // a send is submitted
	reading  bool      // a receive is submitted
	deferred bool      // a /sleep answer is pending on a timer
	held     bool      // input waits for the output before it (FeedFlush)
	closing  bool      // close once the output is sent
}

// loop is the model's one ring and its connections.
type loop struct {
	cfg      evloop.Config
	r        *ring
	bufs     *bufRing
	lfd      int
	conns    []*conn // by descriptor
	open     int
	gen      uint32
	inflight int // submitted requests whose last completion has not come
	now      time.Time
	timers   *timerq.Queue[*conn]
	wbuf     []byte
	free     [][]byte // send buffers to reuse
	retry    []*conn  // receives that found no free buffer (ENOBUFS)
	// orphans are the send buffers of connections closed while the
	// kernel was sending them, held until their completion comes.
	orphans  map[uint64][]byte
	stopping atomic.Bool
	wakeFD   int // an eventfd with a read always submitted: Stop writes it
	wakeBuf  [8]byte
	accepts  bool // the multishot accept is submitted
	refused  int

	acceptBackoff rawsock.Backoff
	resume        time.Time // when to submit the accept again after an error
}

// newLoop sets up the ring, its buffers and its wake descriptor over the
// listening socket lfd, which the caller keeps. The calling goroutine
// must stay locked to its thread for the loop's life.
func newLoop(cfg evloop.Config, lfd int) (*loop, error) {
	r, err := newRing(sqEntries)
	if err != nil {
		return nil, err
	}
	b, err := newBufRing(r, bufGroup, bufCount, bufSize)
	if err != nil {
		r.close()
		return nil, err
	}
	wfd, err := unix.Eventfd(0, unix.EFD_CLOEXEC)
	if err != nil {
		b.free()
		r.close()
		return nil, err
	}
	return &loop{cfg: cfg, r: r, bufs: b, lfd: lfd, wakeFD: wfd, wbuf: make([]byte, 0, 64<<10),
		orphans: map[uint64][]byte{}, timers: newTimers()}, nil
}

// Stop asks the loop to stop gracefully; safe from any goroutine.
func (l *loop) Stop() {
	l.stopping.Store(true)
	one := uint64(1)
	_, _ = unix.Write(l.wakeFD, (*[8]byte)(unsafe.Pointer(&one))[:])
}

// sqe returns a free submission entry, submitting the queue first when it
// is full.
func (l *loop) sqe() *sqe {
	for {
		if e := l.r.get(); e != nil {
			return e
		}
		if err := l.r.enter(false, 0); err != nil {
			l.cfg.Log.Printf("iouring: %v", err)
		}
	}
}

func (l *loop) submitAccept() {
	e := l.sqe()
	e.opcode, e.fd, e.ioprio = opAccept, int32(l.lfd), acceptMultishot
	e.opFlags = unix.SOCK_CLOEXEC
	e.userData = userData(kAccept, 0, l.lfd)
	l.accepts = true
	l.inflight++
}

func (l *loop) submitWake() {
	e := l.sqe()
	e.opcode, e.fd = opRead, int32(l.wakeFD)
	e.addr, e.len = uint64(uintptr(unsafe.Pointer(&l.wakeBuf[0]))), 8
	e.userData = userData(kWake, 0, l.wakeFD)
	l.inflight++
}

// submitRecv asks for c's next bytes into a buffer the kernel picks.
func (l *loop) submitRecv(c *conn) {
	e := l.sqe()
	e.opcode, e.fd, e.flags = opRecv, int32(c.fd), sqeBufferSelect
	e.len, e.bufGroup = bufSize, bufGroup
	e.userData = userData(kRecv, c.gen, c.fd)
	c.reading = true
	l.inflight++
}

// submitSend sends the rest of c.out. With thenRead, c's next receive is
// linked behind it: the kernel starts it once the send is done, with no
// round through the loop (and no reading while answers are unsent: the
// back-pressure of the event loops). MSG_WAITALL makes a send complete
// only once all of it is sent, or fail, which cancels the receive.
func (l *loop) submitSend(c *conn, thenRead bool) {
	e := l.sqe()
	rest := c.out[c.sentN:]
	e.opcode, e.fd = opSend, int32(c.fd)
	e.addr, e.len = uint64(uintptr(unsafe.Pointer(&rest[0]))), uint32(len(rest))
	e.opFlags = unix.MSG_NOSIGNAL | unix.MSG_WAITALL
	e.userData = userData(kSend, c.gen, c.fd)
	c.sending = true
	l.inflight++
	if thenRead {
		e.flags |= sqeIOLink
		l.submitRecv(c)
	}
}

// Run runs the loop until Stop and the graceful drain.
func (l *loop) Run() error {
	defer l.cleanup()
	l.submitWake()
	l.submitAccept()
	sweep := max(10*time.Millisecond, min(l.cfg.HeaderTimeout, l.cfg.IdleTimeout)/10)
	nextSweep := time.Now().Add(sweep)
	var stopAt time.Time
	for {
		now := time.Now()
		timeout := nextSweep.Sub(now)
		if l.timers.Len() > 0 {
			timeout = min(timeout, l.timers.Next().Sub(now))
		}
		if !l.resume.IsZero() {
			timeout = min(timeout, l.resume.Sub(now))
		}
		if len(l.retry) > 0 {
			timeout = min(timeout, time.Millisecond)
		}
		// One system call submits everything queued since the last and
		// waits for the next completions.
		if err := l.r.enter(true, int64(max(timeout, 0))); err != nil {
			return err
		}
		l.now = time.Now()
		l.r.reap(l.complete)
		l.bufs.publish()
		now = l.now
		l.fireTimers(now)
		if len(l.retry) > 0 {
			retry := l.retry
			l.retry = nil
			for _, c := range retry {
				l.step(c)
			}
		}
		if !l.resume.IsZero() && !now.Before(l.resume) && !l.stopping.Load() {
			l.resume = time.Time{}
			l.submitAccept()
		}
		if l.stopping.Load() {
			if stopAt.IsZero() {
				stopAt = now
				l.resume = time.Time{}
				if l.accepts {
					l.cancel(userData(kAccept, 0, l.lfd))
				}
				for _, c := range l.conns {
					if c != nil && len(c.in) == 0 && !c.deferred && !c.sending && len(c.next) == 0 {
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

// cancel asks the kernel to cancel the request with user data u.
func (l *loop) cancel(u uint64) {
	e := l.sqe()
	e.opcode, e.fd, e.addr = opAsyncCancel, -1, u
	e.userData = userData(kIgnore, 0, 0)
}

// cleanup closes every connection, cancels what is still in the kernel and
// waits (a second at most) for it to let go of the loop's memory, then
// closes the ring.
func (l *loop) cleanup() {
	for _, c := range l.conns {
		if c != nil {
			l.close(c)
		}
	}
	e := l.sqe()
	e.opcode, e.fd, e.opFlags = opAsyncCancel, -1, cancelAny
	e.userData = userData(kIgnore, 0, 0)
	end := time.Now().Add(time.Second)
	for {
		// Waiting, not only submitting: the kernel runs the second
		// request of a link (a close after its shutdown) when the loop
		// waits (IORING_SETUP_DEFER_TASKRUN).
		if err := l.r.enter(true, int64(10*time.Millisecond)); err != nil {
			break
		}
		l.r.reap(l.complete)
		if l.inflight == 0 || !time.Now().Before(end) {
			break
		}
	}
	l.r.close()
	if l.inflight == 0 {
		l.bufs.free() // else the kernel may still write to them: leave them mapped
	}
	unix.Close(l.wakeFD)
}

// complete handles one completion.
func (l *loop) complete(e *cqe) {
	kind, gen, fd := decode(e.userData)
	if kind != kIgnore && e.flags&cqeFMore == 0 {
		l.inflight--
	}
	switch kind {
	case kAccept:
		l.accepted(e)
		return
	case kWake:
		if !l.stopping.Load() && e.res != -int32(unix.ECANCELED) {
			l.submitWake()
		}
		return
	case kIgnore, kClose:
		return
	}
	var c *conn
	if fd < len(l.conns) && l.conns[fd] != nil && l.conns[fd].gen == gen {
		c = l.conns[fd]
	}
	switch kind {
	case kRecv:
		if c != nil {
			c.reading = false
		}
		if e.flags&cqeFBuffer != 0 {
			id := uint16(e.flags >> 16)
			if c != nil && e.res > 0 {
				l.received(c, l.bufs.buf(id, int(e.res)))
			}
			l.bufs.put(id) // the bytes were served or copied
		}
		if c == nil {
			return
		}
		switch {
		case e.res == -int32(unix.ENOBUFS):
			starved.Add(1)
			l.retry = append(l.retry, c)
		case e.res == -int32(unix.ECANCELED) && c.sending:
			// A linked receive whose send failed: the send's completion,
			// which comes next, closes c.
		case e.res <= 0:
			l.close(c) // end of stream, reset, or canceled
		default:
			l.step(c)
		}
	case kSend:
		if c == nil {
			delete(l.orphans, e.userData)
			return
		}
		c.sending = false
		if e.res < 0 {
			l.close(c)
			return
		}
		c.sentN += int(e.res)
		if c.sentN < len(c.out) {
			l.submitSend(c, false) // not expected with MSG_WAITALL
			return
		}
		if cap(c.out) <= 16<<10 && len(l.free) < 256 {
			l.free = append(l.free, c.out[:0])
		}
		c.out, c.sentN = nil, 0
		l.step(c)
	}
}

// accepted takes one new connection from the multishot accept.
func (l *loop) accepted(e *cqe) {
	if e.flags&cqeFMore == 0 {
		l.accepts = false
	}
	if e.res < 0 {
		err := unix.Errno(-e.res)
		if l.stopping.Load() || err == unix.ECANCELED {
			return
		}
		if !l.acceptBackoff.Failing() {
			l.cfg.Log.Printf("accept: %v; pausing accepts, backing off up to 1s", err)
		}
		d := l.acceptBackoff.Next()
		if !l.accepts {
			l.resume = l.now.Add(d)
		}
		return
	}
	if !l.accepts && !l.stopping.Load() {
		l.submitAccept() // the kernel ended the multishot: ask again
	}
	fd := int(e.res)
	if l.stopping.Load() {
		unix.Close(fd)
		return
	}
	l.acceptBackoff.Reset()
	if l.open >= l.cfg.MaxConns {
		l.refuse(fd, "max-conns reached")
		return
	}
	l.gen++
	c := &conn{fd: fd, gen: l.gen, sess: l.cfg.Responder.NewSession(), idx: -1}
	c.deadline = l.now.Add(l.cfg.IdleTimeout)
	for fd >= len(l.conns) {
		l.conns = append(l.conns, nil)
	}
	l.conns[fd] = c
	l.open++
	l.submitRecv(c)
}

// serveRing runs one loop on lfd on the calling goroutine, locked to its
// thread (the ring has one issuer), until stop is closed. It calls ready
// once, with the error that kept the ring from starting or with nil.
func serveRing(cfg evloop.Config, lfd int, stop <-chan struct{}, ready func(error)) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	l, err := newLoop(cfg, lfd)
	ready(err)
	if err != nil {
		return err
	}
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-stop:
			l.Stop()
		case <-done:
		}
	}()
	return l.Run()
}
