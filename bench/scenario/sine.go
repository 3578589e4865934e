package scenario

import (
	"fmt"
	"math"
	"time"
)

// Sine is an open load whose rate swings like a day's traffic: from From
// up to To and back down once every Step, for the duration, in sixteen
// segments a period at the wave's rate in their middle. It is the
// registry's own example: a shape of load in one file.
const Sine = "sine"

func init() { Register(Sine, sine{}) }

type sine struct{}

// sinePieces is how many segments of constant rate draw one period.
const sinePieces = 16

func (sine) Check(l *Load, d time.Duration) []string {
	var errs []string
	if l.From < 0 || l.To <= l.From {
		errs = append(errs, "sine load needs 0 <= from < to")
	}
	if l.Step.Duration <= 0 || l.Step.Duration > d {
		errs = append(errs, "sine load needs a period (step) > 0 and within the duration")
	}
	return errs
}

func (sine) Schedule(l *Load, d time.Duration) []Segment {
	piece := l.Step.Duration / sinePieces
	if piece <= 0 {
		return []Segment{}
	}
	var segs []Segment
	for t := time.Duration(0); t < d; t += piece {
		length := min(piece, d-t)
		mid := (t + length/2).Seconds() / l.Step.Seconds()
		segs = append(segs, Segment{l.From + (l.To-l.From)*(1-math.Cos(2*math.Pi*mid))/2, length})
	}
	return segs
}

func (sine) Describe(l *Load, d time.Duration) string {
	return fmt.Sprintf("open, %g↔%g/s every %v for %v", l.From, l.To, l.Step.Duration, d)
}
