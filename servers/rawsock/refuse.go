package rawsock

import (
	"net"
	"os"

	"netmodels/servers/blocking"
	"netmodels/servers/httpx"
)

// RefuseFD answers 503 on a descriptor a model can't take
// (blocking.Refuse) without holding an OS thread while it waits for the
// client's request: the descriptor goes to Go's netpoller, so a flood of
// refusals parks goroutines, not threads. A process that must not run out
// of threads (the fork model's parent under a pids limit: the Go runtime
// dies when it cannot create one) refuses this way. The descriptor is
// closed. It lives here, not in package blocking, so that the fork
// model's child, which imports blocking, links no net package.
func RefuseFD(r *httpx.Responder, fd int) {
	f := os.NewFile(uintptr(fd), "refused")
	c, err := net.FileConn(f) // a non-blocking duplicate
	_ = f.Close()
	if err != nil {
		return // no descriptor left for the duplicate: just close
	}
	go blocking.Refuse(r, c.(*net.TCPConn))
}
