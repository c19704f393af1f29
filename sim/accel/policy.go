package accel

import (
	"fmt"

	"github.com/roofsim/roofsim/workload"
)

// PolicyTiming is a simulated policy call (a scenario with a Policy) split
// into its parts. The call is one pass: the prefix's kernels, then the
// expert's kernels of each flow-matching step; each kernel starts in the
// cycle the previous one ends, so the parts add up to the call. Cycles are
// of the design's kernel clock.
type PolicyTiming struct {
	// PrefixCycles is the prefix's time: from the call's start to the end
	// of its last kernel (vision, connector, state projection and text
	// layers).
	PrefixCycles int64
	// VisionCycles, ConnectorCycles and TextCycles split the prefix by
	// stage: the sum of their kernels' cycles.
	VisionCycles, ConnectorCycles, TextCycles int64
	// StepCycles is each flow-matching step's time: from the end of the
	// part before it to the end of its last kernel.
	StepCycles []int64
	// StepsCycles is the sum of StepCycles.
	StepsCycles int64
	// TotalCycles is the call's latency, PrefixCycles + StepsCycles.
	TotalCycles int64
}

// Policy splits res, the simulated pass of a policy scenario's graph g
// with steps flow-matching steps, into the prefix and the steps (see
// workload.PolicySplit). It is an error when res does not hold g's
// kernels in order or its time is not the sum of the parts.
func Policy(res *Result, g *workload.Graph, steps int) (PolicyTiming, error) {
	prefix, perStep, err := workload.PolicySplit(g, steps)
	if err != nil {
		return PolicyTiming{}, fmt.Errorf("accel: %w", err)
	}
	if res == nil || len(res.Kernels) != len(g.Ops) {
		return PolicyTiming{}, fmt.Errorf("accel: policy: the result does not hold the graph's %d kernels", len(g.Ops))
	}
	if prefix == 0 {
		return PolicyTiming{}, fmt.Errorf("accel: policy: the graph has no prefix")
	}
	var pt PolicyTiming
	for i, kr := range res.Kernels {
		if kr.Kernel.Name != g.Ops[i].Name {
			return PolicyTiming{}, fmt.Errorf("accel: policy: kernel %d is %s, the graph's is %s", i, kr.Kernel.Name, g.Ops[i].Name)
		}
		if i >= prefix {
			continue
		}
		switch kr.Kernel.Stage {
		case workload.StageVision:
			pt.VisionCycles += kr.Cycles
		case workload.StageConnector:
			pt.ConnectorCycles += kr.Cycles
		default:
			pt.TextCycles += kr.Cycles
		}
	}
	end := func(i int) int64 { return res.Kernels[i].EndCycle }
	pt.PrefixCycles = end(prefix - 1)
	last := pt.PrefixCycles
	for s := range steps {
		e := end(prefix + (s+1)*perStep - 1)
		pt.StepCycles = append(pt.StepCycles, e-last)
		pt.StepsCycles += e - last
		last = e
	}
	pt.TotalCycles = pt.PrefixCycles + pt.StepsCycles
	if pt.TotalCycles != res.TotalCycles {
		return PolicyTiming{}, fmt.Errorf("accel: policy: prefix %d + steps %d cycles is not the pass's %d", pt.PrefixCycles, pt.StepsCycles, res.TotalCycles)
	}
	return pt, nil
}
