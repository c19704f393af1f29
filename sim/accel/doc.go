// Package accel simulates a whole forward pass (a workload.Graph: kernels
// over named tensors) on an accelerator design: the compute side of package compute (controller,
// DMA, systolic arrays with their double-buffered buffers, vector units)
// and an on-chip activation store, connected through the design's AXI
// ports and the HBM switch to the HBM2 pseudo-channels of package hbm (or
// to the ideal memory of package idealmem), all on one serial Akita engine.
//
// # Execution
//
// The graph's ops run in order, back to back: each starts in the cycle the
// previous one ended (the engine runs once for the whole pass). Inside a
// kernel the controller walks the tiler's steps as package compute
// describes: a tile is loaded into the free half of its double buffer while
// the arrays work on the other half, so the next tile's loads overlap the
// current tile's compute, and finished output tiles are written back while
// the next ones are computed. Only the first load and the last write-back
// of a kernel are exposed. A vector unit cuts its rows into at least
// compute.VectorMinChunks chunks so that its loads and stores overlap too.
// Kernels do not overlap each other. With Options.PrefetchWeights, once a
// kernel has issued all its own weight loads, the controller loads the
// next kernel's first weight tiles (stored weights only, never an
// activation) into the weight buffer halves the running kernel no longer
// needs, so that the next kernel's first weight load is not exposed.
//
// # Fusion
//
// With Options.Fuse, an elementwise kernel that reads a matmul's output
// element for element, and nothing else reads that output, runs as the
// matmul's epilogue (compute.Simulator.PlanFused): GELU after fc1,
// SiLU-and-multiply after up (the gate is its side operand), the residual
// adds after out, fc2, o and down (the residual stream is the side
// operand), softmax after QK^T when an output tile can hold whole rows (the
// tiler then only tries tiles of whole rows). The vector unit of each array
// takes each fold's outputs as the array drains them and applies the
// epilogue while the array computes the next folds; the output tile is
// written back once the epilogue is done, and the intermediate tensor is
// never stored (it takes no place in the store or in HBM). The side
// operand's tile is loaded like the inputs, into the output buffer beside
// the output tile (the tiler counts its bytes there). When the vector unit
// is slower than the array, the array waits for a free output half: that
// wait, and the epilogue work left after the array's last fold, are
// StallVectorCycles. The kernel list stays the same in the result: the
// matmul's KernelResult covers the pair (its Kernel has the matmul's shape
// and MACs, the ops of both, the side operand in InputElems and the
// epilogue's output; FusedWith names the elementwise kernel), and the
// elementwise kernel's result has no time (it starts and ends where the
// matmul ends), every count of its Kernel zero, no bytes and no placement
// (FusedInto names the matmul). So every kernel stays at or above its
// roofline bound: the pair's bound is max((ops of both) / peak, the pair's
// HBM bytes / memory ceiling), its time is at least the array's and the
// vector units' work, and the zeroed kernel's bound is 0.
//
// # Pipelining
//
// With Options.Pipeline the design is split in two parts that work on
// consecutive frames at once: the vision encoder and the connector on some
// arrays, the text encoder on the others, each with its own PCs and AXI
// ports (disjoint) and its own share of the stores (see Pipeline). Each
// part is simulated on its own engine and runs its slice of the graph
// (workload.Graph.Slice: what the other part produces is an input in HBM,
// and the text prefix one input); the result lists the kernels in
// order with the text part's after the vision part's (a frame's latency is
// the sum), and FrameIntervalCycles is the longer part.
//
// # Where weights live
//
// Weights (the K x N operand of a GEMM with its bias, the position
// embedding table, norm parameters) live in HBM, unless pinned in the
// design's weight store (hw.Design.WeightStoreBytes, Options.PinWeights:
// in the order of first use, or the most kernel reads per byte first, each
// distinct weight that still fits). A pinned weight is there before the
// frame starts (loaded once, across frames: the steady state), so it costs
// no HBM traffic; its tiles come to the buffers through the weight store's
// path (Options.WeightStore, DefaultWeightStore), its kernel's Weights are
// OnChip. A kernel's weight is the set of stored tensors it names
// (Kernel.Weights: its weight with its bias or parameters); every distinct
// set in HBM gets one range of the DMA's address space, in order of first
// use, and kernels that name the same tensors read the same range (every
// camera's vision kernels read the one copy of the vision weights). After
// the weights come the inputs of the pass (the graph's tensors of role
// input or kv_cache: camera patches, token embeddings), in order of first
// use, then the activations that spill, allocated first fit and freed
// after their last reader. The address space is cut into chunks
// of Layout.InterleaveBytes (4 KiB by default) dealt to the pseudo-channels
// of Layout.PCs in turn (the design's PCs by default), so every tile is
// spread over many PCs; a PC's traffic uses the design port of the same
// number when the design has a port per PC. Layout.Map LayoutContiguous
// gives each PC one consecutive range instead (the first PC's 256 MiB,
// then the next's), as a host that allocates every buffer in the first
// bank with room does: the weights then sit in the first PC or two, and a
// kernel's weights come through one or two ports.
//
// # Which tensors a kernel reads
//
// The graph says it: a kernel reads the tensors its Inputs name (for
// attention the left operand, then the right one, which the compute side
// loads as its Weights operand) and writes the one its Outputs names;
// workload.NewGraph has checked that each is declared, produced by an
// earlier kernel or an input of the pass, and of the kernel's element
// counts. A view (the text prefix: every camera's image tokens, then the
// language and state tokens) is read as its parts, along rows. An operand
// that is not a tensor of the graph is an error, never a silent input in
// HBM. A tensor's lifetime runs from its producer to its last consumer.
//
// An elementwise kernel can be fused into the matmul just before it (see
// Fusion) when it reads that matmul's output whole, nothing else reads
// that output, it reads no weights or parameters, and its other operand
// (the side operand) has its output's size.
//
// # Residency
//
// A kernel's output stays in the activation store (hw.Design's
// ActivationBufferBytes; Options.Residency) when a later kernel reads it
// and it fits next to what is still live there: the tensors on chip that
// this or a later kernel still reads. A row-wise elementwise kernel (norm,
// softmax, activation, residual add), which reads a chunk of rows before
// writing it, may write its output over an input of the same size that it
// reads for the last time. Otherwise the output is written to HBM (always
// for outputs nothing reads, such as the pass's result). A tensor is placed
// whole: one that does not fit is spilled, and nothing is evicted to make
// room. A kernel's input is on chip exactly when the tensor it comes from
// is; an operand made of several tensors may be partly on chip and partly
// in HBM (Mixed), and each of its tiles then reads its share of each part.
// KernelResult.Placement reports the result per operand. A fused pair
// writes the epilogue's output while it still reads the matmul's inputs,
// so that output is placed before the matmul's inputs are freed (and may
// go in place only over the epilogue's side operand).
//
// Moving an operand between the store and the arrays' buffers takes time:
// the store's read and write paths each move OnChip bytes per cycle
// (DefaultOnChip: 1024 B, 128 UltraRAM blocks side by side, as wide as the
// preset designs' 32 HBM ports) after OnChip.LatencyCycles; those bytes are
// OnChipBytesRead and OnChipBytesWritten, and the arrays' wait for them is
// StallOnChipCycles. HBM traffic goes through the DMA, the AXI ports, the
// switch and the pseudo-channels.
//
// # Statistics
//
// Per kernel (KernelResult), in kernel cycles: StartCycle, EndCycle and
// Cycles; ComputeCycles, the closed-form busy time of the critical engine
// (the array or vector unit that finished last), of which FillDrainCycles
// fill and drain its folds; and its waits: StallHBMCycles for tiles from
// HBM (with the final write-back to HBM), StallOnChipCycles for tiles from
// the store (with a final write-back into it), StallBufferCycles for a free
// output buffer half, StallVectorCycles for the vector unit (0 without
// fusion), and LaunchCycles, the design's launch overhead (0 without one).
// They add up: Cycles = ComputeCycles + StallHBMCycles + StallOnChipCycles
// + StallBufferCycles + StallVectorCycles + LaunchCycles. MACs, VectorOps (lane operations)
// and PECycles (MACs / PECycles is the mapping efficiency) count the work;
// BytesRead and BytesWritten the HBM traffic (each request rounded up to
// the 32 B burst), split by pseudo-channel in BytesReadPerPC and
// BytesWrittenPerPC; RowHits / ColumnCommands is the row-hit rate of the
// layout's PCs during the kernel, RefreshCycles / PCCycles their refresh
// share; Requests counts the DMA's memory requests. IdealBytes is the
// kernel's roofline bytes, HBMIdealBytes the part placed in HBM (of it,
// HBMIdealWriteBytes written).
//
// # Lower bound
//
// The model cannot beat max(ops / peak, HBMIdealBytes / memory ceiling):
// the arrays never exceed their PEs' MACs per cycle, the vector units (64
// lanes per array in the presets) are far slower than the arrays' peak, and
// every byte counted in HBMIdealBytes crosses the design's AXI ports, while
// the on-chip traffic is not counted in the bound at all. One caveat: an
// AXI port has separate read and write data channels, so a kernel that
// reads and writes HBM at the same time can move up to min(HBM peak, two
// times the ports' bandwidth); for such a kernel the sound bound is
// max(reads / ports' bandwidth, writes / ports' bandwidth, all / HBM peak of
// the used PCs). With the preset designs' activation store no kernel of
// the smolvla or seed scenario comes near it; with every activation in HBM,
// an elementwise kernel with few operations per byte (a BF16 or FP32
// residual add) does (see the tests).
//
// With Options.PrefetchWeights part of a kernel's weights cross the ports
// while the previous kernel runs: its Placement.Weights is then Mixed (or
// OnChip when all of them did) and its HBMIdealBytes leave the prefetched
// bytes out (at most its weights' ideal bytes, so the bound stays sound),
// while its BytesRead still count them. The HBM's row-hit and refresh
// counts of a kernel are those of its time window, which then include the
// next kernel's prefetched tiles.
//
// # Trace
//
// Options.Tracer receives a task per kernel (on Accel.Ctrl), per tile
// transfer (on Accel.DMA or Accel.ActStore, child of its kernel) and per
// array or vector unit step (on Accel.Array[i], Accel.Vector[i]). CSVTracer
// writes them in the CSV format of Akita's tracing package, which Daisen
// opens; IDs are deterministic, so two runs write the same file. Without a
// tracer nothing is built or formatted. A tracer that is also a PCTracer
// (report/html's Timeline) receives each HBM request's bytes and
// pseudo-channel as it completes, its time shifted like the tasks' in a
// pipelined design.
package accel
