package report

import (
	"math"
	"strings"
	"testing"

	"netmodels/bench/store"
)

func rep(med, lo, hi float64) Cell { return Cell{Median: med, Min: lo, Max: hi, N: 3} }

// TestApart: ranges over repeats decide when both cells have them; figures
// measured once are apart from NoGap times each other on.
func TestApart(t *testing.T) {
	for _, c := range []struct {
		a, b Cell
		want bool
	}{
		{one(10), one(12.9), false},
		{one(10), one(13.1), true},
		{one(13.1), one(10), true},
		{rep(10, 9, 11), rep(11.5, 10.9, 12), false}, // ranges overlap
		{rep(10, 9, 10.5), rep(11, 10.6, 12), true},  // 1.1× apart, but no overlap
		{rep(10, 5, 20), rep(19, 18, 20), false},     // 1.9×, but one range is wide
		{one(-10), one(-14), true},
		{Cell{}, Cell{}, false},
	} {
		if got := apart(c.a, c.b); got != c.want {
			t.Errorf("apart(%+v, %+v) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

// TestTiers: a run is cut only where no earlier span reaches the next;
// a wide range ties models that its neighbours do not.
func TestTiers(t *testing.T) {
	cs := []Cell{
		rep(30, 29, 31),  // 0: its own run
		rep(2, 1, 10),    // 1: wide, reaches 3
		rep(2.8, 2.5, 3), // 2: apart from 3 but tied to 1
		rep(3.7, 3.5, 4), // 3: tied to 1
		rep(20, 19, 21),  // 4
	}
	order, tied := tiers(cs)
	want := []int{1, 2, 3, 4, 0}
	wantTied := []bool{false, true, true, false, false}
	for p := range want {
		if order[p] != want[p] || tied[p] != wantTied[p] {
			t.Fatalf("tiers = %v %v, want %v %v", order, tied, want, wantTied)
		}
	}
	// Every pair in different runs is apart.
	run := make([]int, len(order))
	for p := 1; p < len(order); p++ {
		run[p] = run[p-1]
		if !tied[p] {
			run[p]++
		}
	}
	for p := range order {
		for q := p + 1; q < len(order); q++ {
			if run[p] != run[q] && !apart(cs[order[p]], cs[order[q]]) {
				t.Errorf("%d and %d are in different runs but tied", order[p], order[q])
			}
		}
	}
}

// TestRankLine: ≈ where the noise ties neighbours, < or > where it does not.
func TestRankLine(t *testing.T) {
	names := []string{"a", "b", "c", "d"}
	cs := []Cell{one(10), one(12), one(40), one(45)}
	label := func(i, _ int) string { return names[i] }
	if got, want := rankLine(cs, false, label), "a ≈ b < c ≈ d"; got != want {
		t.Errorf("lowest first: %q, want %q", got, want)
	}
	if got, want := rankLine(cs, true, label), "d ≈ c > b ≈ a"; got != want {
		t.Errorf("highest first: %q, want %q", got, want)
	}
}

// TestKendallTies: tau-b counts only the pairs the noise separates in
// both figures, and says when there are none.
func TestKendallTies(t *testing.T) {
	a := []Cell{one(1), one(2), one(4), one(8)}
	if tau, ok := kendall(a, a); !ok || tau != 1 {
		t.Errorf("same order: %v %v, want 1 true", tau, ok)
	}
	rev := []Cell{one(8), one(4), one(2), one(1)}
	if tau, ok := kendall(a, rev); !ok || tau != -1 {
		t.Errorf("reversed: %v %v, want -1 true", tau, ok)
	}
	// b swaps the last two within the noise: a tie in b, not a discordant
	// pair; tau-b is 5 concordant pairs over √(6·5).
	b := []Cell{one(1), one(2), one(8.1), one(8)}
	if tau, ok := kendall(a, b); !ok || math.Abs(tau-5/math.Sqrt(30)) > 1e-12 {
		t.Errorf("a swap within the noise: %v %v, want %v true", tau, ok, 5/math.Sqrt(30))
	}
	flat := []Cell{one(10), one(11), one(12), one(10.5)}
	if _, ok := kendall(a, flat); ok {
		t.Error("no pair apart in the second figure: want ok false")
	}
}

// TestFindingsTie: the CPU line ties models within the noise instead of
// ranking them, and the report says what ≈ means.
func TestFindingsTie(t *testing.T) {
	rows := []*Row{
		{Scenario: "s", Model: "select", Load: "closed, 50 conns", Kind: "closed", CPUPerAnswer: one(9.81), Throughput: one(5000)},
		{Scenario: "s", Model: "epoll", Load: "closed, 50 conns", Kind: "closed", CPUPerAnswer: one(11.6), Throughput: one(4600)},
		{Scenario: "s", Model: "fork", Load: "closed, 50 conns", Kind: "closed", CPUPerAnswer: one(3000), Throughput: one(40)},
	}
	got := cpuRanking("s", rows)
	if !strings.Contains(got, "select 9.81 µs ≈ epoll 1.18× < fork 306×") {
		t.Errorf("cpuRanking = %q", got)
	}
	if !strings.Contains(got, "τ = 1.00") {
		t.Errorf("cpuRanking τ: %q", got)
	}
	if f := findings(&store.Meta{}, rows, nil, nil, nil); !strings.Contains(f, tieRule) {
		t.Errorf("findings lack the tie rule:\n%s", f)
	}
}
