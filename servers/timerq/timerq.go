// Package timerq is the event loops' timer queue: the connections whose
// deferred answer (a /sleep) waits, ordered by when it is due. The epoll,
// select and io_uring loops share it; each keeps the due time and the
// queue index in its own connection type and says where they are.
package timerq

import (
	"container/heap"
	"time"
)

// Queue is a min-heap of T by due time. T is a pointer to a connection
// that holds its index in the queue (-1 when not in it).
type Queue[T comparable] struct {
	h items[T]
}

// New returns a queue that reads an item's due time with when and keeps
// its index where index points.
func New[T comparable](when func(T) time.Time, index func(T) *int) *Queue[T] {
	return &Queue[T]{items[T]{when: when, index: index}}
}

// Len is the number of items waiting.
func (q *Queue[T]) Len() int { return len(q.h.xs) }

// Next is the earliest due time; it must not be called on an empty queue.
func (q *Queue[T]) Next() time.Time { return q.h.when(q.h.xs[0]) }

// Push adds x.
func (q *Queue[T]) Push(x T) { heap.Push(&q.h, x) }

// PopDue removes and returns the earliest item if it is due at now.
func (q *Queue[T]) PopDue(now time.Time) (T, bool) {
	var zero T
	if len(q.h.xs) == 0 || q.h.when(q.h.xs[0]).After(now) {
		return zero, false
	}
	return heap.Pop(&q.h).(T), true
}

// Remove takes x out of the queue if it is there.
func (q *Queue[T]) Remove(x T) {
	if i := *q.h.index(x); i >= 0 {
		heap.Remove(&q.h, i)
	}
}

// items is the heap.Interface behind Queue.
type items[T comparable] struct {
	xs    []T
	when  func(T) time.Time
	index func(T) *int
}

func (h items[T]) Len() int           { return len(h.xs) }
func (h items[T]) Less(i, j int) bool { return h.when(h.xs[i]).Before(h.when(h.xs[j])) }
func (h items[T]) Swap(i, j int) {
	h.xs[i], h.xs[j] = h.xs[j], h.xs[i]
	*h.index(h.xs[i]), *h.index(h.xs[j]) = i, j
}
func (h *items[T]) Push(x any) {
	t := x.(T)
	*h.index(t) = len(h.xs)
	h.xs = append(h.xs, t)
}
func (h *items[T]) Pop() any {
	var zero T
	n := len(h.xs) - 1
	t := h.xs[n]
	h.xs[n] = zero
	*h.index(t) = -1
	h.xs = h.xs[:n]
	return t
}
