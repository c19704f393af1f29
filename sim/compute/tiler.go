package compute

import (
	"fmt"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/workload"
)

// matmulShape is a matmul kernel's sizes as the tiler sees them.
type matmulShape struct {
	m, k, n, batch int64
	// slabs is the number of distinct right-hand operands: batch for a GEMM
	// batch or plain attention, fewer when query heads share a KV head.
	slabs int64
	// inBits, wBits, outBits are the element sizes of the three operands.
	inBits, wBits, outBits int64
	// biasPerCol is the bias elements per output column (read with the
	// first K chunk of each weight tile, at the activation width).
	biasPerCol int64
	// scaleBitsPerCol is the bits of a GEMM's weight scales per output
	// column (hw.Design.WeightScaleBlock), read with the first K chunk of
	// a weight tile; scalesOnce reads them only with the first row tile
	// (a scale store kept while the weights are streamed again for every
	// row tile, hw.Design.WeightReuseRows). They are held in a scale store
	// of their own, so they do not enter the choice of the tiling.
	scaleBitsPerCol int64
	scalesOnce      bool
	// epi is the fused epilogue (nil: none); sideBits its side operand's
	// bits per output element, held in the output buffer next to the
	// output tile; wholeRows says an output tile must hold whole rows.
	epi       *epilogueParams
	sideBits  int64
	wholeRows bool
}

func newMatmulShape(k workload.Kernel, prec hw.Precision) matmulShape {
	s := matmulShape{m: k.M, k: k.K, n: k.N, batch: k.Batch, slabs: k.Batch,
		inBits: int64(prec.ActBits), wBits: int64(prec.WeightBits), outBits: int64(prec.ActBits)}
	if k.Kind == workload.KindAttention {
		// Both operands are activations. The right-hand slabs are the input
		// elements beyond the left-hand ones; query heads of one group share
		// a slab.
		s.wBits = int64(prec.ActBits)
		rest := k.InputElems - k.Batch*k.M*k.K
		if kn := k.K * k.N; rest > 0 && rest%kn == 0 {
			if sl := rest / kn; sl > 0 && k.Batch%sl == 0 {
				s.slabs = sl
			}
		}
	}
	if k.N > 0 && k.BiasElems > 0 && k.BiasElems%k.N == 0 {
		s.biasPerCol = k.BiasElems / k.N
	}
	return s
}

// job is one array's share of a step: a column range of one batch.
type job struct {
	b, jn, n0, cols int64
}

// jobs lists the column jobs of width nt over all batches, in order.
func (s matmulShape) jobs(nt int64) []job {
	nj := ceilDiv(s.n, nt)
	js := make([]job, 0, s.batch*nj)
	for b := range s.batch {
		for jn := range nj {
			n0 := jn * nt
			js = append(js, job{b: b, jn: jn, n0: n0, cols: min(nt, s.n-n0)})
		}
	}
	return js
}

// planMatmul chooses the tiling of a matmul and builds its steps.
//
// Several arrays: the output columns of every batch are cut into column jobs
// of TileN columns (a multiple of C); consecutive jobs go to consecutive
// arrays, one job per array per step, so that in a step the arrays work on
// the same rows and K range of different columns and share the input tile
// (read once, written to every array's input buffer).
func planMatmul(k workload.Kernel, epi *workload.Kernel, cfg planConfig) (*Plan, error) {
	d := cfg.design
	s := newMatmulShape(k, d.Precision)
	t, err := NewArrayTiming(d, int(s.inBits), int(s.wBits), cfg.foldOverlap)
	if err != nil {
		return nil, err
	}
	r, c := t.Rows, t.Cols
	os := d.Dataflow == hw.OutputStationary
	if epi != nil {
		ep, err := newEpilogue(k, *epi, cfg, t)
		if err != nil {
			return nil, err
		}
		s.epi, s.sideBits, s.wholeRows = &ep, ep.sideBits, ep.wholeRows
	}
	if d.Buffering == hw.StreamBuffered {
		cfg = s.streamCaps(cfg, os, r, c)
	}
	if err := s.checkMinimalTile(cfg, os, r, c); err != nil {
		return nil, err
	}
	// A design whose weights stream through the array without being kept
	// for other rows (hw.Design.WeightReuseRows) reads a GEMM's weights
	// once per row tile of that many rows, unless they fit one half of the
	// weight buffer (loaded once, as a small constant operand is).
	restream := d.WeightReuseRows > 0 && k.Kind == workload.KindGEMM && bytesOf(s.k*s.n, s.wBits) > cfg.wHalf
	if d.WeightScaleBlock > 0 && k.Kind == workload.KindGEMM {
		s.scaleBitsPerCol = ceilDiv(s.k, int64(d.WeightScaleBlock)) * int64(d.WeightScaleBits)
	}
	s.scalesOnce = restream
	var best candidate
	found := false
	// Dot-product trees take K R elements at a time, as a weight-stationary
	// fold holds R rows of it: K chunks are multiples of R.
	for _, kt := range kCandidates(s.k, r, os && t.Style != hw.StyleDotTree) {
		for _, nt := range nCandidates(s.n, c) {
			if s.wholeRows && nt < s.n {
				continue
			}
			wBytes := bytesOf(kt*nt, s.wBits) + bytesOf(nt*s.biasPerCol, s.inBits)
			if wBytes > cfg.wHalf {
				continue
			}
			outBits := s.outBits
			if !os || kt < s.k {
				outBits = s.accBits()
			}
			mt := min(s.m, cfg.inHalf*8/(kt*s.inBits), cfg.oHalf*8/(nt*(outBits+s.sideBits)))
			if os && mt < s.m {
				mt = mt / r * r
			}
			if mt < 1 || (os && mt < min(s.m, r)) {
				continue
			}
			// Same number of row tiles, as even as the array allows.
			nm := ceilDiv(s.m, mt)
			mt = ceilDiv(s.m, nm)
			if os && nm > 1 {
				mt = ceilDiv(mt, r) * r
			}
			orders := []LoopOrder{OrderNMK, OrderMNK}
			if restream {
				// Row tiles of at most WeightReuseRows rows, each
				// reading the weights again: rows outermost.
				mt, orders = min(mt, int64(d.WeightReuseRows)), []LoopOrder{OrderMNK}
			}
			for _, order := range orders {
				cand := s.estimate(t, cfg, mt, kt, nt, order)
				if !found || cand.better(best) {
					best, found = cand, true
				}
			}
		}
	}
	if !found {
		return nil, fmt.Errorf("compute: kernel %s: no tiling fits the buffers of design %q (weight %d B, input %d B, output %d B per array)",
			k.Name, d.Name, d.WeightBufferBytes, d.InputBufferBytes, d.OutputBufferBytes)
	}
	p := s.build(k, t, cfg, best)
	if epi != nil {
		e := *epi
		p.Epilogue, p.epi = &e, *s.epi
	}
	return p, nil
}

// newEpilogue checks that elementwise kernel e can be fused into matmul k
// and returns how it runs: e must read k's output element for element (its
// rows and row length are k's), optionally with a second operand of the
// same shape (the side operand), have no weights or parameters, and a
// whole number of lane operations per output element.
func newEpilogue(k, e workload.Kernel, cfg planConfig, t ArrayTiming) (epilogueParams, error) {
	fail := func(why string) (epilogueParams, error) {
		return epilogueParams{}, fmt.Errorf("compute: kernel %s cannot be fused into %s: %s", e.Name, k.Name, why)
	}
	out := k.OutputElems
	switch {
	case e.Kind.IsMatmul():
		return fail("it is a matmul")
	case e.OutputElems != out || e.N != k.N || e.M*e.Batch != k.M*k.Batch:
		return fail(fmt.Sprintf("its output (%d x %d) is not the matmul's (%d x %d)", e.M*e.Batch, e.N, k.M*k.Batch, k.N))
	case e.InputElems != out && e.InputElems != 2*out:
		return fail(fmt.Sprintf("it reads %d elements; an epilogue reads the matmul's %d outputs and at most as many more", e.InputElems, out))
	case e.WeightElems != 0 || e.BiasElems != 0:
		return fail("it reads weights or parameters")
	case cfg.lanes <= 0:
		return fail(fmt.Sprintf("the design has %d vector lanes", cfg.lanes))
	}
	ops, ok := cfg.vectorOps[e.Kind]
	if !ok {
		if e.Ops%e.OutputElems != 0 {
			return fail(fmt.Sprintf("its %d operations are not a whole number per output element", e.Ops))
		}
		ops = e.Ops / e.OutputElems
	}
	ep := epilogueParams{opsPerElem: ops, lanes: cfg.lanes, rows: t.Rows, cols: t.Cols,
		outputStationary: t.Dataflow == hw.OutputStationary,
		wholeRows:        e.Kind == workload.KindSoftmax || e.Kind == workload.KindNorm}
	if t.Style == hw.StyleDotTree {
		// A dot-tree fold is one row of C outputs.
		ep.rows = 1
	}
	if e.InputElems == 2*out {
		ep.sideBits = int64(cfg.design.Precision.ActBits)
	}
	return ep, nil
}

// accBits is the width of a partial sum: AccumulatorBytes, or the
// activation width when it is wider (FP64 accumulates in 64 bits).
func (s matmulShape) accBits() int64 { return max(8*AccumulatorBytes, s.outBits) }

// minimalTiles is the bytes of the smallest input, weight and output
// tiles an R x C array needs.
func (s matmulShape) minimalTiles(os bool, r, c int64) (in, w, out int64) {
	mt, kt := int64(1), min(s.k, r)
	outBits := s.accBits()
	if os {
		mt, kt = min(s.m, r), 1
	}
	nt := min(s.n, c)
	if s.wholeRows {
		nt = s.n
	}
	return bytesOf(mt*kt, s.inBits), bytesOf(kt*nt, s.wBits) + bytesOf(nt*s.biasPerCol, s.inBits),
		bytesOf(mt*nt, outBits) + bytesOf(mt*nt, s.sideBits)
}

// checkMinimalTile reports the first buffer that cannot hold the smallest
// tile the array needs.
func (s matmulShape) checkMinimalTile(cfg planConfig, os bool, r, c int64) error {
	d := cfg.design
	in, w, out := s.minimalTiles(os, r, c)
	need := []struct {
		field string
		bytes int64
		half  int64
	}{
		{"input_buffer_bytes", in, cfg.inHalf},
		{"weight_buffer_bytes", w, cfg.wHalf},
		{"output_buffer_bytes", out, cfg.oHalf},
	}
	for _, n := range need {
		if n.bytes > n.half {
			return fmt.Errorf("compute: design %q: %s %d is too small: each half of the double buffer must hold the smallest tile for a %dx%d array, %d bytes; give at least %d",
				d.Name, n.field, 2*n.half, r, c, n.bytes, 2*n.bytes)
		}
	}
	return nil
}

// build makes the plan of the chosen tiling: its works are generated as
// the controller needs them (matmulSource), its compute cycles summed once.
func (s matmulShape) build(k workload.Kernel, t ArrayTiming, cfg planConfig, c candidate) *Plan {
	src := newMatmulSource(s, t, cfg, c)
	p := &Plan{
		Kernel: k, Engine: EngineArray, Arrays: int(src.a),
		TileM: c.mt, TileK: c.kt, TileN: c.nt, Order: c.order, Timing: t,
		Steps: src.steps(), src: src,
	}
	p.PredictedComputeCycles = make([]int64, src.a)
	var w work
	for ai := range p.Arrays {
		var n, sumS int64
		for i := range src.works(ai) {
			src.work(ai, i, &w)
			n += w.folds
			sumS += w.folds * t.StreamCycles(w.temporal)
		}
		p.PredictedComputeCycles[ai] = t.FoldsCycles(n, sumS)
	}
	return p
}
