package compute

import (
	"fmt"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sim/hbm"
	akita "github.com/sarchlab/akita/v3/sim"
)

// HBMMemory is the MemoryFactory of the HBM model (package hbm) with its
// default parameters, the design's port width and kernel clock, and the PC
// interleave set to the DMA's default interleave (4 KiB), so that the DMA's
// port i reaches pseudo-channel i without crossing the switch when the
// design uses all 32 ports.
func HBMMemory(engine akita.Engine, d hw.Design, p hw.Platform) (MemorySystem, error) {
	sys, err := hbm.MakeBuilder().
		WithEngine(engine).
		WithConfig(p.HBM).
		WithPortBits(d.PortBits).
		WithKernelFreqHz(d.ClockHz(p)).
		WithInterleaveBytes(DMADefaultRequestBytes).
		Build("U280.HBM")
	if err != nil {
		return nil, err
	}
	if sys.NumPorts() < d.HBMPorts {
		return nil, fmt.Errorf("the HBM has %d ports, the design uses %d", sys.NumPorts(), d.HBMPorts)
	}
	return sys, nil
}
