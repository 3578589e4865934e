package ui

import (
	"math"
	"time"
)

// hist is a log-linear histogram of latencies for the live figures:
// buckets 1% wide from 1 µs to about 1000 s, so that a percentile read
// from it is within 0.5% of the exact one, at a cost per result of one
// logarithm and no memory per result. The figures of a test that ended
// are exact (Stats.Finish).
type hist struct {
	counts []uint32
	n      int
}

const (
	histStep = 1.01 // each bucket's upper bound over its lower
	histMax  = 2100 // buckets: 1.01^2100 µs is over 1000 s
)

var logStep = math.Log(histStep)

func bucketOf(d time.Duration) int {
	us := float64(d) / 1e3
	if us <= 1 {
		return 0
	}
	return min(1+int(math.Log(us)/logStep), histMax-1)
}

// mid is a bucket's middle, in geometric terms.
func mid(b int) time.Duration {
	if b == 0 {
		return time.Microsecond
	}
	return time.Duration(1e3 * math.Pow(histStep, float64(b-1)+0.5))
}

func (h *hist) add(d time.Duration) {
	if h.counts == nil {
		h.counts = make([]uint32, histMax)
	}
	h.counts[bucketOf(d)]++
	h.n++
}

func (h *hist) merge(o *hist) {
	if o.n == 0 {
		return
	}
	if h.counts == nil {
		h.counts = make([]uint32, histMax)
	}
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
}

// quantile is the nearest-rank quantile, as the summary ranks, to within
// a bucket; 0 for none.
func (h *hist) quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := max(int(math.Ceil(q*float64(h.n))), 1)
	seen := 0
	for b, c := range h.counts {
		seen += int(c)
		if seen >= rank {
			return mid(b)
		}
	}
	return mid(histMax - 1)
}
