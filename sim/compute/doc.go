// Package compute is the compute side of a roofsim accelerator as Akita
// components: systolic arrays of DSP48E2 processing elements at the kernel
// clock, their double-buffered (or single- or stream-buffered) on-chip
// buffers, a tiler that maps a kernel onto them, a DMA engine that moves tiles through memory ports, a vector
// unit per array for the elementwise kernels, and the controller that walks
// the tiler's steps. It is event-driven: an array schedules the end of a
// step (all its folds) at its exact cycle, the DMA one event per memory
// response, never one per cycle.
//
// # Folds
//
// A fold is what an R x C array holds still at one time:
//
//	output-stationary (os): an R x C block of outputs (rows of M, columns
//	    of N); the temporal dimension T streamed through it is K
//	weight-stationary (ws): an R x C block of weights (rows of K, columns
//	    of N); T is M
//
// Its cycles, as the standard systolic-array analysis counts them
// (Samajdar et al., "A Systematic Methodology for Characterizing
// Scalability of DNN Accelerators using SCALE-Sim", ISPASS 2020), are a
// fill F, a stream S and a drain D, with the array's full R and C even for
// an edge fold that uses fewer PEs:
//
//	os: F = R + C - 2 (operands enter skewed; the far corner starts last)
//	    S = T
//	    D = R         (the outputs shift out through the rows)
//	ws: F = R         (the weights shift in a row per cycle)
//	    S = T
//	    D = R + C - 2 (the last input crosses the columns, its partial sum
//	                   falls through the rows)
//
// so one fold takes F + S + D = 2R + C + T - 2 cycles in both dataflows.
// n folds back to back on one array take
//
//	--fold-overlap=false: n (F + D) + sum S
//	--fold-overlap:       F + D + (n - 1) max(F, D) + sum S
//
// With overlap (the default), the next fold's fill runs during the previous
// fold's drain, as arrays with double-buffered weight or accumulator
// registers do: the fill starts when the previous stream ends, and the next
// stream starts when both the fill and the previous drain are done. When a
// fold's tiles arrive late, its fill starts when they arrive and the wait is
// counted as a stall.
//
// When a buffer's read bandwidth B (BufferReadBytesPerCycle, bytes per
// cycle) cannot feed the array's edge every cycle, the stream slows down:
// S = max(T, ceil(T R a / B)) for the inputs (a bytes per input element)
// and, for output-stationary, also ceil(T C w / B) for the weights; a
// weight-stationary fill becomes F = max(R, ceil(R C w / B)).
//
// # Array styles
//
// hw.Design.ArrayStyle picks how the folds above run (docs/model-compute.md):
//
//	fold (the default): the SCALE-Sim model above.
//	streaming: an HLS streaming array whose pipeline never empties between
//	    folds: the operands of fold j+1 enter right after those of fold j,
//	    so the gap is 0 and n folds whose data is there in time take
//	    F + D + sum S (F and D of the dataflow, paid once: the latency from
//	    an operand's entry to its output's exit). A fold whose data is late
//	    starts its stream when it arrives; its outputs leave F + D after its
//	    stream ends. The tiler charges a streaming array F + D per step
//	    boundary when it weighs tilings, so that it prefers few large steps.
//	dot (output-stationary only): C dot-product trees of R multipliers (a GEMV
//	    engine): each cycle each tree takes R elements of K of one output,
//	    so a fold is one row of C outputs, S = ceil(K / R), and an
//	    m x k x n matmul has m ceil(n / C) folds per product; F = 1 +
//	    ceil(log2 R) (the multiplier stage and the adder levels), D = 1 (the
//	    accumulator), gap 0: n folds take F + D + n ceil(K / R). The buffers
//	    feed R inputs and R C weights per cycle, so with a read bandwidth B
//	    S = max(ceil(K/R), ceil(S R a / 8B), ceil(S R C w / 8B)). The tiler
//	    tiles as for output-stationary; a step of m x k x n has
//	    m ceil(n / C) folds of T = ceil(k / R), and a fused epilogue takes
//	    each fold's C outputs as they leave.
//
// hw.Design.Buffering single makes each buffer one tile (the whole
// buffer, the tiler sizing tiles for it) instead of two halves: a tile
// loads once the array is done with the one before it, so with data that
// would otherwise be there in time each step boundary costs F + D instead
// of max(F, D) (a fold's fill waits for the previous drain and the load).
//
// hw.Design.Buffering stream makes each buffer a FIFO, as the read buffer
// of an HLS m_axi port is (AMD UG1399, "AXI4 Master Interface" and
// "Options for Controlling AXI4 Burst Behavior": the adapter keeps up to
// num_read_outstanding bursts of max_read_burst_length beats in flight and
// issues the next as soon as its buffer of num_read_outstanding x
// max_read_burst_length words has room for the burst's data). A FIFO of Q
// bytes holds tiles while their bytes sum to at most Q: a tile's load is
// issued as soon as the tiles in the FIFO leave room for it (its space is
// reserved at issue) and its space is freed when the array's step that
// used it is done. The tiler cuts tiles of at most
//
//	T = min(max(P B, t0), Q / 2)
//
// bytes, P the design's ports, B its burst (hw.Design.Burst, which is also
// the DMA's request and, in DefaultOptions, its interleave, so a tile of
// P B bytes is one burst on each port), t0 the smallest tile the array takes; so the FIFO holds
// Q / T tiles in flight where a double buffer holds 2. With a memory of
// round trip L cycles and bandwidth W bytes per cycle, the loads keep up
// when Q is above W L + 2 T (Little's law: the space reserved is W times
// the time from a load's issue to the end of the step that uses it): a
// step's data has arrived by the time the array reaches it, the latency is
// paid at the start and the end only, and a kernel of compute C cycles and
// traffic M bytes takes about max(C, M / W) + a few L
// (TestStreamGEMVNearBound), where a double buffer of tiles of Q / 2
// pays up to L at every step whose compute is shorter than L plus its
// load. A FIFO that
// cannot hold one burst per port (Q < P B) is refused (hw.Design.Validate).
//
// hw.Design.LaunchCycles L is a fixed overhead before each kernel (the
// host starting it): the controller issues nothing in the kernel's first L
// cycles, KernelStats.LaunchCycles reports them, and they are part of
// Cycles and StallCycles.
//
// ArrayTiming.MatmulCycles is the closed form of an untiled matmul on a
// number of arrays: its folds spread evenly (the busiest array takes
// ceil(folds / arrays)), FoldsCycles(n, n S).
//
// A partial sum kept between the passes over K is AccumulatorBytes wide,
// or the activation width when wider (FP64 accumulates in 64 bits).
//
// # Tiling
//
// The tiler cuts a matmul into tiles of TileM x TileK x TileN that fit half
// of each double buffer (the other half loads the next tile): an input tile
// of TileM x TileK, a weight tile of TileK x TileN and an output tile of
// TileM x TileN, held as 32-bit partial sums when K is cut into chunks or
// the dataflow is weight-stationary (whose folds accumulate over K in the
// output buffer), else at the activation width. TileM is a multiple of R for
// output-stationary, TileK a multiple of R for weight-stationary and TileN a
// multiple of C, so that the tiles hold whole folds and the fold count is
// the same as for the untiled matmul when the stationary dimension is not
// cut. K is the innermost loop, so that an output tile stays on chip until
// it is complete; the tiler chooses between walking column groups
// outermost (nmk: a weight tile stays while rows stream past) and rows
// outermost (mnk: an input tile stays while columns stream past). It weighs
// every tiling by max(closed-form compute cycles, bytes / memory bandwidth),
// then by off-chip bytes (so every operand is read once whenever a tiling
// that does so is as fast), then by the load before the first step and the
// store after the last, which nothing overlaps.
//
// A tile is loaded when an array's previous step used another tile of that
// operand; otherwise it stays in the buffer (that is the reuse the loop
// order buys). Plan.PredictedBytes is the traffic this gives, per operand.
//
// # Several arrays
//
// A design has Arrays identical arrays. A matmul's output columns of every
// batch are cut into column jobs of TileN columns; consecutive jobs go to
// consecutive arrays, one job per array per step. In a step the arrays work
// on the same rows and K range of different columns, so they share the
// input tile: it is read from memory once and written into every array's
// input buffer. Query heads that share a KV head (attention with grouped
// KV) share their right-hand tile the same way. The closed-form compute of
// a kernel is that of its busiest array; with batch B and ceil(N/C) column
// blocks per batch, that array has ceil(B ceil(N/C) / Arrays) blocks when
// the tiling balances them (it does when the memory does not limit). An
// elementwise kernel's rows are split evenly over the arrays' vector units.
//
// # Memory side
//
// The DMA cuts a tile transfer into requests of at most 4 KiB that do not
// cross an interleave boundary (4 KiB by default), sends each through the
// design HBM port its address maps to ((address / interleave) mod ports),
// and keeps at most MaxOutstanding requests in flight per port. Requests
// are akita mem.ReadReq / mem.WriteReq (sizes multiples of 32 B); the
// memory answers with mem.DataReadyRsp / mem.WriteDoneRsp. The ideal memory
// (package idealmem) and the HBM model speak the same messages. Tiles are
// laid out in memory in the order the kernel first uses them (weights
// packed offline in tile order, activations written by the previous kernel
// in the layout the next one reads), so each tile is one contiguous range.
//
// An elementwise kernel's rows are cut into at least VectorMinChunks chunks
// per vector unit, so that its loads and stores overlap its work too.
//
// # Operands on chip
//
// With Options.OnChip the simulator has an ActivationStore: the on-chip
// store of activations between kernels. A Binding places each operand of a
// kernel in Segments, each on chip or off chip at its own base address; a
// tile's transfer is split over the segments in proportion to their
// elements, the on-chip part served by the store's read (or write) path at
// its bytes per cycle, the off-chip parts by the DMA. The DMA's Router maps
// its addresses to memory addresses, ports and pseudo-channels (package
// accel spreads them over a set of PCs). RunJobs runs a list of bound
// kernels back to back in one engine run, each starting in the cycle the
// previous one ended.
//
// With Options.WeightStore the simulator also has a weight store (the same
// timing model, another component, Accel.WeightStore): a segment marked
// WeightStore (a pinned weight) is read through its read path. Its bytes
// are counted in OnChipBytesRead and WeightStoreBytesRead.
//
// # Fused epilogues
//
// PlanFused maps a matmul with an elementwise kernel fused into it (a Job's
// Epilogue): the vector unit of each array applies the elementwise kernel
// to the array's output tiles. An output-stationary fold of R x C outputs
// reaches the vector unit when it drains; the unit takes the folds in order,
// each ceil(outputs x ops per element / lanes) cycles, starting when both
// the fold has drained and the previous one is done (a weight-stationary
// step's outputs, partial sums until its last fold, come as one chunk at
// its end). The array goes on with its next folds meanwhile; the tile is
// written back when its epilogue is done, so the output half stays taken
// until then, and an array that finds both halves taken waits: the part of
// that wait until the epilogue ended is StallVectorCycles, the rest
// StallBufferCycles. An epilogue with a second operand (a residual stream,
// a gate) reads it as the Side operand, one tile per output tile, loaded
// like the inputs into the output buffer beside the output tile (the tiler
// sizes output tiles for both); the step that completes an output tile
// waits for its side tile. A row-wise epilogue (softmax) needs tiles
// of whole rows; the tiler tries only those.
//
// # Prefetch
//
// With Options.PrefetchWeights, RunJobs tells the controller the next job:
// once the running kernel has issued all its weight loads, the next
// kernel's weight loads of its first step (when its Binding has
// StoredWeights) go into the weight buffer halves that are free, marked as
// the next kernel's, which takes them over when it starts
// (KernelStats.PrefetchedBytes). The DMA and the stores count every
// transfer for the kernel it belongs to (two kernels at a time), so a
// kernel's traffic includes its prefetched tiles and nothing of the next
// kernel's.
//
// # Memory ports
//
// Options.MemoryPorts connects DMA port i to another port of the memory: a
// design that uses only some of the board's AXI ports (a part of a split
// design) reaches its pseudo-channels through their own ports.
//
// # Time accounting
//
// A kernel's Cycles run from its start to its last output written back.
// They split exactly into the critical engine's (the array or vector unit
// that finishes last) ComputeCycles, the closed-form cycles of its folds,
// StallHBMCycles (its steps waited for tiles from off-chip memory,
// including the first load), StallOnChipCycles (the same for tiles from the
// on-chip stores), StallBufferCycles (a step waited for a free output
// buffer half, whose tile was still being written back), StallVectorCycles
// (the part of such a wait until a fused epilogue was done, and the
// epilogue work left after the critical array's last fold) and
// WritebackCycles (from then to the last output written back). A wait is
// charged to the source of the tile that arrived last.
//
// # Trace
//
// Options.Tracer receives a TraceTask per kernel, per tile transfer and per
// step of an array or vector unit. A Tracer that is also a PCTracer
// receives each HBM request's bytes and pseudo-channel as its response
// arrives.
package compute
