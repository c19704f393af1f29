package roofline

import (
	"math"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/workload"
)

// Bound names what limits a kernel under the roofline.
type Bound string

// The two roofline bounds.
const (
	BoundMemory  Bound = "memory"
	BoundCompute Bound = "compute"
)

// Roofline is the analytical roofline of one kernel (or of ops and bytes)
// under one set of ceilings.
type Roofline struct {
	// Ops is the kernel's arithmetic operations (2 per MAC for a matmul).
	Ops float64
	// Bytes is the traffic in bytes; for Analyze the ideal bytes: every
	// weight, input and output element moved once, (KN + MK + MN) x bytes
	// per element for a GEMM.
	Bytes float64
	// OI is the operational intensity in ops per byte (+Inf without bytes).
	OI float64
	// AttainableOpsPerSec is the performance the bound allows in ops per
	// second: min(peak, bandwidth x OI) for the seed model.
	AttainableOpsPerSec float64
	// Bound is the ceiling that sets LowerBoundSec.
	Bound Bound
	// ComputeSec is ops / peak in seconds.
	ComputeSec float64
	// MemorySec is the time of the bytes at the memory ceiling in seconds.
	MemorySec float64
	// LowerBoundSec is the lower-bound time, max(ComputeSec, MemorySec), in
	// seconds.
	LowerBoundSec float64
}

// IdealBytes is the ideal traffic of kernel k in precision p, in bytes:
// weights at the weight width, inputs and outputs at the activation width.
func IdealBytes(k workload.Kernel, p hw.Precision) float64 {
	return p.WeightBytes(k.WeightElems) + p.ActBytes(k.InputElems+k.OutputElems)
}

// OI is the operational intensity of ops over bytes in ops per byte, +Inf
// when nothing moves.
func OI(ops, bytes float64) float64 {
	if bytes > 0 {
		return ops / bytes
	}
	return math.Inf(1)
}

// Attainable is the seed roofline's attainable performance at operational
// intensity oi (ops per byte) under ceilings c, in ops per second:
// min(peak, bandwidth x oi).
func Attainable(oi float64, c hw.Ceilings) float64 {
	return math.Min(c.PeakOpsPerSec, c.BWBytesPerSec*oi)
}

// Analyze computes the seed roofline of kernel k in precision p under
// ceilings c, every operand moved once.
func Analyze(k workload.Kernel, p hw.Precision, c hw.Ceilings) Roofline {
	return Seed(float64(k.Ops), IdealBytes(k, p), c)
}

// Seed is the seed notebook's roofline of ops and bytes under ceilings c:
// one bandwidth for reads and writes together.
func Seed(ops, bytes float64, c hw.Ceilings) Roofline {
	r := Roofline{Ops: ops, Bytes: bytes, OI: OI(ops, bytes)}
	r.AttainableOpsPerSec = Attainable(r.OI, c)
	r.Bound = BoundCompute
	if c.BWBytesPerSec*r.OI < c.PeakOpsPerSec {
		r.Bound = BoundMemory
	}
	r.ComputeSec = ops / c.PeakOpsPerSec
	r.MemorySec = bytes / c.BWBytesPerSec
	r.LowerBoundSec = math.Max(r.ComputeSec, r.MemorySec)
	return r
}
