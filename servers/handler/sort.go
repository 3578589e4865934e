package handler

import (
	"container/heap"
	"math/rand/v2"
	"slices"
)

// Algo is a way to find the largest of n values, named as in API.md.
type Algo uint8

// The algorithms of /sort/{algo}.
const (
	Builtin Algo = iota // slices.Sort, then the last value: O(n log n)
	Bubble              // textbook bubble sort: O(n²)
	Heap                // push all into a container/heap priority queue, pop one
	Linear              // one pass for the maximum: O(n)
	numAlgos
)

var algoNames = [numAlgos]string{"builtin", "bubble", "heap", "linear"}

// String returns the algorithm's name in URLs.
func (a Algo) String() string {
	if a < numAlgos {
		return algoNames[a]
	}
	return "unknown"
}

// ParseAlgo returns the algorithm named b.
func ParseAlgo(b []byte) (Algo, bool) {
	for i, name := range algoNames {
		if string(b) == name {
			return Algo(i), true
		}
	}
	return 0, false
}

// Fill overwrites v with values drawn uniformly from [1, max), as the seed's
// views do with random.choice(range(1, max)). math/rand/v2's top-level
// functions use a per-thread generator, so requests on different cores
// never contend for a lock.
func Fill(v []int32, max int32) {
	for i := range v {
		v[i] = rand.Int32N(max-1) + 1
	}
}

// Top returns the largest value of v (which must not be empty), found the
// way a names. It may reorder v.
func Top(a Algo, v []int32) int32 {
	switch a {
	case Bubble:
		bubbleSort(v)
		return v[len(v)-1]
	case Heap:
		return heapTop(v)
	case Linear:
		m := v[0]
		for _, x := range v[1:] {
			m = max(m, x)
		}
		return m
	default:
		slices.Sort(v)
		return v[len(v)-1]
	}
}

// bubbleSort is the textbook version, with no early exit, so that its cost
// is n(n-1)/2 comparisons whatever the input, like the seed's view.
func bubbleSort(v []int32) {
	for i := len(v) - 1; i > 0; i-- {
		for j := 0; j < i; j++ {
			if v[j] > v[j+1] {
				v[j], v[j+1] = v[j+1], v[j]
			}
		}
	}
}

// maxHeap is a priority queue for container/heap with the largest on top.
type maxHeap []int32

func (h maxHeap) Len() int           { return len(h) }
func (h maxHeap) Less(i, j int) bool { return h[i] > h[j] }
func (h maxHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *maxHeap) Push(x any)        { *h = append(*h, x.(int32)) }
func (h *maxHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// heapTop pushes every value one by one, as the seed's PriorityQueue view
// does, then pops the largest.
func heapTop(v []int32) int32 {
	h := make(maxHeap, 0, len(v))
	for _, x := range v {
		heap.Push(&h, x)
	}
	return heap.Pop(&h).(int32)
}
