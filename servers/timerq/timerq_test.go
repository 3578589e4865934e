package timerq

import (
	"testing"
	"time"
)

type item struct {
	due time.Time
	idx int
}

func newQ() *Queue[*item] {
	return New(func(x *item) time.Time { return x.due }, func(x *item) *int { return &x.idx })
}

func TestOrderAndRemove(t *testing.T) {
	q := newQ()
	t0 := time.Unix(1000, 0)
	xs := make([]*item, 6)
	for i, d := range []int{50, 10, 40, 20, 60, 30} {
		xs[i] = &item{due: t0.Add(time.Duration(d) * time.Millisecond), idx: -1}
		q.Push(xs[i])
	}
	q.Remove(xs[2]) // the 40 ms one
	if xs[2].idx != -1 {
		t.Errorf("a removed item keeps index %d", xs[2].idx)
	}
	q.Remove(xs[2]) // again: not there, no effect
	if _, ok := q.PopDue(t0); ok {
		t.Fatal("an item popped before it was due")
	}
	var got []time.Duration
	for {
		x, ok := q.PopDue(t0.Add(time.Hour))
		if !ok {
			break
		}
		if x.idx != -1 {
			t.Errorf("a popped item keeps index %d", x.idx)
		}
		got = append(got, x.due.Sub(t0))
	}
	want := []time.Duration{10, 20, 30, 50, 60}
	if len(got) != len(want) {
		t.Fatalf("popped %v, want %v ms", got, want)
	}
	for i := range want {
		if got[i] != want[i]*time.Millisecond {
			t.Fatalf("popped %v, want %v ms in order", got, want)
		}
	}
	if q.Len() != 0 {
		t.Errorf("%d left", q.Len())
	}
}
