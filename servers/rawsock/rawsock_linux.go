// Package rawsock holds the raw-socket system calls the hand-written
// models share (listen, accept, blocking reads with a timeout), through
// golang.org/x/sys/unix rather than Go's net package, so that those models
// show the calls a C server makes.
package rawsock

import (
	"errors"
	"log"
	"net"
	"os"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Options of Listen.
type Options struct {
	Backlog   int
	ReusePort bool // SO_REUSEPORT: several sockets on one port, the kernel spreading connections
	Nonblock  bool // O_NONBLOCK on the listening socket
	// DeferAccept, when > 0, sets TCP_DEFER_ACCEPT: the kernel hands a
	// connection to accept(2) only once its first data has arrived (or,
	// for a client that sends nothing, after about this long). Apache's
	// prefork sets it on Linux (AcceptFilter http data) so that a worker
	// process is never tied up by a connection whose request has not come:
	// under overload, a handshake completed late carries no data, and an
	// abandoned client's request arrives only on its next retransmission,
	// seconds later. The kernel counts it in whole seconds.
	DeferAccept time.Duration
}

// Listen opens a TCP listening socket on addr ("host:port").
func Listen(addr string, o Options) (fd int, bound net.Addr, err error) {
	ta, err := net.ResolveTCPAddr("tcp", addr)
	if err != nil {
		return -1, nil, err
	}
	family := unix.AF_INET
	var sa unix.Sockaddr
	if ip4 := ta.IP.To4(); ta.IP == nil || ip4 != nil {
		s := &unix.SockaddrInet4{Port: ta.Port}
		copy(s.Addr[:], ip4)
		sa = s
	} else {
		family = unix.AF_INET6
		s := &unix.SockaddrInet6{Port: ta.Port}
		copy(s.Addr[:], ta.IP.To16())
		sa = s
	}
	typ := unix.SOCK_STREAM | unix.SOCK_CLOEXEC
	if o.Nonblock {
		typ |= unix.SOCK_NONBLOCK
	}
	fd, err = unix.Socket(family, typ, 0)
	if err != nil {
		return -1, nil, os.NewSyscallError("socket", err)
	}
	fail := func(call string, err error) (int, net.Addr, error) {
		unix.Close(fd)
		return -1, nil, os.NewSyscallError(call, err)
	}
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
		return fail("setsockopt", err)
	}
	if o.ReusePort {
		if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEPORT, 1); err != nil {
			return fail("setsockopt", err)
		}
	}
	if o.DeferAccept > 0 {
		secs := int((o.DeferAccept + time.Second - 1) / time.Second)
		if err := unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_DEFER_ACCEPT, secs); err != nil {
			return fail("setsockopt", err)
		}
	}
	if err := unix.Bind(fd, sa); err != nil {
		return fail("bind", err)
	}
	if o.Backlog <= 0 {
		o.Backlog = 1024
	}
	if err := unix.Listen(fd, o.Backlog); err != nil {
		return fail("listen", err)
	}
	got, err := unix.Getsockname(fd)
	if err != nil {
		return fail("getsockname", err)
	}
	return fd, SockaddrToTCP(got), nil
}

// SockaddrToTCP converts a socket address to a *net.TCPAddr.
func SockaddrToTCP(sa unix.Sockaddr) *net.TCPAddr {
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		return &net.TCPAddr{IP: net.IP(a.Addr[:]).To16(), Port: a.Port}
	case *unix.SockaddrInet6:
		return &net.TCPAddr{IP: net.IP(a.Addr[:]), Port: a.Port}
	}
	return nil
}

// Accept takes a connection from a listening socket, as close-on-exec and
// with TCP_NODELAY (what Go's net package sets, so every model answers with
// the same segments). nonblock sets O_NONBLOCK on it.
func Accept(lfd int, nonblock bool) (int, error) {
	flags := unix.SOCK_CLOEXEC
	if nonblock {
		flags |= unix.SOCK_NONBLOCK
	}
	for {
		// accept4(2) without the peer's address: unix.Accept4 would
		// allocate one per connection, and no model uses it.
		r, _, errno := unix.Syscall6(unix.SYS_ACCEPT4, uintptr(lfd), 0, 0, uintptr(flags), 0, 0)
		fd, err := int(r), error(nil)
		if errno != 0 {
			err = errno
		}
		switch err {
		case nil:
			_ = unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
			return fd, nil
		case unix.EINTR, unix.ECONNABORTED:
			continue
		}
		return -1, err
	}
}

// IsTemporary reports whether an accept error passes (descriptor or memory
// exhaustion): the caller backs off and tries again instead of stopping or
// spinning on it.
func IsTemporary(err error) bool {
	switch err {
	case unix.EMFILE, unix.ENFILE, unix.ENOBUFS, unix.ENOMEM, unix.EAGAIN:
		return true
	}
	return false
}

// Backoff is the pause after a temporary accept error, the one policy of
// every model: 5 ms doubling to 1 s, reset by a success. It keeps EMFILE
// from spinning a core. A blocking loop sleeps it (Wait); an event loop,
// which must not sleep, stops watching its listener for Next.
type Backoff struct{ d time.Duration }

// Next returns the pause to take now and doubles the one after.
func (b *Backoff) Next() time.Duration {
	if b.d == 0 {
		b.d = 5 * time.Millisecond
	}
	d := b.d
	b.d = min(2*b.d, time.Second)
	return d
}

// Wait sleeps the pause Next returns.
func (b *Backoff) Wait() { time.Sleep(b.Next()) }

// Failing reports whether a failure has not been followed by a success
// yet: a burst of errors is logged once, when it begins.
func (b *Backoff) Failing() bool { return b.d != 0 }

// Reset forgets earlier failures.
func (b *Backoff) Reset() { b.d = 0 }

// ShutdownRead ends the read side of a socket: a read blocked on it returns
// end-of-file at once, while answers can still be written. It is how a
// blocking model wakes its readers for a graceful stop; on a listening
// socket it wakes a blocked accept.
func ShutdownRead(fd int) { _ = unix.Shutdown(fd, unix.SHUT_RD) }

// AcceptLoop accepts connections on a blocking listening socket and calls
// serve for each, until a shutdown of the socket wakes it while stopping is
// set. Temporary errors (EMFILE above all) are logged once per burst and
// backed off, never spun on.
func AcceptLoop(lfd int, stopping *atomic.Bool, logger *log.Logger, serve func(fd int)) error {
	return acceptLoop(func() (int, error) { return Accept(lfd, false) }, closeFD, stopping, logger, serve)
}

// AcceptNet is AcceptLoop over a Go net.Listener: it ends when the
// listener is closed while stopping is set.
func AcceptNet(ln net.Listener, stopping *atomic.Bool, logger *log.Logger, serve func(*net.TCPConn)) error {
	return acceptLoop(func() (*net.TCPConn, error) {
		c, err := ln.Accept()
		if err != nil {
			return nil, err
		}
		return c.(*net.TCPConn), nil
	}, func(c *net.TCPConn) { c.Close() }, stopping, logger, serve)
}

func closeFD(fd int) { unix.Close(fd) }

// acceptLoop is every blocking model's accept loop, over an accept that
// returns a descriptor or a Go connection: a stop ends it, a temporary
// error backs off (logged once per burst), any other error is returned.
func acceptLoop[C any](accept func() (C, error), closeC func(C), stopping *atomic.Bool, logger *log.Logger, serve func(C)) error {
	var bo Backoff
	for {
		c, err := accept()
		// EINVAL: the socket no longer listens; a stop shut it down (in
		// prefork, a sibling worker's stop: the socket is shared).
		if stopping.Load() || errors.Is(err, unix.EINVAL) {
			if err == nil {
				closeC(c)
			}
			return nil
		}
		if err != nil {
			var errno syscall.Errno
			if errors.As(err, &errno) && IsTemporary(errno) {
				if !bo.Failing() {
					logger.Printf("accept: %v; backing off until it passes", err)
				}
				bo.Wait()
				continue
			}
			return os.NewSyscallError("accept", err)
		}
		if bo.Failing() {
			logger.Printf("accept: recovered")
		}
		bo.Reset()
		serve(c)
		// A stop while c was served: return before accepting again, so a
		// caller whose grace period ran out may close the socket under us.
		if stopping.Load() {
			return nil
		}
	}
}

// PollListener is a listening socket whose accept waits in Go's netpoller,
// not in a blocking accept(2): while no connection is pending it holds no
// OS thread. A blocking system call that lasts makes the Go runtime hand
// its P to another thread, creating one if none is idle, and the runtime
// dies when it cannot create one. The fork model's parent, which must live
// under a pids limit its own children fill, accepts this way.
type PollListener struct {
	f  *os.File
	rc syscall.RawConn
}

// NewPollListener takes over the listening socket lfd (it is closed by
// Close, not by the caller) and makes it non-blocking.
func NewPollListener(lfd int) (*PollListener, error) {
	if err := unix.SetNonblock(lfd, true); err != nil {
		return nil, os.NewSyscallError("fcntl", err)
	}
	f := os.NewFile(uintptr(lfd), "listener")
	rc, err := f.SyscallConn()
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	return &PollListener{f: f, rc: rc}, nil
}

// Accept waits for a connection and returns it as Accept(lfd, nonblock)
// does. After Stop it returns an error.
func (l *PollListener) Accept(nonblock bool) (int, error) {
	fd, aerr := -1, error(nil)
	err := l.rc.Read(func(lfd uintptr) bool {
		fd, aerr = Accept(int(lfd), nonblock)
		return aerr != unix.EAGAIN
	})
	if err != nil {
		return -1, err
	}
	return fd, aerr
}

// Stop ends listening (new connections are refused, as after ShutdownRead)
// and makes a waiting Accept, and every later one, return at once. Safe
// from any goroutine, and after Close.
func (l *PollListener) Stop() {
	_ = l.rc.Control(func(lfd uintptr) { ShutdownRead(int(lfd)) })
	_ = l.f.SetReadDeadline(time.Unix(1, 0))
}

// Close closes the listening socket.
func (l *PollListener) Close() error { return l.f.Close() }

// AcceptLoop is the package's AcceptLoop over the poll listener: it ends
// when Stop wakes it while stopping is set.
func (l *PollListener) AcceptLoop(stopping *atomic.Bool, logger *log.Logger, serve func(fd int)) error {
	return acceptLoop(func() (int, error) { return l.Accept(false) }, closeFD, stopping, logger, serve)
}
