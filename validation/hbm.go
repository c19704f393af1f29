package validation

import (
	"fmt"

	"github.com/roofsim/roofsim/sim/hbm"
)

// CheckHBMBench reports an HBM benchmark run that breaks a ceiling (a bug
// of the model): more than the HBM's peak, a PC's peak or a port's
// bandwidth in a direction.
func CheckHBMBench(r *hbm.BenchResult) error {
	const slack = 1 + 1e-9
	if peak := r.Config.HBM.PeakBytesPerSec() / 1e9; r.GBps > peak*slack {
		return fmt.Errorf("%.3f GB/s is above the HBM's %.1f GB/s", r.GBps, peak)
	}
	for _, pc := range r.PerPC {
		if pc.GBps > r.PCPeakGBps*slack {
			return fmt.Errorf("PC %d: %.3f GB/s is above a PC's %.1f GB/s", pc.PC, pc.GBps, r.PCPeakGBps)
		}
		if pc.ReadGBps > r.PortPeakGBps*slack || pc.WriteGBps > r.PortPeakGBps*slack {
			return fmt.Errorf("port %d: %.3f/%.3f GB/s is above its %.1f GB/s", pc.Port, pc.ReadGBps, pc.WriteGBps, r.PortPeakGBps)
		}
	}
	return nil
}
