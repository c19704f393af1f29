package hw

import "fmt"

// Ceilings are the two roofs of a roofline: a compute peak and a memory
// bandwidth.
type Ceilings struct {
	// Name says where the ceilings come from: "seed" or "design <name>".
	Name string
	// PeakOpsPerSec is the compute ceiling in operations per second.
	PeakOpsPerSec float64
	// BWBytesPerSec is the memory bandwidth the bound is computed with, in
	// bytes per second.
	BWBytesPerSec float64
	// PeakBWBytesPerSec is the memory system's peak bandwidth in bytes per
	// second (equal to BWBytesPerSec for a design).
	PeakBWBytesPerSec float64
}

// The seed notebook's device ceilings (its own assumptions, kept exactly).
const (
	SeedFP32OpsPerSec = 5.41e12
	SeedBF16OpsPerSec = 5.41e12
	SeedINT8OpsPerSec = 18.6e12
	SeedINT4OpsPerSec = 37.2e12
	// SeedPeakBWBytesPerSec is the notebook's "460 GB/s (Peak)".
	SeedPeakBWBytesPerSec = 460e9
	// SeedRealBWBytesPerSec is the notebook's "300 GB/s (Realistic)", the
	// memory wall of its charts and bounds.
	SeedRealBWBytesPerSec = 300e9
)

// SeedCeilings returns the seed notebook's ceilings for precision p: its
// device peak and its realistic 300 GB/s memory wall.
func SeedCeilings(p Precision) (Ceilings, error) {
	peaks := map[string]float64{
		"fp32": SeedFP32OpsPerSec, "bf16": SeedBF16OpsPerSec,
		"int8": SeedINT8OpsPerSec, "int4": SeedINT4OpsPerSec,
	}
	peak, ok := peaks[p.Name]
	if !ok {
		return Ceilings{}, fmt.Errorf("seed ceilings: the notebook has no ceiling for %q (accepted: fp32|bf16|int8|int4)", p.Name)
	}
	return Ceilings{
		Name:              "seed",
		PeakOpsPerSec:     peak,
		BWBytesPerSec:     SeedRealBWBytesPerSec,
		PeakBWBytesPerSec: SeedPeakBWBytesPerSec,
	}, nil
}

// Ceilings returns the design's own ceilings on platform p: the peak of the
// DSPs it uses and the lower of its ports' and its PCs' bandwidth.
func (d Design) Ceilings(p Platform) Ceilings {
	bw := d.MemBytesPerSec(p)
	return Ceilings{
		Name:              "design " + d.Name,
		PeakOpsPerSec:     d.PeakOpsPerSec(p),
		BWBytesPerSec:     bw,
		PeakBWBytesPerSec: bw,
	}
}

// RidgeOI is the operational intensity (ops per byte) where the memory wall
// meets the compute ceiling.
func (c Ceilings) RidgeOI() float64 { return c.PeakOpsPerSec / c.BWBytesPerSec }
