package compute_test

import (
	"math"
	"testing"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sim/compute"
)

// gemvDesign is a design whose arrays eat weights faster than 16 ports
// bring them (2 arrays x 512 int8 columns = 1 KiB per cycle, 16 x 32 B
// ports = 512 B per cycle), so that a GEMV on it is bound by memory.
func gemvDesign(ports int) hw.Design {
	return hw.Design{Name: "gemv", Precision: hw.Precisions()[2], ArrayRows: 2, ArrayCols: 512, Arrays: 2,
		Dataflow: hw.OutputStationary, WeightBufferBytes: 2 * hw.MiB, InputBufferBytes: hw.MiB, OutputBufferBytes: hw.MiB,
		VectorLanes: 64, HBMPorts: ports, PortBits: 256}
}

// runGEMV simulates a 4096x4096 int8 GEMV (M = 1) on the HBM model with
// the design's data placed on its PCs, and returns its cycles and the
// bytes each PC moved.
func runGEMV(t *testing.T, d hw.Design, p hw.Platform) (int64, []int64) {
	t.Helper()
	opts := compute.DefaultOptions(d, p)
	if err := compute.PlaceOnHBM(&opts, d, p); err != nil {
		t.Fatal(err)
	}
	sim, err := compute.NewSimulator(d, p, opts)
	if err != nil {
		t.Fatal(err)
	}
	st, err := sim.Run(compute.NewBatchedGEMM("gemv", 1, 4096, 4096, 1))
	if err != nil {
		t.Fatal(err)
	}
	return st.Cycles, sim.DMAStats().BytesReadPerPC
}

// TestPlacementPerPort: a 16-port design on the stock U280 runs a
// sequential GEMV as fast (within 5%) as on a platform that has only
// those 16 PCs, because each operand lies on the PCs of the ports that
// read it; no byte lands on a PC the design has no port for. Before
// per-port placement, gemm interleaved over all 32 PCs and the same GEMV
// took 4.8x longer, half its traffic crossing the switch.
func TestPlacementPerPort(t *testing.T) {
	d := gemvDesign(16)
	stock := hw.U280()
	only16 := hw.U280()
	only16.Name, only16.HBM.Stacks, only16.HBM.PseudoChannels = "u280-16pc", 1, 16
	cStock, perPC := runGEMV(t, d, stock)
	c16, _ := runGEMV(t, d, only16)
	if r := float64(cStock) / float64(c16); math.Abs(r-1) > 0.05 {
		t.Errorf("16 ports on the U280: %d cycles, on a 16-PC platform: %d (ratio %.3f, want within 5%%)", cStock, c16, r)
	}
	for pc, b := range perPC {
		if pc >= 16 && b != 0 {
			t.Errorf("PC %d moved %d bytes; the design has ports for PCs 0..15 only", pc, b)
		}
		if pc < 16 && b == 0 {
			t.Errorf("PC %d moved no bytes", pc)
		}
	}
	// Bound by memory: at least the weights over 16 ports' 32 B per cycle.
	if min := int64(4096 * 4096 / (16 * 32)); cStock < min {
		t.Errorf("%d cycles is below the ports' bound of %d", cStock, min)
	}
}
