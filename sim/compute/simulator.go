package compute

import (
	"fmt"

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
	// TieSeed, when not 0 (and ReferenceEngine is off), runs on
	// link.NewShuffledEngine(TieSeed): events of equal time in a seeded
	// pseudo-random order (docs/speed.md, "Same-time order").
	TieSeed uint64
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
// on, the ideal memory of idealmem.DesignConfig, requests of the design's
// burst (hw.Design.Burst: 4 KiB unless it sets burst_bytes) interleaved
// over the design's ports every burst, and as many outstanding requests
// per port as the port has AXI IDs.
func DefaultOptions(d hw.Design, p hw.Platform) Options {
	return Options{
		FoldOverlap: true,
		IdealMemory: idealmem.DesignConfig(d, p),
		DMA: DMAConfig{
			Ports:           d.HBMPorts,
			MaxRequestBytes: d.Burst(),
			InterleaveBytes: d.Burst(),
			MaxOutstanding:  p.HBM.AXIIDs,
			BurstBytes:      int64(p.HBM.BurstBytes),
		},
	}
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
	if opts.TieSeed != 0 {
		engine = link.NewShuffledEngine(opts.TieSeed)
	}
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
	if pt, ok := opts.Tracer.(PCTracer); ok {
		s.dma.pcTracer = pt
	}
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
		inHalf:           d.TileBytes(d.InputBufferBytes),
		wHalf:            d.TileBytes(d.WeightBufferBytes),
		oHalf:            d.TileBytes(d.OutputBufferBytes),
		memBytesPerCycle: s.planBandwidth(),
		burstBytes:       opts.DMA.BurstBytes,
		regionBytes:      addressBytes(opts.DMA, p) / addressRegions / uint64(opts.DMA.InterleaveBytes*int64(d.HBMPorts)) * uint64(opts.DMA.InterleaveBytes*int64(d.HBMPorts)),
		foldOverlap:      opts.FoldOverlap,
		vectorOps:        opts.VectorOpsPerElement,
		lanes:            int64(d.VectorLanes),
	}
	s.ctrl.burstBytes = opts.DMA.BurstBytes
	s.ctrl.single = d.BufferHalves() == 1
	s.ctrl.fifo = d.Buffering == hw.StreamBuffered
	s.ctrl.capacity = streamCapacity(d.InputBufferBytes, d.WeightBufferBytes, d.OutputBufferBytes)
	s.ctrl.launch = uint64(d.LaunchCycles)
	s.ctrl.region = s.cfg.regionBytes
	return s, nil
}

// addressBytes is the size of the DMA's address space in bytes: the
// Router's capacity when it has one (a PCRouter's PCs), otherwise the
// platform's whole HBM.
func addressBytes(c DMAConfig, p hw.Platform) uint64 {
	if r, ok := c.Router.(interface{ Capacity() uint64 }); ok {
		return r.Capacity()
	}
	return uint64(p.HBM.TotalBytes())
}

// Engine is the Akita engine the simulator runs on.
func (s *Simulator) Engine() akita.Engine { return s.engine }

// Clock is the kernel clock.
func (s *Simulator) Clock() clock.Domain { return s.clock }

// Memory is the off-chip memory system.
func (s *Simulator) Memory() MemorySystem { return s.memory }

// DMAStats returns the DMA's counters so far.
func (s *Simulator) DMAStats() DMAStats { return s.dma.Stats() }

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
