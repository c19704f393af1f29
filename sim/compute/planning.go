package compute

import (
	"github.com/roofsim/roofsim/workload"
)

// planBandwidth is the off-chip bandwidth the tiler weighs tilings with, in
// bytes per cycle; 0 is unlimited.
func (s *Simulator) planBandwidth() float64 {
	if s.opts.Memory != nil {
		return s.design.MemBytesPerSec(s.platform) / s.clock.FreqHz
	}
	ic := s.opts.IdealMemory
	return ic.PortRate() * float64(ic.Ports)
}

// Plan returns how kernel k maps onto the design.
func (s *Simulator) Plan(k workload.Kernel) (*Plan, error) { return s.plan(k, nil) }

// PlanFused returns how matmul k maps onto the design with elementwise
// kernel e fused into it as an epilogue: the vector unit of each array
// applies e to the array's output tiles as their folds drain, while the
// array works on, and the tile written back is e's output. e must read k's
// output element for element (with at most one more operand of the same
// shape, the side operand: a residual stream, a gate) and have no weights
// or parameters; a row-wise e (softmax) needs output tiles of whole rows.
// It returns an error when e cannot be fused or no tiling fits.
func (s *Simulator) PlanFused(k, e workload.Kernel) (*Plan, error) { return s.plan(k, &e) }

func (s *Simulator) plan(k workload.Kernel, e *workload.Kernel) (*Plan, error) {
	key := planKey{kind: k.Kind, m: k.M, k: k.K, n: k.N, batch: k.Batch, weight: k.WeightElems, bias: k.BiasElems,
		input: k.InputElems, out: k.OutputElems, ops: k.Ops}
	if e != nil {
		key.epi = kernelShape{e.Kind, e.M, e.N, e.Batch, e.WeightElems, e.BiasElems, e.InputElems, e.Ops}
	}
	if p, ok := s.plans[key]; ok {
		q := *p
		q.Kernel = k
		if e != nil {
			ec := *e
			q.Epilogue = &ec
		}
		return &q, nil
	}
	if err := EstimateKernel(k, s.design, s.platform).Check(s.opts.Limits); err != nil {
		return nil, err
	}
	p, err := newPlan(k, e, s.cfg)
	if err != nil {
		return nil, err
	}
	s.plans[key] = p
	return p, nil
}
