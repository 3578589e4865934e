package scenario

import (
	"fmt"
	"strconv"
	"strings"
)

// A Shard is the i-th of n equal shares of a scenario's load, for an
// attack split over n generators (netbench run -shard i/N) and merged
// again (netbench merge). i counts from 0, as a Kubernetes Indexed Job's
// JOB_COMPLETION_INDEX does.
type Shard struct{ I, N int }

// ParseShard reads "i/N".
func ParseShard(s string) (Shard, error) {
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
		return Shard{}, fmt.Errorf("shard %q: want i/N with 0 <= i < N", s)
	}
	return Shard{i, n}, nil
}

func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.I, s.N) }

// part is shard s's share of a whole count: n/N, the remainder spread
// over the first shards, so that the shares add up to n exactly.
func (s Shard) part(n int) int {
	q, r := n/s.N, n%s.N
	if s.I < r {
		q++
	}
	return q
}

// Of returns shard s of sc: rates divided by N (open loads, ramps, steps
// and the recovery rate keep their shape) and the schedule's phase moved
// on by i/N, so that request j of shard i is due when request jN+i of
// the whole load is (together the shards send one generator's schedule,
// not N requests due at once); connections and users split
// into whole shares that add up exactly (at least one each), the spawn
// rate divided by N. Targets, durations and timeouts stay as they are.
// The shard's name is the scenario's: a merge puts the shares together
// under it.
func (s Shard) Of(sc *Scenario) (*Scenario, error) {
	c := *sc
	l := sc.Load
	f := float64(s.N)
	l.Rate, l.From, l.To = l.Rate/f, l.From/f, l.To/f
	l.Rates = nil
	l.Phase = (sc.Load.Phase + float64(s.I)) / f
	for _, r := range sc.Load.Rates {
		l.Rates = append(l.Rates, r/f)
	}
	if l.Conns > 0 {
		if l.Conns < s.N {
			return nil, fmt.Errorf("%s: %d connections do not split over %d shards", sc.Name, l.Conns, s.N)
		}
		l.Conns = s.part(l.Conns)
	}
	if l.Users > 0 {
		if l.Users < s.N {
			return nil, fmt.Errorf("%s: %d users do not split over %d shards", sc.Name, l.Users, s.N)
		}
		l.Users = s.part(l.Users)
	}
	l.SpawnRate /= f
	c.Load = l
	if sc.MaxConns > 0 {
		c.MaxConns = max(s.part(sc.MaxConns), 1)
	}
	if sc.Stress != nil {
		st := *sc.Stress
		st.RecoveryRate /= f
		c.Stress = &st
	}
	return &c, nil
}
