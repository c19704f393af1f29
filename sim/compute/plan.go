package compute

import (
	"fmt"
	"math"
	"strings"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/workload"
)

// Operand is one of a kernel's three tensors.
type Operand int

// The operands. For a GEMM, Inputs is the M x K activation, Weights the
// K x N weight and Outputs the M x N result; for an attention matmul Weights
// is the right-hand activation (K^T or V). For an elementwise kernel Inputs
// are its activation operands, Weights its stored table or parameters. Side
// is the second operand of a fused epilogue (the residual stream of a
// residual add, the gate of SwiGLU), one tile per output tile; only a
// matmul with an Epilogue has it.
const (
	Inputs Operand = iota
	Weights
	Outputs
	Side
	numOperands
)

// addressRegions is the number of regions a plan's own address space is cut
// into, one per operand of an unfused kernel (Inputs, Weights, Outputs); the
// Side operand of an epilogue is always bound to segments (Binding) and its
// region lies beyond them.
const addressRegions = 3

// loadOperands are the operands loaded into the buffers, in the order the
// controller issues them.
var loadOperands = [...]Operand{Inputs, Weights, Side}

// Operands lists the operands in order.
func Operands() []Operand { return []Operand{Inputs, Weights, Outputs, Side} }

// String returns "inputs", "weights", "outputs" or "side".
func (o Operand) String() string {
	switch o {
	case Inputs:
		return "inputs"
	case Weights:
		return "weights"
	case Outputs:
		return "outputs"
	case Side:
		return "side"
	}
	return fmt.Sprintf("operand(%d)", int(o))
}

// Engine is the unit a kernel runs on.
type Engine string

// The engines.
const (
	// EngineArray is the systolic arrays (GEMM and attention matmuls).
	EngineArray Engine = "array"
	// EngineVector is the vector units (elementwise kernels).
	EngineVector Engine = "vector"
)

// LoopOrder is the order of the tiler's loops; K is always innermost, so
// that an output tile stays on chip until it is complete.
type LoopOrder string

// The loop orders.
const (
	// OrderNMK walks the column groups outermost: a group's weight tiles
	// stay in the weight buffer while the row tiles stream past them.
	OrderNMK LoopOrder = "nmk"
	// OrderMNK walks the row tiles outermost: a row tile of inputs stays in
	// the input buffer while the column groups stream past it.
	OrderMNK LoopOrder = "mnk"
	// OrderRows is the elementwise order: chunks of rows, one after another.
	OrderRows LoopOrder = "rows"
)

// tileKey identifies a tile of one operand; two works that name the same
// key use the same data.
type tileKey struct {
	valid   bool
	b, i, j int64
}

// work is what one array (or vector unit) does in one step.
type work struct {
	step  int
	array int
	keys  [numOperands]tileKey
	// bytes is the size of each operand's tile in bytes: what a load of the
	// inputs or weights tile moves, and what the output store moves.
	bytes [numOperands]int64
	// store says the step completes its output tile, which is written back
	// after it.
	store bool
	// Array work: folds of the step, each streaming temporal elements.
	folds, temporal int64
	// macs is the useful multiply-accumulates; peCycles the PE-cycles of the
	// folds' streams (folds x R x C x temporal).
	macs, peCycles int64
	// Vector work: element operations and lanes cycles.
	vectorOps, vectorCycles int64
	// epilogue says the step completes an output tile of a matmul with an
	// Epilogue: the array's vector unit applies it (vectorOps operations)
	// to the tile's rows x cols outputs as its folds drain, before the
	// tile is written back.
	epilogue   bool
	rows, cols int64
}

// load is one tile read from off-chip memory into the buffers of its
// consumer arrays (several when they share the tile: it is read once).
type load struct {
	step      int
	op        Operand
	key       tileKey
	bytes     int64
	addr      uint64
	consumers []int
}

// store is an output tile written back after work w.
type store struct {
	bytes int64
	addr  uint64
}

// Plan maps one kernel onto the design: tile sizes, loop order, the steps
// each array runs and the tiles moved in and out.
type Plan struct {
	// Kernel is the kernel planned.
	Kernel workload.Kernel
	// Engine is the unit the kernel runs on.
	Engine Engine
	// Arrays is the number of arrays (and vector units) of the design.
	Arrays int
	// TileM, TileK, TileN are the tile sizes in elements (for an elementwise
	// kernel TileM is the rows of a chunk, TileK 1 and TileN the row length).
	TileM, TileK, TileN int64
	// Order is the loop order.
	Order LoopOrder
	// Steps is the number of steps; in each step every array with work does
	// one tile.
	Steps int
	// ActiveArrays is the number of arrays that have work.
	ActiveArrays int
	// Timing is the arrays' fold timing for this kernel (array engine).
	Timing ArrayTiming
	// PredictedBytes is the off-chip traffic of the plan per operand in
	// bytes (reads for inputs and weights, writes for outputs), each tile
	// rounded up to the memory burst.
	PredictedBytes [numOperands]int64
	// PredictedComputeCycles is the closed-form busy cycles of each array
	// (or vector unit) when no data is ever late.
	PredictedComputeCycles []int64
	// Epilogue is the elementwise kernel fused into this matmul (nil: none):
	// its output is the plan's output (see Simulator.PlanFused).
	Epilogue *workload.Kernel
	// epi is how the epilogue runs on the vector units.
	epi epilogueParams

	// src generates the works of each array, in step order, and the
	// tiles' addresses.
	src tileSource
	// footprint is the bytes of each operand's tiles laid out in memory.
	footprint [numOperands]uint64
}

// ComputeCycles is the closed-form busy cycles of the busiest array.
func (p *Plan) ComputeCycles() int64 {
	var m int64
	for _, c := range p.PredictedComputeCycles {
		m = max(m, c)
	}
	return m
}

// String summarises the plan on one line.
func (p *Plan) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s tile %dx%dx%d order %s steps %d arrays %d/%d", p.Engine, p.TileM, p.TileK, p.TileN, p.Order, p.Steps, p.ActiveArrays, p.Arrays)
	return b.String()
}

// planConfig is what the tiler needs to know of the design and the memory.
type planConfig struct {
	design       hw.Design
	arrays       int64
	inHalf       int64 // bytes of one half of each buffer, per array
	wHalf, oHalf int64
	// memBytesPerCycle is the off-chip bandwidth the tiler estimates with;
	// 0 is unlimited.
	memBytesPerCycle float64
	burstBytes       int64
	regionBytes      uint64 // size of each operand's address region
	foldOverlap      bool
	vectorOps        map[workload.Kind]int64
	lanes            int64 // vector lanes per array
}

// epilogueParams is how a fused epilogue runs: opsPerElem lane operations
// per output element on lanes lanes, the side operand's bits per output
// element (0: none), and whether a tile must hold whole rows (softmax).
type epilogueParams struct {
	opsPerElem, lanes, sideBits int64
	wholeRows                   bool
	rows, cols                  int64 // the array's R and C (output fold)
	outputStationary            bool
}

// bytesOf is the size of n elements of bits bits, rounded up to a byte.
func bytesOf(n, bits int64) int64 { return ceilDiv(n*bits, 8) }

// share is the part of total that falls on rows [r0, r1) of rows, spread
// evenly; the shares of consecutive ranges add up to total exactly.
func share(total, r0, r1, rows int64) int64 {
	return mulDiv(total, r1, rows) - mulDiv(total, r0, rows)
}

// mulDiv is a*b/c rounded down without overflow for the sizes seen here.
func mulDiv(a, b, c int64) int64 {
	if a <= math.MaxInt64/max(b, 1) {
		return a * b / c
	}
	return int64(float64(a) / float64(c) * float64(b))
}

// newPlan maps kernel k onto the design.
func newPlan(k workload.Kernel, epi *workload.Kernel, cfg planConfig) (*Plan, error) {
	if err := k.Validate(); err != nil {
		return nil, fmt.Errorf("compute: %w", err)
	}
	if err := checkRegions(k, cfg); err != nil {
		return nil, err
	}
	var p *Plan
	var err error
	switch {
	case k.Kind.IsMatmul():
		p, err = planMatmul(k, epi, cfg)
	case epi != nil:
		return nil, fmt.Errorf("compute: kernel %s cannot be fused into %s: only a matmul takes an epilogue", epi.Name, k.Name)
	default:
		p, err = planVector(k, cfg)
	}
	if err != nil {
		return nil, err
	}
	p.finish(cfg)
	for _, op := range Operands() {
		if p.footprint[op] > cfg.regionBytes {
			return nil, fmt.Errorf("compute: kernel %s: its %s take %d bytes, more than the %d of their region of off-chip memory",
				k.Name, op, p.footprint[op], cfg.regionBytes)
		}
	}
	return p, nil
}

// finish derives the predicted traffic (a tile is loaded when an array's
// previous work used another tile of that operand; arrays that need the
// same tile in the same step share one load), the footprints and the active
// arrays by walking the plan's loads and stores once, without holding them.
func (p *Plan) finish(cfg planConfig) {
	burst := max(cfg.burstBytes, 1)
	round := func(b int64) int64 { return ceilDiv(b, burst) * burst }
	end := func(op Operand, addr uint64, bytes int64) {
		p.footprint[op] = max(p.footprint[op], addr-uint64(op)*cfg.regionBytes+uint64(round(bytes)))
	}
	for _, op := range loadOperands {
		lc := newLoadCursor(p, op)
		for l := lc.peek(); l != nil; l = lc.peek() {
			p.PredictedBytes[op] += round(l.bytes)
			end(op, l.addr, l.bytes)
			lc.pop()
		}
	}
	var w work
	for ai := range p.Arrays {
		n := p.src.works(ai)
		if n > 0 {
			p.ActiveArrays++
		}
		for i := range n {
			if p.src.work(ai, i, &w); w.store {
				p.PredictedBytes[Outputs] += round(w.bytes[Outputs])
				end(Outputs, p.src.addr(Outputs, w.keys[Outputs]), w.bytes[Outputs])
			}
		}
	}
}

// Footprint is the bytes of operand op's tiles as the plan lays them out in
// memory: the address range its loads (or stores) touch.
func (p *Plan) Footprint(op Operand) uint64 { return p.footprint[op] }
