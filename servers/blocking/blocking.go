// Package blocking is the per-connection loop of every model that gives a
// connection its own thread of control (iterative, fork, thread, goroutine,
// pool, prefork): read, feed the shared httpx.Session, write, repeat, with
// the header and idle timeouts of API.md and a graceful stop.
package blocking

import (
	"context"
	"errors"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"netmodels/servers/httpx"
)

// Stream is a connection as the loop needs it. *net.TCPConn and
// *fdconn.Conn implement it.
type Stream interface {
	Read(p []byte) (int, error)
	Write(p []byte) (int, error)
	SetReadDeadline(t time.Time) error
}

// Options of Serve.
type Options struct {
	HeaderTimeout time.Duration
	IdleTimeout   time.Duration
	// Stopping reports a graceful stop: idle connections end, answers
	// say "Connection: close". The model wakes blocked reads itself
	// (see Tracker).
	Stopping *atomic.Bool
}

// stopReadWait is how long a connection that is idle during a graceful stop
// may still deliver a request it sent.
const stopReadWait = 50 * time.Millisecond

// maxBuffer bounds the input buffer: one head and one body at the limits.
const maxBuffer = httpx.MaxHeaderBytes + httpx.MaxBodyBytes + 4096

// buffers recycles the 4 KiB input buffers of ended connections, so that a
// connection per request does not allocate one each time.
var buffers = sync.Pool{New: func() any { b := make([]byte, 4096); return &b }}

// Serve runs one connection until it closes, fails, times out or the model
// stops. It returns the read or write error that ended it, nil for a clean
// end.
func Serve(st Stream, s *httpx.Session, o Options) error {
	inp := buffers.Get().(*[]byte)
	outp := buffers.Get().(*[]byte)
	in, out := (*inp)[:0], (*outp)[:0]
	defer func() {
		if cap(in) == 4096 {
			*inp = in[:cap(in)]
			buffers.Put(inp)
		}
		if cap(out) == 4096 {
			*outp = out[:cap(out)]
			buffers.Put(outp)
		}
	}()
	slack := min(o.HeaderTimeout, o.IdleTimeout) / 64
	var started time.Time // when the current partial request began
	var deadline time.Time
	for {
		stopping := o.Stopping != nil && o.Stopping.Load()
		if stopping {
			s.Drain()
		}
		n, o2, st2 := s.Feed(in, out)
		out = o2
		if len(out) > 0 {
			if _, err := st.Write(out); err != nil {
				return err
			}
			out = out[:0]
		}
		in = in[:copy(in, in[n:])]
		switch st2 {
		case httpx.FeedClose:
			return nil
		case httpx.FeedFlush:
			continue
		case httpx.FeedDefer:
			if kind, d := s.Pending(); kind == httpx.DeferSleep && d > 0 {
				time.Sleep(d)
			}
			if o.Stopping != nil && o.Stopping.Load() {
				s.Drain()
			}
			var closeAfter bool
			out, closeAfter = s.Complete(out)
			if _, err := st.Write(out); err != nil {
				return err
			}
			out = out[:0]
			if closeAfter {
				return nil
			}
			continue
		}
		now := time.Now()
		var want time.Time
		if len(in) == 0 {
			started = time.Time{}
			want = now.Add(o.IdleTimeout)
		} else {
			if started.IsZero() {
				started = now
			}
			want = started.Add(o.HeaderTimeout)
		}
		if stopping && len(in) == 0 {
			// A request the client already sent is still read and
			// answered; an idle connection ends at once.
			want = now.Add(stopReadWait)
		}
		// Setting a deadline costs a timer update (or a system call);
		// skip it while the one in force is earlier than the wanted one by
		// less than 1/64 of the shorter timeout (a keep-alive connection
		// then times out that much early, never late).
		if d := want.Sub(deadline); d < 0 || d > slack {
			deadline = want
			if err := st.SetReadDeadline(deadline); err != nil {
				return err
			}
		}
		if len(in) == cap(in) {
			if cap(in) >= maxBuffer {
				return errors.New("input buffer full")
			}
			bigger := make([]byte, len(in), min(2*cap(in), maxBuffer))
			copy(bigger, in)
			in = bigger
		}
		m, err := st.Read(in[len(in):cap(in)])
		in = in[:len(in)+m]
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) && len(in) > 0 && !stopping {
				// A stalled request gets a clear answer, then the close.
				_, _ = st.Write(s.AppendError(out[:0], httpx.ErrRequestTimeout))
			}
			if m > 0 {
				continue
			}
			return nil
		}
	}
}

// Tracker remembers the live connections of a model so that a graceful stop
// can wake their blocked reads (a shutdown of the read side: the reader sees
// end of stream, and its answer in progress is still written).
type Tracker[C comparable] struct {
	mu       sync.Mutex
	conns    map[C]struct{}
	stopping atomic.Bool
	wake     func(C)
	wg       sync.WaitGroup
}

// NewTracker returns a tracker that wakes a connection with wake.
func NewTracker[C comparable](wake func(C)) *Tracker[C] {
	return &Tracker[C]{conns: make(map[C]struct{}), wake: wake}
}

// Stopping is the flag to pass in Options.
func (t *Tracker[C]) Stopping() *atomic.Bool { return &t.stopping }

// Add registers a new connection; it returns false when the model is
// stopping, and the caller then closes it unserved.
func (t *Tracker[C]) Add(c C) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopping.Load() {
		return false
	}
	t.conns[c] = struct{}{}
	t.wg.Add(1)
	return true
}

// Done unregisters a connection; call it before closing the descriptor so
// that a stop never wakes a reused one.
func (t *Tracker[C]) Done(c C) {
	t.mu.Lock()
	delete(t.conns, c)
	t.mu.Unlock()
	t.wg.Done()
}

// StopOn wires the model's graceful stop to ctx: once ctx is done, Stop
// wakes every live connection and unlisten ends the accepts. It returns the
// Options its connections are served with (the header and idle timeouts
// and the stop flag) and the function that unwires the stop, to defer. That function
// returns only once a stop already under way has finished: a model that
// closes its listening descriptor after it must not have unlisten run
// late, on a number the next socket may have taken (a shutdown of another
// server's listener). It reports whether it kept the stop from running.
func (t *Tracker[C]) StopOn(ctx context.Context, header, idle time.Duration, unlisten func()) (Options, func() bool) {
	finished := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		defer close(finished)
		t.Stop()
		unlisten()
	})
	unwire := func() bool {
		if stop() {
			return true
		}
		<-finished
		return false
	}
	return Options{HeaderTimeout: header, IdleTimeout: idle, Stopping: t.Stopping()}, unwire
}

// Stop marks the stop and wakes every live connection.
func (t *Tracker[C]) Stop() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.stopping.Store(true)
	for c := range t.conns {
		t.wake(c)
	}
}

// Wait waits until every connection is done or the grace period passed;
// past it, it says so on log. It reports whether every one was done.
func (t *Tracker[C]) Wait(grace time.Duration, log Logger) bool {
	return WaitGrace(&t.wg, grace, log)
}

// Logger is where a graceful stop reports that its grace period ran out.
type Logger interface{ Printf(string, ...any) }

// WaitGrace is the one bounded wait of the blocking models' graceful stop:
// it waits for wg or until grace has passed, whichever comes first, and
// when the grace period ran out it says so on log. It reports whether wg
// was done.
func WaitGrace(wg *sync.WaitGroup, grace time.Duration, log Logger) bool {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-done:
		return true
	case <-t.C:
		log.Printf("graceful stop: grace period (%v) over with connections still open", grace)
		return false
	}
}

// Conn is a connection Refuse can answer: *net.TCPConn and *fdconn.Conn.
type Conn interface {
	Stream
	CloseWrite() error
	Close() error
}

// Refuse answers 503 on a connection the model can't take, then closes it
// once the client's request was read or after a short wait: closing with
// unread input would send a reset that can destroy the answer in flight.
func Refuse(r *httpx.Responder, c Conn) {
	_, _ = c.Write(r.AppendError(nil, httpx.ErrUnavailable))
	_ = c.CloseWrite()
	_ = c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	var buf [512]byte
	for {
		if _, err := c.Read(buf[:]); err != nil {
			break
		}
	}
	_ = c.Close()
}
