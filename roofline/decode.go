package roofline

import "github.com/roofsim/roofsim/hw"

// DecodeStep is the lower bound of one decode step on design d of
// platform plat: the step's ops at the design's peak, and the bytes it
// must read from HBM (every weight, weightBytes, and the KV cache,
// kvBytes) at the design's memory ceiling (see Design). A decode step
// moves one token per sequence through every weight, so on any realistic
// design it is memory-bound: its time per output token is at least
// (weightBytes + kvBytes) / the HBM bandwidth. Times are in seconds.
func DecodeStep(ops, weightBytes, kvBytes float64, d hw.Design, plat hw.Platform) Roofline {
	return Design(ops, weightBytes+kvBytes, 0, d, plat)
}
