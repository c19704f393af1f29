// Package clock converts between Akita's virtual time (seconds, float64)
// and whole cycles of a clock domain, so that every timestamp of the model
// is an exact cycle of the clock of the part that produced it.
package clock

import (
	"math"

	"github.com/roofsim/roofsim/hw"
	akita "github.com/sarchlab/akita/v3/sim"
)

// tolerance absorbs the binary rounding of cycle/freq when a time is
// converted back to cycles.
const tolerance = 1e-6

// ExactCycles bounds the cycles that convert to a time and back to
// themselves: for c < ExactCycles, Cycle(Time(c)) == c in every domain
// (the two roundings of c/f*f err by at most c x 2^-52, under tolerance).
const ExactCycles = 1 << 31

// Domain is a clock domain of a fixed frequency.
type Domain struct {
	// FreqHz is the clock frequency in Hz.
	FreqHz float64
}

// New returns the clock domain of frequency freqHz.
func New(freqHz float64) Domain { return Domain{FreqHz: freqHz} }

// Time is the virtual time of the rising edge of cycle c.
func (d Domain) Time(c uint64) akita.VTimeInSec {
	return akita.VTimeInSec(float64(c) / d.FreqHz)
}

// Cycle is the first cycle whose edge is at or after time t, at most
// hw.MaxCycles (see Cycles).
func (d Domain) Cycle(t akita.VTimeInSec) uint64 { return d.Cycles(float64(t)) }

// Cycles is the whole cycles a duration of sec seconds takes, rounded up
// (a lower bound of sec seconds is one of Cycles(sec) cycles), at most
// hw.MaxCycles (a duration beyond it, or not a number, saturates there
// rather than overflow the conversion).
func (d Domain) Cycles(sec float64) uint64 {
	x := sec * d.FreqHz
	if x <= 0 {
		return 0
	}
	if !(x < hw.MaxCycles) {
		return hw.MaxCycles
	}
	return uint64(math.Ceil(x - tolerance))
}

// Floor is the last cycle whose edge is at or before time t, at most
// hw.MaxCycles.
func (d Domain) Floor(t akita.VTimeInSec) uint64 {
	x := float64(t) * d.FreqHz
	if x <= 0 {
		return 0
	}
	if !(x < hw.MaxCycles) {
		return hw.MaxCycles
	}
	return uint64(math.Floor(x + tolerance))
}

// LastEdge is the last cycle whose edge time (Time) is at or before t
// exactly, with no tolerance (-1 when even cycle 0's is later): a queue
// of cycles holds the values due at t as those at or before LastEdge(t),
// and compares integers instead of converting each cycle to a time.
// Time grows with the cycle, so the cycles due form a prefix.
func (d Domain) LastEdge(t akita.VTimeInSec) int64 {
	c := int64(d.Floor(t))
	for c >= 0 && d.Time(uint64(c)) > t {
		c--
	}
	for c+1 <= hw.MaxCycles && d.Time(uint64(c+1)) <= t {
		c++
	}
	return c
}

// TimeNotBefore is the time of cycle c's edge, or now when that edge
// lies before now (a cycle of this clock converted back from a time of
// another clock may round below it by a fraction of a cycle): an event
// scheduled at it is never in the past.
func (d Domain) TimeNotBefore(c uint64, now akita.VTimeInSec) akita.VTimeInSec {
	return max(d.Time(c), now)
}

// Seconds is the duration of n cycles in seconds.
func (d Domain) Seconds(n uint64) float64 { return float64(n) / d.FreqHz }
