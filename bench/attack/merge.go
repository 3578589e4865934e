package attack

import (
	"slices"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"netmodels/bench/scenario"
)

// Merge joins the attacks of shards of the scenario whole (netbench run
// -shard i/N, one per generator) into one attack, as if one generator had
// run whole: the results in the order they were sent, renumbered, each
// with its own due time; due times and requests not sent moved onto
// the earliest shard's clock; whole's schedule, so that offered rates are
// the whole load's; the server samples of the first shard that has any.
// The shards' generator CPU adds up, and so do their cores; the steal is
// the most any shard's host lost. Each result keeps its read wait where
// every shard stamped its answers (Options.RxStamps), and its send wait
// where every shard stamped its requests (Options.TxStamps).
func Merge(whole *scenario.Scenario, name string, shards []*Result) *Result {
	m := &Result{Scenario: whole.Name, Name: name}
	if len(shards) == 0 {
		return m
	}
	m.Began = shards[0].Began
	for _, s := range shards {
		if s.Began.Before(m.Began) {
			m.Began = s.Began
		}
	}
	type item struct {
		r    vegeta.Result
		due  time.Duration
		wait time.Duration
		send time.Duration
	}
	var items []item
	open, stamped, sent := true, true, true
	var end time.Time
	for _, s := range shards {
		shift := s.Began.Sub(m.Began)
		open = open && s.Due != nil
		stamped = stamped && s.ReadWait != nil
		sent = sent && s.SendWait != nil
		for i, r := range s.Results {
			it := item{r: r}
			if s.Due != nil {
				it.due = s.Due[i] + shift
			}
			if s.ReadWait != nil {
				it.wait = s.ReadWait[i]
			}
			if s.SendWait != nil {
				it.send = s.SendWait[i]
			}
			items = append(items, it)
		}
		for _, x := range s.NotSent {
			x.Due += shift
			m.NotSent = append(m.NotSent, x)
		}
		if m.Samples == nil && len(s.Samples) > 0 {
			for _, x := range s.Samples {
				x.At += shift
				m.Samples = append(m.Samples, x)
			}
		}
		m.HarnessCPU += s.HarnessCPU
		m.HarnessCores += s.HarnessCores
		if s.Steal != nil && (m.Steal == nil || s.Steal.Share > m.Steal.Share) {
			m.Steal = s.Steal
		}
		if s.ConntrackDrops != nil {
			// Shards on one host read one table: the most any read.
			if m.ConntrackDrops == nil || *s.ConntrackDrops > *m.ConntrackDrops {
				m.ConntrackDrops = s.ConntrackDrops
			}
		}
		if e := s.Began.Add(s.Wall); e.After(end) {
			end = e
		}
	}
	// By the time each was sent, as vegeta merges distributed attacks
	// (and as its plots need them); each keeps its own due time.
	slices.SortStableFunc(items, func(a, b item) int {
		if c := a.r.Timestamp.Compare(b.r.Timestamp); c != 0 {
			return c
		}
		return int(a.due - b.due)
	})
	slices.SortStableFunc(m.NotSent, func(a, b NotSent) int { return int(a.Due - b.Due) })
	m.Results = make([]vegeta.Result, len(items))
	if open {
		m.Due = make([]time.Duration, len(items))
	}
	if stamped {
		m.ReadWait = make([]time.Duration, len(items))
	}
	if sent {
		m.SendWait = make([]time.Duration, len(items))
	}
	for i, it := range items {
		m.Results[i] = it.r
		m.Results[i].Seq = uint64(i)
		if open {
			m.Due[i] = it.due
		}
		if stamped {
			m.ReadWait[i] = it.wait
		}
		if sent {
			m.SendWait[i] = it.send
		}
	}
	m.Wall = end.Sub(m.Began)
	m.sched = scheduleFor(whole) // nil for closed and users loads
	return m
}
