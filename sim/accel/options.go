package accel

import (
	"fmt"
	"math"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sim/budget"
	"github.com/roofsim/roofsim/sim/compute"
	"github.com/roofsim/roofsim/sim/hbm"
	"github.com/roofsim/roofsim/sim/idealmem"
	"github.com/roofsim/roofsim/workload"
)

// Memory names an off-chip memory model.
type Memory string

// The memory models Run accepts (Options.Memory).
const (
	// MemoryHBM is the cycle-level HBM2 model of package hbm (the default).
	MemoryHBM Memory = "hbm"
	// MemoryIdeal is the ideal memory of package idealmem: a fixed latency
	// behind each port's bandwidth.
	MemoryIdeal Memory = "ideal"
)

// ParseMemory accepts "hbm" or "ideal".
func ParseMemory(s string) (Memory, error) {
	switch m := Memory(s); m {
	case MemoryHBM, MemoryIdeal:
		return m, nil
	}
	return "", fmt.Errorf("memory %q is not known (accepted: %s|%s)", s, MemoryHBM, MemoryIdeal)
}

// DefaultInterleaveBytes is the default granularity at which weights and
// spilled activations are spread over the pseudo-channels: 4 KiB, the
// largest AXI burst (a burst may not cross a 4 KiB boundary) and the DMA's
// largest request, so that every request stays in one PC and consecutive
// requests of a tile go to consecutive PCs.
const DefaultInterleaveBytes = 4096

// On-chip path of the activation store (see DefaultOnChip).
const (
	// DefaultOnChipBytesPerCycle is the least width of the activation
	// store's read path, and of its write path, in bytes per kernel cycle:
	// 128 UltraRAM blocks side by side, each with a 72-bit port carrying 64
	// data bits per cycle (AMD UG573): 1024 B = 8192 bits per cycle, 307.2
	// GB/s at 300 MHz each way, as wide as the preset designs' 32 256-bit HBM
	// ports, so that an operand on chip never reaches the buffers later than
	// it would from HBM. The 16 MiB store of the preset designs takes 455
	// blocks, 4 such rows deep; a URAM has two ports, one serves the reads
	// and the other the writes. It is well above the arrays' input edges (3 x
	// 64 B per cycle for INT8) and keeps the elementwise kernels limited by
	// their vector units (3 x 64 lanes), not by the store.
	DefaultOnChipBytesPerCycle = 1024
	// onChipBytesPerURAM is the data bytes one UltraRAM block moves per
	// cycle and port (64 of its 72 bits; the other 8 are parity).
	onChipBytesPerURAM = 8
	// DefaultOnChipLatencyCycles is the latency of a transfer between the
	// store and the arrays' buffers: the URAM read with its output register
	// (2 cycles, UG573), the cascade and row multiplexer of a store several
	// blocks deep (1 cycle) and the register slice of the route to the
	// arrays (1 cycle).
	DefaultOnChipLatencyCycles = 4
)

// LayoutMap names how the DMA's address space maps onto the PCs.
type LayoutMap string

// The layout maps Run accepts (Layout.Map).
const (
	// LayoutInterleave deals the DMA's address space to the layout's PCs in
	// chunks of InterleaveBytes, in turn (the default): every tile is
	// spread over many PCs.
	LayoutInterleave LayoutMap = "interleave"
	// LayoutContiguous gives each PC of the layout one consecutive range
	// of the address space, PC after PC (the first PC's 256 MiB, then the
	// next's), as a host that allocates every buffer in the first bank
	// with room does: a weight tensor sits in one PC (two when it straddles
	// a boundary), so one kernel's weights come through one or two ports.
	LayoutContiguous LayoutMap = "contiguous"
)

// Layout is how weights and spilled activations are spread over HBM: by
// default the DMA's address space is cut into chunks of InterleaveBytes
// that go to the pseudo-channels of PCs in turn.
type Layout struct {
	// InterleaveBytes is the chunk size, a power of two of at least the
	// 32 B burst.
	InterleaveBytes int64
	// PCs are the pseudo-channels used, in order (each at most once).
	PCs []int
	// Map is LayoutInterleave ("" too) or LayoutContiguous.
	Map LayoutMap
}

// ParseLayoutMap accepts "interleave" or "contiguous".
func ParseLayoutMap(s string) (LayoutMap, error) {
	switch m := LayoutMap(s); m {
	case LayoutInterleave, LayoutContiguous:
		return m, nil
	}
	return "", fmt.Errorf("layout %q is not known (accepted: %s|%s)", s, LayoutInterleave, LayoutContiguous)
}

// PinPolicy names which weights go to the on-chip weight store.
type PinPolicy string

// The weight pinning policies Run accepts (Options.PinWeights).
const (
	// PinNone keeps every weight in HBM (the default; "" too).
	PinNone PinPolicy = "none"
	// PinInOrder pins the distinct weights in the order the kernels first
	// read them, each that still fits the weight store.
	PinInOrder PinPolicy = "order"
	// PinMostReused pins first the weights with the most kernel reads per
	// byte of store: a vision weight is read once per camera, and every
	// kernel whose weights are on chip has its first weight tile there
	// without waiting for HBM, so small weights and parameters read by
	// many kernels come first; in kernel order among equals, each that
	// still fits.
	PinMostReused PinPolicy = "reuse"
)

// ParsePinPolicy accepts "none", "order" or "reuse".
func ParsePinPolicy(s string) (PinPolicy, error) {
	switch p := PinPolicy(s); p {
	case PinNone, PinInOrder, PinMostReused:
		return p, nil
	}
	return "", fmt.Errorf("pin policy %q is not known (accepted: %s|%s|%s)", s, PinNone, PinInOrder, PinMostReused)
}

// Options are the simulation's parameters beyond the design, the platform
// and the kernel list.
type Options struct {
	// Memory is the off-chip memory model: MemoryHBM (default) or
	// MemoryIdeal.
	Memory Memory
	// FoldOverlap lets an array's next fold fill while the previous one
	// drains (on by default).
	FoldOverlap bool
	// Layout spreads weights and spilled activations over the PCs.
	Layout Layout
	// Residency keeps activations in the design's activation store
	// (hw.Design.ActivationBufferBytes) while they fit (on by default);
	// off, every activation goes through HBM.
	Residency bool
	// OnChip is the activation store's path to the arrays' buffers.
	OnChip compute.OnChipConfig
	// DMA configures the DMA engine; its InterleaveBytes and Router are
	// set from Layout.
	DMA compute.DMAConfig
	// HBM are the HBM model's parameters (MemoryHBM); its kernel clock and
	// port width are the design's.
	HBM hbm.Params
	// IdealMemory configures the ideal memory (MemoryIdeal).
	IdealMemory idealmem.Config
	// VectorOpsPerElement overrides, per kernel kind, the lane operations
	// a vector unit spends per output element (compute.Options); by default
	// a pixel shuffle, which has no arithmetic, costs one lane-cycle per
	// element, since every element passes through a lane on its way from
	// the input to the output buffer.
	VectorOpsPerElement map[workload.Kind]int64
	// PinWeights keeps weights in the design's on-chip weight store
	// (hw.Design.WeightStoreBytes): PinNone (default), PinInOrder or
	// PinMostReused. A pinned weight was loaded before the frame (once,
	// across frames: the steady state), costs no HBM traffic and is read
	// through the weight store's path (WeightStore).
	PinWeights PinPolicy
	// WeightStore is the weight store's path to the arrays' buffers (its
	// write path is not used during a pass).
	WeightStore compute.OnChipConfig
	// Fuse fuses each elementwise kernel that reads a matmul's output
	// element for element into that matmul as an epilogue (GELU after fc1,
	// SiLU-and-multiply after up, the residual adds after out, fc2, o and
	// down, softmax after QK^T when its output tiles can hold whole rows):
	// the vector unit applies it to each output tile as the array drains
	// it, and the intermediate tensor is never stored (see the package
	// documentation for how the pair is reported).
	Fuse bool
	// Pipeline, when set, splits the design in two to pipeline frames: the
	// vision encoder and the connector on some arrays, the text encoder on
	// the others, each with its own ports, PCs and share of the stores
	// (see Pipeline).
	Pipeline *Pipeline
	// PrefetchWeights loads each kernel's first weight tiles while the
	// previous kernel runs, into the weight buffer halves it no longer
	// needs, instead of exposing the load at the kernel's start.
	PrefetchWeights bool
	// Tracer, when set, receives a task per kernel, per tile transfer and
	// per array or vector unit step (see CSVTracer); nil costs nothing.
	Tracer Tracer
	// Progress, when set, is called after each kernel with the kernels done
	// and the total.
	Progress func(done, total int)
	// Limits bound the simulation before it starts (the zero value: the
	// default limits, budget.DefaultMaxMemoryBytes and DefaultMaxEvents);
	// a pass over them is refused with what would fit.
	Limits budget.Limits
}

// DefaultOptions are the options of design d on platform p: the HBM model
// with its default parameters at the design's port width and clock, fold
// overlap on, weights and spilled activations interleaved every 4 KiB over
// the design's PCs (0 .. d.PCs()-1), activations kept on chip while they
// fit, the on-chip path of DefaultOnChip, the weight store path of
// DefaultWeightStore (no weight pinned), no fusion, no pipelining, no
// prefetch, and the DMA and ideal memory of compute.DefaultOptions.
func DefaultOptions(d hw.Design, p hw.Platform) Options {
	co := compute.DefaultOptions(d, p)
	hp := hbm.DefaultParams(p.HBM)
	hp.PortBits = d.PortBits
	hp.KernelFreqHz = d.ClockHz(p)
	pcs := compute.DesignPCs(d, p)
	return Options{
		Memory:      MemoryHBM,
		FoldOverlap: true,
		Layout:      Layout{InterleaveBytes: DefaultInterleaveBytes, PCs: pcs, Map: LayoutInterleave},
		Residency:   true,
		OnChip:      DefaultOnChip(d, p),
		PinWeights:  PinNone,
		WeightStore: DefaultWeightStore(d, p),
		DMA:         co.DMA,
		HBM:         hp,
		IdealMemory: co.IdealMemory,
		VectorOpsPerElement: map[workload.Kind]int64{
			workload.KindShuffle: ShuffleLaneOpsPerElement,
		},
	}
}

// ShuffleLaneOpsPerElement is the lane operations a vector unit spends on
// each element of a pixel shuffle: the kernel only moves data (its Ops are
// 0), but each element goes through a lane, one per cycle, from the input
// buffer to its place in the output buffer.
const ShuffleLaneOpsPerElement = 1

// DefaultOnChip is the on-chip path of design d's activation store on
// platform p, each way: the larger of DefaultOnChipBytesPerCycle and the
// design's memory ceiling per kernel cycle (d.MemBytesPerSec), but no more
// than the store's UltraRAM blocks give side by side (8 B per block of
// hw.URAMBits, at least one block); and DefaultOnChipLatencyCycles.
func DefaultOnChip(d hw.Design, p hw.Platform) compute.OnChipConfig {
	return storePath(d.ActivationBufferBytes, d, p)
}

// DefaultWeightStore is the path of design d's weight store to the
// arrays' buffers on platform p, the same rule as DefaultOnChip's for a
// store of hw.Design.WeightStoreBytes: the larger of
// DefaultOnChipBytesPerCycle and the memory ceiling per cycle, no more than
// its UltraRAM blocks give side by side. A small store has few blocks and
// a narrow path: a pinned weight then arrives later than it would from
// HBM.
func DefaultWeightStore(d hw.Design, p hw.Platform) compute.OnChipConfig {
	return storePath(d.WeightStoreBytes, d, p)
}

// storePath is the path of an on-chip store of bytes bytes (see
// DefaultOnChip).
func storePath(bytes int64, d hw.Design, p hw.Platform) compute.OnChipConfig {
	blocks := max((bytes*8+hw.URAMBits-1)/hw.URAMBits, 1)
	ceiling := int64(math.Ceil(d.MemBytesPerSec(p)/d.ClockHz(p) - 1e-9))
	bw := min(max(int64(DefaultOnChipBytesPerCycle), ceiling), blocks*onChipBytesPerURAM)
	return compute.OnChipConfig{ReadBytesPerCycle: bw, WriteBytesPerCycle: bw, LatencyCycles: DefaultOnChipLatencyCycles}
}

// validate reports the first unusable option for design d on platform p.
func (o Options) validate(d hw.Design, p hw.Platform) error {
	if o.Memory != MemoryHBM && o.Memory != MemoryIdeal {
		return fmt.Errorf("accel: memory %q is not known (accepted: %s|%s)", o.Memory, MemoryHBM, MemoryIdeal)
	}
	g := o.Layout.InterleaveBytes
	if g < int64(p.HBM.BurstBytes) || g&(g-1) != 0 {
		return fmt.Errorf("accel: layout interleave bytes must be a power of two of at least %d, got %d", p.HBM.BurstBytes, g)
	}
	if len(o.Layout.PCs) == 0 {
		return fmt.Errorf("accel: layout PCs must list at least one pseudo-channel")
	}
	seen := make([]bool, p.HBM.PseudoChannels)
	for _, pc := range o.Layout.PCs {
		if pc < 0 || pc >= p.HBM.PseudoChannels {
			return fmt.Errorf("accel: layout PC %d is not a pseudo-channel of %s (0..%d)", pc, p.Name, p.HBM.PseudoChannels-1)
		}
		if seen[pc] {
			return fmt.Errorf("accel: layout PCs list PC %d twice", pc)
		}
		seen[pc] = true
	}
	if err := o.OnChip.Validate(); err != nil {
		return fmt.Errorf("accel: %w", err)
	}
	switch o.Layout.Map {
	case "", LayoutInterleave, LayoutContiguous:
	default:
		return fmt.Errorf("accel: layout map %q is not known (accepted: %s|%s)", o.Layout.Map, LayoutInterleave, LayoutContiguous)
	}
	switch o.PinWeights {
	case "", PinNone:
	case PinInOrder, PinMostReused:
		if d.WeightStoreBytes <= 0 {
			return fmt.Errorf("accel: pin weights %q needs a design with weight_store_bytes > 0, design %q has none", o.PinWeights, d.Name)
		}
		if err := o.WeightStore.Validate(); err != nil {
			return fmt.Errorf("accel: weight store: %w", err)
		}
	default:
		return fmt.Errorf("accel: pin weights %q is not known (accepted: %s|%s|%s)", o.PinWeights, PinNone, PinInOrder, PinMostReused)
	}
	if o.Pipeline != nil {
		if err := o.Pipeline.validate(d, p, o); err != nil {
			return err
		}
	}
	return nil
}

// pinning reports whether the options pin weights.
func (o Options) pinning() bool { return o.PinWeights == PinInOrder || o.PinWeights == PinMostReused }
