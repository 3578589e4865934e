package evloop

import (
	"fmt"
	"time"

	"golang.org/x/sys/unix"
)

// FDSetSize is FD_SETSIZE: an fd_set is a fixed bitmap of this many bits,
// and select(2) can't watch a descriptor at or above it. Writing past it
// would corrupt memory in C; here add refuses it.
const FDSetSize = 1024

// selectPoller asks the kernel with select(2), as the blog's select
// server does: every wait copies both bitmaps into the kernel, which scans
// every descriptor up to the highest, and back; the loop then scans them
// again. A wait costs O(highest descriptor), however few are ready.
type selectPoller struct {
	read, write unix.FdSet
	watched     [FDSetSize]bool
	maxfd       int
}

func newSelect() (Poller, error) { return &selectPoller{maxfd: -1}, nil }

// ErrFDSetSize is returned by the select Poller for a descriptor that does
// not fit an fd_set.
var ErrFDSetSize = fmt.Errorf("descriptor at or above FD_SETSIZE (%d): select(2) can't watch it", FDSetSize)

func (p *selectPoller) add(fd int) error {
	if fd >= FDSetSize {
		return ErrFDSetSize
	}
	p.watched[fd] = true
	p.read.Set(fd)
	p.maxfd = max(p.maxfd, fd)
	return nil
}

func (p *selectPoller) watch(fd int, read, write bool) error {
	if fd >= FDSetSize {
		return ErrFDSetSize
	}
	if read {
		p.read.Set(fd)
	} else {
		p.read.Clear(fd)
	}
	if write {
		p.write.Set(fd)
	} else {
		p.write.Clear(fd)
	}
	return nil
}

func (p *selectPoller) del(fd int) error {
	if fd >= FDSetSize {
		return nil
	}
	p.watched[fd] = false
	p.read.Clear(fd)
	p.write.Clear(fd)
	for p.maxfd >= 0 && !p.watched[p.maxfd] {
		p.maxfd--
	}
	return nil
}

func (p *selectPoller) wait(timeout time.Duration, ready func(fd int, r, w bool)) (int, error) {
	// select overwrites its arguments with the result: pass copies.
	r, w := p.read, p.write
	var tv *unix.Timeval
	if timeout >= 0 {
		t := unix.NsecToTimeval(timeout.Nanoseconds())
		tv = &t
	}
	n, err := unix.Select(p.maxfd+1, &r, &w, nil, tv)
	if err != nil || n == 0 {
		return 0, err
	}
	left := n
	for fd := 0; fd <= p.maxfd && left > 0; fd++ {
		rr, ww := r.IsSet(fd), w.IsSet(fd)
		if rr || ww {
			left--
			ready(fd, rr, ww)
		}
	}
	return n, nil
}

func (p *selectPoller) close() error { return nil }
