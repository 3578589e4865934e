// Package fdconn is a blocking socket descriptor as the blocking serve loop
// needs it: reads with an absolute deadline, writes of whole buffers. It
// imports nothing but the system call layer, so that the fork model's
// per-connection child stays small.
package fdconn

import (
	"io"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

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

// CloseWrite shuts the write side down: the peer reads end of stream.
func (c *Conn) CloseWrite() error { return unix.Shutdown(c.FD, unix.SHUT_WR) }
