package compute

import (
	"fmt"
	"math/bits"

	"github.com/roofsim/roofsim/hw"
)

// AccumulatorBytes is the size in bytes of one partial sum kept in an output
// buffer between the passes over K: the PEs accumulate in 32 bits (INT32 for
// the integer precisions, FP32 for BF16 and FP32), and partial sums are kept
// at that width until the last pass writes the final output at the
// activation width.
const AccumulatorBytes = 4

// ArrayTiming is the cycle cost of folds on one R x C systolic array with a
// given dataflow; see the package documentation for the formula.
type ArrayTiming struct {
	// Rows and Cols are the array's PE rows (R) and columns (C).
	Rows, Cols int64
	// Dataflow is output-stationary or weight-stationary.
	Dataflow hw.Dataflow
	// FoldOverlap lets a fold's fill run during the previous fold's drain.
	FoldOverlap bool
	// FillCycles (F) and DrainCycles (D) are the fill and drain of one fold.
	FillCycles, DrainCycles int64
	// BufferBytesPerCycle is the read bandwidth of each on-chip buffer to the
	// array in bytes per cycle; 0 is wide enough for the array's edge.
	BufferBytesPerCycle int64
	// InputBits and WeightBits are the sizes of an input (left operand) and a
	// weight (right operand) element in bits.
	InputBits, WeightBits int64
	// Style is the array's style: fold (the default), streaming or dot.
	Style hw.ArrayStyle
}

// NewArrayTiming returns the fold timing of one array of design d whose
// operands have inputBits and weightBits per element.
func NewArrayTiming(d hw.Design, inputBits, weightBits int, foldOverlap bool) (ArrayTiming, error) {
	r, c := int64(d.ArrayRows), int64(d.ArrayCols)
	if r <= 0 || c <= 0 {
		return ArrayTiming{}, fmt.Errorf("compute: array must be at least 1x1, got %dx%d", r, c)
	}
	if inputBits <= 0 || weightBits <= 0 {
		return ArrayTiming{}, fmt.Errorf("compute: element sizes must be > 0 bits, got %d and %d", inputBits, weightBits)
	}
	style, err := hw.ParseArrayStyle(string(d.ArrayStyle))
	if err != nil {
		return ArrayTiming{}, fmt.Errorf("compute: %w", err)
	}
	t := ArrayTiming{
		Rows: r, Cols: c, Dataflow: d.Dataflow, FoldOverlap: foldOverlap, Style: style,
		BufferBytesPerCycle: int64(d.BufferReadBytesPerCycle),
		InputBits:           int64(inputBits), WeightBits: int64(weightBits),
	}
	switch d.Dataflow {
	case hw.OutputStationary:
		// Operands enter skewed: the far corner PE starts R+C-2 cycles after
		// the first; the finished outputs then shift out through R rows.
		t.FillCycles = r + c - 2
		t.DrainCycles = r
	case hw.WeightStationary:
		// The weights shift in one row per cycle; the last input crosses C
		// columns and its partial sum falls through R rows.
		t.FillCycles = t.limited(r, r*c*t.WeightBits)
		t.DrainCycles = r + c - 2
	default:
		return ArrayTiming{}, fmt.Errorf("compute: dataflow %q is not known (accepted: os|ws)", d.Dataflow)
	}
	if style == hw.StyleDotTree {
		// C trees of R multipliers: a multiplier stage, then ceil(log2 R)
		// adder levels; the sum goes into its accumulator in one cycle.
		t.FillCycles = 1 + int64(bits.Len64(uint64(r-1)))
		t.DrainCycles = 1
	}
	return t, nil
}

// limited is the number of cycles to read bits from one buffer when the
// array wants them over at least cycles cycles.
func (t ArrayTiming) limited(cycles, bits int64) int64 {
	if t.BufferBytesPerCycle <= 0 {
		return cycles
	}
	return max(cycles, ceilDiv(bits, 8*t.BufferBytesPerCycle))
}

// StreamCycles is S, the stream of one fold over T elements of the temporal
// dimension (K for output-stationary, M for weight-stationary), slowed down
// when a buffer cannot feed the array's edge every cycle.
func (t ArrayTiming) StreamCycles(temporal int64) int64 {
	s := t.limited(temporal, temporal*t.Rows*t.InputBits)
	if t.Style == hw.StyleDotTree {
		// Each cycle every tree takes R inputs (shared) and R weights.
		return max(s, t.limited(temporal, temporal*t.Rows*t.Cols*t.WeightBits))
	}
	if t.Dataflow == hw.OutputStationary {
		s = max(s, t.limited(temporal, temporal*t.Cols*t.WeightBits))
	}
	return s
}

// GapCycles is the cost between the end of one fold's stream and the start
// of the next fold's stream when no data is late: max(F, D) with fold
// overlap, F + D without, 0 for a streaming array or dot-product trees
// (their pipeline never empties between folds).
func (t ArrayTiming) GapCycles() int64 {
	if t.Style == hw.StyleStreaming || t.Style == hw.StyleDotTree {
		return 0
	}
	if t.FoldOverlap {
		return max(t.FillCycles, t.DrainCycles)
	}
	return t.FillCycles + t.DrainCycles
}

// MatmulCycles is the closed-form cycle count of an m x k x n matmul of
// batch products on arrays identical arrays, untiled, from idle: its folds
// (see the package documentation; for the dot style, one row of C outputs
// over ceil(k / R) cycles) spread over the arrays, the busiest taking
// ceil(folds / arrays), run back to back: FoldsCycles(n, n S).
func (t ArrayTiming) MatmulCycles(m, k, n, batch, arrays int64) int64 {
	if m <= 0 || k <= 0 || n <= 0 || batch <= 0 || arrays <= 0 {
		return 0
	}
	var folds, temporal int64
	switch {
	case t.Style == hw.StyleDotTree:
		folds, temporal = m*ceilDiv(n, t.Cols)*batch, ceilDiv(k, t.Rows)
	case t.Dataflow == hw.OutputStationary:
		folds, temporal = ceilDiv(m, t.Rows)*ceilDiv(n, t.Cols)*batch, k
	default:
		folds, temporal = ceilDiv(k, t.Rows)*ceilDiv(n, t.Cols)*batch, m
	}
	na := ceilDiv(folds, arrays)
	return t.FoldsCycles(na, na*t.StreamCycles(temporal))
}

// FoldsCycles is the closed-form cycle count of n folds run back to back
// from an idle array, with sumStream the sum of their stream cycles:
// F + D + (n-1) x gap + sumStream, 0 for no fold.
func (t ArrayTiming) FoldsCycles(n, sumStream int64) int64 {
	if n <= 0 {
		return 0
	}
	return t.FillCycles + t.DrainCycles + (n-1)*t.GapCycles() + sumStream
}

// pipeline is an array's fold pipeline: when the last fold's stream and
// drain end, in cycles.
type pipeline struct {
	streamEnd, drainEnd uint64
}

// folds runs n folds of stream s each whose data is in the buffers from
// cycle ready on. It returns the stream start of the first fold the array
// would have had with its data there in time (ideal) and the actual one;
// their difference is the stall.
func (t ArrayTiming) folds(p *pipeline, n, s int64, ready uint64) (ideal, actual uint64) {
	f, d := uint64(t.FillCycles), uint64(t.DrainCycles)
	if t.GapCycles() == 0 {
		// Streaming: the operands enter back to back; the fill and drain
		// are the latency from an operand's entry to its output's exit,
		// paid once per run of folds whose data is there in time.
		ideal = p.streamEnd
		actual = max(p.streamEnd, ready)
		p.streamEnd = actual + uint64(n*s)
		p.drainEnd = p.streamEnd + f + d
		return ideal, actual
	}
	// The fill may begin when the previous stream ends (overlap) or when the
	// previous drain ends; the stream begins when the fill is done and the
	// previous drain has left the array.
	fillFrom := p.drainEnd
	if t.FoldOverlap {
		fillFrom = p.streamEnd
	}
	ideal = max(fillFrom+f, p.drainEnd)
	actual = max(max(fillFrom, ready)+f, p.drainEnd)
	gap := uint64(t.GapCycles())
	p.streamEnd = actual + uint64(s) + uint64(n-1)*(gap+uint64(s))
	p.drainEnd = p.streamEnd + d
	return ideal, actual
}

func ceilDiv(a, b int64) int64 { return (a + b - 1) / b }

// OutputCycles is the cycles from the end of a fold's stream to its
// outputs leaving the array: D, or F + D for a streaming array or
// dot-product trees, whose fill is not paid before the stream.
func (t ArrayTiming) OutputCycles() int64 {
	if t.GapCycles() == 0 {
		return t.FillCycles + t.DrainCycles
	}
	return t.DrainCycles
}

// startCycles is the cycles before a fold's stream that belong to it: F,
// or 0 for a streaming array.
func (t ArrayTiming) startCycles() uint64 {
	if t.GapCycles() == 0 {
		return 0
	}
	return uint64(t.FillCycles)
}
