package attack

import (
	"time"

	"netmodels/bench/scenario"
)

// schedule is an open load as segments of constant rate
// (scenario.Segment). It is a vegeta
// Pacer, and it also answers when the n-th request was due (Offset), which
// is how coordinated omission is measured: vegeta stamps a request when a
// worker starts it, which is late when every worker was busy.
type schedule struct {
	segs []scenario.Segment
	// cum[i] is the number of requests due before segment i starts; at[i]
	// its start time.
	cum []float64
	at  []time.Duration
	// phase delays request n to where request n+phase of the segments
	// falls (scenario.Load.Phase).
	phase float64
}

func newSchedule(segs []scenario.Segment, phase float64) *schedule {
	s := &schedule{segs: segs, phase: phase}
	var n float64
	var t time.Duration
	for _, g := range segs {
		s.cum = append(s.cum, n)
		s.at = append(s.at, t)
		n += g.Rate * g.Length.Seconds()
		t += g.Length
	}
	s.cum = append(s.cum, n)
	s.at = append(s.at, t)
	return s
}

// scheduleFor returns the open schedule of a scenario (its shape's
// segments, scenario.Scenario.Segments), or nil for closed and users
// loads.
func scheduleFor(sc *scenario.Scenario) *schedule {
	segs := sc.Segments()
	if segs == nil {
		return nil
	}
	return newSchedule(segs, sc.Load.Phase)
}

// Total is the schedule's length.
func (s *schedule) Total() time.Duration { return s.at[len(s.at)-1] }

// due returns how many requests are due by elapsed.
func (s *schedule) due(elapsed time.Duration) float64 {
	for i, g := range s.segs {
		if elapsed < s.at[i+1] {
			return s.cum[i] + g.Rate*(elapsed-s.at[i]).Seconds()
		}
	}
	return s.cum[len(s.cum)-1]
}

// tie is how close, in requests, a request's place may come to a
// segment's end and still fall at that end: a shard's phase is a float
// (i/N), and the whole load's request at the end of a segment, where a
// shard's place lands up to rounding, is the next segment's.
const tie = 1e-6

// Offset returns when the request with sequence number seq was due.
func (s *schedule) Offset(seq uint64) time.Duration {
	n := float64(seq) + s.phase
	for i, g := range s.segs {
		if n < s.cum[i+1]-tie && g.Rate > 0 {
			return s.at[i] + time.Duration((n-s.cum[i])/g.Rate*float64(time.Second))
		}
	}
	return s.Total()
}

// OfferedAt returns the offered rate at elapsed.
func (s *schedule) OfferedAt(elapsed time.Duration) float64 {
	for i, g := range s.segs {
		if elapsed < s.at[i+1] {
			return g.Rate
		}
	}
	return 0
}

// Pace implements vegeta.Pacer: send at once when behind, else wait for the
// next request's due time; stop at the end of the schedule.
func (s *schedule) Pace(elapsed time.Duration, hits uint64) (time.Duration, bool) {
	if elapsed >= s.Total() {
		return 0, true
	}
	if float64(hits)+s.phase < s.due(elapsed) {
		return 0, false
	}
	next := s.Offset(hits)
	if next >= s.Total() {
		return 0, true
	}
	return next - elapsed, false
}

// Rate implements vegeta.Pacer: the offered rate at elapsed.
func (s *schedule) Rate(elapsed time.Duration) float64 { return s.OfferedAt(elapsed) }
