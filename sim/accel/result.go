package accel

import (
	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sim/compute"
	"github.com/roofsim/roofsim/workload"
)

// Location says where an operand of a kernel lives.
type Location string

// The places an operand can live.
const (
	// OnChip: the operand is read from (or written to) the on-chip
	// activation store; it costs no HBM traffic.
	OnChip Location = "onchip"
	// InHBM: the operand is read from (or written to) HBM.
	InHBM Location = "hbm"
	// Mixed: part of the operand is on chip and part in HBM (the text
	// prefix: the image tokens on chip, the language and state tokens read
	// from HBM; or a residual add whose two inputs live apart).
	// KernelResult.HBMIdealBytes counts only the part in HBM.
	Mixed Location = "mixed"
	// None: the kernel has no such operand (an elementwise kernel without
	// stored weights or parameters).
	None Location = "none"
)

// Placement says where each operand of a kernel lives.
type Placement struct {
	// Inputs is where the kernel's activation inputs come from.
	Inputs Location
	// Weights is where the kernel's weights (or, for an attention matmul,
	// its right-hand activation) come from.
	Weights Location
	// Outputs is where the kernel's outputs go.
	Outputs Location
}

// KernelResult is what the simulation measured for one kernel. Cycles are
// of the design's kernel clock; the kernel runs from StartCycle to EndCycle.
type KernelResult struct {
	// Kernel is the kernel simulated.
	Kernel workload.Kernel
	// Placement is where its operands lived (with PrefetchWeights: where
	// its weights were when it started; the tiles prefetched while the
	// previous kernel ran were on chip, so its weights are Mixed, or OnChip
	// when all of them were).
	Placement Placement
	// FusedWith names the elementwise kernel fused into this matmul
	// (Options.Fuse): the result covers both, its Kernel has the matmul's
	// shape and MACs with the ops of both, the matmul's inputs and the
	// epilogue's side operand as InputElems, and the epilogue's output.
	FusedWith string
	// FusedInto names the matmul this elementwise kernel is fused into: it
	// takes no time of its own (StartCycle = EndCycle, the matmul's end),
	// its work and bytes are in the matmul's result, and its Kernel keeps
	// its name, kind and shape with every element and op count 0.
	FusedInto string
	// StartCycle and EndCycle bound the kernel in the forward pass.
	StartCycle, EndCycle int64
	// Cycles is EndCycle - StartCycle.
	Cycles int64
	// ComputeCycles is the busy cycles of the critical engine (the array or
	// vector unit that finished last); FillDrainCycles is the part of them
	// spent filling and draining the arrays.
	ComputeCycles, FillDrainCycles int64
	// Engine is the unit the kernel ran on: compute.EngineArray or
	// compute.EngineVector.
	Engine compute.Engine
	// StallHBMCycles is the critical engine's wait for data from HBM (loads
	// not yet arrived, and the final write-back when the output goes to
	// HBM).
	StallHBMCycles int64
	// StallOnChipCycles is its wait for operands still coming from the
	// on-chip activation store, and the final write-back into it.
	StallOnChipCycles int64
	// StallBufferCycles is its wait for buffer space.
	StallBufferCycles int64
	// StallVectorCycles is its wait for the vector unit: with a fused
	// epilogue, the array's wait for an output buffer half the epilogue
	// still held and the epilogue work left after the array's last fold
	// (0 otherwise: kernels do not overlap).
	StallVectorCycles int64
	// LaunchCycles is the design's kernel launch overhead (0 without one),
	// the kernel's first cycles.
	LaunchCycles int64
	// MACs executed on the arrays and element operations on the vector units.
	MACs, VectorOps int64
	// PECycles is the PE-cycles of the folds' streams (MACs / PECycles is
	// the mapping efficiency); PEs is the PEs (or lanes) of the design.
	PECycles, PEs int64
	// BytesRead and BytesWritten are the HBM traffic, in bytes.
	BytesRead, BytesWritten int64
	// OnChipBytesRead and OnChipBytesWritten are the operand bytes moved
	// between the on-chip activation store and the arrays' buffers.
	OnChipBytesRead, OnChipBytesWritten int64
	// BytesReadPerPC and BytesWrittenPerPC split the HBM traffic by
	// pseudo-channel (length: the platform's PCs).
	BytesReadPerPC, BytesWrittenPerPC []int64
	// RowHits and ColumnCommands count the HBM column commands of the
	// kernel and those that found their row open.
	RowHits, ColumnCommands int64
	// RefreshCycles is the HBM cycles the used PCs spent refreshing during
	// the kernel, summed over PCs; PCCycles is the kernel's HBM cycles times
	// the PCs, so RefreshCycles / PCCycles is the refresh share.
	RefreshCycles, PCCycles int64
	// DMARequestsIssued is the number of memory requests the DMA issued
	// (compute.KernelStats' of the same name).
	DMARequestsIssued int64
	// PrefetchedBytes is the bytes of its weight tiles loaded while the
	// previous kernel ran (Options.PrefetchWeights), counted in its
	// traffic; HBMIdealBytes leaves them out (at most its weights' ideal
	// bytes).
	PrefetchedBytes int64
	// IdealBytes is the kernel's ideal operand bytes (weights at the weight
	// width, activations at the activation width, each once, biases and
	// parameters not counted); HBMIdealBytes the part of them placed in HBM
	// (with Mixed operands, only their HBM part), of which
	// HBMIdealWriteBytes is written (the output, when in HBM) and the rest
	// read.
	IdealBytes, HBMIdealBytes, HBMIdealWriteBytes float64
	// Tiling summarises how the kernel was mapped onto the design (engine,
	// tile, loop order, steps, arrays used).
	Tiling string
}

// Result is a simulated forward pass.
type Result struct {
	// Design and Platform are what ran.
	Design   hw.Design
	Platform hw.Platform
	// FreqHz is the kernel clock.
	FreqHz float64
	// Memory names the off-chip memory model: "hbm" or "ideal".
	Memory Memory
	// Kernels are the kernels in execution order.
	Kernels []KernelResult
	// TotalCycles is the forward pass's time in kernel cycles: a frame's
	// latency.
	TotalCycles int64
	// FrameIntervalCycles is the time between two frames in the steady
	// state, in kernel cycles: TotalCycles, or with Options.Pipeline the
	// longer of the two parts (frames per second = FreqHz / it).
	FrameIntervalCycles int64
	// FusedKernels is the number of elementwise kernels fused into their
	// matmul (Options.Fuse).
	FusedKernels int
	// Parts are the two parts of a pipelined design (Options.Pipeline),
	// vision first; nil otherwise.
	Parts []Part
	// Events is the number of Akita events the engine handled.
	Events int64
	// MemoryBytesRead, MemoryBytesWritten and MemoryRequests are what the
	// memory system served (the HBM's AXI ports, or the ideal memory): the
	// sums of the kernels' BytesRead, BytesWritten and DMARequestsIssued when every
	// request arrived.
	MemoryBytesRead, MemoryBytesWritten, MemoryRequests int64
	// WeightBytes is the HBM the weights take (each distinct weight once);
	// PinnedWeightBytes the weight store the pinned weights take;
	// PeakOnChipBytes the activation store's highest occupancy (with
	// Pipeline, the sum of the parts'); PeakSpillBytes the most HBM held by
	// spilled activations at once.
	WeightBytes, PinnedWeightBytes, PeakOnChipBytes, PeakSpillBytes int64
	// KVCacheOnChipBytes is the KV cache the activation store holds for the
	// pass (its inputs of role kv_cache that fit, see Options.Residency);
	// the rest of the cache is in HBM.
	KVCacheOnChipBytes int64
}

// Part is one part of a pipelined design: what it has and how long it
// takes per frame.
type Part struct {
	// Name is "vision" (the vision encoder and the connector) or "text".
	Name string
	// Arrays is its arrays; PCs the pseudo-channels it owns, each with its
	// AXI port.
	Arrays int
	PCs    []int
	// ActivationStoreBytes and WeightStoreBytes are its shares of the
	// design's stores.
	ActivationStoreBytes, WeightStoreBytes int64
	// FirstKernel is the index in Result.Kernels of its first kernel;
	// Kernels how many it runs.
	FirstKernel, Kernels int
	// Cycles is its time per frame.
	Cycles int64
}
