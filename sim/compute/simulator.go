package compute

import (
	"fmt"
	"math"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sim/clock"
	"github.com/roofsim/roofsim/sim/idealmem"
	"github.com/roofsim/roofsim/sim/link"
	"github.com/roofsim/roofsim/workload"
	akita "github.com/sarchlab/akita/v3/sim"
)

// MemorySystem is the off-chip memory behind the DMA: one Akita port per
// design HBM port, speaking mem.ReadReq/WriteReq and answering with
// DataReadyRsp/WriteDoneRsp. The ideal memory and the HBM model both are.
type MemorySystem interface {
	// Port returns the memory port the DMA's port i connects to.
	Port(i int) akita.Port
}

// MemoryFactory builds a memory system on engine for design d on platform
// p. It must have at least d.HBMPorts ports.
type MemoryFactory func(engine akita.Engine, d hw.Design, p hw.Platform) (MemorySystem, error)

// connector is a memory system with its own way of connecting a requester
// to its port i (the HBM model's System.Connect); others are plugged into a
// zero-latency sim/link Link.
type connector interface {
	Connect(i int, requester akita.Port) error
}

// checker is a memory system that can report, after the engine stopped,
// requests it left unanswered (the HBM model's System.Check).
type checker interface {
	Check() error
}

// errorer is a memory system that records malformed requests (the ideal
// memory's Err).
type errorer interface {
	Err() error
}

// Options are the simulation's parameters beyond the design.
type Options struct {
	// FoldOverlap lets a fold's fill overlap the previous fold's drain (on
	// by default), as arrays with double-buffered weight or accumulator
	// registers do.
	FoldOverlap bool
	// Memory builds the off-chip memory; nil is the ideal memory configured
	// by IdealMemory.
	Memory MemoryFactory
	// IdealMemory configures the ideal memory when Memory is nil.
	IdealMemory idealmem.Config
	// DMA configures the DMA engine.
	DMA DMAConfig
	// VectorOpsPerElement overrides, per kernel kind, the element operations
	// of an elementwise kernel (ops per output element); kinds not listed
	// use the kernel's own op count.
	VectorOpsPerElement map[workload.Kind]int64
	// OnChip, when set, builds an on-chip activation store with this path
	// to the buffers; operands bound on chip (Binding) move through it.
	OnChip *OnChipConfig
	// WeightStore, when set, builds an on-chip weight store with this path
	// to the buffers (the same timing model as the activation store, a
	// separate component); operand segments bound to it
	// (Segment.WeightStore) move through it.
	WeightStore *OnChipConfig
	// MemoryPorts, when set, is the memory port each DMA port connects to
	// (one entry per design HBM port, each at most once); nil connects DMA
	// port i to memory port i. A design that uses only some of the board's
	// AXI ports (one part of a split design) reaches its own PCs through
	// their own ports this way.
	MemoryPorts []int
	// PrefetchWeights lets the controller load the next kernel's first
	// weight tiles (those of its first step, when its Binding says they
	// are StoredWeights) while the running kernel computes, into the
	// weight buffer halves that kernel no longer needs once all its own
	// weight tiles are issued (RunJobs).
	PrefetchWeights bool
	// ReferenceEngine runs on akita's SerialEngine instead of link.Engine
	// (the same events in the same order, slower); tests compare the two.
	ReferenceEngine bool
	// Tracer, when set, receives a task per kernel, per tile transfer and
	// per array or vector unit step.
	Tracer Tracer
	// Limits bound each kernel's simulation (the zero value: the default
	// limits); a kernel over them is refused before it is planned.
	Limits Limits
}

// DMADefaultRequestBytes is the DMA's largest request: 4 KiB, the largest
// the memory side accepts (an AXI burst may not cross a 4 KiB boundary).
const DMADefaultRequestBytes = 4096

// DefaultOptions are the options of design d on platform p: fold overlap
// on, the ideal memory of idealmem.DesignConfig, 4 KiB requests interleaved
// over the design's ports every 4 KiB, and as many outstanding requests per
// port as the port has AXI IDs.
func DefaultOptions(d hw.Design, p hw.Platform) Options {
	return Options{
		FoldOverlap: true,
		IdealMemory: idealmem.DesignConfig(d, p),
		DMA: DMAConfig{
			Ports:           d.HBMPorts,
			MaxRequestBytes: DMADefaultRequestBytes,
			InterleaveBytes: DMADefaultRequestBytes,
			MaxOutstanding:  p.HBM.AXIIDs,
			BurstBytes:      int64(p.HBM.BurstBytes),
		},
	}
}

// KernelStats is the result of simulating one kernel. Cycles are of the
// kernel clock and count from the kernel's start.
type KernelStats struct {
	// Kernel is the kernel simulated.
	Kernel workload.Kernel
	// Plan is how it was mapped.
	Plan *Plan
	// FreqHz is the kernel clock.
	FreqHz float64
	// Cycles is the kernel's time: from its start to its last output
	// written back.
	Cycles int64
	// ComputeCycles is the busy cycles of the critical engine (the array or
	// vector unit that finished last): the closed-form count of its folds.
	ComputeCycles int64
	// StreamCycles is the part of ComputeCycles spent streaming operands;
	// FillDrainCycles is the rest.
	StreamCycles, FillDrainCycles int64
	// StallDataCycles is the critical engine's wait for tiles still coming
	// from off-chip memory; StallOnChipCycles its wait for tiles still coming
	// from the activation store; StallSpaceCycles its wait for a free output
	// buffer half.
	StallDataCycles, StallOnChipCycles, StallSpaceCycles int64
	// WritebackCycles is the time from the critical engine's last fold to
	// the last output written back.
	WritebackCycles int64
	// Folds, MACs and PECycles sum over all arrays.
	Folds, MACs, PECycles int64
	// VectorOps sums the vector units' element operations.
	VectorOps int64
	// PEs is the number of PEs (or vector lanes) of the design.
	PEs int64
	// BytesRead and BytesWritten are the off-chip traffic per operand.
	BytesRead, BytesWritten [numOperands]int64
	// BytesReadPerPC and BytesWrittenPerPC split the off-chip traffic by
	// pseudo-channel (as the DMA's Router maps addresses).
	BytesReadPerPC, BytesWrittenPerPC []int64
	// OnChipBytesRead and OnChipBytesWritten are the bytes moved from the
	// on-chip stores into the buffers (the activation store and the weight
	// store) and from the output buffers into the activation store;
	// WeightStoreBytesRead is the weight store's part of OnChipBytesRead.
	OnChipBytesRead, OnChipBytesWritten, WeightStoreBytesRead int64
	// StallVectorCycles is, for a matmul with an Epilogue, the critical
	// array's wait for an output buffer half still held by an epilogue,
	// plus the epilogue work left after its last fold; both are in
	// ComputeCycles + StallCycles() = Cycles.
	StallVectorCycles int64
	// DMARequestsIssued and DMARequestsCompleted count memory requests.
	DMARequestsIssued, DMARequestsCompleted int64
	// PrefetchedBytes is the bytes of the kernel's weight tiles loaded
	// while the previous kernel ran (Options.PrefetchWeights); they are
	// counted in the kernel's traffic all the same.
	PrefetchedBytes int64
	// StartCycle and EndCycle are the kernel's first and end cycles on the
	// simulator's clock (Cycles = EndCycle - StartCycle).
	StartCycle, EndCycle uint64
	// Engines is each array's (or vector unit's) statistics.
	Engines []EngineStats
}

// StallCycles is the cycles beyond ComputeCycles: waiting for data (off
// chip and on chip), for buffer space, for the vector unit (epilogues), and
// for the last write-back.
func (s KernelStats) StallCycles() int64 {
	return s.StallDataCycles + s.StallOnChipCycles + s.StallSpaceCycles + s.StallVectorCycles + s.WritebackCycles
}

// Seconds is the kernel's time in seconds.
func (s KernelStats) Seconds() float64 { return float64(s.Cycles) / s.FreqHz }

// TotalBytesRead is the off-chip bytes read.
func (s KernelStats) TotalBytesRead() int64 {
	return s.BytesRead[Inputs] + s.BytesRead[Weights] + s.BytesRead[Side]
}

// TotalBytesWritten is the off-chip bytes written.
func (s KernelStats) TotalBytesWritten() int64 { return s.BytesWritten[Outputs] }

// Utilization is useful MACs over the PE-cycles of the whole design during
// the kernel: the fraction of the design's peak the kernel reached (arrays).
func (s KernelStats) Utilization() float64 {
	if s.Cycles == 0 || s.PEs == 0 {
		return 0
	}
	if s.Plan != nil && s.Plan.Engine == EngineVector {
		return float64(s.VectorOps) / (float64(s.PEs) * float64(s.Cycles))
	}
	return float64(s.MACs) / (float64(s.PEs) * float64(s.Cycles))
}

// MappingEfficiency is useful MACs over the PE-cycles of the folds'
// streams: the share of the PEs the tiling keeps busy while streaming (edge
// folds that do not fill the array lower it).
func (s KernelStats) MappingEfficiency() float64 {
	if s.PECycles == 0 {
		return 0
	}
	return float64(s.MACs) / float64(s.PECycles)
}

// OI is the achieved operational intensity: ops over the bytes actually
// moved.
func (s KernelStats) OI() float64 {
	b := s.TotalBytesRead() + s.TotalBytesWritten()
	if b == 0 {
		return math.Inf(1)
	}
	return float64(s.Kernel.Ops) / float64(b)
}

// Simulator is the compute side of one design on one engine: a controller,
// a DMA engine, one systolic array and one vector unit per design array,
// and the off-chip memory. It runs kernels one after another.
type Simulator struct {
	design   hw.Design
	platform hw.Platform
	opts     Options
	clock    clock.Domain
	engine   akita.Engine
	ctrl     *Controller
	dma      *DMA
	arrays   []*Array
	vectors  []*VectorUnit
	store    *ActivationStore
	wstore   *ActivationStore
	memory   MemorySystem
	cfg      planConfig
	plans    map[planKey]*Plan
}

// planKey is what a plan depends on in a kernel and its epilogue.
type planKey struct {
	kind                                          workload.Kind
	m, k, n, batch, weight, bias, input, out, ops int64
	epi                                           kernelShape
}

// kernelShape is what a plan depends on in an epilogue kernel.
type kernelShape struct {
	kind                               workload.Kind
	m, n, batch, weight, bias, in, ops int64
}

// NewSimulator builds the simulator of design d on platform p. The design
// must fit the platform (hw.Design.Fit).
func NewSimulator(d hw.Design, p hw.Platform, opts Options) (*Simulator, error) {
	if err := d.Fit(p); err != nil {
		return nil, err
	}
	if err := opts.DMA.Validate(); err != nil {
		return nil, fmt.Errorf("compute: %w", err)
	}
	if opts.DMA.Ports != d.HBMPorts {
		return nil, fmt.Errorf("compute: the DMA has %d ports, the design %d HBM ports", opts.DMA.Ports, d.HBMPorts)
	}
	c := clock.New(d.ClockHz(p))
	var engine akita.Engine = link.NewEngine()
	if opts.ReferenceEngine {
		engine = akita.NewSerialEngine()
	}
	s := &Simulator{design: d, platform: p, opts: opts, clock: c, engine: engine, plans: make(map[planKey]*Plan)}

	if opts.Memory != nil {
		m, err := opts.Memory(engine, d, p)
		if err != nil {
			return nil, fmt.Errorf("compute: memory: %w", err)
		}
		s.memory = m
	} else {
		ic := opts.IdealMemory
		if ic.Ports != d.HBMPorts {
			return nil, fmt.Errorf("compute: the ideal memory has %d ports, the design %d HBM ports", ic.Ports, d.HBMPorts)
		}
		m, err := idealmem.New("U280.IdealMem", ic)
		if err != nil {
			return nil, fmt.Errorf("compute: %w", err)
		}
		s.memory = m
	}

	s.ctrl = newController("Accel.Ctrl", engine, c)
	s.dma = newDMA("Accel.DMA", engine, c, opts.DMA)
	ctrlWire := link.New("Accel.CtrlLink", engine, c, 0)
	ctrlWire.PlugIn(s.ctrl.port, 0)
	ctrlWire.PlugIn(s.dma.ctrlPort, 0)
	s.ctrl.dma = s.dma.ctrlPort
	s.ctrl.dmaName = s.dma.Name()
	s.ctrl.prefetch = opts.PrefetchWeights
	s.ctrl.tracer = opts.Tracer
	s.dma.ctrlRemote = s.ctrl.port
	if opts.OnChip != nil {
		if err := opts.OnChip.Validate(); err != nil {
			return nil, fmt.Errorf("compute: %w", err)
		}
		s.store = newActivationStore("Accel.ActStore", engine, c, *opts.OnChip)
		ctrlWire.PlugIn(s.store.port, 0)
		s.store.ctrl = s.ctrl.port
		s.ctrl.store = s.store.port
		s.ctrl.storeName = s.store.Name()
	}
	if opts.WeightStore != nil {
		if err := opts.WeightStore.Validate(); err != nil {
			return nil, fmt.Errorf("compute: weight store: %w", err)
		}
		s.wstore = newActivationStore("Accel.WeightStore", engine, c, *opts.WeightStore)
		ctrlWire.PlugIn(s.wstore.port, 0)
		s.wstore.ctrl = s.ctrl.port
		s.ctrl.wstore = s.wstore.port
		s.ctrl.wstoreName = s.wstore.Name()
	}
	for i := range d.Arrays {
		a := newArray(fmt.Sprintf("Accel.Array[%d]", i), engine, c, i)
		v := newVectorUnit(fmt.Sprintf("Accel.Vector[%d]", i), engine, c, i)
		a.ctrl, v.ctrl = s.ctrl.port, s.ctrl.port
		a.vec = v.port
		a.tracer, v.tracer = opts.Tracer, opts.Tracer
		ctrlWire.PlugIn(a.port, 0)
		ctrlWire.PlugIn(v.port, 0)
		s.ctrl.arrayPorts = append(s.ctrl.arrayPorts, a.port)
		s.ctrl.vecPorts = append(s.ctrl.vecPorts, v.port)
		s.arrays = append(s.arrays, a)
		s.vectors = append(s.vectors, v)
	}
	if err := checkMemoryPorts(opts, d); err != nil {
		return nil, err
	}
	var memLink *link.Link
	for i := range d.HBMPorts {
		mi := i
		if opts.MemoryPorts != nil {
			mi = opts.MemoryPorts[i]
		}
		conn, isConn := s.memory.(connector)
		if isConn {
			if err := conn.Connect(mi, s.dma.memPorts[i]); err != nil {
				return nil, fmt.Errorf("compute: memory: %w", err)
			}
		}
		mp := s.memory.Port(mi)
		if !isConn {
			if memLink == nil {
				memLink = link.New("Accel.MemLink", engine, c, 0)
			}
			memLink.PlugIn(s.dma.memPorts[i], 0)
			memLink.PlugIn(mp, 0)
		}
		s.dma.memRemote = append(s.dma.memRemote, mp)
	}

	s.cfg = planConfig{
		design:           d,
		arrays:           int64(d.Arrays),
		inHalf:           d.InputBufferBytes / 2,
		wHalf:            d.WeightBufferBytes / 2,
		oHalf:            d.OutputBufferBytes / 2,
		memBytesPerCycle: s.planBandwidth(),
		burstBytes:       opts.DMA.BurstBytes,
		regionBytes:      uint64(p.HBM.TotalBytes()) / addressRegions / uint64(opts.DMA.InterleaveBytes*int64(d.HBMPorts)) * uint64(opts.DMA.InterleaveBytes*int64(d.HBMPorts)),
		foldOverlap:      opts.FoldOverlap,
		vectorOps:        opts.VectorOpsPerElement,
		lanes:            int64(d.VectorLanes),
		limits:           opts.Limits.WithDefaults(),
	}
	s.ctrl.burstBytes = opts.DMA.BurstBytes
	s.ctrl.region = s.cfg.regionBytes
	return s, nil
}

// Engine is the Akita engine the simulator runs on.
func (s *Simulator) Engine() akita.Engine { return s.engine }

// Clock is the kernel clock.
func (s *Simulator) Clock() clock.Domain { return s.clock }

// Memory is the off-chip memory system.
func (s *Simulator) Memory() MemorySystem { return s.memory }

// DMAStats returns the DMA's counters so far.
func (s *Simulator) DMAStats() DMAStats { return s.dma.Stats() }

// planBandwidth is the off-chip bandwidth the tiler weighs tilings with, in
// bytes per cycle; 0 is unlimited.
func (s *Simulator) planBandwidth() float64 {
	if s.opts.Memory != nil {
		return s.design.MemBytesPerSec(s.platform) / s.clock.FreqHz
	}
	ic := s.opts.IdealMemory
	return ic.PortRate() * float64(ic.Ports)
}

// checkMemoryPorts reports an unusable Options.MemoryPorts.
func checkMemoryPorts(opts Options, d hw.Design) error {
	if opts.MemoryPorts == nil {
		return nil
	}
	if len(opts.MemoryPorts) != d.HBMPorts {
		return fmt.Errorf("compute: memory ports list %d ports, the design has %d HBM ports", len(opts.MemoryPorts), d.HBMPorts)
	}
	limit := -1
	if opts.Memory == nil {
		limit = opts.IdealMemory.Ports
	}
	seen := map[int]bool{}
	for _, m := range opts.MemoryPorts {
		if m < 0 || (limit >= 0 && m >= limit) || seen[m] {
			return fmt.Errorf("compute: memory port %d is out of range or listed twice", m)
		}
		seen[m] = true
	}
	return nil
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
		return fmt.Errorf("compute: kernel %s: the DMA still had requests when the kernel ended", name)
	}
	for i := range s.arrays {
		if !s.arrays[i].idle() || !s.vectors[i].idle() {
			return fmt.Errorf("compute: kernel %s: array %d still had work when the kernel ended", name, i)
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
		return fmt.Errorf("compute: kernel %s: the DMA still had requests when the simulation stopped", name)
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
			return fmt.Errorf("compute: kernel %s: array %d still had work when the simulation stopped", name, i)
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

// stats gathers the statistics of the kernel that just ran (plan p): the
// traffic the DMA and the stores counted for it (its prefetched tiles
// included, wherever they moved) and its engines' counters.
func (s *Simulator) stats(p *Plan) KernelStats {
	seq := s.ctrl.seq
	d := s.dma.ownerStats(seq)
	var as, ws StoreStats
	if s.store != nil {
		as = s.store.ownerStats(seq)
	}
	if s.wstore != nil {
		ws = s.wstore.ownerStats(seq)
	}
	st := KernelStats{
		Kernel: p.Kernel, Plan: p, FreqHz: s.clock.FreqHz,
		Cycles:               int64(s.ctrl.endCycle - s.ctrl.start),
		StartCycle:           s.ctrl.start,
		EndCycle:             s.ctrl.endCycle,
		DMARequestsIssued:    d.RequestsIssued,
		DMARequestsCompleted: d.RequestsCompleted,
		OnChipBytesRead:      as.BytesRead + ws.BytesRead,
		OnChipBytesWritten:   as.BytesWritten,
		WeightStoreBytesRead: ws.BytesRead,
		PrefetchedBytes:      s.ctrl.prefetchedBytes,
		BytesRead:            d.BytesRead,
		BytesWritten:         d.BytesWritten,
		BytesReadPerPC:       d.BytesReadPerPC,
		BytesWrittenPerPC:    d.BytesWrittenPerPC,
	}
	if p.Engine == EngineArray {
		st.PEs = int64(s.design.PEs())
		for _, a := range s.arrays {
			st.Engines = append(st.Engines, a.Stats())
		}
	} else {
		st.PEs = int64(s.design.VectorLanes * s.design.Arrays)
		for _, v := range s.vectors {
			st.Engines = append(st.Engines, v.Stats())
		}
	}
	crit := -1
	for i, e := range st.Engines {
		st.Folds += e.Folds
		st.MACs += e.MACs
		st.PECycles += e.PECycles
		st.VectorOps += e.VectorOps
		if e.Works > 0 && (crit < 0 || e.FinishCycle > st.Engines[crit].FinishCycle) {
			crit = i
		}
	}
	if crit >= 0 {
		e := st.Engines[crit]
		st.ComputeCycles = e.BusyCycles
		st.StreamCycles = e.StreamCycles
		st.FillDrainCycles = e.BusyCycles - e.StreamCycles
		st.StallDataCycles = e.StallDataCycles
		st.StallOnChipCycles = e.StallOnChipCycles
		st.StallSpaceCycles = e.StallSpaceCycles
		st.StallVectorCycles = e.StallVectorCycles
		st.WritebackCycles = st.Cycles - e.FinishCycle
		if p.Epilogue != nil {
			// The epilogues run on the vector units; what they leave after
			// the critical array's last fold is the vector unit's too.
			var vecEnd int64
			for _, v := range s.vectors {
				vs := v.Stats()
				st.VectorOps += vs.VectorOps
				if vs.Works > 0 {
					vecEnd = max(vecEnd, vs.FinishCycle)
				}
			}
			tail := max(0, vecEnd-e.FinishCycle)
			st.StallVectorCycles += tail
			st.WritebackCycles -= tail
		}
	}
	return st
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
