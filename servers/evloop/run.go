package evloop

import (
	"net"

	"golang.org/x/sys/unix"

	"netmodels/servers/rawsock"
)

// The pollers, for the models.
var (
	// Epoll is the epoll(7) poller.
	Epoll = newEpoll
	// Select is the select(2) poller.
	Select = newSelect
)

// Serve listens on addr and runs loops over it until stop is closed: one
// loop, or n loops each with its own SO_REUSEPORT socket and goroutine.
func Serve(cfg Config, newPoller func() (Poller, error), addr string, n int, ready func(net.Addr), stop <-chan struct{}) error {
	var loops []*Loop
	running := false
	defer func() {
		for _, l := range loops {
			if !running {
				l.cleanup() // Run, which would have, never ran
			}
			unix.Close(l.lfd)
		}
	}()
	var bound net.Addr
	for i := 0; i < n; i++ {
		a := addr
		if bound != nil {
			a = bound.String() // the other loops share the first one's port
		}
		lfd, b, err := rawsock.Listen(a, rawsock.Options{Nonblock: true, ReusePort: n > 1})
		if err != nil {
			return err
		}
		if bound == nil {
			bound = b
		}
		p, err := newPoller()
		if err != nil {
			unix.Close(lfd)
			return err
		}
		l, err := newLoop(cfg, p, lfd)
		if err != nil {
			unix.Close(lfd)
			return err
		}
		loops = append(loops, l)
	}
	errc := make(chan error, n)
	running = true
	for _, l := range loops {
		go func() { errc <- l.Run() }()
	}
	ready(bound)
	go func() {
		<-stop
		for _, l := range loops {
			l.Stop()
		}
	}()
	var first error
	for range loops {
		if err := <-errc; err != nil && first == nil {
			first = err
		}
	}
	return first
}
