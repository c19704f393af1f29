package hw

import (
	"math"
	"strings"
	"testing"
)

// TestBoardStatic recomputes the board's static power from the published
// rails of the idle U50 (XRT #5184) and checks the model's mechanism: a
// two-SLR card with the same HBM gives back the measured idle power when
// the model's idle HBM is added (nothing counted twice).
func TestBoardStatic(t *testing.T) {
	if got, want := U50IdleBoardW, 12.213*1.363+3.300*0.223; math.Abs(got-want) > 1e-12 {
		t.Errorf("U50 idle %g W, want %g", got, want)
	}
	p := U280()
	hbmIdle := 32 * (0.5*1.2*40e-3 + 0.5*1.2*(250-55)*260e-12/3.9e-6)
	if math.Abs(p.HBMIdleW()-hbmIdle) > 1e-12 {
		t.Errorf("HBM idle %g W, want %g", p.HBMIdleW(), hbmIdle)
	}
	vccint := 0.849 * 4.100
	if got, want := p.BoardStaticW(), U50IdleBoardW+vccint/2-hbmIdle; math.Abs(got-want) > 1e-12 || math.Abs(got-18.10) > 0.01 {
		t.Errorf("U280 board static %g W, want %g (18.10)", got, want)
	}
	two := p
	two.SLRs = 2
	if got := two.BoardStaticW() + two.HBMIdleW(); math.Abs(got-U50IdleBoardW) > 1e-12 {
		t.Errorf("a two-SLR card idles at %g W, the measured U50 at %g W", got, U50IdleBoardW)
	}
}

// TestAXIPortSignals counts one 256-bit AXI3 port by hand: address
// channels 2 x (33 + 6 + 4 + 3 + 2 + 2), write 256 + 32 + 3, read
// 256 + 6 + 2 + 1 + 2, response 6 + 2 + 2.
func TestAXIPortSignals(t *testing.T) {
	if got, want := AXIPortSignals(256, 33, 6), 2*50+291+267+10; got != want {
		t.Errorf("%d signals, want %d", got, want)
	}
	if SLLsPerBoundary != 23040 {
		t.Errorf("%d SLLs per boundary, want 480 x 8 x 6 = 23040", SLLsPerBoundary)
	}
}

// TestCrossings places three arrays (one per SLR) with six 256-bit ports
// and a 3 x 1,000-bit activation store: ports 1 and 4 (array 1, SLR1)
// cross the lower boundary, ports 2 and 5 (array 2, SLR2) both; every
// store slice has arrays across both boundaries, 2 x 334 bits each.
func TestCrossings(t *testing.T) {
	p := U280()
	d := Design{Name: "x", Precision: Precisions()[2], ArrayRows: 16, ArrayCols: 16, Arrays: 3, Dataflow: OutputStationary,
		WeightBufferBytes: 64 * KiB, InputBufferBytes: 64 * KiB, OutputBufferBytes: 64 * KiB, ActivationBufferBytes: MiB,
		VectorLanes: 16, HBMPorts: 6, PortBits: 256}
	port := AXIPortSignals(256, 33, 6)
	cs := d.EstimateCrossings(p, 1000, 1000)
	want := []BoundaryCrossing{{0, 4 * port, 3 * 2 * 334}, {1, 2 * port, 3 * 2 * 334}}
	if len(cs) != 2 || cs[0] != want[0] || cs[1] != want[1] {
		t.Errorf("crossings %+v, want %+v", cs, want)
	}
	if r := CrossingRisks(cs); len(r) != 0 {
		t.Errorf("risks %v", r)
	}
	d.ActivationBufferBytes = 0
	if cs := d.EstimateCrossings(p, 1000, 1000); cs[0].StoreSignals != 0 {
		t.Errorf("a design without a store sends %d store signals", cs[0].StoreSignals)
	}
	over := []BoundaryCrossing{{0, SLLsPerBoundary, 1}}
	if r := CrossingRisks(over); len(r) != 1 || !strings.Contains(r[0], "SLR0/SLR1") {
		t.Errorf("risks %v", r)
	}
}
