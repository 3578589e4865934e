package evloop

import "runtime"

// lockedRun runs a loop on its own OS thread: a loop is a thread blocked in
// its Poller, as in C, and the Go scheduler doesn't move it.
func lockedRun(l *Loop) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	return l.Run()
}

// The pollers, for the models.
var (
	// Epoll is the epoll(7) Poller.
	Epoll = newEpoll
	// Select is the select(2) Poller.
	Select = newSelect
)
