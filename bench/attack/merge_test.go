package attack

import (
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"netmodels/bench/sample"
	"netmodels/bench/scenario"
)

// shardOf is a synthetic open attack: n results due every 1/rate from
// began (+ phase), each with latency lat(i).
func shardOf(began time.Time, rate float64, n int, phase time.Duration, lat func(int) time.Duration) *Result {
	r := &Result{Began: began, HarnessCPU: time.Second, HarnessCores: 1, Wall: time.Duration(float64(n)/rate*1e9) + phase}
	for i := 0; i < n; i++ {
		due := phase + time.Duration(float64(i)/rate*1e9)
		r.Results = append(r.Results, vegeta.Result{Seq: uint64(i), Timestamp: began.Add(due), Latency: lat(i), Code: 200, Method: "GET", URL: "http://t/hello"})
		r.Due = append(r.Due, due)
	}
	return r
}

// TestMergeShards: three shards' results merge into one attack with the
// results in the order they were sent, on one clock, renumbered, the requests not sent
// moved onto that clock, and the whole load's schedule. (The merged
// percentiles are checked in package summary, which computes them.)
func TestMergeShards(t *testing.T) {
	whole := &scenario.Scenario{Name: "open", Load: scenario.Load{Kind: scenario.Constant, Rate: 300}, Duration: scenario.Duration{Duration: 10 * time.Second}}
	t0 := time.Unix(1_000_000, 0)
	// Shard k's latencies are k ms + i µs: the union's order is known.
	var shards []*Result
	for k := 0; k < 3; k++ {
		k := k
		shards = append(shards, shardOf(t0.Add(time.Duration(k)*time.Millisecond), 100, 1000, 0, func(i int) time.Duration {
			return time.Duration(k+1)*time.Millisecond + time.Duration(i)*time.Microsecond
		}))
	}
	shards[2].NotSent = []NotSent{{Seq: 5, Due: 50 * time.Millisecond, Late: true}}
	shards[0].Steal = &sample.Stolen{Share: 0.02, CPU: 1}
	shards[1].Steal = &sample.Stolen{Share: 0.31, CPU: 0}
	m := Merge(whole, "epoll", shards)
	if len(m.Results) != 3000 || len(m.Due) != 3000 {
		t.Fatalf("%d results, %d due times", len(m.Results), len(m.Due))
	}
	if !m.Began.Equal(t0) {
		t.Errorf("began %v, want the earliest shard's %v", m.Began, t0)
	}
	for i := 1; i < len(m.Due); i++ {
		if m.Due[i] < m.Due[i-1] || m.Results[i].Seq != uint64(i) {
			t.Fatalf("result %d out of order: due %v after %v, seq %d", i, m.Due[i], m.Due[i-1], m.Results[i].Seq)
		}
	}
	// Every result's due time is its timestamp on the merged clock.
	for i, r := range m.Results {
		if r.Timestamp.Sub(m.Began) != m.Due[i] {
			t.Fatalf("result %d: due %v, sent at %v", i, m.Due[i], r.Timestamp.Sub(m.Began))
		}
	}
	if len(m.NotSent) != 1 || m.NotSent[0].Due != 52*time.Millisecond {
		t.Errorf("not sent %+v: want one, due at 52ms on the merged clock", m.NotSent)
	}
	if m.HarnessCores != 3 || m.HarnessCPU != 3*time.Second {
		t.Errorf("generator: %v on %d cores, want 3s on 3", m.HarnessCPU, m.HarnessCores)
	}
	if m.Steal == nil || *m.Steal != (sample.Stolen{Share: 0.31, CPU: 0}) {
		t.Errorf("steal %+v, want the most any shard lost, 0.31 of CPU 0", m.Steal)
	}
	if got := m.Offered(5 * time.Second); got != 300 {
		t.Errorf("offered %g/s at 5 s, want the whole load's 300", got)
	}
}

// Merged shards that stamped their answers keep each result's read wait
// with it; one shard without stamps leaves the merge without waits.
func TestMergeShardsReadWaits(t *testing.T) {
	whole := &scenario.Scenario{Name: "open", Load: scenario.Load{Kind: scenario.Constant, Rate: 200}, Duration: scenario.Duration{Duration: 10 * time.Second}}
	t0 := time.Unix(1_000_000, 0)
	var shards []*Result
	for k := 0; k < 2; k++ {
		s := shardOf(t0.Add(time.Duration(k)*time.Millisecond), 100, 100, 0, func(int) time.Duration { return time.Millisecond })
		// Shard k's waits are k µs + i ns: a wait names its result.
		for i := range s.Results {
			s.ReadWait = append(s.ReadWait, time.Duration(k)*time.Microsecond+time.Duration(i))
			s.SendWait = append(s.SendWait, -(time.Duration(k)*time.Microsecond + time.Duration(i)))
		}
		shards = append(shards, s)
	}
	m := Merge(whole, "epoll", shards)
	if len(m.ReadWait) != 200 || len(m.SendWait) != 200 {
		t.Fatalf("%d read and %d send waits for %d results", len(m.ReadWait), len(m.SendWait), len(m.Results))
	}
	for i, r := range m.Results {
		// Sent every 10 ms from t0 (shard 0) and t0+1ms (shard 1).
		k := int(r.Timestamp.Sub(t0)/time.Millisecond) % 10
		n := int(r.Timestamp.Sub(t0) / (10 * time.Millisecond))
		if want := time.Duration(k)*time.Microsecond + time.Duration(n); m.ReadWait[i] != want || m.SendWait[i] != -want {
			t.Fatalf("result %d (shard %d, its %d): waits %v and %v, want %v and %v", i, k, n, m.ReadWait[i], m.SendWait[i], want, -want)
		}
	}
	shards[1].ReadWait, shards[0].SendWait = nil, nil
	if m := Merge(whole, "epoll", shards); m.ReadWait != nil || m.SendWait != nil {
		t.Errorf("read waits %d and send waits %d long with a shard unstamped, want none", len(m.ReadWait), len(m.SendWait))
	}
}
