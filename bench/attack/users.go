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
// second, each with its own keep-alive connection, sending a request (or
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
	user := func() {
		defer wg.Done()
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
			return true
		}
		for ctx.Err() == nil {
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
			}
		}
	}
	every := time.Duration(float64(time.Second) / l.SpawnRate)
	tick := time.NewTicker(every)
	defer tick.Stop()
spawn:
	for i := 0; i < l.Users; i++ {
		wg.Add(1)
		go user()
		select {
		case <-tick.C:
		case <-ctx.Done():
			break spawn
		}
	}
	wg.Wait()
	res.Results = col.all
	order(res)
	return nil
}
