package roofline

import (
	"math"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/workload"
)

// InHBM says which of a kernel's operands live in HBM (the others stay on
// chip).
type InHBM struct {
	// Inputs is the left operand (the activations a kernel reads).
	Inputs bool
	// Weights is the right operand: the weights, or K^T / V of an
	// attention matmul.
	Weights bool
	// Outputs is the kernel's result.
	Outputs bool
}

// AllInHBM places every operand in HBM.
func AllInHBM() InHBM { return InHBM{Inputs: true, Weights: true, Outputs: true} }

// HBMBytes is the ideal bytes kernel k in precision p reads from and writes
// to HBM when the operands in places are in HBM, in bytes. For an attention
// matmul the right-hand operand (K^T or V) is an activation counted in
// InputElems; it goes with Weights.
func HBMBytes(k workload.Kernel, p hw.Precision, in InHBM) (readBytes, writeBytes float64) {
	left, right := p.ActBytes(k.InputElems), p.WeightBytes(k.WeightElems)
	if k.Kind == workload.KindAttention {
		l := k.Batch * k.M * k.K
		left, right = p.ActBytes(l), p.ActBytes(k.InputElems-l)
	}
	if in.Inputs {
		readBytes += left
	}
	if in.Weights {
		readBytes += right
	}
	if in.Outputs {
		writeBytes = p.ActBytes(k.OutputElems)
	}
	return readBytes, writeBytes
}

// Design is a kernel's lower bound on design d of platform plat: max(ops /
// peak, the memory time of its HBM bytes). An AXI port has separate read
// and write data channels, each of the port's width, so reads and writes
// each take at least their bytes over the ports' bandwidth, and together at
// least their bytes over the HBM peak of the pseudo-channels the kernel's
// bytes live on (the design's PCs, over which its data is interleaved).
// With reads or writes alone this is bytes / d.MemBytesPerSec, the seed's
// roofline. Times are in seconds.
func Design(ops, readBytes, writeBytes float64, d hw.Design, plat hw.Platform) Roofline {
	ports := d.PortBytesPerSec(plat)
	pcs := math.Min(plat.HBM.PeakBytesPerSec(), float64(d.PCs())*plat.HBM.PCBytesPerSec())
	r := Roofline{Ops: ops, Bytes: readBytes + writeBytes, OI: OI(ops, readBytes+writeBytes)}
	r.ComputeSec = ops / d.PeakOpsPerSec(plat)
	r.MemorySec = math.Max(math.Max(readBytes/ports, writeBytes/ports), (readBytes+writeBytes)/pcs)
	r.LowerBoundSec = math.Max(r.ComputeSec, r.MemorySec)
	r.Bound = BoundCompute
	if r.MemorySec > r.ComputeSec {
		r.Bound = BoundMemory
	}
	r.AttainableOpsPerSec = ops / r.LowerBoundSec
	return r
}
