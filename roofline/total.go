package roofline

import (
	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/workload"
)

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
	// MemoryBoundSec is the part of LowerBoundSec spent in memory-bound
	// kernels, in seconds.
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

// Add accumulates one kernel's roofline into the group.
func (t *Total) Add(r Roofline) {
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

// AnalyzeAll computes the seed roofline of every kernel and the totals per
// stage and for the whole list.
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
		t.Add(r)
		a.Total.Add(r)
	}
	for _, s := range workload.Stages() {
		if t, ok := byStage[s]; ok {
			a.Stages = append(a.Stages, *t)
		}
	}
	return a
}
