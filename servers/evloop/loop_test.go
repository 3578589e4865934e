package evloop

import (
	"errors"
	"net"
	"os"
	"testing"
	"time"
)

// failPoller is an epoll poller whose add fails on its second descriptor.
type failPoller struct {
	Poller
	adds int
}

func (p *failPoller) add(fd int) error {
	p.adds++
	if p.adds == 2 {
		return errors.New("no room")
	}
	return p.Poller.add(fd)
}

func openFDs(t *testing.T) int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd")
	}
	return len(ents)
}

// TestNewLoopFailureLeaksNothing: a loop that cannot start closes its
// poller and its wake pipe.
func TestNewLoopFailureLeaksNothing(t *testing.T) {
	r, w, err := os.Pipe() // a descriptor to stand for the listener
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	before := openFDs(t)
	for range 10 {
		p, err := Epoll()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := newLoop(Config{HeaderTimeout: time.Second, IdleTimeout: time.Second}, &failPoller{Poller: p}, int(r.Fd())); err == nil {
			t.Fatal("newLoop succeeded with a failing poller")
		}
	}
	if after := openFDs(t); after != before {
		t.Errorf("%d descriptors open after 10 failed starts, %d before", after, before)
	}
}

// TestServeFailureLeaksNothing: Serve that cannot listen for its second
// loop closes the first loop's listener, poller and pipe.
func TestServeFailureLeaksNothing(t *testing.T) {
	before := openFDs(t)
	calls := 0
	poller := func() (Poller, error) {
		calls++
		if calls == 2 {
			return nil, errors.New("no poller")
		}
		return Epoll()
	}
	err := Serve(Config{HeaderTimeout: time.Second, IdleTimeout: time.Second}, poller, "127.0.0.1:0", 2, func(a net.Addr) {}, nil)
	if err == nil {
		t.Fatal("Serve succeeded without a second poller")
	}
	if after := openFDs(t); after != before {
		t.Errorf("%d descriptors open after a failed Serve, %d before", after, before)
	}
}
