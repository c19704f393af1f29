package validation

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

// Roofline is the analytical roofline of one kernel under one precision and
// one set of ceilings (DESIGN.md, "Roofline").
type Roofline struct {
	// Ops is the kernel's arithmetic operations (2 per MAC for a matmul).
	Ops float64
	// Bytes is the ideal traffic in bytes: every weight, input and output
	// element moved once, (KN + MK + MN) x bytes per element for a GEMM.
	Bytes float64
	// OI is the operational intensity in ops per byte.
	OI float64
	// AttainableOpsPerSec is min(peak, bandwidth x OI).
	AttainableOpsPerSec float64
	// Bound is memory when bandwidth x OI is below the peak, else compute.
	Bound Bound
	// ComputeSec is ops / peak in seconds.
	ComputeSec float64
	// MemorySec is bytes / bandwidth in seconds.
	MemorySec float64
	// LowerBoundSec is the kernel's lower-bound time, max(ComputeSec,
	// MemorySec), in seconds.
	LowerBoundSec float64
}

// IdealBytes is the ideal traffic of kernel k in precision p, in bytes:
// weights at the weight width, inputs and outputs at the activation width.
func IdealBytes(k workload.Kernel, p hw.Precision) float64 {
	return p.WeightBytes(k.WeightElems) + p.ActBytes(k.InputElems+k.OutputElems)
}

// Analyze computes the roofline of kernel k in precision p under ceilings c.
func Analyze(k workload.Kernel, p hw.Precision, c hw.Ceilings) Roofline {
	return roofline(float64(k.Ops), IdealBytes(k, p), c)
}

// roofline is the seed notebook's model for ops and bytes under ceilings c.
func roofline(ops, bytes float64, c hw.Ceilings) Roofline {
	r := Roofline{Ops: ops, Bytes: bytes}
	if bytes > 0 {
		r.OI = ops / bytes
	} else {
		r.OI = math.Inf(1)
	}
	memRoof := c.BWBytesPerSec * r.OI
	r.AttainableOpsPerSec = math.Min(c.PeakOpsPerSec, memRoof)
	r.Bound = BoundCompute
	if memRoof < c.PeakOpsPerSec {
		r.Bound = BoundMemory
	}
	r.ComputeSec = ops / c.PeakOpsPerSec
	r.MemorySec = bytes / c.BWBytesPerSec
	r.LowerBoundSec = math.Max(r.ComputeSec, r.MemorySec)
	return r
}

// Total is the roofline of a group of kernels (a stage or a scenario): ops
// and bytes summed, the lower bound the sum of the kernels' bounds (each
// kernel waits for its own limit), and the bound kind of the larger share.
type Total struct {
	// Name is the group's name (a stage, or "total").
	Name string
	// Kernels is the number of kernels in the group.
	Kernels int
	// Ops is the group's operations.
	Ops float64
	// Bytes is the group's ideal bytes.
	Bytes float64
	// LowerBoundSec is the sum of the kernels' lower-bound times in seconds.
	LowerBoundSec float64
	// MemoryBoundSec is the part of LowerBoundSec spent in memory-bound kernels.
	MemoryBoundSec float64
}

// OI is the group's operational intensity in ops per byte.
func (t Total) OI() float64 { return t.Ops / t.Bytes }

// AchievedOpsPerSec is the group's ops over its lower-bound time.
func (t Total) AchievedOpsPerSec() float64 { return t.Ops / t.LowerBoundSec }

// Bound is the bound that takes the larger share of the group's time.
func (t Total) Bound() Bound {
	if t.MemoryBoundSec*2 >= t.LowerBoundSec {
		return BoundMemory
	}
	return BoundCompute
}

// add accumulates one kernel's roofline.
func (t *Total) add(r Roofline) {
	t.Kernels++
	t.Ops += r.Ops
	t.Bytes += r.Bytes
	t.LowerBoundSec += r.LowerBoundSec
	if r.Bound == BoundMemory {
		t.MemoryBoundSec += r.LowerBoundSec
	}
}

// KernelRoofline is one kernel with its roofline.
type KernelRoofline struct {
	Kernel workload.Kernel
	Roofline
}

// Analysis is the roofline of a whole kernel list.
type Analysis struct {
	// Precision and Ceilings are what the analysis used.
	Precision hw.Precision
	Ceilings  hw.Ceilings
	// Kernels are the kernels in order with their rooflines.
	Kernels []KernelRoofline
	// Stages are the per-stage totals in execution order (stages without
	// kernels are left out).
	Stages []Total
	// Total is the whole list's total.
	Total Total
}

// AnalyzeAll computes the roofline of every kernel and the totals per stage
// and for the whole list.
func AnalyzeAll(ks []workload.Kernel, p hw.Precision, c hw.Ceilings) Analysis {
	a := Analysis{Precision: p, Ceilings: c, Total: Total{Name: "total"}}
	byStage := make(map[workload.Stage]*Total)
	for _, k := range ks {
		r := Analyze(k, p, c)
		a.Kernels = append(a.Kernels, KernelRoofline{Kernel: k, Roofline: r})
		t, ok := byStage[k.Stage]
		if !ok {
			t = &Total{Name: string(k.Stage)}
			byStage[k.Stage] = t
		}
		t.add(r)
		a.Total.add(r)
	}
	for _, s := range workload.Stages() {
		if t, ok := byStage[s]; ok {
			a.Stages = append(a.Stages, *t)
		}
	}
	return a
}
