package faults

import (
	"strings"
	"testing"
	"time"
)

func TestVerdicts(t *testing.T) {
	for _, c := range []struct {
		r    Result
		want string
	}{
		{Result{Pass: true}, "pass"},
		{Result{Skipped: "no processes"}, "n/a"},
		{Result{ByDesign: "one at a time"}, "fails by design"},
		{Result{Hard: "fds 10→20"}, "FAIL"},
		{Result{}, "below target"},
		{Result{Pass: true, ByDesign: "predicted, but it held"}, "pass"},
	} {
		if got := c.r.Verdict(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.r, got, c.want)
		}
	}
}

func TestTable(t *testing.T) {
	rs := []Result{
		{Model: "iterative", Case: "slowloris", ByDesign: "one connection at a time: a trickling client holds the only thread of control", Detail: "good clients 0% ok"},
		{Model: "iterative", Case: "pids", Skipped: "starts no process per connection"},
		{Model: "epoll", Case: "emfile", Pass: true, Detail: "0% of a core"},
		{Model: "epoll", Case: "soak", Hard: "fds 13→40", Detail: "fds grew"},
	}
	got := Table(rs)
	for _, want := range []string{
		"| model | overload | slowloris | emfile | pids | shutdown | soak |",
		"| iterative | – | fails by design: good clients 0% ok | – | n/a: starts no process per connection | – | – |",
		"| epoll | – | – | pass: 0% of a core | – | – | FAIL: fds grew |",
		"- iterative, slowloris: one connection at a time",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("table lacks %q:\n%s", want, got)
		}
	}
}

func TestRecoveryTime(t *testing.T) {
	base := &phase{p50: 2 * time.Millisecond, p99: 10 * time.Millisecond}
	ms := time.Millisecond
	secs := []secStat{
		{n: 10, p50: 900 * ms, p99: 2000 * ms},
		{n: 10, p50: 3 * ms, p99: 15 * ms},  // within 2x
		{n: 10, p50: 50 * ms, p99: 90 * ms}, // not: the run restarts
		{n: 10, p50: 3 * ms, p99: 19 * ms},
		{n: 10, p50: 2 * ms, p99: 12 * ms},
	}
	if got := recoveryTime(secs, base); got != 3 {
		t.Fatalf("recovered at %v, want 3 (two good seconds running from the 4th)", got)
	}
	if got := recoveryTime(secs[:3], base); got != -1 {
		t.Fatalf("recovered at %v, want -1", got)
	}
}

// RSS growth is growth past both 10% and a Go heap's 4 MiB of slack: the
// iterative model's sawtooth (6.7 → 9.1 MiB, 0.5 MiB of heap in use at
// both) is not growth; the pool's sort buffers before their fix (39.0 →
// 51.5 MiB) and a large footprint's 10% are.
func TestRSSGrew(t *testing.T) {
	mib := func(v float64) uint64 { return uint64(v * 1024) }
	for _, c := range []struct {
		a, b float64
		grew bool
	}{{6.7, 9.1, false}, {39.0, 51.5, true}, {89.0, 95.0, false}, {89.0, 99.0, true}, {10.0, 10.0, false}, {13.2, 13.3, false}} {
		if got := rssGrew(mib(c.a), mib(c.b)); got != c.grew {
			t.Errorf("rssGrew(%.1f → %.1f MiB) = %v, want %v", c.a, c.b, got, c.grew)
		}
	}
}
