package attack

import (
	"cmp"
	"slices"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// sendSlack is how late an open load's request may be sent. Later than
// that, the generator itself fell behind its schedule, and the request is
// not sent (NotSent.Late) rather than sent late: a backlog sent late is a
// burst the schedule never offered, and it delays a stress test's
// recovery.
const sendSlack = 10 * time.Millisecond

// NotSent is a request of an open load that was due but not sent, as a
// client of a real open system that finds no way to the server: every one
// of the attack's connections was waiting for an answer (the server's
// backlog), or, with Late, the generator had fallen behind its schedule by
// more than sendSlack (the generator's limit).
type NotSent struct {
	Seq  uint64
	Due  time.Duration // since Began
	Late bool
}

// permute returns xs in the order idx gives (xs[idx[0]] first); nil for
// nil.
func permute[T any](xs []T, idx []int) []T {
	if xs == nil {
		return nil
	}
	out := make([]T, len(idx))
	for i, j := range idx {
		out[i] = xs[j]
	}
	return out
}

// order sorts results by sequence number (the order of the schedule) and
// computes each one's due time for open loads.
func order(res *Result) {
	if res.ReadWait != nil || res.SendWait != nil {
		// Each result keeps its waits.
		idx := make([]int, len(res.Results))
		for i := range idx {
			idx[i] = i
		}
		slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(res.Results[a].Seq, res.Results[b].Seq) })
		res.Results = permute(res.Results, idx)
		res.ReadWait = permute(res.ReadWait, idx)
		res.SendWait = permute(res.SendWait, idx)
	} else {
		slices.SortFunc(res.Results, func(a, b vegeta.Result) int { return cmp.Compare(a.Seq, b.Seq) })
	}
	if res.sched != nil {
		res.Due = make([]time.Duration, len(res.Results))
		for i, r := range res.Results {
			res.Due[i] = res.sched.Offset(r.Seq)
		}
	}
}
