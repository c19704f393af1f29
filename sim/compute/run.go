package compute

import (
	"fmt"
	"github.com/roofsim/roofsim/sim/simerr"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/workload"
)

// Run simulates kernel k with every operand in off-chip memory, starting
// when the previous kernel ended.
func (s *Simulator) Run(k workload.Kernel) (KernelStats, error) {
	p, err := s.Plan(k)
	if err != nil {
		return KernelStats{}, err
	}
	s.resetEngines()
	s.ctrl.finished = nil
	s.ctrl.begin(p, Binding{}, nil, Binding{})
	if err := s.engine.Run(); err != nil {
		return KernelStats{}, fmt.Errorf("compute: kernel %s: %w", k.Name, err)
	}
	if err := s.check(k.Name); err != nil {
		return KernelStats{}, err
	}
	return s.stats(p), nil
}

// Job is a kernel and where its operands live.
type Job struct {
	// Kernel is the kernel to run.
	Kernel workload.Kernel
	// Epilogue, when set, is an elementwise kernel fused into Kernel (see
	// PlanFused); the job's output is the epilogue's.
	Epilogue *workload.Kernel
	// Binding places its operands (the zero Binding: all off chip at the
	// plan's addresses). An epilogue with a side operand needs it bound.
	Binding Binding
}

// RunJobs simulates the jobs back to back in one run of the engine: each
// kernel starts in the cycle the previous one ended. done is called at the
// end of every kernel, inside the simulation and in the kernel's end cycle,
// with its statistics; when it returns an error, no further kernel starts
// and RunJobs returns that error.
func (s *Simulator) RunJobs(jobs []Job, done func(i int, st KernelStats) error) error {
	if len(jobs) == 0 {
		return nil
	}
	ks := make([]workload.Kernel, len(jobs))
	for i, j := range jobs {
		ks[i] = j.Kernel
	}
	if err := EstimateKernels(ks, s.design, s.platform).Check(s.opts.Limits); err != nil {
		return err
	}
	plans := make([]*Plan, len(jobs))
	for i, j := range jobs {
		p, err := s.plan(j.Kernel, j.Epilogue)
		if err != nil {
			return err
		}
		if p.epi.sideBits > 0 && len(j.Binding.Operands[Side]) == 0 {
			return fmt.Errorf("compute: kernel %s: its epilogue %s reads a side operand, which the job does not bind", j.Kernel.Name, j.Epilogue.Name)
		}
		plans[i] = p
	}
	next := func(i int) (*Plan, Binding) {
		if i+1 < len(jobs) {
			return plans[i+1], jobs[i+1].Binding
		}
		return nil, Binding{}
	}
	var (
		cur      int
		stop     error
		finished int
	)
	s.ctrl.finished = func() {
		finished++
		st := s.stats(plans[cur])
		if err := s.idleCheck(plans[cur].Kernel.Name); err != nil {
			stop = err
			return
		}
		if err := done(cur, st); err != nil {
			stop = err
			return
		}
		cur++
		if cur == len(jobs) {
			return
		}
		s.resetEngines()
		s.ctrl.plan, s.ctrl.bind = plans[cur], jobs[cur].Binding
		np, nb := next(cur)
		s.ctrl.startNow(s.ctrl.endCycle, np, nb)
	}
	defer func() { s.ctrl.finished = nil }()
	s.resetEngines()
	np, nb := next(0)
	s.ctrl.begin(plans[0], jobs[0].Binding, np, nb)
	if err := s.engine.Run(); err != nil {
		return fmt.Errorf("compute: %w", err)
	}
	if stop != nil {
		return stop
	}
	if finished != len(jobs) {
		name := plans[min(cur, len(plans)-1)].Kernel.Name
		if err := s.check(name); err != nil {
			return err
		}
		return fmt.Errorf("compute: the simulation stopped after %d of %d kernels, in kernel %s", finished, len(jobs), name)
	}
	return s.check(plans[len(plans)-1].Kernel.Name)
}

// resetEngines clears the arrays' and vector units' statistics before a
// kernel.
func (s *Simulator) resetEngines() {
	for i := range s.arrays {
		s.arrays[i].stats = EngineStats{}
		s.vectors[i].stats = EngineStats{}
	}
}

// idleCheck reports work of the running kernel left in the DMA or the
// engines at its end (the next kernel's prefetched tiles may be in flight).
func (s *Simulator) idleCheck(name string) error {
	if s.dma.err != nil {
		return s.dma.err
	}
	if !s.dma.idleFor(s.ctrl.seq) {
		return fmt.Errorf("compute: kernel %s: the DMA still had requests when the kernel ended: %w", name, simerr.ErrInvariant)
	}
	for i := range s.arrays {
		if !s.arrays[i].idle() || !s.vectors[i].idle() {
			return fmt.Errorf("compute: kernel %s: array %d still had work when the kernel ended: %w", name, i, simerr.ErrInvariant)
		}
	}
	return nil
}

// check reports what is unfinished after the engine stopped: work of the
// controller, the DMA, the engines, and requests the memory left
// unanswered.
func (s *Simulator) check(name string) error {
	if err := s.ctrl.check(); err != nil {
		return err
	}
	if s.dma.err != nil {
		return s.dma.err
	}
	if !s.dma.idle() {
		return fmt.Errorf("compute: kernel %s: the DMA still had requests when the simulation stopped: %w", name, simerr.ErrInvariant)
	}
	if e, ok := s.memory.(errorer); ok && e.Err() != nil {
		return fmt.Errorf("compute: kernel %s: %w", name, e.Err())
	}
	if c, ok := s.memory.(checker); ok {
		if err := c.Check(); err != nil {
			return fmt.Errorf("compute: kernel %s: %w", name, err)
		}
	}
	for i := range s.arrays {
		if !s.arrays[i].idle() || !s.vectors[i].idle() {
			return fmt.Errorf("compute: kernel %s: array %d still had work when the simulation stopped: %w", name, i, simerr.ErrInvariant)
		}
	}
	return nil
}

// RunAll simulates the kernels one after another.
func (s *Simulator) RunAll(ks []workload.Kernel) ([]KernelStats, error) {
	out := make([]KernelStats, 0, len(ks))
	for _, k := range ks {
		st, err := s.Run(k)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}

// RunKernel simulates one kernel on a fresh simulator of design d on
// platform p.
func RunKernel(d hw.Design, p hw.Platform, k workload.Kernel, opts Options) (KernelStats, error) {
	s, err := NewSimulator(d, p, opts)
	if err != nil {
		return KernelStats{}, err
	}
	return s.Run(k)
}
