package accel

import (
	"errors"
	"fmt"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/roofline"
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

// Run simulates the ops of graph g in order on design d on platform p: the
// design's arrays, buffers, vector units, DMA and activation store on one
// Akita engine with the memory of opts.Memory (see the package
// documentation for what is modelled). Each kernel starts in the cycle the
// previous one ends. With opts.Pipeline the design is split in two parts,
// each simulated on its own engine (see Pipeline). It returns an error for
// a design that does not fit the platform, a kernel that does not map onto
// it, bad options, an operand that is not a tensor of the graph, or a
// simulation that left work unfinished.
func Run(d hw.Design, p hw.Platform, g *workload.Graph, opts Options) (*Result, error) {
	if g == nil || len(g.Ops) == 0 {
		return nil, errors.New("accel: the graph is empty (no ops)")
	}
	if err := d.Fit(p); err != nil {
		return nil, fmt.Errorf("accel: %w", err)
	}
	if err := opts.validate(d, p); err != nil {
		return nil, err
	}
	if opts.Pipeline != nil {
		return runPipelined(d, p, g, opts)
	}
	return runOne(d, p, g, opts, nil)
}

// prepared is a pass ready to run: the simulator, its HBM model (nil with
// the ideal memory), and the schedule.
type prepared struct {
	sim   *compute.Simulator
	sys   *hbm.System
	sched *schedule
}

// prepare builds the simulator of design d (its DMA port i connected to
// memory port memoryPorts[i] when memoryPorts is set), plans the ops of
// wg, fuses what opts.Fuse allows and places every tensor.
func prepare(d hw.Design, p hw.Platform, wg *workload.Graph, opts Options, memoryPorts []int) (*prepared, error) {
	ks := wg.Ops
	hp := opts.HBM
	hp.PortBits, hp.KernelFreqHz = d.PortBits, d.ClockHz(p)
	amap, err := hbm.NewAddressMap(p.HBM, hp.InterleaveBytes, hp.AddressOrder)
	if err != nil {
		return nil, fmt.Errorf("accel: %w", err)
	}
	rt, err := compute.NewPCRouter(opts.Layout.InterleaveBytes, opts.Layout.PCs, opts.Layout.Map == LayoutContiguous, d.HBMPorts, p, amap.Global)
	if err != nil {
		return nil, fmt.Errorf("accel: %w", err)
	}

	co := compute.Options{FoldOverlap: opts.FoldOverlap, DMA: opts.DMA, IdealMemory: opts.IdealMemory, Tracer: opts.Tracer,
		VectorOpsPerElement: opts.VectorOpsPerElement, PrefetchWeights: opts.PrefetchWeights, Limits: opts.Limits,
		ReferenceEngine: hp.Reference, TieSeed: hp.TieSeed}
	co.DMA.InterleaveBytes = opts.Layout.InterleaveBytes
	co.DMA.Router = rt
	store := opts.Residency && d.ActivationBufferBytes > 0
	if store {
		oc := opts.OnChip
		co.OnChip = &oc
	}
	if opts.pinning() {
		ws := opts.WeightStore
		co.WeightStore = &ws
	}
	pr := &prepared{}
	if opts.Memory == MemoryHBM {
		co.MemoryPorts = memoryPorts
		co.Memory = func(engine akita.Engine, d hw.Design, p hw.Platform) (compute.MemorySystem, error) {
			s, err := hbm.MakeBuilder().WithEngine(engine).WithConfig(p.HBM).WithParams(hp).Build("U280.HBM")
			if err != nil {
				return nil, err
			}
			if s.NumPorts() < d.HBMPorts {
				return nil, fmt.Errorf("the HBM has %d ports, the design uses %d", s.NumPorts(), d.HBMPorts)
			}
			pr.sys = s
			return s, nil
		}
	}
	sim, err := compute.NewSimulator(d, p, co)
	if err != nil {
		return nil, fmt.Errorf("accel: %w", err)
	}
	pr.sim = sim
	plans := make([]*compute.Plan, len(ks))
	for i, k := range ks {
		if plans[i], err = sim.Plan(k); err != nil {
			return nil, fmt.Errorf("accel: %w", err)
		}
	}
	g, err := newGraph(wg, d.Precision)
	if err != nil {
		return nil, err
	}
	fusedWith := make([]int, len(ks))
	for i := range fusedWith {
		fusedWith[i] = -1
	}
	if opts.Fuse {
		for i := 0; i+1 < len(ks); i++ {
			if !g.fusable(i) {
				continue
			}
			// A pair no tiling of the design can fuse (a softmax whose rows
			// do not fit an output tile) stays apart.
			fp, err := sim.PlanFused(ks[i], ks[i+1])
			if err != nil {
				continue
			}
			plans[i], fusedWith[i] = fp, i+1
			i++
		}
	}
	pr.sched, err = place(g, plans, fusedWith, d, placeOptions{residency: store, pin: opts.PinWeights,
		align: uint64(opts.Layout.InterleaveBytes), capacity: rt.Capacity()})
	if err != nil {
		return nil, err
	}
	return pr, nil
}

// runOne simulates the pass on one engine (see Run).
func runOne(d hw.Design, p hw.Platform, g *workload.Graph, opts Options, memoryPorts []int) (*Result, error) {
	ks := g.Ops
	pr, err := prepare(d, p, g, opts, memoryPorts)
	if err != nil {
		return nil, err
	}
	sim, sys, sched := pr.sim, pr.sys, pr.sched
	var jobs []compute.Job
	var jobKernel []int // the kernel of each job
	for i, k := range ks {
		if sched.fusedInto[i] >= 0 {
			continue
		}
		j := compute.Job{Kernel: k, Binding: sched.binding(i)}
		if e := sched.fusedWith[i]; e >= 0 {
			ek := ks[e]
			j.Epilogue = &ek
		}
		jobs = append(jobs, j)
		jobKernel = append(jobKernel, i)
	}

	engine := sim.Engine()
	// link.Engine counts its events itself; akita's engine (the reference
	// path) needs a hook.
	counted, selfCounting := engine.(interface{ Events() int64 })
	counter := &eventCounter{}
	if !selfCounting {
		engine.AcceptHook(counter)
	} else {
		counter.n = -counted.Events()
	}
	res := &Result{
		Design: d, Platform: p, FreqHz: sim.Clock().FreqHz, Memory: opts.Memory,
		Kernels:            make([]KernelResult, 0, len(ks)),
		WeightBytes:        int64(sched.weightBytes),
		PinnedWeightBytes:  int64(sched.pinnedBytes),
		PeakOnChipBytes:    int64(sched.peakOnChip),
		PeakSpillBytes:     int64(sched.peakSpill),
		KVCacheOnChipBytes: int64(sched.kvOnChip),
		FusedKernels:       len(ks) - len(jobs),
	}
	hclk := clock.New(p.HBM.ClockHz)
	var prevPC []hbm.PCStats
	if sys != nil {
		prevPC = make([]hbm.PCStats, p.HBM.PseudoChannels)
	}
	done := func(j int, st compute.KernelStats) error {
		i := jobKernel[j]
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
		if e := sched.fusedWith[i]; e >= 0 {
			res.Kernels = append(res.Kernels, fusedResult(sched, e, kr))
		}
		if opts.Progress != nil {
			opts.Progress(len(res.Kernels), len(ks))
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
	res.FrameIntervalCycles = res.TotalCycles
	res.Events = counter.n
	if selfCounting {
		res.Events += counted.Events()
	}
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
// result. A kernel with a fused epilogue reports its own work and the
// epilogue's: its Kernel adds the epilogue's ops and side operand, and
// writes the epilogue's output.
func kernelResult(s *schedule, i int, st compute.KernelStats) KernelResult {
	k := s.ks[i]
	var fusedWith string
	if e := s.fusedWith[i]; e >= 0 {
		ek := s.ks[e]
		k.Ops += ek.Ops
		k.InputElems += partsElems(s.side(i))
		k.OutputElems = ek.OutputElems
		fusedWith = ek.Name
	}
	pl := s.placement(i)
	kr := KernelResult{
		Kernel:             k,
		Placement:          pl,
		FusedWith:          fusedWith,
		StartCycle:         int64(st.StartCycle),
		EndCycle:           int64(st.EndCycle),
		Cycles:             st.Cycles,
		ComputeCycles:      st.ComputeCycles,
		FillDrainCycles:    st.FillDrainCycles,
		Engine:             st.Plan.Engine,
		StallHBMCycles:     st.StallHBMCycles,
		StallOnChipCycles:  st.StallOnChipCycles,
		StallBufferCycles:  st.StallBufferCycles,
		StallVectorCycles:  st.StallVectorCycles,
		LaunchCycles:       st.LaunchCycles,
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
		DMARequestsIssued:  st.DMARequestsIssued,
		PrefetchedBytes:    st.PrefetchedBytes,
		IdealBytes:         roofline.IdealBytes(k, s.prec),
		HBMIdealBytes:      s.hbmIdealBytes(i),
		Tiling:             st.Plan.String(),
	}
	if pl.Outputs != OnChip {
		kr.HBMIdealWriteBytes = s.prec.ActBytes(k.OutputElems)
	}
	// Weight tiles prefetched while the previous kernel ran were on chip
	// when this one started: they do not cross the ports in its time.
	if st.PrefetchedBytes > 0 && pl.Weights == InHBM {
		wb := s.prec.WeightBytes(k.WeightElems)
		sub := min(float64(st.PrefetchedBytes), wb)
		kr.HBMIdealBytes -= sub
		kr.Placement.Weights = Mixed
		if sub >= wb {
			kr.Placement.Weights = OnChip
		}
	}
	// The final write-back waits for the place the output goes to.
	if pl.Outputs == OnChip {
		kr.StallOnChipCycles += st.WritebackCycles
	} else {
		kr.StallHBMCycles += st.WritebackCycles
	}
	return kr
}

// fusedResult is the result of elementwise kernel e, fused into the matmul
// whose result is prod: no time of its own (it ends where its matmul
// does), and its work, bytes and placement reported in prod; its Kernel
// keeps its name, kind and shape with its element and op counts zero.
func fusedResult(s *schedule, e int, prod KernelResult) KernelResult {
	k := s.ks[e]
	k.WeightElems, k.BiasElems, k.InputElems, k.OutputElems, k.Ops = 0, 0, 0, 0, 0
	return KernelResult{
		Kernel:            k,
		Placement:         Placement{Inputs: None, Weights: None, Outputs: None},
		FusedInto:         prod.Kernel.Name,
		StartCycle:        prod.EndCycle,
		EndCycle:          prod.EndCycle,
		Engine:            compute.EngineVector,
		BytesReadPerPC:    make([]int64, len(prod.BytesReadPerPC)),
		BytesWrittenPerPC: make([]int64, len(prod.BytesWrittenPerPC)),
		Tiling:            "fused into " + prod.Kernel.Name,
	}
}
