package validation

import (
	"fmt"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/roofline"
	"github.com/roofsim/roofsim/sim/clock"
	"github.com/roofsim/roofsim/sim/compute"
)

// GEMMCheck is one GEMM simulated on the compute arrays next to its
// roofline on the design's ceilings, every operand moved once.
type GEMMCheck struct {
	// Stats is what the simulation measured.
	Stats compute.KernelStats
	// Roofline is the seed model under the design's ceilings.
	Roofline roofline.Roofline
	// BoundCycles is Roofline's lower bound in kernel cycles, rounded up.
	BoundCycles int64
}

// CheckGEMMs puts every simulated GEMM of sts next to its roofline on
// design d of platform p. The error names the first GEMM whose simulated
// time is below its bound (a bug of the model); the checks are returned
// with it.
func CheckGEMMs(sts []compute.KernelStats, d hw.Design, p hw.Platform) ([]GEMMCheck, error) {
	ceil, clk := d.Ceilings(p), clock.New(d.ClockHz(p))
	var beaten error
	cs := make([]GEMMCheck, 0, len(sts))
	for _, st := range sts {
		r := roofline.Analyze(st.Kernel, d.Precision, ceil)
		c := GEMMCheck{Stats: st, Roofline: r, BoundCycles: int64(clk.Cycles(r.LowerBoundSec))}
		if st.Seconds() < r.LowerBoundSec*(1-1e-12) && beaten == nil {
			beaten = fmt.Errorf("GEMM %s: %d simulated cycles beat the roofline bound of %d cycles", st.Kernel.Name, st.Cycles, c.BoundCycles)
		}
		cs = append(cs, c)
	}
	return cs, beaten
}
