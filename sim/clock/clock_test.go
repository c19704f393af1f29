package clock

import (
	"math"
	"testing"

	"github.com/roofsim/roofsim/hw"
	akita "github.com/sarchlab/akita/v3/sim"
)

func TestRoundTrip(t *testing.T) {
	for _, f := range []float64{300e6, 900e6, 1800e6} {
		d := New(f)
		for _, c := range []uint64{0, 1, 2, 3, 7, 1000, 3_400_000, 123_456_789, 10_000_000_000} {
			if got := d.Cycle(d.Time(c)); got != c {
				t.Errorf("%g Hz: Cycle(Time(%d)) = %d", f, c, got)
			}
			if got := d.Floor(d.Time(c)); got != c {
				t.Errorf("%g Hz: Floor(Time(%d)) = %d", f, c, got)
			}
		}
	}
}

func TestCrossDomain(t *testing.T) {
	hbm, kernel := New(900e6), New(300e6)
	cases := []struct{ hbmCycle, ceil, floor uint64 }{
		{0, 0, 0}, {1, 1, 0}, {2, 1, 0}, {3, 1, 1}, {4, 2, 1}, {9, 3, 3}, {3_000_001, 1_000_001, 1_000_000},
	}
	for _, c := range cases {
		tm := hbm.Time(c.hbmCycle)
		if got := kernel.Cycle(tm); got != c.ceil {
			t.Errorf("kernel.Cycle(hbm %d) = %d, want %d", c.hbmCycle, got, c.ceil)
		}
		if got := kernel.Floor(tm); got != c.floor {
			t.Errorf("kernel.Floor(hbm %d) = %d, want %d", c.hbmCycle, got, c.floor)
		}
	}
}

func TestCyclesOfSeconds(t *testing.T) {
	d := New(300e6)
	cases := []struct {
		sec  float64
		want uint64
	}{
		{0, 0}, {-1, 0}, {1 / 300e6, 1}, {1.5 / 300e6, 2}, {196608 / 300e6, 196608}, {(196608 + 1e-7) / 300e6, 196608}, {1e-3, 300_000},
	}
	for _, c := range cases {
		if got := d.Cycles(c.sec); got != c.want {
			t.Errorf("Cycles(%g s) = %d, want %d", c.sec, got, c.want)
		}
	}
}

// TestSaturation checks that a time beyond hw.MaxCycles cycles (or not a
// number) converts to hw.MaxCycles rather than an overflowed count, and
// that TimeNotBefore never returns a time before now.
func TestSaturation(t *testing.T) {
	d := New(300e6)
	for _, tm := range []akita.VTimeInSec{1e300, akita.VTimeInSec(math.Inf(1)), akita.VTimeInSec(math.NaN())} {
		if got := d.Cycle(tm); got != hw.MaxCycles && !math.IsNaN(float64(tm)) {
			t.Errorf("Cycle(%g) = %d, want %d", float64(tm), got, uint64(hw.MaxCycles))
		}
		if got := d.Floor(tm); got > hw.MaxCycles {
			t.Errorf("Floor(%g) = %d, above %d", float64(tm), got, uint64(hw.MaxCycles))
		}
	}
	now := d.Time(10) + 1e-12
	if got := d.TimeNotBefore(10, now); got != now {
		t.Errorf("TimeNotBefore(10, just after cycle 10) = %g, want now %g", float64(got), float64(now))
	}
	if got := d.TimeNotBefore(11, now); got != d.Time(11) {
		t.Errorf("TimeNotBefore(11) = %g, want %g", float64(got), float64(d.Time(11)))
	}
}

// TestLastEdge checks LastEdge against its definition: the last cycle
// whose Time is at or before t, for edge times, times just around them,
// and times converted from another clock.
func TestLastEdge(t *testing.T) {
	for _, f := range []float64{300e6, 450e6, 900e6, 1800e6} {
		d, other := New(f), New(f*2/3+1)
		for _, c := range []uint64{0, 1, 2, 3, 7, 1000, 3_400_000, 123_456_789, 10_000_000_000} {
			for _, tm := range []akita.VTimeInSec{d.Time(c), d.Time(c) * (1 + 1e-15), d.Time(c) * (1 - 1e-15), other.Time(c)} {
				got := d.LastEdge(tm)
				if got >= 0 && d.Time(uint64(got)) > tm || d.Time(uint64(got+1)) <= tm {
					t.Errorf("%g Hz: LastEdge(%.17g) = %d: Time(%d) = %.17g, Time(%d) = %.17g", f, float64(tm), got, got, float64(d.Time(uint64(max(got, 0)))), got+1, float64(d.Time(uint64(got+1))))
				}
			}
		}
		for c := int64(0); c <= hw.MaxCycles; c = c*3 + 1 {
			// link.Waker.TakeCycle relies on an edge's own cycle.
			if got := d.LastEdge(d.Time(uint64(c))); got != c {
				t.Errorf("%g Hz: LastEdge(Time(%d)) = %d", f, c, got)
			}
		}
		if got := d.LastEdge(-1e-9); got != -1 {
			t.Errorf("%g Hz: LastEdge before 0 = %d, want -1", f, got)
		}
	}
}

// TestExactCycles requires Cycle(Time(c)) == c below ExactCycles, for
// clocks of the model's range and cycles spread up to the bound.
func TestExactCycles(t *testing.T) {
	for _, f := range []float64{100e6, 300e6, 450e6, 900e6, 1800e6, 1e9 / 3} {
		d := New(f)
		for c := uint64(0); c < ExactCycles; c = c*5/4 + 1 {
			for _, x := range []uint64{c, ExactCycles - 1 - c} {
				if got := d.Cycle(d.Time(x)); got != x {
					t.Fatalf("%g Hz: Cycle(Time(%d)) = %d", f, x, got)
				}
			}
		}
	}
}
