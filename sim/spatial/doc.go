// Package spatial simulates spatial (dataflow) designs: compute units,
// each with its own shape, precision and SLR, that run the ops of a
// workload.Graph concurrently and stream activations to each other through
// bounded on-chip FIFOs (hw.SpatialDesign; docs/spatial.md).
//
// NewPlan maps every op to its unit (the first whose patterns select it)
// and cuts it into Tiles row tiles; each unit gets its list of items (op
// tiles) in the order it runs them. An item's compute cycles are closed
// forms of package compute: ArrayTiming.MatmulCycles of its m_i x K x N
// tile (m_i = floor((i+1) M / T) - floor(i M / T)) on the unit's arrays,
// or ceil(ops_i / lanes) on a vector unit, plus the design's launch
// overhead on an op's first tile. Its reads from HBM are its weights
// (once per op when they fit half the unit's weight buffer, else every
// tile), parameters and model inputs; a model output is written back.
//
// Run builds one Akita engine with a Unit per unit, a Stream per pair of
// units that exchange tiles, a DMA and the HBM model, and runs them:
//
//	Unit   --pushReq--> Stream --pushAck--> Unit     (a full FIFO holds the ack: back-pressure)
//	Unit   --popReq-->  Stream --tileMsg--> Unit     (the head tile; eager pops take K/V tiles)
//	Unit   --memReq-->  DMA    --memDone--> Unit     (4 KiB mem.ReadReq/WriteReq on the unit's PCs)
//
// A unit starts an item when every tile it reads is in the unit, its HBM
// reads are done (issued one item ahead, or at its turn when single
// buffered) and its previous outputs were taken; it is then busy for the
// item's cycles. Result reports per unit busy time, utilisation and
// stalls by cause, per stream occupancy and blocked pushes, the bottleneck
// (the busiest unit), the pipeline fill (the end of the first pass) and
// the throughput (one pass per bottleneck interval). A run whose events
// run out before every unit is done is a deadlock, reported as an error.
package spatial
