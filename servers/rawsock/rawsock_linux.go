// Package rawsock holds the raw-socket system calls the hand-written
// models share (listen, accept, blocking reads with a timeout), through
// golang.org/x/sys/unix rather than Go's net package, so that those models
// show the calls a C server makes.
package rawsock

import (
	"errors"
	"io"
	"log"
	"net"
	"os"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// Options of Listen.
type Options struct {
	Backlog   int
	ReusePort bool // SO_REUSEPORT: several sockets on one port, the kernel spreading connections
	Nonblock  bool // O_NONBLOCK on the listening socket
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
		fd, _, err := unix.Accept4(lfd, flags)
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

// Backoff is the pause after a temporary accept error: 5 ms doubling to 1 s,
// reset by a success. It keeps EMFILE from spinning a core.
type Backoff struct{ d time.Duration }

// Wait sleeps and doubles the next pause.
func (b *Backoff) Wait() {
	if b.d == 0 {
		b.d = 5 * time.Millisecond
	}
	time.Sleep(b.d)
	b.d = min(2*b.d, time.Second)
}

// Reset forgets earlier failures.
func (b *Backoff) Reset() { b.d = 0 }

// ShutdownRead ends the read side of a socket: a read blocked on it returns
// end-of-file at once, while answers can still be written. It is how a
// blocking model wakes its readers for a graceful stop; on a listening
// socket it wakes a blocked accept.
func ShutdownRead(fd int) { _ = unix.Shutdown(fd, unix.SHUT_RD) }

// Conn is a blocking socket as an io.ReadWriter with a read deadline, for
// the blocking serve loop.
type Conn struct {
	FD       int
	deadline time.Time     // absolute read deadline; zero: none
	armed    time.Duration // the relative SO_RCVTIMEO in force; 0: none
}

// Read reads until the deadline; it returns os.ErrDeadlineExceeded when it
// passed and io.EOF at end of stream. SO_RCVTIMEO is relative to the start
// of each read, so Read re-arms it with the time left whenever the one in
// force would overshoot the deadline by more than 1/64 of that time: a peer
// trickling one byte at a time can't stretch the deadline.
func (c *Conn) Read(p []byte) (int, error) {
	if !c.deadline.IsZero() {
		left := time.Until(c.deadline)
		if left <= 0 {
			return 0, os.ErrDeadlineExceeded
		}
		if over := c.armed - left; c.armed == 0 || over > left/64 || over < -left/64 {
			tv := unix.NsecToTimeval(left.Nanoseconds())
			if err := unix.SetsockoptTimeval(c.FD, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
				return 0, err
			}
			c.armed = left
		}
	}
	for {
		n, err := unix.Read(c.FD, p)
		switch {
		case err == unix.EINTR:
			continue
		case err == unix.EAGAIN:
			return 0, os.ErrDeadlineExceeded
		case err != nil:
			return 0, err
		case n == 0:
			return 0, io.EOF
		}
		return n, nil
	}
}

// Write writes all of p, blocking.
func (c *Conn) Write(p []byte) (int, error) {
	done := 0
	for done < len(p) {
		n, err := unix.Write(c.FD, p[done:])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return done, err
		}
		done += n
	}
	return done, nil
}

// SetReadDeadline sets the absolute deadline of later reads.
func (c *Conn) SetReadDeadline(t time.Time) error {
	c.deadline = t
	return nil
}

// Close closes the socket.
func (c *Conn) Close() error { return unix.Close(c.FD) }

// ErrClosed is returned by accept loops stopped by a shutdown.
var ErrClosed = errors.New("listener closed")

// AcceptLoop accepts connections on a blocking listening socket and calls
// serve for each, until a shutdown of the socket wakes it while stopping is
// set. Temporary errors (EMFILE above all) are logged once per burst and
// backed off, never spun on.
func AcceptLoop(lfd int, stopping *atomic.Bool, logger *log.Logger, serve func(fd int)) error {
	var bo Backoff
	failing := false
	for {
		fd, err := Accept(lfd, false)
		if stopping.Load() {
			if err == nil {
				unix.Close(fd)
			}
			return nil
		}
		if err != nil {
			if IsTemporary(err) {
				if !failing {
					logger.Printf("accept: %v; backing off until it passes", err)
					failing = true
				}
				bo.Wait()
				continue
			}
			return os.NewSyscallError("accept", err)
		}
		if failing {
			logger.Printf("accept: recovered")
			failing = false
		}
		bo.Reset()
		serve(fd)
	}
}
