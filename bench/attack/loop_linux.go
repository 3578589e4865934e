package attack

import (
	"context"
	"errors"
	"io"
	"net/http"
	"runtime/debug"
	"time"
	"unsafe"

	vegeta "github.com/tsenart/vegeta/v12/lib"
	"golang.org/x/sys/unix"

	"netmodels/bench/scenario"
	"netmodels/bench/wire"
)

// runLoop runs a closed load (sched nil) or an open one (on schedule
// sched) the way wrk runs its connections: one goroutine over
// non-blocking sockets and epoll. In a closed load every connection sends
// its next request as soon as its answer is framed. In an open load a due
// request goes to an idle connection, or to a new one up to the
// scenario's bound; past it, or when the loop is over sendSlack late, it
// is not sent (NotSent). A goroutine per connection costs the Go
// runtime's poller, a park and a wake per answer and, with a new
// connection per request, net's dial machinery; this loop costs the
// system calls alone (docs/measurements/generator.md).
func runLoop(ctx context.Context, sc *scenario.Scenario, e *engine, sched *schedule, res *Result) error {
	n := maxConns(sc)
	l, err := newLoop(e)
	if err != nil {
		return err
	}
	defer l.close()
	res.sched = sched
	l.open = sched != nil
	if l.open {
		// Room for every result from the start: growing the slice copies
		// it, and a collection over it stalls the loop past the schedule.
		l.results = make([]vegeta.Result, 0, min(int(sched.due(sched.Total()))+1, 1<<22))
		if l.stamps {
			l.waits = make([]time.Duration, 0, cap(l.results))
		}
		if l.txStamps {
			l.sendWaits = make([]time.Duration, 0, cap(l.results))
		}
	}
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	start := time.Now()
	if !e.startAt.IsZero() {
		// Ready: the schedule counts from the shards' common start.
		if err := e.waitStart(ctx, res); err != nil {
			return err
		}
		start = e.startAt
	}
	end := start.Add(sc.Duration.Duration)
	if !l.open {
		for i := 0; i < n; i++ {
			l.begin(l.slot(), l.seq)
			l.seq++
		}
	}
	var hits uint64
	pacing := l.open
	// pace sends what is due and says how long until the next request, and
	// whether the schedule goes on.
	pace := func() (time.Duration, bool) {
		for {
			elapsed := time.Since(start)
			w, stop := sched.Pace(elapsed, hits)
			if stop {
				return 0, false
			}
			if w > 0 {
				return w, true
			}
			seq := hits
			hits++
			due := sched.Offset(seq)
			switch {
			case elapsed-due > sendSlack:
				res.NotSent = append(res.NotSent, NotSent{Seq: seq, Due: due, Late: true})
			case len(l.idle) > 0:
				s := l.idle[len(l.idle)-1]
				l.idle = l.idle[:len(l.idle)-1]
				l.begin(s, seq)
			case len(l.slots) < n:
				l.begin(l.slot(), seq)
			default:
				res.NotSent = append(res.NotSent, NotSent{Seq: seq, Due: due})
			}
		}
	}
	events := make([]unix.EpollEvent, 256)
	for pacing || l.busy > 0 || len(l.ready) > 0 {
		if ctx.Err() != nil {
			break // a stop: what is in flight is not a result
		}
		wait := 10 * time.Millisecond
		if !l.open {
			l.next = time.Now().Before(end)
		}
		if pacing {
			w, more := pace()
			pacing = more
			wait = min(wait, w)
		}
		k, err := epollWait(l.ep, events, wait)
		if err != nil && !errors.Is(err, unix.EINTR) {
			return err
		}
		for i := 0; i < k; i++ {
			l.event(int(events[i].Fd), events[i].Events)
			if pacing {
				// Between events too: a batch of connects and closes
				// lasts longer than a fast schedule's gap.
				_, pacing = pace()
			}
		}
		l.expire(time.Now())
		// Closed loads start failed requests again here, not from inside
		// their failure: a refused connect would recurse.
		ready := l.ready
		l.ready = nil
		for _, s := range ready {
			if l.next {
				l.begin(s, l.seq)
				l.seq++
			}
		}
	}
	res.Began = start
	res.Results = l.results
	if l.stamps {
		res.ReadWait = l.waits
	}
	if l.txStamps {
		res.SendWait = l.sendWaits
	}
	order(res)
	return nil
}

// epollWait is epoll_pwait2, whose timeout has nanoseconds (an open load
// paces to well under a millisecond), or epoll_wait, rounded up to the
// millisecond, where the kernel lacks it (before Linux 5.11).
func epollWait(ep int, events []unix.EpollEvent, d time.Duration) (int, error) {
	if !noPwait2 {
		ts := unix.NsecToTimespec(int64(d))
		n, _, e := unix.Syscall6(unix.SYS_EPOLL_PWAIT2, uintptr(ep), uintptr(unsafe.Pointer(&events[0])), uintptr(len(events)),
			uintptr(unsafe.Pointer(&ts)), 0, 0)
		if e != unix.ENOSYS {
			return int(n), errno(e)
		}
		noPwait2 = true
	}
	return unix.EpollWait(ep, events, int((d+time.Millisecond-1)/time.Millisecond))
}

// noPwait2 is set once the kernel said it has no epoll_pwait2.
var noPwait2 bool

// slot is one connection of the loop and its request in flight.
type slot struct {
	fd   int
	used bool // the connection carried an answer already
	out  []byte
	sent int // bytes of out written
	buf  []byte
	n    int // bytes of buf read
	t    *target
	r    vegeta.Result
	dl   time.Time // the request's deadline
	rx   time.Time // the kernel's receive time of the answer's last segment read (stamps)
	tx   time.Time // the kernel's send time of the request's last byte (txStamps)
	live bool      // a request is in flight
	try  int
}

// loop is the attack event loop.
type loop struct {
	e       *engine
	ep      int
	sa      *rawSockaddr
	slots   []*slot
	byFD    map[int]*slot
	idle    []*slot // open loads: slots without a request in flight
	busy    int     // slots with a request in flight
	ready   []*slot // slots whose request failed, to start again
	next    bool    // closed loads: send the next request after an answer
	open    bool    // an open load: an answered slot waits for its next due request
	seq     uint64
	results []vegeta.Result
	// stamps: the kernel stamps each segment it receives (SO_TIMESTAMPNS),
	// an answer's latency ends at its last segment's stamp, and waits[i]
	// is how long results[i]'s answer then waited for the loop to frame
	// it (-1: not stamped). oob takes each read's stamp.
	stamps bool
	waits  []time.Duration
	oob    []byte
	// txStamps: the kernel stamps each request as it leaves (a send
	// stamp, read from the socket's error queue), an answer's latency
	// starts at it, and sendWaits[i] is how long results[i]'s request
	// waited, from the loop's start of it, to leave (-1: not stamped).
	// errq and eoob take the error queue's reads.
	txStamps  bool
	sendWaits []time.Duration
	errq      []byte
	eoob      []byte
}

func newLoop(e *engine) (*loop, error) {
	ep, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, err
	}
	l := &loop{e: e, ep: ep, byFD: map[int]*slot{}, next: true, stamps: e.rxStamps, txStamps: e.txStamps}
	if l.stamps {
		// Room for the receive stamp and, with send stamps on, the
		// SCM_TIMESTAMPING message the kernel then adds to each read.
		l.oob = make([]byte, 128)
	}
	if l.txStamps {
		l.errq, l.eoob = make([]byte, 1), make([]byte, 256)
	}
	l.sa = newRawSockaddr(e.addr)
	return l, nil
}

// slot adds a slot, without a connection yet.
func (l *loop) slot() *slot {
	s := &slot{fd: -1, buf: make([]byte, 4096)}
	l.slots = append(l.slots, s)
	return s
}

func (l *loop) close() {
	for _, s := range l.slots {
		l.drop(s)
	}
	unix.Close(l.ep)
}

// drop closes a slot's connection.
func (l *loop) drop(s *slot) {
	if s.fd >= 0 {
		delete(l.byFD, s.fd)
		rawClose(s.fd)
		s.fd = -1
	}
}

// begin starts the slot's next request, number seq.
func (l *loop) begin(s *slot, seq uint64) {
	s.t = l.e.pick()
	s.r = vegeta.Result{Attack: l.e.name, Seq: seq, Method: s.t.Method, URL: s.t.url, BytesOut: uint64(len(s.t.body)), Timestamp: time.Now()}
	s.dl = s.r.Timestamp.Add(l.e.timeout)
	s.live, s.try, s.rx = true, 0, time.Time{}
	l.busy++
	l.send(s)
}

// send writes the slot's request, connecting first when it has no
// connection.
func (l *loop) send(s *slot) {
	req := wire.Request{Method: s.t.Method, Target: s.t.Path, Host: l.e.host, Fields: s.t.fields, Body: s.t.body, Close: !l.e.keepAlive}
	s.out = req.Append(s.out[:0])
	s.sent, s.n, s.tx = 0, 0, time.Time{}
	if s.fd < 0 {
		fd, err := rawSocket(l.sa.family)
		if err != nil {
			l.finish(s, wire.Response{}, 0, err)
			return
		}
		if err := rawConnect(fd, l.sa); err != nil && err != unix.EINPROGRESS {
			rawClose(fd)
			l.finish(s, wire.Response{}, 0, dialError(err))
			return
		}
		if err := rawEpollAdd(l.ep, fd, unix.EPOLLIN|unix.EPOLLOUT|unix.EPOLLRDHUP|unix.EPOLLET); err != nil {
			rawClose(fd)
			l.finish(s, wire.Response{}, 0, err)
			return
		}
		if l.stamps {
			// Unstamped answers keep their loop-measured latency and are
			// counted as such (Result.ReadWait).
			_ = rawSetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1)
		}
		if l.txStamps {
			// Likewise unstamped requests (Result.SendWait).
			_ = rawSetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TIMESTAMPING, txStampFlags)
		}
		s.fd, s.used = fd, false
		l.byFD[fd] = s
		// On loopback the handshake is usually over when connect
		// returns; if not, the write waits for EPOLLOUT.
	}
	l.write(s)
}

// write writes what is left of the request; the rest waits for EPOLLOUT.
func (l *loop) write(s *slot) {
	for s.sent < len(s.out) {
		n, err := rawWrite(s.fd, s.out[s.sent:])
		if err == unix.EAGAIN || err == unix.ENOTCONN {
			return // not connected yet, or the buffer is full: EPOLLOUT
		}
		if err != nil {
			l.fail(s, err)
			return
		}
		s.sent += n
	}
}

// event handles the readiness of fd.
func (l *loop) event(fd int, ev uint32) {
	s := l.byFD[fd]
	if s == nil || !s.live {
		return
	}
	if l.txStamps && ev&unix.EPOLLERR != 0 && s.tx.IsZero() {
		// A send stamp on the error queue raises EPOLLERR too.
		if t := rawTxStamp(fd, l.errq, l.eoob, s.r.Timestamp); !t.IsZero() {
			s.tx = t
			if ev&^unix.EPOLLERR == 0 {
				return // the stamp alone
			}
		}
	}
	if ev&unix.EPOLLERR != 0 && s.sent == 0 {
		// The connect failed: its error is the socket's.
		code, _ := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR)
		l.fail(s, dialError(unix.Errno(code)))
		return
	}
	if ev&unix.EPOLLOUT != 0 && s.sent < len(s.out) {
		l.write(s)
		if !s.live {
			return
		}
	}
	if ev&(unix.EPOLLIN|unix.EPOLLRDHUP|unix.EPOLLHUP|unix.EPOLLERR) != 0 {
		l.read(s)
	}
}

// read reads what the socket holds and frames the answer. A short read
// that completes the answer ends it without the read that would say
// EAGAIN: Linux signals an edge for each arrival, and in a closed load
// nothing arrives after an answer before the next request.
func (l *loop) read(s *slot) {
	eof := false
	head := s.t.Method == http.MethodHead
	var resp wire.Response
	for {
		if s.n == len(s.buf) {
			nb := make([]byte, 2*len(s.buf))
			copy(nb, s.buf[:s.n])
			s.buf = nb
		}
		space := len(s.buf) - s.n
		n, err := l.recv(s)
		if err == unix.EAGAIN {
			break
		}
		if err != nil {
			l.fail(s, err)
			return
		}
		if n == 0 {
			eof = true
			break
		}
		s.n += n
		if n < space {
			if m, size, err := wire.Frame(s.buf[:s.n], head, false, &resp, nil); m > 0 || err != nil {
				l.framed(s, resp, m, size, err)
				return
			}
		}
	}
	m, size, err := wire.Frame(s.buf[:s.n], head, eof, &resp, nil)
	if m > 0 || err != nil {
		l.framed(s, resp, m, size, err)
	}
}

// recv reads what the socket holds into the slot's buffer and, with
// stamps, keeps the stamp of the last segment read.
func (l *loop) recv(s *slot) (int, error) {
	if !l.stamps {
		return rawRead(s.fd, s.buf[s.n:])
	}
	n, oobn, err := rawRecvmsg(s.fd, s.buf[s.n:], l.oob)
	if err == nil && n > 0 {
		if t := rxStamp(l.oob[:oobn]); !t.IsZero() {
			s.rx = t
		}
	}
	return n, err
}

// framed ends the slot's request with its framed answer or the error.
func (l *loop) framed(s *slot, resp wire.Response, m int, size int64, err error) {
	if m == 0 {
		l.fail(s, err)
		return
	}
	s.r.Code = uint16(resp.Code)
	l.finish(s, resp, size, nil)
}

// fail ends the slot's request with err and drops its connection. A
// kept-alive connection that the server closed while it was idle fails
// before any byte of the answer (end of stream, reset, broken pipe): the
// request is sent again on a new one, once, as net/http does.
func (l *loop) fail(s *slot, err error) {
	l.drop(s)
	if s.used && s.try == 0 && s.n == 0 && (err == io.EOF || err == unix.ECONNRESET || err == unix.EPIPE) {
		s.try++
		l.send(s)
		return
	}
	l.finish(s, wire.Response{}, 0, err)
}

// finish records the slot's request and starts its next one.
func (l *loop) finish(s *slot, resp wire.Response, size int64, err error) {
	r := &s.r
	r.Latency = time.Since(r.Timestamp)
	sw := time.Duration(-1)
	if l.txStamps {
		if s.tx.IsZero() && s.fd >= 0 {
			s.tx = rawTxStamp(s.fd, l.errq, l.eoob, r.Timestamp)
		}
		if k := s.tx.Sub(r.Timestamp); err == nil && !s.tx.IsZero() && k >= 0 && k <= r.Latency {
			sw = k
		}
	}
	if l.stamps {
		// Both wall-clock times (the stamp has no monotonic reading): a
		// clock step between them leaves the answer unstamped.
		w := time.Duration(-1)
		if k := s.rx.Sub(r.Timestamp); err == nil && !s.rx.IsZero() && k >= 0 && k <= r.Latency {
			w, r.Latency = r.Latency-k, k
		}
		l.waits = append(l.waits, w)
	}
	if l.txStamps {
		if sw > r.Latency {
			sw = -1 // a stamp past the answer's: the clock stepped
		}
		if sw >= 0 {
			r.Latency -= sw
		}
		l.sendWaits = append(l.sendWaits, sw)
	}
	r.BytesIn = uint64(size)
	if err != nil {
		r.Code, r.Error = 0, err.Error()
		if err == io.EOF {
			r.Error = io.ErrUnexpectedEOF.Error()
		}
	}
	l.results = append(l.results, *r)
	l.e.live.result(&l.results[len(l.results)-1])
	s.live = false
	l.busy--
	if err == nil && (resp.Close || !l.e.keepAlive) {
		l.drop(s)
	} else if err == nil {
		s.used = true
	}
	switch {
	case l.open:
		l.idle = append(l.idle, s)
	case !l.next:
	case err != nil:
		l.ready = append(l.ready, s)
	default:
		l.begin(s, l.seq)
		l.seq++
	}
}

// expire fails the requests past their deadline.
func (l *loop) expire(now time.Time) {
	for _, s := range l.slots {
		if s.live && now.After(s.dl) {
			l.fail(s, errTimeout)
		}
	}
}

// errTimeout is a request past the scenario's timeout; its text sorts it
// with the timeout class, as net's "i/o timeout" does.
var errTimeout = errors.New("netbench: i/o timeout")

// dialError words a connect failure as net's dialer does ("dial tcp: …"),
// so that its class is the same.
func dialError(err error) error { return &dialErr{err} }

type dialErr struct{ err error }

func (d *dialErr) Error() string { return "dial tcp: connect: " + d.err.Error() }
func (d *dialErr) Unwrap() error { return d.err }
