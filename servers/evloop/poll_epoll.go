package evloop

import (
	"time"

	"golang.org/x/sys/unix"
)

// epollPoller asks the kernel with epoll(7): interest is registered once
// per descriptor and changed with epoll_ctl, and epoll_wait returns only the
// ready ones, so a wait costs O(ready), not O(watched).
type epollPoller struct {
	epfd   int
	events []unix.EpollEvent
}

// newEpoll returns an epoll Poller.
func newEpoll() (Poller, error) {
	fd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, err
	}
	return &epollPoller{epfd: fd, events: make([]unix.EpollEvent, 256)}, nil
}

func (p *epollPoller) add(fd int) error {
	return unix.EpollCtl(p.epfd, unix.EPOLL_CTL_ADD, fd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(fd)})
}

func (p *epollPoller) watch(fd int, read, write bool) error {
	var ev uint32
	if read {
		ev |= unix.EPOLLIN
	}
	if write {
		ev |= unix.EPOLLOUT
	}
	return unix.EpollCtl(p.epfd, unix.EPOLL_CTL_MOD, fd, &unix.EpollEvent{Events: ev, Fd: int32(fd)})
}

func (p *epollPoller) del(fd int) error {
	return unix.EpollCtl(p.epfd, unix.EPOLL_CTL_DEL, fd, nil)
}

func (p *epollPoller) wait(timeout time.Duration, ready func(fd int, r, w bool)) (int, error) {
	ms := -1
	if timeout >= 0 {
		ms = int((timeout + time.Millisecond - 1) / time.Millisecond)
	}
	n, err := unix.EpollWait(p.epfd, p.events, ms)
	if err != nil {
		return 0, err
	}
	for _, ev := range p.events[:n] {
		// Errors and hang-ups count as readable: the read reports them.
		r := ev.Events&(unix.EPOLLIN|unix.EPOLLERR|unix.EPOLLHUP|unix.EPOLLRDHUP) != 0
		ready(int(ev.Fd), r, ev.Events&unix.EPOLLOUT != 0)
	}
	return n, nil
}

func (p *epollPoller) close() error { return unix.Close(p.epfd) }
