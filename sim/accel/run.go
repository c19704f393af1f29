package accel

import (
	"errors"
	"fmt"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sim/clock"
	"github.com/roofsim/roofsim/sim/compute"
	"github.com/roofsim/roofsim/sim/hbm"
	"github.com/roofsim/roofsim/sim/idealmem"
	"github.com/roofsim/roofsim/workload"
	akita "github.com/sarchlab/akita/v3/sim"
)

// eventCounter is an engine hook that counts the events handled.
type eventCounter struct{ n int64 }

// Func counts an event before it is handled.
func (c *eventCounter) Func(ctx akita.HookCtx) {
	if ctx.Pos == akita.HookPosBeforeEvent {
		c.n++
	}
}

// Run simulates the kernels ks in order on design d on platform p: the
// design's arrays, buffers, vector units, DMA and activation store on one
// Akita engine with the memory of opts.Memory (see the package
// documentation for what is modelled). Each kernel starts in the cycle the
// previous one ends. It returns an error for a design that does not fit the
// platform, a kernel that does not map onto it, bad options, or a
// simulation that left work unfinished.
func Run(d hw.Design, p hw.Platform, ks []workload.Kernel, opts Options) (*Result, error) {
	if len(ks) == 0 {
		return nil, errors.New("accel: the kernel list is empty")
	}
	if err := d.Fit(p); err != nil {
		return nil, fmt.Errorf("accel: %w", err)
	}
	if err := opts.validate(p); err != nil {
		return nil, err
	}
	hp := opts.HBM
	hp.PortBits, hp.KernelFreqHz = d.PortBits, d.ClockHz(p)
	amap, err := hbm.NewAddressMap(p.HBM, hp.InterleaveBytes, hp.AddressOrder)
	if err != nil {
		return nil, fmt.Errorf("accel: %w", err)
	}
	rt := newRouter(opts.Layout, d.HBMPorts, p, amap.Global)

	co := compute.Options{FoldOverlap: opts.FoldOverlap, DMA: opts.DMA, IdealMemory: opts.IdealMemory, Tracer: opts.Tracer,
		VectorOpsPerElement: opts.VectorOpsPerElement}
	co.DMA.InterleaveBytes = opts.Layout.InterleaveBytes
	co.DMA.Router = rt
	store := opts.Residency && d.ActivationBufferBytes > 0
	if store {
		oc := opts.OnChip
		co.OnChip = &oc
	}
	var sys *hbm.System
	if opts.Memory == MemoryHBM {
		co.Memory = func(engine akita.Engine, d hw.Design, p hw.Platform) (compute.MemorySystem, error) {
			s, err := hbm.MakeBuilder().WithEngine(engine).WithConfig(p.HBM).WithParams(hp).Build("U280.HBM")
			if err != nil {
				return nil, err
			}
			if s.NumPorts() < d.HBMPorts {
				return nil, fmt.Errorf("the HBM has %d ports, the design uses %d", s.NumPorts(), d.HBMPorts)
			}
			sys = s
			return s, nil
		}
	}
	sim, err := compute.NewSimulator(d, p, co)
	if err != nil {
		return nil, fmt.Errorf("accel: %w", err)
	}
	plans := make([]*compute.Plan, len(ks))
	for i, k := range ks {
		if plans[i], err = sim.Plan(k); err != nil {
			return nil, fmt.Errorf("accel: %w", err)
		}
	}
	sched, err := place(ks, plans, d, store, uint64(opts.Layout.InterleaveBytes), rt.capacity())
	if err != nil {
		return nil, err
	}
	jobs := make([]compute.Job, len(ks))
	for i, k := range ks {
		jobs[i] = compute.Job{Kernel: k, Binding: sched.binding(i)}
	}

	counter := &eventCounter{}
	engine := sim.Engine()
	engine.AcceptHook(counter)
	res := &Result{
		Design: d, Platform: p, FreqHz: sim.Clock().FreqHz, Memory: opts.Memory,
		Kernels:         make([]KernelResult, 0, len(ks)),
		WeightBytes:     int64(sched.weightBytes),
		PeakOnChipBytes: int64(sched.peakOnChip),
		PeakSpillBytes:  int64(sched.peakSpill),
	}
	hclk := clock.New(p.HBM.ClockHz)
	var prevPC []hbm.PCStats
	if sys != nil {
		prevPC = make([]hbm.PCStats, p.HBM.PseudoChannels)
	}
	done := func(i int, st compute.KernelStats) error {
		kr := kernelResult(sched, i, st)
		if sys != nil {
			now := engine.CurrentTime()
			for _, pc := range opts.Layout.PCs {
				cur := sys.PCStats(pc, now)
				old := prevPC[pc]
				kr.RowHits += int64(cur.RowHits - old.RowHits)
				kr.ColumnCommands += int64(cur.Columns() - old.Columns())
				kr.RefreshCycles += int64(cur.RefreshCycles - old.RefreshCycles)
				prevPC[pc] = cur
			}
			start := hclk.Cycle(sim.Clock().Time(st.StartCycle))
			kr.PCCycles = int64(hclk.Cycle(now)-start) * int64(len(opts.Layout.PCs))
		}
		res.Kernels = append(res.Kernels, kr)
		if opts.Progress != nil {
			opts.Progress(i+1, len(ks))
		}
		return nil
	}
	if err := sim.RunJobs(jobs, done); err != nil {
		return nil, fmt.Errorf("accel: %w", err)
	}
	if len(res.Kernels) != len(ks) {
		return nil, fmt.Errorf("accel: %d of %d kernels finished", len(res.Kernels), len(ks))
	}
	dst := sim.DMAStats()
	if dst.RequestsIssued != dst.RequestsCompleted {
		return nil, fmt.Errorf("accel: the DMA issued %d memory requests and %d completed", dst.RequestsIssued, dst.RequestsCompleted)
	}
	res.TotalCycles = res.Kernels[len(res.Kernels)-1].EndCycle
	res.Events = counter.n
	switch m := sim.Memory().(type) {
	case *hbm.System:
		for i := range m.NumPorts() {
			ps := m.PortStats(i)
			res.MemoryBytesRead += int64(ps.ReadBytes)
			res.MemoryBytesWritten += int64(ps.WriteBytes)
			res.MemoryRequests += int64(ps.ReadReqs + ps.WriteReqs)
		}
	case *idealmem.Memory:
		ms := m.Stats()
		res.MemoryBytesRead, res.MemoryBytesWritten, res.MemoryRequests = ms.BytesRead, ms.BytesWritten, ms.Reads+ms.Writes
	}
	return res, nil
}

// kernelResult turns the compute side's statistics of kernel i into its
// result.
func kernelResult(s *schedule, i int, st compute.KernelStats) KernelResult {
	k := s.ks[i]
	pl := s.placement(i)
	kr := KernelResult{
		Kernel:             k,
		Placement:          pl,
		StartCycle:         int64(st.StartCycle),
		EndCycle:           int64(st.EndCycle),
		Cycles:             st.Cycles,
		ComputeCycles:      st.ComputeCycles,
		FillDrainCycles:    st.FillDrainCycles,
		Engine:             string(st.Plan.Engine),
		StallHBMCycles:     st.StallDataCycles,
		StallOnChipCycles:  st.StallOnChipCycles,
		StallBufferCycles:  st.StallSpaceCycles,
		MACs:               st.MACs,
		VectorOps:          st.VectorOps,
		PECycles:           st.PECycles,
		PEs:                st.PEs,
		BytesRead:          st.TotalBytesRead(),
		BytesWritten:       st.TotalBytesWritten(),
		OnChipBytesRead:    st.OnChipBytesRead,
		OnChipBytesWritten: st.OnChipBytesWritten,
		BytesReadPerPC:     st.BytesReadPerPC,
		BytesWrittenPerPC:  st.BytesWrittenPerPC,
		Requests:           st.DMARequestsIssued,
		IdealBytes:         s.prec.WeightBytes(k.WeightElems) + s.prec.ActBytes(k.InputElems+k.OutputElems),
		HBMIdealBytes:      s.hbmIdealBytes(i),
		Tiling:             st.Plan.String(),
	}
	if pl.Outputs != OnChip {
		kr.HBMIdealWriteBytes = s.prec.ActBytes(k.OutputElems)
	}
	// The final write-back waits for the place the output goes to.
	if pl.Outputs == OnChip {
		kr.StallOnChipCycles += st.WritebackCycles
	} else {
		kr.StallHBMCycles += st.WritebackCycles
	}
	return kr
}
