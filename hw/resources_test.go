package hw

import (
	"errors"
	"strings"
	"testing"
)

// TestBufferBlocks: block counts from the UG573 shapes, worked by hand.
func TestBufferBlocks(t *testing.T) {
	for _, tc := range []struct {
		name        string
		shape       BufferShape
		bram18, ura int64
	}{
		// 512 words x 72 bit: one BRAM36 (512x72) = 2 BRAM18; one URAM
		// (4K x 72) though it is 1/8 full.
		{"one bram36", BufferShape{72, 512, 1}, 2, 1},
		// 1K x 18: one BRAM18; 2 banks double it.
		{"bram18 1kx18", BufferShape{18, 1024, 2}, 2, 2},
		// 512 bit x 16K: URAM 8 wide (576 bit) x 4 deep = 32 per bank;
		// BRAM18: 1Kx18 -> 29 x 16 = 464, 2Kx9 -> 57 x 8 = 456, 16Kx1 ->
		// 512; BRAM36 4Kx9 -> 2 x 57 x 4 = 456: 456 per bank.
		{"512b x 16K", BufferShape{512, 16384, 2}, 912, 64},
		// A 1-bit deep buffer still takes a block.
		{"tiny", BufferShape{1, 1, 1}, 1, 1},
		{"empty", BufferShape{}, 0, 0},
	} {
		if got := tc.shape.BRAM18Blocks(); got != tc.bram18 {
			t.Errorf("%s: %d BRAM18, want %d", tc.name, got, tc.bram18)
		}
		if got := tc.shape.URAMBlocks(); got != tc.ura {
			t.Errorf("%s: %d URAM, want %d", tc.name, got, tc.ura)
		}
	}
}

// TestEstimateFitAndRisks: per-SLR sums, a refusal naming the resource and
// the SLR, and the closure flags.
func TestEstimateFitAndRisks(t *testing.T) {
	p := U280()
	small := Design{Name: "small", Precision: Precisions()[2], ArrayRows: 16, ArrayCols: 16, Arrays: 1,
		Dataflow: OutputStationary, WeightBufferBytes: 64 * KiB, InputBufferBytes: 64 * KiB, OutputBufferBytes: 64 * KiB,
		VectorLanes: 16, HBMPorts: 4, PortBits: 256}
	e := small.EstimateResources(p, 8192, 8192)
	if err := e.Fit(); err != nil {
		t.Fatalf("a 16x16 array does not fit: %v", err)
	}
	if len(e.SLRs) != p.SLRs {
		t.Fatalf("%d SLRs, want %d", len(e.SLRs), p.SLRs)
	}
	if e.SLRs[1].Used != (Resources{}) || e.SLRs[0].Used.DSPs != 128 {
		t.Errorf("one int8 16x16 array on SLR0 takes 128 DSPs and nothing elsewhere: %+v", e.SLRs)
	}
	if got := e.Total(); got != e.SLRs[0].Used {
		t.Errorf("total %+v, SLR0 %+v", got, e.SLRs[0].Used)
	}
	if r := e.TimingRisks(); len(r) != 0 {
		t.Errorf("a small design is flagged: %v", r)
	}

	// 2,560 DSPs per array on 3,008 per SLR: 85% > 80%, flagged.
	busy := small
	busy.ArrayRows, busy.ArrayCols, busy.Arrays = 64, 80, 3
	r := busy.EstimateResources(p, 8192, 8192).TimingRisks()
	if len(r) != 3 || !strings.Contains(r[0], "SLR0 DSP48E2 at 85%") {
		t.Errorf("risks %v", r)
	}

	// A 64 MiB weight buffer cannot fit one SLR's URAM and BRAM.
	big := small
	big.WeightBufferBytes = 64 * MiB
	err := big.EstimateResources(p, 8192, 8192).Fit()
	if !errors.Is(err, ErrDoesNotFit) || !strings.Contains(err.Error(), "SLR0 needs") || !strings.Contains(err.Error(), "BRAM18") {
		t.Errorf("error %v", err)
	}
}

// TestLUTsPerDSP recomputes the PG367 marginal costs.
func TestLUTsPerDSP(t *testing.T) {
	if d := LUTsPerArrayDSP - 44758.0/518; d*d > 1e-18 {
		t.Errorf("LUTs per DSP %g", LUTsPerArrayDSP)
	}
	if d := FFsPerArrayDSP - 81323.0/518; d*d > 1e-18 {
		t.Errorf("FFs per DSP %g", FFsPerArrayDSP)
	}
}

// TestHardAverageRisk: the int8 preset's SLRs are flagged for their DSP,
// block RAM and UltraRAM shares together (report_failfast's 70% average).
func TestHardAverageRisk(t *testing.T) {
	d, err := DesignByName("int8")
	if err != nil {
		t.Fatal(err)
	}
	risks := d.EstimateResources(U280(), 8192, 8192).TimingRisks()
	n := 0
	for _, r := range risks {
		if strings.Contains(r, "DSP/BRAM/URAM average") {
			n++
		}
	}
	if n != U280SLRs {
		t.Errorf("%d SLRs flagged for the average, want %d: %v", n, U280SLRs, risks)
	}
}
