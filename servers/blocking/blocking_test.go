package blocking

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

// A model closes its listening descriptor once the function StopOn
// returns has been called: by then the stop's unlisten must be over, or
// it could shut down a socket that took the same number since.
func TestStopOnUnwireWaitsForTheStop(t *testing.T) {
	tr := NewTracker(func(int) {})
	ctx, cancel := context.WithCancel(context.Background())
	var unlistened atomic.Bool
	started := make(chan struct{})
	_, unwire := tr.StopOn(ctx, 0, 0, func() {
		close(started)
		time.Sleep(50 * time.Millisecond)
		unlistened.Store(true)
	})
	cancel()
	<-started
	if unwire() {
		t.Fatal("unwire says it kept a stop from running that had begun")
	}
	if !unlistened.Load() {
		t.Fatal("unwire returned while the stop's unlisten was still running")
	}
	if !tr.Stopping().Load() {
		t.Fatal("the stop did not mark the tracker stopping")
	}
}

// Unwired before its context is done, the stop never runs.
func TestStopOnUnwireBeforeTheStop(t *testing.T) {
	tr := NewTracker(func(int) {})
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan struct{}, 1)
	_, unwire := tr.StopOn(ctx, 0, 0, func() { ran <- struct{}{} })
	if !unwire() {
		t.Fatal("unwire before the stop did not keep it from running")
	}
	cancel()
	select {
	case <-ran:
		t.Fatal("the stop ran after it was unwired")
	case <-time.After(20 * time.Millisecond):
	}
	if tr.Stopping().Load() {
		t.Fatal("the tracker is stopping though its stop was unwired")
	}
}
