package compute

import "github.com/roofsim/roofsim/hw"

// tileSource gives a plan's works on demand. A matmul plan generates them
// (matmulSource), so that it holds its tiling, not its tiles: its memory
// stays O(arrays) for any GEMM size, and the controller keeps only the
// works and loads in flight. An elementwise plan holds its works
// (vectorSource).
type tileSource interface {
	// works is the number of works of array ai.
	works(ai int) int
	// work sets w to array ai's index-th work, in step order.
	work(ai, index int, w *work)
	// stepWork sets w to array ai's work in step step and reports whether
	// the array has one.
	stepWork(step, ai int, w *work) bool
	// addr is the plan's address of operand op's tile key: tiles are laid
	// out in their region in the order of first use (step, then array),
	// each rounded up to the memory burst.
	addr(op Operand, key tileKey) uint64
}

// matmulSource generates the works of a matmul tiling: the column jobs of
// every batch go to consecutive arrays, one job per array per step, in
// groups of Arrays jobs; a step is one (group, row tile, K chunk), walked
// in the plan's loop order.
type matmulSource struct {
	s                   matmulShape
	c                   candidate
	t                   ArrayTiming
	a, nm, nk, nj, jobs int64
	groups, perSlab     int64
	burst               int64
	region              uint64 // bytes of each operand's address region
}

// newMatmulSource is the source of tiling c of matmul s on the arrays of
// cfg.
func newMatmulSource(s matmulShape, t ArrayTiming, cfg planConfig, c candidate) *matmulSource {
	m := &matmulSource{s: s, c: c, t: t, a: cfg.arrays, nm: ceilDiv(s.m, c.mt), nk: ceilDiv(s.k, c.kt), nj: ceilDiv(s.n, c.nt),
		perSlab: s.batch / s.slabs, burst: max(cfg.burstBytes, 1), region: cfg.regionBytes}
	m.jobs = s.batch * m.nj
	m.groups = ceilDiv(m.jobs, m.a)
	return m
}

// steps is the number of steps of the tiling.
func (m *matmulSource) steps() int { return int(m.groups * m.nm * m.nk) }

// activeGroups is the number of groups in which array ai has a job.
func (m *matmulSource) activeGroups(ai int64) int64 {
	if ai >= m.jobs {
		return 0
	}
	return ceilDiv(m.jobs-ai, m.a)
}

func (m *matmulSource) works(ai int) int { return int(m.activeGroups(int64(ai)) * m.nm * m.nk) }

func (m *matmulSource) work(ai, index int, w *work) {
	i := int64(index)
	var g, mi, ki int64
	if m.c.order == OrderNMK {
		g, mi, ki = i/(m.nm*m.nk), i/m.nk%m.nm, i%m.nk
	} else {
		ga := m.activeGroups(int64(ai))
		mi, g, ki = i/(ga*m.nk), i/m.nk%ga, i%m.nk
	}
	m.build(w, g, mi, ki, int64(ai))
}

func (m *matmulSource) stepWork(step, ai int, w *work) bool {
	st := int64(step)
	var g, mi, ki int64
	if m.c.order == OrderNMK {
		g, mi, ki = st/(m.nm*m.nk), st/m.nk%m.nm, st%m.nk
	} else {
		mi, g, ki = st/(m.groups*m.nk), st/m.nk%m.groups, st%m.nk
	}
	if g*m.a+int64(ai) >= m.jobs {
		return false
	}
	m.build(w, g, mi, ki, int64(ai))
	return true
}

// build sets w to the work of array ai in step (g, mi, ki).
func (m *matmulSource) build(w *work, g, mi, ki, ai int64) {
	s, c, t := m.s, m.c, m.t
	os := t.Dataflow == hw.OutputStationary
	r, cc := t.Rows, t.Cols
	var step int64
	if c.order == OrderNMK {
		step = (g*m.nm+mi)*m.nk + ki
	} else {
		step = (mi*m.groups+g)*m.nk + ki
	}
	x := g*m.a + ai
	b, jn := x/m.nj, x%m.nj
	cols := min(c.nt, s.n-jn*c.nt)
	m0, k0 := mi*c.mt, ki*c.kt
	rows, klen := min(c.mt, s.m-m0), min(c.kt, s.k-k0)
	*w = work{step: int(step), array: int(ai), store: ki == m.nk-1}
	w.keys[Inputs] = tileKey{valid: true, b: b, i: mi, j: ki}
	w.keys[Weights] = tileKey{valid: true, b: b / m.perSlab, i: ki, j: jn}
	w.keys[Outputs] = tileKey{valid: true, b: b, i: mi, j: jn}
	w.bytes[Inputs] = bytesOf(rows*klen, s.inBits)
	w.bytes[Weights] = bytesOf(klen*cols, s.wBits)
	if ki == 0 {
		w.bytes[Weights] += bytesOf(cols*s.biasPerCol, s.inBits)
		if mi == 0 || !s.scalesOnce {
			w.bytes[Weights] += bytesOf(cols*s.scaleBitsPerCol, 1)
		}
	}
	w.bytes[Outputs] = bytesOf(rows*cols, s.outBits)
	switch {
	case t.Style == hw.StyleDotTree:
		// A fold is one row of C outputs; each tree takes R of K a cycle.
		w.folds = rows * ceilDiv(cols, cc)
		w.temporal = ceilDiv(klen, r)
	case os:
		w.folds = ceilDiv(rows, r) * ceilDiv(cols, cc)
		w.temporal = klen
	default:
		w.folds = ceilDiv(klen, r) * ceilDiv(cols, cc)
		w.temporal = rows
	}
	w.macs = rows * klen * cols
	w.peCycles = w.folds * r * cc * w.temporal
	if s.epi != nil && w.store {
		w.epilogue, w.rows, w.cols = true, rows, cols
		w.vectorOps = rows * cols * s.epi.opsPerElem
		if s.sideBits > 0 {
			w.keys[Side] = tileKey{valid: true, b: b, i: mi, j: jn}
			w.bytes[Side] = bytesOf(rows*cols, s.sideBits)
		}
	}
}

// round is bytes rounded up to the memory burst.
func (m *matmulSource) round(bytes int64) int64 { return ceilDiv(bytes, m.burst) * m.burst }

// Tile extents: row tile mi, K chunk ki, column job jn.
func (m *matmulSource) rows(mi int64) int64 { return min(m.c.mt, m.s.m-mi*m.c.mt) }
func (m *matmulSource) klen(ki int64) int64 { return min(m.c.kt, m.s.k-ki*m.c.kt) }
func (m *matmulSource) cols(jn int64) int64 { return min(m.c.nt, m.s.n-jn*m.c.nt) }

// inSize, wSize and outSize are the rounded bytes of an input tile, a
// weight tile and an output (or side) tile of elements of bits bits.
func (m *matmulSource) inSize(mi, ki int64) int64 {
	return m.round(bytesOf(m.rows(mi)*m.klen(ki), m.s.inBits))
}

func (m *matmulSource) wSize(ki, jn int64) int64 {
	b := bytesOf(m.klen(ki)*m.cols(jn), m.s.wBits)
	if ki == 0 {
		b += bytesOf(m.cols(jn)*m.s.biasPerCol, m.s.inBits) + bytesOf(m.cols(jn)*m.s.scaleBitsPerCol, 1)
	}
	return m.round(b)
}

func (m *matmulSource) outSize(mi, jn, bits int64) int64 {
	return m.round(bytesOf(m.rows(mi)*m.cols(jn), bits))
}

// inRow is the rounded bytes of the input tiles of row tile mi of one
// batch.
func (m *matmulSource) inRow(mi int64) int64 {
	return (m.nk-1)*m.inSize(mi, 0) + m.inSize(mi, m.nk-1)
}

// wPrefix is the weight tiles of column job jn before K chunk ki.
func (m *matmulSource) wPrefix(ki, jn int64) int64 {
	if ki == 0 {
		return 0
	}
	p := m.wSize(0, jn) + max(0, min(ki, m.nk-1)-1)*m.wSize(min(1, m.nk-1), jn)
	if ki == m.nk && m.nk > 1 {
		p += m.wSize(m.nk-1, jn)
	}
	return p
}

// sumJobs sums f(jn) over the jobs in [lo, hi) (only the last column job
// of a batch differs).
func (m *matmulSource) sumJobs(lo, hi int64, f func(jn int64) int64) int64 {
	last := hi/m.nj - lo/m.nj
	return (hi-lo-last)*f(0) + last*f(m.nj-1)
}

// sumFirstJobs sums f(jn) over the jobs in [lo, hi) of the first batch of
// each slab (the jobs that first use a weight tile).
func (m *matmulSource) sumFirstJobs(lo, hi int64, f func(jn int64) int64) int64 {
	count := func(h int64) (all, last int64) {
		qb := h / m.nj
		last = ceilDiv(qb, m.perSlab)
		all = last * m.nj
		if qb%m.perSlab == 0 {
			all += h % m.nj
		}
		return all, last
	}
	a1, l1 := count(hi)
	a0, l0 := count(lo)
	last := l1 - l0
	return (a1-a0-last)*f(0) + last*f(m.nj-1)
}

func (m *matmulSource) addr(op Operand, key tileKey) uint64 {
	return uint64(op)*m.region + uint64(m.offset(op, key))
}

// offset is the closed form of the first-use layout of operand op's tiles.
func (m *matmulSource) offset(op Operand, key tileKey) int64 {
	a, nmk := m.a, m.nmk()
	switch op {
	case Inputs:
		b, mi, ki := key.b, key.i, key.j
		g := b * m.nj / a
		first := ceilDiv(g*a, m.nj)
		same := min(m.s.batch, ceilDiv((g+1)*a, m.nj)) - first
		own := (b - first) * m.inSize(mi, ki)
		if nmk {
			batch := (m.nm-1)*m.inRow(0) + m.inRow(m.nm-1)
			return first*batch + same*(mi*m.inRow(0)+ki*m.inSize(mi, 0)) + own
		}
		return m.s.batch*mi*m.inRow(0) + first*m.inRow(mi) + same*ki*m.inSize(mi, 0) + own
	case Weights:
		s, ki, jn := key.b, key.i, key.j
		x0 := s*m.perSlab*m.nj + jn
		lo := x0 / a * a
		hi := min(m.jobs, lo+a)
		return m.sumFirstJobs(0, lo, func(j int64) int64 { return m.wPrefix(m.nk, j) }) +
			m.sumFirstJobs(lo, hi, func(j int64) int64 { return m.wPrefix(ki, j) }) +
			m.sumFirstJobs(lo, x0, func(j int64) int64 { return m.wSize(ki, j) })
	}
	bits := m.s.outBits
	if op == Side {
		bits = m.s.sideBits
	}
	b, mi, jn := key.b, key.i, key.j
	x := b*m.nj + jn
	job := func(j int64) int64 { return (m.nm-1)*m.outSize(0, j, bits) + m.outSize(m.nm-1, j, bits) }
	if nmk {
		lo := x / a * a
		hi := min(m.jobs, lo+a)
		return m.sumJobs(0, lo, job) + m.sumJobs(lo, hi, func(j int64) int64 { return mi * m.outSize(0, j, bits) }) +
			m.sumJobs(lo, x, func(j int64) int64 { return m.outSize(mi, j, bits) })
	}
	return m.sumJobs(0, m.jobs, func(j int64) int64 { return mi * m.outSize(0, j, bits) }) +
		m.sumJobs(0, x, func(j int64) int64 { return m.outSize(mi, j, bits) })
}

// nmk reports whether the plan walks the column groups outermost.
func (m *matmulSource) nmk() bool { return m.c.order == OrderNMK }

// vectorSource holds the works of an elementwise plan (a few chunks per
// vector unit) and their first-use addresses.
type vectorSource struct {
	ws    [][]*work // per unit, in step order (chunk ci is step ci)
	addrs [numOperands]map[tileKey]uint64
}

func (v *vectorSource) works(ai int) int            { return len(v.ws[ai]) }
func (v *vectorSource) work(ai, index int, w *work) { *w = *v.ws[ai][index] }

func (v *vectorSource) stepWork(step, ai int, w *work) bool {
	if step >= len(v.ws[ai]) {
		return false
	}
	*w = *v.ws[ai][step]
	return true
}

func (v *vectorSource) addr(op Operand, key tileKey) uint64 { return v.addrs[op][key] }

// layout lays the tiles of v out in first-use order (step, then unit; each
// rounded up to burst bytes) from region bytes per operand.
func (v *vectorSource) layout(steps int, burst int64, region uint64) {
	next := [numOperands]uint64{}
	for op := range v.addrs {
		v.addrs[op] = make(map[tileKey]uint64)
		next[op] = uint64(op) * region
	}
	for step := range steps {
		for ai := range v.ws {
			if step >= len(v.ws[ai]) {
				continue
			}
			w := v.ws[ai][step]
			for op := range numOperands {
				if k := w.keys[op]; k.valid {
					if _, ok := v.addrs[op][k]; !ok {
						v.addrs[op][k] = next[op]
						next[op] += uint64(ceilDiv(w.bytes[op], burst) * burst)
					}
				}
			}
		}
	}
}

// loadCursor walks the loads of one operand of a plan in step order: a tile
// is loaded when an array's previous work used another tile of the operand;
// arrays that need the same tile in the same step share one load.
type loadCursor struct {
	p       *Plan
	op      Operand
	step    int
	prev    []tileKey // per array, the operand's last tile
	pending []load    // the loads of the last step scanned
	head    int
	w       work // scratch
}

func newLoadCursor(p *Plan, op Operand) *loadCursor {
	return &loadCursor{p: p, op: op, prev: make([]tileKey, p.Arrays)}
}

// peek is the next load, nil when there is none left; it is valid until
// the next peek (its consumers slice is reused: copy it to keep it).
func (lc *loadCursor) peek() *load {
	for lc.head == len(lc.pending) && lc.step < lc.p.Steps {
		lc.scan()
	}
	if lc.head == len(lc.pending) {
		return nil
	}
	return &lc.pending[lc.head]
}

// pop moves past the load peek returned.
func (lc *loadCursor) pop() { lc.head++ }

// scan lists the loads of the next step.
func (lc *loadCursor) scan() {
	lc.pending, lc.head = lc.pending[:0], 0
	step := lc.step
	lc.step++
	w := &lc.w
	for ai := range lc.p.Arrays {
		if !lc.p.src.stepWork(step, ai, w) {
			continue
		}
		key := w.keys[lc.op]
		if !key.valid || key == lc.prev[ai] {
			continue
		}
		lc.prev[ai] = key
		shared := false
		for li := range lc.pending {
			if l := &lc.pending[li]; l.key == key {
				l.consumers = append(l.consumers, ai)
				shared = true
				break
			}
		}
		if !shared {
			// Reuse the consumers slice of an earlier step's load.
			n := len(lc.pending)
			if n < cap(lc.pending) {
				lc.pending = lc.pending[:n+1]
			} else {
				lc.pending = append(lc.pending, load{})
			}
			l := &lc.pending[n]
			*l = load{step: step, op: lc.op, key: key, bytes: w.bytes[lc.op],
				addr: lc.p.src.addr(lc.op, key), consumers: append(l.consumers[:0], ai)}
		}
	}
}
