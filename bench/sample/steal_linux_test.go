package sample

import (
	"math"
	"testing"
	"time"
)

// /proc/stat of a two-CPU guest, as kernel 6.x writes it.
const procStat = `cpu  10713 0 7127 31393 601 0 1672 1396 0 0
cpu0 4566 0 2832 17700 36 0 819 738 0 0
cpu1 6146 0 4294 13692 564 0 852 658 0 0
intr 2963516 0 9 0 0 0 0 0 0 0 0
ctxt 5402347
btime 1764750000
processes 9312
`

func TestParseProcStat(t *testing.T) {
	got := ParseProcStat([]byte(procStat))
	want := map[int]Ticks{
		0: {Total: 4566 + 2832 + 17700 + 36 + 819 + 738, Steal: 738, Softirq: 819},
		1: {Total: 6146 + 4294 + 13692 + 564 + 852 + 658, Steal: 658, Softirq: 852},
	}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	// Guest time is inside user time: counting it again would shrink the
	// steal's share.
	g := ParseProcStat([]byte("cpu3 100 0 0 0 0 0 0 10 50 0\n"))
	if g[3] != (Ticks{Total: 110, Steal: 10}) {
		t.Errorf("guest time: got %+v, want 110 ticks, 10 stolen", g[3])
	}
	// An old kernel without the steal column still has a total.
	if o := ParseProcStat([]byte("cpu0 1 2 3 4\n")); o[0] != (Ticks{Total: 10}) {
		t.Errorf("four columns: got %+v", o[0])
	}
	for _, bad := range []string{"cpu0 1 x 3 4 5\n", "cpu 1 2 3 4 5\n", "cpux 1 2 3 4\n", "cpu-1 1 2 3 4\n", "cpu0 1 2\n", "cpu0 18446744073709551615 1 0 0\n"} {
		if m := ParseProcStat([]byte(bad)); len(m) != 0 {
			t.Errorf("%q: got %+v, want nothing", bad, m)
		}
	}
}

func TestMostStolen(t *testing.T) {
	// Two seconds: 200 ticks of wall-clock time per CPU.
	before := map[int]Ticks{0: {Total: 1000, Steal: 10}, 1: {Total: 1000, Steal: 10}, 2: {Total: 500}}
	after := map[int]Ticks{0: {Total: 1150, Steal: 70}, 1: {Total: 1200, Steal: 20}, 2: {Total: 700}, 3: {Total: 50, Steal: 50}}
	s := MostStolen(before, after, 2*time.Second)
	if s == nil || s.CPU != 0 || math.Abs(s.Share-0.3) > 1e-12 {
		t.Errorf("got %+v, want 0.300 of CPU 0: 60 ticks of 200 (CPU 3 has no reading before)", s)
	}
	if s := MostStolen(before, before, time.Second); s == nil || s.Share != 0 || s.CPU != 0 {
		t.Errorf("nothing stolen: got %+v, want 0 of CPU 0", s)
	}
	if s := MostStolen(before, after, 0); s != nil {
		t.Errorf("no time passed: got %+v, want nil", s)
	}
	// A CPU's counters that went back (it went offline and came back) are
	// no reading.
	if s := MostStolen(after, before, time.Second); s != nil {
		t.Errorf("counters going back: got %+v, want nil", s)
	}
}

func TestSoftirqSplit(t *testing.T) {
	before := map[int]Ticks{0: {Softirq: 100}, 1: {Softirq: 50}, 2: {Softirq: 10}}
	after := map[int]Ticks{0: {Softirq: 150}, 1: {Softirq: 70}, 2: {Softirq: 5}, 3: {Softirq: 9}}
	s := SoftirqSplit(before, after, 2*time.Second, map[int]bool{1: true})
	// CPU 2 went back and CPU 3 was not read before: neither counts.
	if s == nil || math.Abs(s.Generator-20.0/clockTicks/2) > 1e-9 || math.Abs(s.Others-50.0/clockTicks/2) > 1e-9 {
		t.Errorf("split %+v, want generator %v, others %v", s, 20.0/clockTicks/2, 50.0/clockTicks/2)
	}
	if SoftirqSplit(before, after, 0, nil) != nil {
		t.Error("a split over no time")
	}
}

func TestHostCPUReadsThisMachine(t *testing.T) {
	m, err := HostCPU()
	if err != nil {
		t.Skip("no /proc/stat:", err)
	}
	if len(m) == 0 {
		t.Fatal("no CPU in /proc/stat")
	}
	for c, x := range m {
		if x.Total == 0 || x.Steal > x.Total {
			t.Errorf("CPU %d: %+v", c, x)
		}
	}
}

// FuzzParseProcStat: any input parses without a panic, and no CPU's
// steal exceeds its total.
func FuzzParseProcStat(f *testing.F) {
	f.Add(procStat)
	f.Add("cpu0 1 2 3 4 5 6 7 8 9 10\n")
	f.Add("cpu18446744073709551615 18446744073709551615 1 0 0 0 0 0 0\n")
	f.Fuzz(func(t *testing.T, s string) {
		for c, x := range ParseProcStat([]byte(s)) {
			if c < 0 {
				t.Errorf("CPU %d", c)
			}
			if x.Steal > x.Total {
				t.Errorf("CPU %d: steal %d over total %d", c, x.Steal, x.Total)
			}
		}
	})
}
