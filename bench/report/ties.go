package report

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// NoGap is the ratio under which two figures measured once each are not
// ranked: in one run of the reference profile, epoll and epoll-multi,
// which run the same loop on one CPU, differed by 1.28× in CPU per
// answer (docs/reading-results.md, docs/methodology.md §5).
const NoGap = 1.3

// span is the interval a cell's figure is known within: its range over
// the repeats when there are two or more, and its median within NoGap
// (a factor of √NoGap either side) when there is one.
func span(c Cell) (lo, hi float64) {
	if c.N >= 2 {
		return c.Min, c.Max
	}
	f := math.Sqrt(NoGap)
	lo, hi = c.Median/f, c.Median*f
	if lo > hi { // a negative figure
		lo, hi = hi, lo
	}
	return lo, hi
}

// apart reports whether the noise separates two cells: their spans do
// not overlap. Two figures measured once are apart when one is NoGap
// times the other or more.
func apart(a, b Cell) bool {
	alo, ahi := span(a)
	blo, bhi := span(b)
	return ahi < blo || bhi < alo
}

// tiers sorts cells by median, lowest first, and splits them into runs
// the noise does not separate: every cell of a run is tied with another
// of it, and every cell of a later run is apart from every cell of an
// earlier one. It returns the sorted order (indexes into cs) and, for
// each position, whether that cell is tied into the run before it.
func tiers(cs []Cell) (order []int, tied []bool) {
	order = make([]int, len(cs))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return cs[order[i]].Median < cs[order[j]].Median })
	tied = make([]bool, len(cs))
	// Spans hold their medians, so sorted by median two spans overlap
	// exactly when the later one starts before the earlier one ends: a
	// run ends where no span so far reaches the next one's start.
	reach := math.Inf(-1)
	for p, i := range order {
		lo, hi := span(cs[i])
		tied[p] = p > 0 && lo <= reach
		reach = max(reach, hi)
	}
	return order, tied
}

// neg is a cell of the negated figure, for orders that rank the highest
// first.
func neg(c Cell) Cell { return Cell{Median: -c.Median, Min: -c.Max, Max: -c.Min, N: c.N} }

// kendall is Kendall's tau-b between two figures of the same items, each
// pair compared only where the noise separates it (apart): 1 when every
// pair apart in both orders is ordered alike, -1 when oppositely. ok is
// false when no pair is apart in both, so there is no order to compare.
func kendall(a, b []Cell) (tau float64, ok bool) {
	sign := func(x, y Cell) int {
		switch {
		case !apart(x, y):
			return 0
		case x.Median < y.Median:
			return -1
		default:
			return 1
		}
	}
	var pairs, tiesA, tiesB, s int
	for i := range a {
		for j := i + 1; j < len(a); j++ {
			pairs++
			x, y := sign(a[i], a[j]), sign(b[i], b[j])
			if x == 0 {
				tiesA++
			}
			if y == 0 {
				tiesB++
			}
			s += x * y
		}
	}
	if !bothApart(a, b) {
		return 0, false
	}
	return float64(s) / math.Sqrt(float64(pairs-tiesA)*float64(pairs-tiesB)), true
}

// bothApart reports whether some pair is apart in both figures.
func bothApart(a, b []Cell) bool {
	for i := range a {
		for j := i + 1; j < len(a); j++ {
			if apart(a[i], a[j]) && apart(b[i], b[j]) {
				return true
			}
		}
	}
	return false
}

// rankLine writes items in the order of their cells, lowest first or, with
// highFirst, highest first: neighbours the noise separates are joined by
// " < " (" > "), tied ones by " ≈ ". label writes item i; first is the
// item the order starts with.
func rankLine(cs []Cell, highFirst bool, label func(i, first int) string) string {
	by, sep := cs, " < "
	if highFirst {
		by, sep = make([]Cell, len(cs)), " > "
		for i, c := range cs {
			by[i] = neg(c)
		}
	}
	order, tied := tiers(by)
	var b strings.Builder
	for p, i := range order {
		switch {
		case p == 0:
		case tied[p]:
			b.WriteString(" ≈ ")
		default:
			b.WriteString(sep)
		}
		b.WriteString(label(i, order[0]))
	}
	return b.String()
}

// one is a cell of one figure measured once.
func one(v float64) Cell { return Cell{Median: v, Min: v, Max: v, N: 1} }

// tieRule says what ≈ means in the findings and rankings.
var tieRule = fmt.Sprintf("≈ joins models the noise does not separate: their ranges over the repeats overlap or, measured once, one is within %g× of the other ([methodology](../../docs/methodology.md) §5). They are tied, not ranked; < and > join models it does separate.", NoGap)
