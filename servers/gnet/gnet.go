// Package gnet serves with gnet v2's event loops: one loop per GOMAXPROCS
// (not NumCPU, which ignores a container's CPU limit), each an OS thread
// running epoll_wait over its share of the connections and calling
// OnTraffic when a socket has data. The shared httpx.Session reads from
// gnet's buffer with Peek and consumes with Discard, so a request split
// across segments waits in gnet's buffer and pipelined requests are
// answered in order.
//
// Handlers run on the loop: a bubble sort stalls every connection of its
// loop until it ends. /sleep never blocks a loop: a timer completes it and
// AsyncWrite sends it.
//
// The gnet-pool model (NewPool) is the Flash paper's AMPED: the same loops
// hand CPU-heavy work (the sorts) to a bounded pool of worker goroutines
// and stop reading that connection; the worker completes the answer and
// AsyncWrite sends it from the loop, which then goes on with the
// connection's pipelined input, so answers stay in request order. A full
// queue answers 503 at once.
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

// The models' names.
const (
	Name     = "gnet"
	PoolName = "gnet-pool"
)

// Traits are what the harness and the suites know of both models.
func Traits() model.Traits { return model.Traits{Race: true} }

type server struct {
	cfg  model.Config
	name string
	pool bool
}

// New returns the gnet model.
func New(cfg model.Config) model.Model { return &server{cfg.WithDefaults(), Name, false} }

// NewPool returns the gnet-pool model: -workers pool goroutines (default
// GOMAXPROCS, one per core for CPU work) behind a queue of -queue.
func NewPool(cfg model.Config) model.Model { return &server{cfg.WithDefaults(), PoolName, true} }

func (s *server) Name() string { return s.name }

// job is one deferred answer for the pool.
type job struct {
	c  gn.Conn
	st *conn
}

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
	conns    *sync.Map // gn.Conn -> *conn, for the timeout sweeper; one per engine
	open     atomic.Int64
	limit    int64    // connections at once; past it, 503 and close
	jobs     chan job // the worker pool's queue; nil without a pool
}

// fdReserve is how many descriptors the connection limit keeps free for
// the listener, the pollers and their wake-ups, and one connection being
// refused.
const fdReserve = 32

// connLimit is cfg.MaxConns, lowered to stay below the descriptor limit:
// gnet's acceptor treats an accept error (EMFILE) as fatal and shuts the
// engine down. The limit keeps a steady stream of connections clear of it;
// it cannot stop a burst, because gnet's main reactor drains the whole
// accept queue before the loops run OnOpen for what it accepted. Serve
// then starts a new engine (docs/models/gnet.md).
func connLimit(cfg model.Config) int64 {
	n := int64(cfg.MaxConns)
	var rl unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &rl); err == nil {
		n = min(n, int64(rl.Cur)-fdReserve-4*int64(cfg.Workers))
	}
	return max(n, 1)
}

func (s *server) Serve(ctx context.Context, addr string) error {
	cfg := s.cfg
	ev := &events{cfg: cfg, r: httpx.NewResponder(s.name, cfg.Handler), limit: connLimit(cfg)}
	if s.pool {
		ev.jobs = make(chan job, cfg.Queue)
		var workers sync.WaitGroup
		for i := 0; i < cfg.Workers; i++ {
			workers.Add(1)
			go func() {
				defer workers.Done()
				for j := range ev.jobs {
					ev.complete(j.c, j.st)
				}
			}()
		}
		defer func() {
			close(ev.jobs)
			workers.Wait()
		}()
	}
	// gnet shuts its engine down when accept(2) fails with anything but
	// EAGAIN, EINTR or ECONNABORTED: EMFILE under a burst of connections
	// above all (connLimit). The model then starts a new engine on the
	// same address, after a pause that doubles from 5 ms to 1 s while the
	// engine keeps stopping; the connections the old one held are closed.
	var bo rawsock.Backoff
	for first := true; ; first = false {
		ev.conns = new(sync.Map)
		ev.open.Store(0)
		ev.booted = make(chan struct{})
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
			if first {
				return err
			}
			cfg.Log.Printf("gnet: restarting the engine on %s failed: %v", addr, err)
			if ctx.Err() != nil {
				return nil
			}
			bo.Wait()
			continue
		case <-ev.booted:
		}
		if first {
			bound := ev.bound()
			cfg.Ready(bound)
			if bound != nil {
				addr = bound.String()
			}
		}
		began := time.Now()
		stopped, err := ev.serve(ctx, errc)
		if stopped || err != nil {
			return err
		}
		cfg.Log.Printf("gnet: the engine stopped by itself; starting a new one on %s", addr)
		if time.Since(began) > time.Second {
			bo.Reset()
		}
		bo.Wait()
	}
}

// serve sweeps timeouts while the engine runs. It reports whether it
// stopped the engine for ctx, gracefully, and the engine's error; when the
// engine stopped by itself it returns false and that error.
func (ev *events) serve(ctx context.Context, errc chan error) (bool, error) {
	sweep := time.NewTicker(sweepEvery(ev.cfg))
	defer sweep.Stop()
	for {
		select {
		case err := <-errc:
			return false, err
		case <-ctx.Done():
			return true, ev.stop(errc)
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

// bound reads the engine's address from a duplicate of its listener.
func (ev *events) bound() net.Addr {
	fd, err := ev.eng.Dup()
	if err != nil {
		return nil
	}
	sa, err := unix.Getsockname(fd)
	unix.Close(fd)
	if err != nil {
		return nil
	}
	if a := rawsock.SockaddrToTCP(sa); a != nil {
		return a
	}
	return nil
}

func (ev *events) OnOpen(c gn.Conn) ([]byte, gn.Action) {
	// Past the limit, or once a graceful stop began (gnet keeps its
	// listener open until the engine stops): 503 and close. OnClose
	// follows and takes the count back down.
	if ev.open.Add(1) > ev.limit || ev.stopping.Load() {
		return ev.r.AppendError(nil, httpx.ErrUnavailable), gn.Close
	}
	st := &conn{sess: ev.r.NewSession(), out: make([]byte, 0, 512)}
	st.deadline.Store(time.Now().Add(ev.cfg.IdleTimeout).UnixNano())
	c.SetContext(st)
	ev.conns.Store(c, st)
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
			kind, d := st.sess.Pending()
			if kind == httpx.DeferSleep && d > 0 {
				ev.sleep(c, st, d)
				return gn.None
			}
			if kind == httpx.DeferCompute && ev.jobs != nil {
				st.deferred = true
				st.deadline.Store(0)
				select {
				case ev.jobs <- job{c, st}:
					return gn.None
				default:
					st.deferred = false
					out, closeAfter := st.sess.CompleteError(st.out[:0], httpx.ErrBusy)
					_, _ = c.Write(out)
					st.out = out[:0]
					if closeAfter {
						return gn.Close
					}
					continue
				}
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

// sleep completes a deferred /sleep on a timer, off the loop; the loop goes
// on with other connections meanwhile.
func (ev *events) sleep(c gn.Conn, st *conn, d time.Duration) {
	st.deferred = true
	st.deadline.Store(0)
	time.AfterFunc(d, func() { ev.complete(c, st) })
}

// complete finishes a deferred answer off the loop (in a timer or a pool
// worker) and sends it with AsyncWrite. Back on the loop, the callback
// serves the input that arrived meanwhile, so answers stay in order.
func (ev *events) complete(c gn.Conn, st *conn) {
	if ev.stopping.Load() {
		st.sess.Drain()
	}
	out, closeAfter := st.sess.Complete(st.out[:0])
	st.out = out
	err := c.AsyncWrite(out, func(c gn.Conn, err error) error {
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
	if err != nil {
		// The engine is gone: the connection with it.
		_ = c.Close()
	}
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
