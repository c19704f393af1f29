package compute

import (
	"runtime"
	"slices"
	"testing"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/workload"
)

// referencePlan is a plan with every work, load and store held, built the
// straightforward way (as the tiler did before it generated its tiles:
// works listed loop by loop, addresses given in order of first use): the
// oracle of the generated plans.
type referencePlan struct {
	works          [][]*work
	loads          []load
	stores         [][]store
	predictedBytes [numOperands]int64
	footprint      [numOperands]uint64
	activeArrays   int
}

// referenceMatmulWorks lists the works of matmul plan p by walking its
// loops in order (the contents of a work come from matmulSource.build).
func referenceMatmulWorks(p *Plan) [][]*work {
	m := p.src.(*matmulSource)
	works := make([][]*work, m.a)
	emit := func(g, mi, ki int64) {
		for x := g * m.a; x < min(m.jobs, (g+1)*m.a); x++ {
			w := new(work)
			m.build(w, g, mi, ki, x-g*m.a)
			works[w.array] = append(works[w.array], w)
		}
	}
	if p.Order == OrderNMK {
		for g := range m.groups {
			for mi := range m.nm {
				for ki := range m.nk {
					emit(g, mi, ki)
				}
			}
		}
	} else {
		for mi := range m.nm {
			for g := range m.groups {
				for ki := range m.nk {
					emit(g, mi, ki)
				}
			}
		}
	}
	return works
}

// referenceFinish derives the loads, stores, addresses and traffic of works
// in one pass, holding them all.
func referenceFinish(works [][]*work, steps int, cfg planConfig) referencePlan {
	rp := referencePlan{works: works}
	arrays := len(works)
	burst := max(cfg.burstBytes, 1)
	round := func(b int64) int64 { return ceilDiv(b, burst) * burst }
	prev := make([][numOperands]tileKey, arrays)
	next := make([]int, arrays)
	var region [numOperands]uint64
	for op := range region {
		region[op] = uint64(op) * cfg.regionBytes
	}
	var keyOp [numOperands]map[tileKey]uint64
	for op := range keyOp {
		keyOp[op] = make(map[tileKey]uint64)
	}
	addrOf := func(op Operand, key tileKey, bytes int64) uint64 {
		if a, ok := keyOp[op][key]; ok {
			return a
		}
		a := region[op]
		region[op] += uint64(round(bytes))
		keyOp[op][key] = a
		return a
	}
	rp.stores = make([][]store, arrays)
	for step := 0; step < steps; step++ {
		first := len(rp.loads)
		for ai := range arrays {
			if next[ai] >= len(works[ai]) || works[ai][next[ai]].step != step {
				continue
			}
			w := works[ai][next[ai]]
			next[ai]++
			for _, op := range loadOperands {
				key := w.keys[op]
				if !key.valid || key == prev[ai][op] {
					continue
				}
				prev[ai][op] = key
				shared := false
				for li := first; li < len(rp.loads); li++ {
					if l := &rp.loads[li]; l.op == op && l.key == key {
						l.consumers = append(l.consumers, ai)
						shared = true
						break
					}
				}
				if !shared {
					rp.loads = append(rp.loads, load{step: step, op: op, key: key, bytes: w.bytes[op],
						addr: addrOf(op, key, w.bytes[op]), consumers: []int{ai}})
					rp.predictedBytes[op] += round(w.bytes[op])
				}
			}
			st := store{}
			if w.store {
				st = store{bytes: w.bytes[Outputs], addr: addrOf(Outputs, w.keys[Outputs], w.bytes[Outputs])}
				rp.predictedBytes[Outputs] += round(st.bytes)
			}
			rp.stores[ai] = append(rp.stores[ai], st)
		}
	}
	for _, ws := range works {
		if len(ws) > 0 {
			rp.activeArrays++
		}
	}
	for op := range region {
		rp.footprint[op] = region[op] - uint64(op)*cfg.regionBytes
	}
	return rp
}

// checkAgainstReference asserts that plan p generates exactly the works,
// loads, stores, traffic and footprint of rp.
func checkAgainstReference(t *testing.T, name string, p *Plan, rp referencePlan) {
	t.Helper()
	if p.ActiveArrays != rp.activeArrays || p.PredictedBytes != rp.predictedBytes || p.footprint != rp.footprint {
		t.Fatalf("%s: active %d bytes %v footprint %v, reference %d %v %v", name,
			p.ActiveArrays, p.PredictedBytes, p.footprint, rp.activeArrays, rp.predictedBytes, rp.footprint)
	}
	var w work
	for ai := range p.Arrays {
		if n := p.src.works(ai); n != len(rp.works[ai]) {
			t.Fatalf("%s: array %d has %d works, reference %d", name, ai, n, len(rp.works[ai]))
		}
		for i, rw := range rp.works[ai] {
			if p.src.work(ai, i, &w); w != *rw {
				t.Fatalf("%s: array %d work %d is %+v, reference %+v", name, ai, i, w, *rw)
			}
			if !p.src.stepWork(rw.step, ai, &w) || w != *rw {
				t.Fatalf("%s: array %d step %d work is %+v, reference %+v", name, ai, rw.step, w, *rw)
			}
			if rw.store {
				if a := p.src.addr(Outputs, rw.keys[Outputs]); a != rp.stores[ai][i].addr {
					t.Fatalf("%s: array %d work %d stores at %d, reference %d", name, ai, i, a, rp.stores[ai][i].addr)
				}
			}
		}
	}
	for _, op := range loadOperands {
		lc := newLoadCursor(p, op)
		for _, rl := range rp.loads {
			if rl.op != op {
				continue
			}
			l := lc.peek()
			if l == nil || l.step != rl.step || l.key != rl.key || l.bytes != rl.bytes || l.addr != rl.addr || !slices.Equal(l.consumers, rl.consumers) {
				t.Fatalf("%s: %s load is %+v, reference %+v", name, op, l, rl)
			}
			lc.pop()
		}
		if l := lc.peek(); l != nil {
			t.Fatalf("%s: extra %s load %+v", name, op, l)
		}
	}
}

// TestGeneratedPlansMatchReference checks the generated plans against the
// held reference over designs with small buffers (several row tiles and K
// chunks, both loop orders), several array counts, batched GEMMs, grouped
// attention, fused epilogues with and without a side operand, and
// elementwise kernels.
func TestGeneratedPlansMatchReference(t *testing.T) {
	p := hw.U280()
	gemm := func(m, k, n, b int64) workload.Kernel {
		g := workload.NewGEMM("gemm", workload.StageVision, -1, -1, m, k, n)
		g.Batch, g.InputElems, g.OutputElems, g.Ops = b, b*g.InputElems, b*g.OutputElems, b*g.Ops
		return g
	}
	attention := func(slabs int64) workload.Kernel {
		m, k, n, b := int64(197), int64(64), int64(197), int64(8)
		return workload.Kernel{Name: "attention", Kind: workload.KindAttention, Camera: -1, Layer: -1, M: m, K: k, N: n, Batch: b,
			InputElems: b*m*k + slabs*k*n, OutputElems: b * m * n, Ops: 2 * b * m * k * n}
	}
	elementwise := func(kind workload.Kind, k workload.Kernel, inputs int64) workload.Kernel {
		rows, n := k.M*k.Batch, k.N
		return workload.Kernel{Name: string(kind), Camera: -1, Layer: -1, Kind: kind, M: rows, K: 1, N: n, Batch: 1,
			InputElems: inputs * rows * n, OutputElems: rows * n, Ops: rows * n}
	}
	type job struct {
		k   workload.Kernel
		epi *workload.Kernel
	}
	var jobs []job
	for _, sh := range [][4]int64{{1, 768, 3072, 1}, {3, 5, 7, 1}, {197, 768, 2304, 3}, {1000, 3000, 777, 2}, {64, 4096, 64, 5}, {4096, 64, 4096, 1}, {50, 50, 50, 7}} {
		k := gemm(sh[0], sh[1], sh[2], sh[3])
		res, act := elementwise(workload.KindResidual, k, 2), elementwise(workload.KindActivation, k, 1)
		jobs = append(jobs, job{k: k}, job{k: k, epi: &res}, job{k: k, epi: &act}, job{k: res})
	}
	for _, slabs := range []int64{1, 2, 8} {
		k := attention(slabs)
		sm := elementwise(workload.KindSoftmax, k, 1)
		jobs = append(jobs, job{k: k}, job{k: k, epi: &sm}, job{k: sm})
	}
	plans := map[LoopOrder]int{}
	for _, d := range hw.Designs() {
		for _, div := range []int64{1, 16, 256} {
			for _, arrays := range []int{0, 2, 5} {
				d2 := d
				d2.InputBufferBytes /= div
				d2.WeightBufferBytes /= div
				d2.OutputBufferBytes /= div
				if arrays > 0 {
					d2.Arrays = arrays
				}
				s, err := NewSimulator(d2, p, DefaultOptions(d2, p))
				if err != nil {
					continue // the design does not fit the board
				}
				for _, j := range jobs {
					pl, err := newPlan(j.k, j.epi, s.cfg)
					if err != nil {
						continue // no tiling fits the small buffers
					}
					name := d2.Name + " " + pl.String()
					var works [][]*work
					if pl.Engine == EngineVector {
						works = pl.src.(*vectorSource).ws
					} else {
						works = referenceMatmulWorks(pl)
					}
					checkAgainstReference(t, name, pl, referenceFinish(works, pl.Steps, s.cfg))
					plans[pl.Order]++
				}
			}
		}
	}
	for _, o := range []LoopOrder{OrderNMK, OrderMNK, OrderRows} {
		if plans[o] == 0 {
			t.Errorf("no %s plan was checked", o)
		}
	}
	t.Logf("plans checked: %v", plans)
}

// TestPlanMemoryBounded plans GEMMs of 8 thousand and half a million works
// (small buffers) without simulating them: planning allocates about the
// same for both, far less than holding the works would take.
func TestPlanMemoryBounded(t *testing.T) {
	p := hw.U280()
	d, _ := hw.DesignByName("int8")
	d.InputBufferBytes /= 64
	d.WeightBufferBytes /= 64
	d.OutputBufferBytes /= 64
	s, err := NewSimulator(d, p, DefaultOptions(d, p))
	if err != nil {
		t.Fatal(err)
	}
	plan := func(n int64) (works int, allocs float64, bytes uint64) {
		k := workload.NewGEMM("gemm", workload.StageVision, -1, -1, n, n, n)
		var pl *Plan
		allocs = testing.AllocsPerRun(1, func() {
			if pl, err = newPlan(k, nil, s.cfg); err != nil {
				t.Fatal(err)
			}
		})
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		if _, err := newPlan(k, nil, s.cfg); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&m1)
		for ai := range pl.Arrays {
			works += pl.src.works(ai)
		}
		return works, allocs, m1.TotalAlloc - m0.TotalAlloc
	}
	smallWorks, smallAllocs, _ := plan(2048)
	works, allocs, bytes := plan(8192)
	if works < 64*smallWorks {
		t.Fatalf("the large GEMM has %d works, the small one %d: want 64 times more", works, smallWorks)
	}
	if allocs > 2*smallAllocs {
		t.Errorf("planning %d works made %g allocations, %d works %g: want about the same", works, allocs, smallWorks, smallAllocs)
	}
	if held := uint64(works) * uint64(bytesPerTile); bytes > held/100 {
		t.Errorf("planning %d works allocated %d bytes, over 1%% of the %d holding them takes", works, bytes, held)
	}
}
