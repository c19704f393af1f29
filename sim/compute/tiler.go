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
	if err := s.checkMinimalTile(cfg, os, r, c); err != nil {
		return nil, err
	}
	var best candidate
	found := false
	for _, kt := range kCandidates(s.k, r, os) {
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
				outBits = 8 * AccumulatorBytes
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
			for _, order := range []LoopOrder{OrderNMK, OrderMNK} {
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
	// The plan holds every work: refuse one over the memory limit before
	// building it.
	works := float64(s.batch) * float64(ceilDiv(s.n, best.nt)) * float64(ceilDiv(s.m, best.mt)) * float64(ceilDiv(s.k, best.kt))
	if mem := works * float64(bytesPerTile); mem > float64(cfg.limits.MaxMemoryBytes) {
		return nil, fmt.Errorf("compute: kernel %s is too large to simulate: its %.3g tiles take about %.3g GiB, above the limit of %.3g GiB; about m=%d would fit, or raise the limit",
			k.Name, works, mem/(1<<30), float64(cfg.limits.MaxMemoryBytes)/(1<<30), max(1, int64(float64(s.m)*float64(cfg.limits.MaxMemoryBytes)/mem)))
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
	if e.InputElems == 2*out {
		ep.sideBits = int64(cfg.design.Precision.ActBits)
	}
	return ep, nil
}

// checkMinimalTile reports the first buffer that cannot hold the smallest
// tile the array needs.
func (s matmulShape) checkMinimalTile(cfg planConfig, os bool, r, c int64) error {
	mt, kt := int64(1), min(s.k, r)
	outBits := int64(8 * AccumulatorBytes)
	if os {
		mt, kt = min(s.m, r), 1
	}
	nt := min(s.n, c)
	if s.wholeRows {
		nt = s.n
	}
	d := cfg.design
	need := []struct {
		field string
		bytes int64
		half  int64
	}{
		{"input_buffer_bytes", bytesOf(mt*kt, s.inBits), cfg.inHalf},
		{"weight_buffer_bytes", bytesOf(kt*nt, s.wBits) + bytesOf(nt*s.biasPerCol, s.inBits), cfg.wHalf},
		{"output_buffer_bytes", bytesOf(mt*nt, outBits) + bytesOf(mt*nt, s.sideBits), cfg.oHalf},
	}
	for _, n := range need {
		if n.bytes > n.half {
			return fmt.Errorf("compute: design %q: %s %d is too small: each half of the double buffer must hold the smallest tile for a %dx%d array, %d bytes; give at least %d",
				d.Name, n.field, 2*n.half, r, c, n.bytes, 2*n.bytes)
		}
	}
	return nil
}

// build materialises the steps of the chosen tiling.
func (s matmulShape) build(k workload.Kernel, t ArrayTiming, cfg planConfig, c candidate) *Plan {
	os := t.Dataflow == hw.OutputStationary
	r, cc := t.Rows, t.Cols
	a := cfg.arrays
	nm, nk := ceilDiv(s.m, c.mt), ceilDiv(s.k, c.kt)
	js := s.jobs(c.nt)
	groups := ceilDiv(int64(len(js)), a)
	p := &Plan{
		Kernel: k, Engine: EngineArray, Arrays: int(a),
		TileM: c.mt, TileK: c.kt, TileN: c.nt, Order: c.order, Timing: t,
		works: make([][]*work, a),
	}
	perSlab := s.batch / s.slabs
	step := 0
	emit := func(g, mi, ki int64) {
		m0, k0 := mi*c.mt, ki*c.kt
		rows, klen := min(c.mt, s.m-m0), min(c.kt, s.k-k0)
		for x := g * a; x < min(int64(len(js)), (g+1)*a); x++ {
			j := js[x]
			w := &work{step: step, array: int(x - g*a), store: ki == nk-1}
			w.keys[Inputs] = tileKey{valid: true, b: j.b, i: mi, j: ki}
			w.keys[Weights] = tileKey{valid: true, b: j.b / perSlab, i: ki, j: j.jn}
			w.keys[Outputs] = tileKey{valid: true, b: j.b, i: mi, j: j.jn}
			w.bytes[Inputs] = bytesOf(rows*klen, s.inBits)
			w.bytes[Weights] = bytesOf(klen*j.cols, s.wBits)
			if ki == 0 {
				w.bytes[Weights] += bytesOf(j.cols*s.biasPerCol, s.inBits)
			}
			w.bytes[Outputs] = bytesOf(rows*j.cols, s.outBits)
			if os {
				w.folds = ceilDiv(rows, r) * ceilDiv(j.cols, cc)
				w.temporal = klen
			} else {
				w.folds = ceilDiv(klen, r) * ceilDiv(j.cols, cc)
				w.temporal = rows
			}
			w.macs = rows * klen * j.cols
			w.peCycles = w.folds * r * cc * w.temporal
			if s.epi != nil && w.store {
				w.epilogue, w.rows, w.cols = true, rows, j.cols
				w.vectorOps = rows * j.cols * s.epi.opsPerElem
				if s.sideBits > 0 {
					w.keys[Side] = tileKey{valid: true, b: j.b, i: mi, j: j.jn}
					w.bytes[Side] = bytesOf(rows*j.cols, s.sideBits)
				}
			}
			p.works[w.array] = append(p.works[w.array], w)
		}
		step++
	}
	if c.order == OrderNMK {
		for g := range groups {
			for mi := range nm {
				for ki := range nk {
					emit(g, mi, ki)
				}
			}
		}
	} else {
		for mi := range nm {
			for g := range groups {
				for ki := range nk {
					emit(g, mi, ki)
				}
			}
		}
	}
	p.Steps = step
	p.PredictedComputeCycles = make([]int64, a)
	for i, ws := range p.works {
		var n, sumS int64
		for _, w := range ws {
			n += w.folds
			sumS += w.folds * t.StreamCycles(w.temporal)
		}
		p.PredictedComputeCycles[i] = t.FoldsCycles(n, sumS)
	}
	return p
}
