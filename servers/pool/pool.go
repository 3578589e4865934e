// Package pool is the worker-pool model: a fixed number of worker
// goroutines, fed by the accept loop through a bounded queue, each serving
// one connection at a time to its end, as a classic thread-pool server
// (Tomcat's connector, Java's ThreadPoolExecutor) does. A full queue is
// answered 503 at once, instead of letting latency grow without bound:
// the pool trades errors for a latency ceiling.
//
// Its limit is the pool's size: keep-alive clients occupy workers while
// they idle, so with more clients than workers the rest wait in the queue
// until a worker frees.
package pool

import (
	"context"
	"fmt"
	"net"
	"sync"

	"netmodels/servers/blocking"
	"netmodels/servers/httpx"
	"netmodels/servers/model"
	"netmodels/servers/rawsock"
)

// Name is the model's name.
const Name = "pool"

// DefaultWorkers is the pool's size when -workers is not set (Tomcat's
// default is 200).
const DefaultWorkers = 128

// Traits are what the harness and the suites know of the model.
func Traits() model.Traits {
	return model.Traits{
		Race:    true,
		IdleCap: DefaultWorkers, IdleWhy: fmt.Sprintf("one connection per worker, %d workers", DefaultWorkers),
		Stress: map[string]string{
			"slowloris": fmt.Sprintf("%d workers, each holding a connection: trickling clients fill the workers and the queue, and good clients are answered 503", DefaultWorkers),
		},
	}
}

type server struct{ cfg model.Config }

// New returns the worker-pool model.
func New(cfg model.Config) model.Model {
	if cfg.Workers <= 0 {
		cfg.Workers = DefaultWorkers
	}
	return &server{cfg.WithDefaults()}
}

func (s *server) Name() string { return Name }

func (s *server) Serve(ctx context.Context, addr string) error {
	cfg := s.cfg
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	r := httpx.NewResponder(Name, cfg.Handler)
	tr := blocking.NewTracker(func(c *net.TCPConn) { _ = c.CloseRead() })
	opts, stop := tr.StopOn(ctx, cfg.HeaderTimeout, cfg.IdleTimeout, func() { ln.Close() })
	defer stop()
	queue := make(chan *net.TCPConn, cfg.Queue)
	var workers sync.WaitGroup
	for i := 0; i < cfg.Workers; i++ {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for c := range queue {
				// Queued before the stop: still answered, with a close.
				added := tr.Add(c)
				_ = blocking.Serve(c, r.NewSession(), opts)
				if added {
					tr.Done(c)
				}
				c.Close()
			}
		}()
	}
	cfg.Ready(ln.Addr())
	err = rawsock.AcceptNet(ln, tr.Stopping(), cfg.Log, func(c *net.TCPConn) {
		select {
		case queue <- c:
		default:
			go blocking.Refuse(r, c)
		}
	})
	close(queue)
	// Workers answer what was queued before the stop, each with a close,
	// within the grace period like every blocking model.
	blocking.WaitGrace(&workers, cfg.GraceTimeout, cfg.Log)
	return err
}
