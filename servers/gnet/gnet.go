// Package gnet serves with gnet v2's event loops: one loop per GOMAXPROCS
// (not NumCPU, which ignores a container's CPU limit), each an OS thread
// running epoll_wait over its share of the connections and calling
// OnTraffic when a socket has data. The shared httpx.Session reads from
// gnet's buffer with Peek and consumes with Discard, so a request split
// across segments waits in gnet's buffer and pipelined requests are
// answered in order.
//
// Handlers run on the loop: a bubble sort stalls every connection of its
// loop until it ends (the gnet-pool model hands that work to a pool).
// /sleep never blocks a loop: a timer completes it and AsyncWrite sends it.
package gnet

import (
	"context"
	"net"
	"sync"
	"sync/atomic"
	"time"

	gn "github.com/panjf2000/gnet/v2"
	"golang.org/x/sys/unix"

	"netmodels/servers/httpx"
	"netmodels/servers/model"
	"netmodels/servers/rawsock"
)

// Name is the model's name.
const Name = "gnet"

type server struct{ cfg model.Config }

// New returns the gnet model.
func New(cfg model.Config) model.Model { return &server{cfg.WithDefaults()} }

func (s *server) Name() string { return Name }

// conn is the state of one connection, gnet's Context.
type conn struct {
	sess *httpx.Session
	out  []byte
	// deferred is set, on the loop, while an answer is being completed
	// off the loop; input then stays in gnet's buffer, unread.
	deferred bool
	started  int64        // when the current partial request began (loop only)
	deadline atomic.Int64 // unix nanoseconds; 0: none. Read by the sweeper.
	partial  atomic.Bool
}

type events struct {
	gn.BuiltinEventEngine
	cfg      model.Config
	r        *httpx.Responder
	eng      gn.Engine
	booted   chan struct{}
	stopping atomic.Bool
	conns    sync.Map // gn.Conn -> *conn, for the timeout sweeper
	open     atomic.Int64
}

func (s *server) Serve(ctx context.Context, addr string) error {
	cfg := s.cfg
	ev := &events{cfg: cfg, r: httpx.NewResponder(Name, cfg.Handler), booted: make(chan struct{})}
	errc := make(chan error, 1)
	go func() {
		errc <- gn.Run(ev, "tcp://"+addr,
			gn.WithMulticore(true),
			gn.WithNumEventLoop(cfg.Workers),
			gn.WithTCPNoDelay(gn.TCPNoDelay),
			gn.WithReuseAddr(true),
			gn.WithLogger(logger{cfg.Log}),
		)
	}()
	select {
	case err := <-errc:
		return err
	case <-ev.booted:
	}
	ev.ready()
	sweep := time.NewTicker(sweepEvery(cfg))
	defer sweep.Stop()
	for {
		select {
		case err := <-errc:
			return err
		case <-ctx.Done():
			return ev.stop(errc)
		case <-sweep.C:
			ev.sweep(time.Now().UnixNano())
		}
	}
}

// sweepEvery is how often timeouts are checked: often enough that a
// timeout fires within a tenth of itself.
func sweepEvery(cfg model.Config) time.Duration {
	return max(10*time.Millisecond, min(cfg.HeaderTimeout, cfg.IdleTimeout)/10)
}

func (ev *events) OnBoot(eng gn.Engine) gn.Action {
	ev.eng = eng
	close(ev.booted)
	return gn.None
}

// ready tells the bound address, read from a duplicate of the listener.
func (ev *events) ready() {
	fd, err := ev.eng.Dup()
	if err != nil {
		ev.cfg.Ready(nil)
		return
	}
	sa, err := unix.Getsockname(fd)
	unix.Close(fd)
	if err != nil {
		ev.cfg.Ready(nil)
		return
	}
	var a net.Addr = rawsock.SockaddrToTCP(sa)
	ev.cfg.Ready(a)
}

func (ev *events) OnOpen(c gn.Conn) ([]byte, gn.Action) {
	st := &conn{sess: ev.r.NewSession(), out: make([]byte, 0, 512)}
	st.deadline.Store(time.Now().Add(ev.cfg.IdleTimeout).UnixNano())
	c.SetContext(st)
	ev.conns.Store(c, st)
	ev.open.Add(1)
	return nil, gn.None
}

func (ev *events) OnClose(c gn.Conn, _ error) gn.Action {
	ev.conns.Delete(c)
	ev.open.Add(-1)
	return gn.None
}

func (ev *events) OnTraffic(c gn.Conn) gn.Action {
	st := c.Context().(*conn)
	if st.deferred {
		return gn.None
	}
	return ev.process(c, st)
}

// process feeds the buffered input to the session and writes the answers,
// until it needs more input, must close, or an answer is deferred.
func (ev *events) process(c gn.Conn, st *conn) gn.Action {
	for {
		if ev.stopping.Load() {
			st.sess.Drain()
		}
		in, _ := c.Peek(-1)
		n, out, status := st.sess.Feed(in, st.out[:0])
		if n > 0 {
			// Never Discard(0): gnet reads n <= 0 as "everything".
			_, _ = c.Discard(n)
		}
		if len(out) > 0 {
			_, _ = c.Write(out)
		}
		st.out = out[:0]
		switch status {
		case httpx.FeedClose:
			return gn.Close
		case httpx.FeedFlush:
			continue
		case httpx.FeedDefer:
			if kind, d := st.sess.Pending(); kind == httpx.DeferSleep && d > 0 {
				ev.sleep(c, st, d)
				return gn.None
			}
			out, closeAfter := st.sess.Complete(st.out[:0])
			_, _ = c.Write(out)
			st.out = out[:0]
			if closeAfter {
				return gn.Close
			}
			continue
		}
		now := time.Now().UnixNano()
		if len(in) == n {
			st.started = 0
			st.partial.Store(false)
			st.deadline.Store(now + int64(ev.cfg.IdleTimeout))
		} else {
			if st.started == 0 {
				st.started = now
			}
			st.partial.Store(true)
			st.deadline.Store(st.started + int64(ev.cfg.HeaderTimeout))
		}
		return gn.None
	}
}

// sleep completes a deferred /sleep on a timer, off the loop, and sends it
// with AsyncWrite; the loop goes on with other connections meanwhile and
// with this one's pipelined input after the answer is written.
func (ev *events) sleep(c gn.Conn, st *conn, d time.Duration) {
	st.deferred = true
	st.deadline.Store(0)
	time.AfterFunc(d, func() {
		if ev.stopping.Load() {
			st.sess.Drain()
		}
		out, closeAfter := st.sess.Complete(st.out[:0])
		st.out = out
		_ = c.AsyncWrite(out, func(c gn.Conn, err error) error {
			st.deferred = false
			st.out = st.out[:0]
			if err != nil {
				return nil
			}
			if closeAfter || ev.process(c, st) == gn.Close {
				return c.Close()
			}
			return nil
		})
	})
}

// sweep closes connections past their deadline; a stalled request gets a
// 408 answer first. While stopping, idle connections close at once.
func (ev *events) sweep(now int64) {
	stopping := ev.stopping.Load()
	ev.conns.Range(func(k, v any) bool {
		c, st := k.(gn.Conn), v.(*conn)
		dl := st.deadline.Load()
		if dl == 0 {
			return true
		}
		partial := st.partial.Load()
		switch {
		case now > dl && partial:
			_ = c.AsyncWrite(ev.r.AppendError(nil, httpx.ErrRequestTimeout), func(c gn.Conn, _ error) error {
				return c.Close()
			})
		case now > dl || stopping && !partial:
			_ = c.Close()
		}
		return true
	})
}

// stop drains: idle connections close, answers in progress finish and
// close, then the engine stops.
func (ev *events) stop(errc chan error) error {
	ev.stopping.Store(true)
	end := time.Now().Add(ev.cfg.GraceTimeout)
	for ev.open.Load() > 0 && time.Now().Before(end) {
		ev.sweep(time.Now().UnixNano())
		time.Sleep(10 * time.Millisecond)
	}
	if n := ev.open.Load(); n > 0 {
		ev.cfg.Log.Printf("graceful stop: %d connections still open after the grace period", n)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := ev.eng.Stop(ctx); err != nil {
		return err
	}
	return <-errc
}

// logger passes gnet's warnings and errors to the model's log and drops
// its chatter.
type logger struct {
	l interface{ Printf(string, ...any) }
}

func (logger) Debugf(string, ...any)       {}
func (logger) Infof(string, ...any)        {}
func (g logger) Warnf(f string, a ...any)  { g.l.Printf("gnet: "+f, a...) }
func (g logger) Errorf(f string, a ...any) { g.l.Printf("gnet: "+f, a...) }
func (g logger) Fatalf(f string, a ...any) { g.l.Printf("gnet: fatal: "+f, a...) }
