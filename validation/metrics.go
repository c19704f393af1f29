package validation

import "github.com/roofsim/roofsim/sim/accel"

// FrameIntervalSeconds is the time between two frames in the steady state:
// the latency, or with a pipelined design the longer part's time.
func (c Comparison) FrameIntervalSeconds() float64 {
	if iv := c.Result.FrameIntervalCycles; iv > 0 {
		return float64(iv) / c.Result.FreqHz
	}
	return c.Seconds()
}

// FPS is the frames per second the design sustains: 1 / frame interval.
func (c Comparison) FPS() float64 { return 1 / c.FrameIntervalSeconds() }

// AchievedOpsPerSec is the pass's ops over its simulated time.
func (c Comparison) AchievedOpsPerSec() float64 { return c.Total.Ops / c.Seconds() }

// AchievedBytesPerSec is the pass's HBM traffic over its simulated time.
func (c Comparison) AchievedBytesPerSec() float64 { return float64(c.Total.HBMBytes) / c.Seconds() }

// PlacementText abbreviates a placement as inputs/weights/outputs.
func PlacementText(p accel.Placement) string {
	short := func(l accel.Location) string {
		switch l {
		case accel.OnChip:
			return "chip"
		case "":
			return "none"
		}
		return string(l)
	}
	return short(p.Inputs) + "/" + short(p.Weights) + "/" + short(p.Outputs)
}
