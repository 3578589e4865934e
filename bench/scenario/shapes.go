package scenario

import (
	"fmt"
	"math"
	"time"
)

// The built-in load kinds.
func init() {
	Register(Constant, constant{})
	Register(Linear, linear{})
	Register(Steps, steps{})
	Register(Closed, closed{})
	Register(Users, users{})
}

// constant: Rate per second for the duration.
type constant struct{}

func (constant) Check(l *Load, _ time.Duration) []string {
	if l.Rate <= 0 {
		return []string{"constant load needs rate > 0"}
	}
	return nil
}

func (constant) Schedule(l *Load, d time.Duration) []Segment { return []Segment{{l.Rate, d}} }

func (constant) Describe(l *Load, d time.Duration) string {
	return fmt.Sprintf("open, %g/s for %v", l.Rate, d)
}

// linear: from From to To per second over the duration, in one-second
// segments at the ramp's rate in their middle.
type linear struct{}

func (linear) Check(l *Load, _ time.Duration) []string {
	if l.From < 0 || l.To <= 0 {
		return []string{"linear load needs from >= 0 and to > 0"}
	}
	return nil
}

func (linear) Schedule(l *Load, d time.Duration) []Segment {
	secs := int(math.Ceil(d.Seconds()))
	var segs []Segment
	for i := 0; i < secs; i++ {
		frac := (float64(i) + 0.5) / float64(secs)
		segs = append(segs, Segment{l.From + (l.To-l.From)*frac, time.Second})
	}
	return segs
}

func (linear) Describe(l *Load, d time.Duration) string {
	return fmt.Sprintf("open, %g→%g/s over %v", l.From, l.To, d)
}

// steps: each rate of Rates for Step; or, before a run fills in its
// rates, shares of a capacity (Of, Fractions; Scenario.Scaled), whose
// steps have their length and no rate yet.
type steps struct{}

func (steps) Check(l *Load, _ time.Duration) []string {
	var errs []string
	if len(l.Rates) == 0 && len(l.Fractions) == 0 || l.Step.Duration <= 0 {
		errs = append(errs, "steps load needs rates (or of and fractions) and step")
	}
	if (l.Of == "") != (len(l.Fractions) == 0) || l.Of != "" && len(l.Rates) > 0 && len(l.Rates) != len(l.Fractions) {
		errs = append(errs, "steps load: fractions go with of (the scenario whose capacity they are shares of), and rates without them (Scaled sets one rate per fraction)")
	}
	for _, f := range l.Fractions {
		if f <= 0 {
			errs = append(errs, fmt.Sprintf("steps load: fraction %v: want > 0", f))
		}
	}
	return errs
}

func (steps) Schedule(l *Load, _ time.Duration) []Segment {
	segs := []Segment{}
	for _, r := range l.Rates {
		segs = append(segs, Segment{r, l.Step.Duration})
	}
	if len(l.Rates) == 0 {
		for range l.Fractions {
			segs = append(segs, Segment{0, l.Step.Duration})
		}
	}
	return segs
}

func (steps) Describe(l *Load, _ time.Duration) string {
	if len(l.Rates) == 0 && l.Of != "" {
		return fmt.Sprintf("open, steps at %v of %s's capacity, of %v", l.Fractions, l.Of, l.Step.Duration)
	}
	return fmt.Sprintf("open, steps %v/s of %v", l.Rates, l.Step.Duration)
}

// closed: Conns connections, each sending its next request when the
// answer to its last came.
type closed struct{}

func (closed) Check(l *Load, _ time.Duration) []string {
	if l.Conns <= 0 {
		return []string{"closed load needs conns > 0"}
	}
	return nil
}

func (closed) Schedule(*Load, time.Duration) []Segment { return nil }

func (closed) Describe(l *Load, d time.Duration) string {
	return fmt.Sprintf("closed, %d connections for %v", l.Conns, d)
}

// users: Users users spawned at SpawnRate per second, each thinking
// ThinkMin to ThinkMax between requests (Locust's model).
type users struct{}

func (users) Check(l *Load, _ time.Duration) []string {
	if l.Users <= 0 || l.SpawnRate <= 0 || l.ThinkMax.Duration < l.ThinkMin.Duration {
		return []string{"users load needs users > 0, spawn_rate > 0, think_max >= think_min"}
	}
	return nil
}

func (users) Schedule(*Load, time.Duration) []Segment { return nil }

func (users) Describe(l *Load, d time.Duration) string {
	return fmt.Sprintf("users, %d at %g/s, think %v–%v, for %v", l.Users, l.SpawnRate, l.ThinkMin.Duration, l.ThinkMax.Duration, d)
}
