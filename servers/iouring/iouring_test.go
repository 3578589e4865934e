package iouring

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"netmodels/servers/handler"
	"netmodels/servers/model"
)

// start serves the model on a free port until the test ends.
func start(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addr := make(chan net.Addr, 1)
	done := make(chan error, 1)
	m := New(model.Config{Handler: handler.New(), Ready: func(a net.Addr) { addr <- a }})
	go func() { done <- m.Serve(ctx, "127.0.0.1:0") }()
	select {
	case a := <-addr:
		t.Cleanup(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Serve: %v", err)
			}
		})
		return a.String()
	case err := <-done:
		cancel()
		if errors.Is(err, ErrUnavailable) {
			t.Skipf("no io_uring here: %v", err)
		}
		t.Fatalf("Serve: %v", err)
	}
	return ""
}

func TestUserData(t *testing.T) {
	for _, c := range []struct {
		kind uint8
		gen  uint32
		fd   int
	}{{kRecv, 1, 3}, {kSend, 0xffffff, 65535}, {kClose, 0, 0}} {
		k, g, fd := decode(userData(c.kind, c.gen, c.fd))
		if k != c.kind || g != c.gen || fd != c.fd {
			t.Errorf("decode(userData(%d, %d, %d)) = %d, %d, %d", c.kind, c.gen, c.fd, k, g, fd)
		}
	}
	// The generation wraps at 24 bits and never reaches the kind.
	if k, g, _ := decode(userData(kRecv, 1<<24+5, 7)); k != kRecv || g != 5 {
		t.Errorf("a generation past 24 bits: kind %d, gen %d", k, g)
	}
}

func TestUnavailableSaysWhy(t *testing.T) {
	for err, want := range map[error]string{
		unix.ENOSYS: "no io_uring",
		unix.EPERM:  "not permitted",
		unix.ENOMEM: "io_uring_setup",
	} {
		got := unavailable(err)
		if !errors.Is(got, ErrUnavailable) || !strings.Contains(got.Error(), want) {
			t.Errorf("unavailable(%v) = %q, want ErrUnavailable saying %q", err, got, want)
		}
	}
	if got := unavailable(unix.EPERM).Error(); !strings.Contains(got, "io_uring_disabled") && !strings.Contains(got, "seccomp") {
		t.Errorf("EPERM names neither the sysctl nor seccomp: %q", got)
	}
}

// TestBuffersRecycled sends more requests on one connection than the ring
// has buffers, several times over: each buffer must go back to the kernel.
func TestBuffersRecycled(t *testing.T) {
	addr := start(t)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)
	for i := 0; i < 3*bufCount; i++ {
		if _, err := io.WriteString(c, "GET /hello HTTP/1.1\r\nHost: t\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		res, err := http.ReadResponse(r, nil)
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != 200 || string(b) != "hello\n" {
			t.Fatalf("request %d: %d %q", i, res.StatusCode, b)
		}
	}
}

// TestMoreReadersThanBuffers has more connections send at once than the
// ring has buffers (a ring of 2 here), so that receives find none free
// (ENOBUFS) and must be submitted again: every connection still gets its
// answer.
func TestMoreReadersThanBuffers(t *testing.T) {
	defer func(n int) { bufCount = n }(bufCount)
	bufCount = 2
	addr := start(t)
	before := starved.Load()
	n := 300
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err == nil && lim.Cur < uint64(2*n+100) {
		t.Skipf("needs %d descriptors, the limit is %d", 2*n+100, lim.Cur)
	}
	conns := make([]net.Conn, n)
	for i := range conns {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns[i] = c
	}
	// Each connection's request, large enough to take a buffer each,
	// written before any answer is read.
	req := fmt.Sprintf("GET /hello HTTP/1.1\r\nHost: t\r\nX-Pad: %s\r\n\r\n", strings.Repeat("p", 2000))
	for _, c := range conns {
		if _, err := io.WriteString(c, req); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
			res, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				errs <- fmt.Errorf("connection %d: %v", i, err)
				return
			}
			b, _ := io.ReadAll(res.Body)
			if res.StatusCode != 200 || string(b) != "hello\n" {
				errs <- fmt.Errorf("connection %d: %d %q", i, res.StatusCode, b)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	retried := starved.Load() - before
	t.Logf("%d receives found no free buffer and were submitted again", retried)
	if retried == 0 {
		t.Error("no receive found the ring empty: the test did not reach what it tests")
	}
}
