package iterative_test

import (
	"context"
	"net"
	"testing"

	"golang.org/x/sys/unix"

	"netmodels/servers/handler"
	"netmodels/servers/iterative"
	"netmodels/servers/model"
)

// BenchmarkConnection serves one connection per request (/sort/bubble at
// n=1000, as the reliability suite's overload does) and reports the
// allocations per connection of the whole process; the client uses raw
// system calls and allocates nothing itself. A prefork worker runs this
// loop: what it allocates per connection is how fast its heap grows under
// load (the B/op left over is the handler's value pool refilled after a
// garbage collection emptied it).
func BenchmarkConnection(b *testing.B) {
	addrc := make(chan net.Addr, 1)
	m := iterative.New(model.Config{Handler: handler.New(), Ready: func(a net.Addr) { addrc <- a }})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Serve(ctx, "127.0.0.1:0") }()
	defer func() { cancel(); <-done }()
	sa := &unix.SockaddrInet4{Port: (<-addrc).(*net.TCPAddr).Port, Addr: [4]byte{127, 0, 0, 1}}
	req := []byte("GET /sort/bubble?n=1000 HTTP/1.1\r\nHost: b\r\nConnection: close\r\n\r\n")
	buf := make([]byte, 4096)
	one := func() {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			b.Fatal(err)
		}
		defer unix.Close(fd)
		if err := unix.Connect(fd, sa); err != nil {
			b.Fatal(err)
		}
		if _, err := unix.Write(fd, req); err != nil {
			b.Fatal(err)
		}
		got := 0
		for {
			n, err := unix.Read(fd, buf)
			if n <= 0 || err != nil {
				break
			}
			got += n
		}
		if got == 0 {
			b.Fatal("no answer")
		}
	}
	for range 100 { // warm the value pool and buffers
		one()
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		one()
	}
}
