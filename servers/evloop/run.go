package evloop

import "runtime"

// lockedRun runs a loop on its own OS thread: a loop is a thread blocked in
// its poller, as in C, and the Go scheduler doesn't move it. (Measured: the
// lock changes nothing in the CPU cost per request.)
func lockedRun(l *Loop) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	return l.Run()
}

// The pollers, for the models.
var (
	// Epoll is the epoll(7) poller.
	Epoll = newEpoll
	// Select is the select(2) poller.
	Select = newSelect
)
