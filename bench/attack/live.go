package attack

import (
	"sync"
	"sync/atomic"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Live watches an attack while it runs and steers a users load, as
// Locust's web UI does (netbench ui): every request's outcome as it
// completes, the users running, and a new number of users or spawn rate.
// A nil *Live does nothing.
type Live struct {
	// OnResult, when set, hears every result as it is recorded, from the
	// engine's goroutines: it must be safe for concurrent use, and quick.
	// The result is the attack's own: read it, keep a copy, never change
	// it.
	OnResult func(*vegeta.Result)
	// OnEnd, when set, hears the attack's whole result once it has ended,
	// before Run returns it.
	OnEnd func(*Result)

	mu      sync.Mutex
	set     bool
	users   int
	rate    float64
	changed chan struct{}
	running atomic.Int64
}

// SetUsers asks a running users load for users users, spawned (or
// stopped) at rate per second: Locust's "edit" of a running test. Before
// the load starts, it replaces the scenario's users and spawn rate.
func (l *Live) SetUsers(users int, rate float64) {
	l.mu.Lock()
	l.set, l.users, l.rate = true, max(users, 0), rate
	l.init()
	l.mu.Unlock()
	select {
	case l.changed <- struct{}{}:
	default:
	}
}

// Users is the number of users running now.
func (l *Live) Users() int {
	if l == nil {
		return 0
	}
	return int(l.running.Load())
}

func (l *Live) init() {
	if l.changed == nil {
		l.changed = make(chan struct{}, 1)
	}
}

// Wanted is the users and spawn rate wanted: the Live's, once SetUsers
// was called, else the scenario's (users, rate).
func (l *Live) Wanted(users int, rate float64) (int, float64) {
	if l == nil {
		return users, rate
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.set {
		return users, rate
	}
	if l.rate <= 0 {
		return l.users, rate
	}
	return l.users, l.rate
}

// changes is signalled when SetUsers changed what is wanted; nil (never
// ready) without a Live.
func (l *Live) changes() <-chan struct{} {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.init()
	return l.changed
}

func (l *Live) result(r *vegeta.Result) {
	if l != nil && l.OnResult != nil {
		l.OnResult(r)
	}
}

func (l *Live) end(r *Result) {
	if l != nil && l.OnEnd != nil {
		l.OnEnd(r)
	}
}

func (l *Live) joined() {
	if l != nil {
		l.running.Add(1)
	}
}

func (l *Live) left() {
	if l != nil {
		l.running.Add(-1)
	}
}
