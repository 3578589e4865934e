package attack

import (
	"context"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"netmodels/bench/scenario"
)

// gameFields are the game's requests' header lines: their bodies are JSON.
var gameFields = []byte("Content-Type: application/json\r\n")

// runUsers runs Locust's model: Users users spawned at SpawnRate per
// second (or as many as a Live wants, at its rate), each with its own keep-alive connection, sending a request (or
// a task's requests one after another), waiting for the answer, then
// thinking for a uniform time in
// [ThinkMin, ThinkMax], until the duration ends.
func runUsers(ctx context.Context, sc *scenario.Scenario, e *engine, res *Result) error {
	l := sc.Load
	// Sending ends with the duration; requests in flight then finish or
	// time out and are recorded: dropping them would hide the users a slow
	// server kept waiting. Only a stop (ctx) cuts them.
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, sc.Duration.Duration)
	defer cancel()
	var (
		seq atomic.Uint64
		col collector
		wg  sync.WaitGroup
	)
	user := func(stop <-chan struct{}) {
		defer wg.Done()
		defer e.live.left()
		cl := newClient(parent, e)
		defer cl.done()
		var (
			g    game
			out  []vegeta.Result
			body []byte
		)
		defer func() { col.add(out) }()
		think := time.NewTimer(time.Hour)
		defer think.Stop()
		// send sends one request of a task and records it; false when the
		// run was stopped.
		send := func(t *target) bool {
			method, path, url, fields, reqBody := t.Method, t.Path, t.url, t.fields, t.body
			if t.Game {
				method, path, reqBody = g.next(t.Path)
				url = e.base + path
				fields = gameFields
			}
			r := vegeta.Result{Seq: seq.Add(1) - 1}
			var keep *[]byte
			if t.Game {
				body, keep = body[:0], &body
			}
			cl.sendDelay = t.SendDelay.Duration
			cl.do(method, path, url, fields, reqBody, &r, keep)
			if parent.Err() != nil {
				return false // the run was stopped: not a result
			}
			if t.Game && r.Error == "" {
				if err := g.answer(int(r.Code), body); err != nil {
					// A wrong answer is a failure, also to vegeta's
					// metrics, which count successes by status alone.
					r.Code, r.Error = 0, err.Error()
				}
			}
			out = append(out, r)
			e.live.result(&out[len(out)-1])
			return true
		}
		for ctx.Err() == nil && !closed(stop) {
			t := e.pick()
			if !send(t) {
				return
			}
			for _, n := range t.then {
				if ctx.Err() != nil || !send(n) {
					return
				}
			}
			d := l.ThinkMin.Duration
			if span := l.ThinkMax.Duration - l.ThinkMin.Duration; span > 0 {
				d += rand.N(span)
			}
			think.Reset(d)
			select {
			case <-think.C:
			case <-ctx.Done():
				return
			case <-stop:
				return
			}
		}
	}
	// The spawner: users are started one per 1/rate until there are as
	// many as wanted, and stopped at once (each after its request in
	// flight) when fewer are wanted, as Locust does; a Live changes both
	// while the load runs.
	var (
		stops []chan struct{}
		spawn = time.NewTimer(0)
	)
	defer spawn.Stop()
	for ctx.Err() == nil {
		n, rate := e.live.Wanted(l.Users, l.SpawnRate)
		if len(stops) > n {
			for _, c := range stops[n:] {
				close(c)
			}
			stops = stops[:n]
			continue
		}
		var next <-chan time.Time
		if len(stops) < n {
			next = spawn.C
		}
		select {
		case <-next:
			c := make(chan struct{})
			stops = append(stops, c)
			wg.Add(1)
			e.live.joined()
			go user(c)
			spawn.Reset(time.Duration(float64(time.Second) / rate))
		case <-e.live.changes():
		case <-ctx.Done():
		}
	}
	wg.Wait()
	res.Results = col.all
	order(res)
	return nil
}

// closed reports whether c is closed.
func closed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}
