package clock

import "testing"

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
