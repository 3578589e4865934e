package scenario

import (
	"fmt"
	"sort"
	"time"
)

// Segment is a stretch of an open load at one offered rate.
type Segment struct {
	Rate   float64 // requests per second
	Length time.Duration
}

// Shape is a load kind: what its parameters must be, how an open one
// offers its rate over time, and how it reads in a few words. Kinds
// register themselves by name (Register), so that a new shape of load
// is one file: the generator paces any schedule, a shard scales its rates
// (Shard.Of), and the summary and the report name it by its kind.
type Shape interface {
	// Check lists what is wrong with l's parameters for a load that
	// runs d (the scenario's duration).
	Check(l *Load, d time.Duration) []string
	// Schedule is the offered rate over time of an open load; nil for
	// one whose clients wait for their answers (closed, users).
	Schedule(l *Load, d time.Duration) []Segment
	// Describe is the load in a few words, "open, 400/s for 5s".
	Describe(l *Load, d time.Duration) string
}

var shapes = map[string]Shape{}

// Register makes kind a load kind; it panics on a kind registered twice,
// a mistake of the program.
func Register(kind string, s Shape) {
	if _, ok := shapes[kind]; ok {
		panic("scenario: load kind " + kind + " registered twice")
	}
	shapes[kind] = s
}

// ShapeOf returns the shape of a load kind.
func ShapeOf(kind string) (Shape, bool) {
	s, ok := shapes[kind]
	return s, ok
}

// Kinds are the registered load kinds, sorted.
func Kinds() []string {
	var out []string
	for k := range shapes {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Segments is s's open schedule, its shape's and then a stress test's
// recovery; nil for a closed or users load, or an unknown kind.
func (s *Scenario) Segments() []Segment {
	sh, ok := shapes[s.Load.Kind]
	if !ok {
		return nil
	}
	segs := sh.Schedule(&s.Load, s.Duration.Duration)
	if segs != nil && s.Stress != nil {
		segs = append(segs, Segment{s.Stress.RecoveryRate, s.Stress.Recovery.Duration})
	}
	return segs
}

// MeanRate is an open load's offered rate over its whole schedule,
// weighted by time (a stress test's recovery included); 0 for a closed
// or users load.
func (s *Scenario) MeanRate() float64 {
	var n, secs float64
	for _, g := range s.Segments() {
		n += g.Rate * g.Length.Seconds()
		secs += g.Length.Seconds()
	}
	if secs == 0 {
		return 0
	}
	return n / secs
}

// Describe is s's load in a few words (Shape.Describe).
func (s *Scenario) Describe() string {
	sh, ok := shapes[s.Load.Kind]
	if !ok {
		return fmt.Sprintf("unknown load kind %q", s.Load.Kind)
	}
	return sh.Describe(&s.Load, s.Duration.Duration)
}
