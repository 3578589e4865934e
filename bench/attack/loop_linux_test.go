package attack

import (
	"context"
	"encoding/binary"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
	"unsafe"

	vegeta "github.com/tsenart/vegeta/v12/lib"
	"golang.org/x/sys/unix"

	"netmodels/bench/scenario"
)

// stampingOn returns once the kernel stamps the segments it receives, and
// keeps a socket asking for stamps until the test ends. The first socket
// that sets SO_TIMESTAMPNS turns stamping on from a deferred work item
// (net_enable_timestamp), and the last one to close turns it off, so in a
// fresh process an attack's first answers can come unstamped (counted as
// such, -1); a test that wants every answer stamped waits for this first.
func stampingOn(t *testing.T) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	peer, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { peer.Close() })
	f, err := c.(*net.TCPConn).File() // a blocking duplicate of the descriptor
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	fd := int(f.Fd())
	if err := rawSetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1); err != nil {
		t.Fatal(err)
	}
	b, oob := make([]byte, 8), make([]byte, 64)
	for try := 0; try < 200; try++ {
		if _, err := peer.Write([]byte("x")); err != nil {
			t.Fatal(err)
		}
		_, oobn, err := rawRecvmsg(fd, b, oob)
		if err != nil {
			t.Fatal(err)
		}
		if !rxStamp(oob[:oobn]).IsZero() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the kernel stamped no segment in 2 s")
}

// readLate sends one request on a loop and, once its answer is in the
// socket (poll says so), waits hold before the loop reads it. It returns
// the loop, when the answer was known to be there, and when the read
// began.
func readLate(t *testing.T, stamps bool, hold time.Duration) (l *loop, ready, read time.Time) {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("hi")) }))
	t.Cleanup(srv.Close)
	sc := &scenario.Scenario{Name: "late", Targets: []scenario.Target{{Path: "/"}}, KeepAlive: true,
		Load: scenario.Load{Kind: scenario.Closed, Conns: 1}, Duration: dur(time.Second)}
	e, err := newEngine(sc, srv.URL, "t")
	if err != nil {
		t.Fatal(err)
	}
	e.rxStamps = stamps
	l, err = newLoop(e)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.close)
	l.next = false // one request
	s := l.slot()
	l.begin(s, 0)
	for s.sent < len(s.out) { // on loopback the connect is over at once or soon
		l.write(s)
		if !s.live {
			t.Fatalf("the request failed: %+v", s.r)
		}
	}
	fds := []unix.PollFd{{Fd: int32(s.fd), Events: unix.POLLIN}}
	for {
		n, err := unix.Poll(fds, 5000)
		if err == unix.EINTR {
			continue
		}
		if err != nil || n != 1 {
			t.Fatalf("no answer in 5 s: %v", err)
		}
		break
	}
	ready = time.Now()
	time.Sleep(hold)
	read = time.Now()
	l.read(s)
	if len(l.results) != 1 || l.results[0].Code != 200 {
		t.Fatalf("results %+v, want one 200", l.results)
	}
	return l, ready, read
}

// With stamps, an answer the generator reads late keeps the server's
// latency: it ends at the kernel's stamp, before the answer was known to
// be in the socket, and the wait is at least the hold. Without, the hold
// is in the latency.
func TestStampsLeaveTheGeneratorsWaitOut(t *testing.T) {
	const hold = 30 * time.Millisecond
	stampingOn(t)
	l, ready, read := readLate(t, true, hold)
	if len(l.waits) != 1 || l.waits[0] < 0 {
		t.Fatalf("waits %v, want one stamped answer", l.waits)
	}
	r := l.results[0]
	if end := r.Timestamp.Add(r.Latency); end.After(ready) {
		t.Errorf("latency %v ends %v after the answer was known to be in the socket", r.Latency, end.Sub(ready))
	}
	if w := l.waits[0]; w < read.Sub(ready) {
		t.Errorf("read wait %v, want at least the %v between the answer's arrival and its read", w, read.Sub(ready))
	}

	l, _, read = readLate(t, false, hold)
	if l.waits != nil {
		t.Errorf("waits %v without stamps", l.waits)
	}
	if r := l.results[0]; r.Latency < read.Sub(r.Timestamp) {
		t.Errorf("latency %v without stamps, want at least the %v from the send to the late read", r.Latency, read.Sub(r.Timestamp))
	}
}

// With send stamps, a request the generator began well before its write
// (as when it is preempted between its clock and the write: here its
// clock is set back by hold) keeps the server's latency: it starts at the
// kernel's send stamp, and the send wait is at least the hold. Without,
// the hold is in the latency.
func TestSendStampsLeaveTheGeneratorsWaitOut(t *testing.T) {
	const hold = 30 * time.Millisecond
	for _, tx := range []bool{true, false} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("hi")) }))
		sc := &scenario.Scenario{Name: "early", Targets: []scenario.Target{{Path: "/"}}, KeepAlive: true,
			Load: scenario.Load{Kind: scenario.Closed, Conns: 1}, Duration: dur(time.Second)}
		e, err := newEngine(sc, srv.URL, "t")
		if err != nil {
			t.Fatal(err)
		}
		e.txStamps = tx
		l, err := newLoop(e)
		if err != nil {
			t.Fatal(err)
		}
		l.next = false // one request
		s := l.slot()
		l.begin(s, 0)
		s.r.Timestamp = s.r.Timestamp.Add(-hold)
		events := make([]unix.EpollEvent, 8)
		for end := time.Now().Add(5 * time.Second); s.live && time.Now().Before(end); {
			k, err := epollWait(l.ep, events, 100*time.Millisecond)
			if err != nil && err != unix.EINTR {
				t.Fatal(err)
			}
			for i := 0; i < k; i++ {
				l.event(int(events[i].Fd), events[i].Events)
			}
		}
		l.close()
		srv.Close()
		if len(l.results) != 1 || l.results[0].Code != 200 {
			t.Fatalf("send stamps %v: results %+v, want one 200", tx, l.results)
		}
		r := l.results[0]
		if !tx {
			if l.sendWaits != nil || r.Latency < hold {
				t.Errorf("without send stamps: waits %v, latency %v; want none and the %v hold in the latency", l.sendWaits, r.Latency, hold)
			}
			continue
		}
		if len(l.sendWaits) != 1 || l.sendWaits[0] < hold {
			t.Fatalf("send waits %v, want one of at least the %v hold", l.sendWaits, hold)
		}
		if r.Latency >= hold || r.Latency <= 0 {
			t.Errorf("latency %v with send stamps, want the server's alone, under the %v hold", r.Latency, hold)
		}
	}
}

// A stamped attack keeps one wait of each kind per result, in the
// results' order, and stamps every answer and every request on loopback.
func TestStampedAttackKeepsAWaitPerResult(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	stampingOn(t)
	sc := &scenario.Scenario{Name: "stamped", Targets: []scenario.Target{{Path: "/"}}, KeepAlive: true,
		Load: scenario.Load{Kind: scenario.Constant, Rate: 200}, Duration: dur(500 * time.Millisecond), MaxConns: 8}
	a, err := Run(context.Background(), sc, Options{URL: srv.URL, Name: "t", RxStamps: true, TxStamps: true})
	if err != nil {
		t.Fatal(err)
	}
	// 100 due; a busy host may keep some from being sent (NotSent).
	if len(a.Results) == 0 || len(a.Results)+len(a.NotSent) != 100 || len(a.ReadWait) != len(a.Results) || len(a.SendWait) != len(a.Results) {
		t.Fatalf("%d results, %d not sent, %d read and %d send waits: want 100 due and a wait of each per result",
			len(a.Results), len(a.NotSent), len(a.ReadWait), len(a.SendWait))
	}
	for i, r := range a.Results {
		if r.Error != "" {
			continue
		}
		if a.ReadWait[i] < 0 || a.SendWait[i] < 0 {
			t.Errorf("answer %d: read wait %v, send wait %v; want both stamped", i, a.ReadWait[i], a.SendWait[i])
		}
		if r.Latency <= 0 {
			t.Errorf("answer %d: latency %v between the stamps", i, r.Latency)
		}
	}
}

// With StartAt the schedule counts from that instant, not from when the
// attack got ready, so that shards on one clock interleave by their
// phases; nothing is sent before it is due on that clock.
func TestStartAtIsTheScheduleOrigin(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	sc := &scenario.Scenario{Name: "phased", Targets: []scenario.Target{{Path: "/"}}, KeepAlive: true,
		Load: scenario.Load{Kind: scenario.Constant, Rate: 300, Phase: 1.0 / 3}, Duration: dur(300 * time.Millisecond), MaxConns: 8}
	at := time.Now().Add(200 * time.Millisecond)
	a, err := Run(context.Background(), sc, Options{URL: srv.URL, Name: "t", StartAt: at})
	if err != nil {
		t.Fatal(err)
	}
	if !a.Began.Equal(at) || a.StartSkew < 0 {
		t.Fatalf("began %v, skew %v; want the start %v", a.Began, a.StartSkew, at)
	}
	if len(a.Results) == 0 || len(a.Results)+len(a.NotSent) != 90 {
		t.Fatalf("%d results and %d not sent, want 90 due", len(a.Results), len(a.NotSent))
	}
	// Request j is due (j + 1/3)/300 s after the start.
	for i, r := range a.Results {
		want := time.Duration((float64(r.Seq) + 1.0/3) / 300 * float64(time.Second))
		if d := a.Due[i] - want; d < -time.Nanosecond || d > time.Nanosecond {
			t.Fatalf("request %d due at %v, want %v", r.Seq, a.Due[i], want)
		}
		if r.Timestamp.Before(at.Add(a.Due[i])) {
			t.Fatalf("request %d sent %v after the start, before it was due at %v", r.Seq, r.Timestamp.Sub(at), a.Due[i])
		}
	}
	// The users load waits for the start too.
	users := &scenario.Scenario{Name: "users", Targets: []scenario.Target{{Path: "/"}}, KeepAlive: true,
		Load: scenario.Load{Kind: scenario.Users, Users: 2, SpawnRate: 100, ThinkMin: dur(10 * time.Millisecond), ThinkMax: dur(10 * time.Millisecond)}, Duration: dur(200 * time.Millisecond)}
	at = time.Now().Add(150 * time.Millisecond)
	u, err := Run(context.Background(), users, Options{URL: srv.URL, Name: "t", StartAt: at})
	if err != nil || len(u.Results) == 0 || u.StartSkew < 0 {
		t.Fatalf("users: %v, %d results, skew %v", err, len(u.Results), u.StartSkew)
	}
	for _, r := range u.Results {
		if r.Timestamp.Before(at) {
			t.Fatalf("a user sent %v before the start", at.Sub(r.Timestamp))
		}
	}
}

// Sorting results into sequence order takes each one's wait along.
func TestOrderKeepsWaitsWithTheirResults(t *testing.T) {
	res := &Result{Results: []vegeta.Result{{Seq: 2}, {Seq: 0}, {Seq: 1}}, ReadWait: []time.Duration{20, 0, 10}, SendWait: []time.Duration{2, 0, 1}}
	order(res)
	for i, r := range res.Results {
		if r.Seq != uint64(i) || res.ReadWait[i] != time.Duration(10*i) || res.SendWait[i] != time.Duration(i) {
			t.Fatalf("result %d: seq %d, waits %v and %v; want seq %d, waits %v and %v", i, r.Seq, res.ReadWait[i], res.SendWait[i], i, time.Duration(10*i), time.Duration(i))
		}
	}
	res = &Result{Results: []vegeta.Result{{Seq: 1}, {Seq: 0}}, SendWait: []time.Duration{1, 0}}
	order(res)
	if res.ReadWait != nil || res.SendWait[0] != 0 || res.SendWait[1] != 1 {
		t.Fatalf("send waits alone: read %v, send %v", res.ReadWait, res.SendWait)
	}
}

// cmsg builds one control message as the kernel lays it out.
func cmsg(level, typ int32, data []byte) []byte {
	b := make([]byte, unix.CmsgSpace(len(data)))
	h := (*unix.Cmsghdr)(unsafe.Pointer(&b[0]))
	h.Level, h.Type = level, typ
	h.SetLen(unix.CmsgLen(len(data)))
	copy(b[unix.CmsgLen(0):], data)
	return b
}

func TestRxStamp(t *testing.T) {
	ts := make([]byte, 16)
	binary.NativeEndian.PutUint64(ts, 1700000000)
	binary.NativeEndian.PutUint64(ts[8:], 123456789)
	want := time.Unix(1700000000, 123456789)
	other := cmsg(unix.SOL_SOCKET, unix.SCM_RIGHTS, []byte{1, 2, 3, 4})
	stamp := cmsg(unix.SOL_SOCKET, unix.SCM_TIMESTAMPNS, ts)
	for _, c := range []struct {
		name string
		oob  []byte
		want time.Time
	}{
		{"alone", stamp, want},
		{"after another message", append(append([]byte{}, other...), stamp...), want},
		{"none", other, time.Time{}},
		{"empty", nil, time.Time{}},
		{"cut short", stamp[:len(stamp)-4], time.Time{}},
		{"another level", cmsg(unix.SOL_TCP, unix.SCM_TIMESTAMPNS, ts), time.Time{}},
		{"too short a stamp", cmsg(unix.SOL_SOCKET, unix.SCM_TIMESTAMPNS, ts[:8]), time.Time{}},
	} {
		if got := rxStamp(c.oob); !got.Equal(c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

func TestTxStamp(t *testing.T) {
	ts := make([]byte, 48) // software, (legacy), hardware
	binary.NativeEndian.PutUint64(ts, 1700000000)
	binary.NativeEndian.PutUint64(ts[8:], 987654321)
	want := time.Unix(1700000000, 987654321)
	// What the error queue holds beside it: IP_RECVERR's extended error.
	ee := cmsg(unix.SOL_IP, unix.IP_RECVERR, make([]byte, 32))
	stamp := cmsg(unix.SOL_SOCKET, unix.SCM_TIMESTAMPING, ts)
	for _, c := range []struct {
		name string
		oob  []byte
		want time.Time
	}{
		{"alone", stamp, want},
		{"before the extended error", append(append([]byte{}, stamp...), ee...), want},
		{"after the extended error", append(append([]byte{}, ee...), stamp...), want},
		{"none", ee, time.Time{}},
		{"no software time", cmsg(unix.SOL_SOCKET, unix.SCM_TIMESTAMPING, make([]byte, 48)), time.Time{}},
		{"cut short", stamp[:len(stamp)-8], time.Time{}},
		{"a receive stamp", cmsg(unix.SOL_SOCKET, unix.SCM_TIMESTAMPNS, ts[:16]), time.Time{}},
	} {
		if got := txStamp(c.oob); !got.Equal(c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

// FuzzTxStamp: any control buffer is read without a panic, and a stamp
// found lies inside it.
func FuzzTxStamp(f *testing.F) {
	ts := make([]byte, 48)
	binary.NativeEndian.PutUint64(ts, 1700000000)
	f.Add(cmsg(unix.SOL_SOCKET, unix.SCM_TIMESTAMPING, ts))
	f.Add(append(cmsg(unix.SOL_IP, unix.IP_RECVERR, make([]byte, 32)), cmsg(unix.SOL_SOCKET, unix.SCM_TIMESTAMPING, ts)...))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, oob []byte) {
		got := txStamp(oob)
		if !got.IsZero() && len(oob) < unix.CmsgLen(48) {
			t.Fatalf("a stamp %v from %d bytes, fewer than one message holds", got, len(oob))
		}
	})
}

// FuzzRxStamp: any control buffer is read without a panic, and a stamp
// found lies inside it.
func FuzzRxStamp(f *testing.F) {
	ts := make([]byte, 16)
	binary.NativeEndian.PutUint64(ts, 1700000000)
	f.Add(cmsg(unix.SOL_SOCKET, unix.SCM_TIMESTAMPNS, ts))
	f.Add(append(cmsg(unix.SOL_SOCKET, unix.SCM_RIGHTS, []byte{1, 2, 3, 4}), cmsg(unix.SOL_SOCKET, unix.SCM_TIMESTAMPNS, ts)...))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, oob []byte) {
		got := rxStamp(oob)
		if !got.IsZero() && len(oob) < unix.CmsgLen(16) {
			t.Fatalf("a stamp %v from %d bytes, fewer than one message holds", got, len(oob))
		}
	})
}
