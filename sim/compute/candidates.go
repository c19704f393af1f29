package compute

import (
	"math"

	"github.com/roofsim/roofsim/hw"
)

// candidate is one tiling the tiler weighs.
type candidate struct {
	mt, kt, nt int64
	order      LoopOrder
	// est is the estimated cycles with loads fully overlapped:
	// max(compute, traffic / bandwidth).
	est float64
	// traffic is the estimated off-chip bytes.
	traffic float64
	// edge is the estimated cycles of the first load and the last store,
	// which nothing overlaps.
	edge  float64
	steps int64
}

// better orders tilings by estimated time, then traffic (so that every
// operand is read once when a tiling that does so is as fast), then the
// exposed first load and last store, then the number of steps.
func (c candidate) better(o candidate) bool {
	switch {
	case c.est != o.est:
		return c.est < o.est
	case c.traffic != o.traffic:
		return c.traffic < o.traffic
	case c.edge != o.edge:
		return c.edge < o.edge
	}
	return c.steps < o.steps
}

// kCandidates are the K chunk sizes the tiler tries: K, then K cut into 2,
// 4, 8, ... chunks down to one element (for weight-stationary and
// dot-product trees, multiples of R down to R, since a fold holds R rows
// of K or a tree takes R elements of it a cycle).
func kCandidates(k, r int64, os bool) []int64 {
	var out []int64
	for nk := int64(1); ; nk *= 2 {
		kt := ceilDiv(k, nk)
		if !os {
			kt = min(k, ceilDiv(kt, r)*r)
		}
		if len(out) == 0 || kt < out[len(out)-1] {
			out = append(out, kt)
		}
		if kt <= 1 || (!os && kt <= r) {
			return out
		}
	}
}

// nCandidates are the column job widths the tiler tries: every multiple of
// C that gives a different number of jobs.
func nCandidates(n, c int64) []int64 {
	blocks := ceilDiv(n, c)
	var out []int64
	prev := int64(-1)
	for jobs := int64(1); jobs <= blocks; jobs++ {
		q := ceilDiv(blocks, jobs)
		if q == prev {
			continue
		}
		prev = q
		out = append(out, min(n, q*c))
	}
	return out
}

// estimate weighs one tiling: its closed-form compute per array, its
// off-chip traffic, and the load before the first step and the store after
// the last that nothing overlaps.
func (s matmulShape) estimate(t ArrayTiming, cfg planConfig, mt, kt, nt int64, order LoopOrder) candidate {
	os := t.Dataflow == hw.OutputStationary
	r, c := t.Rows, t.Cols
	nm, nk := ceilDiv(s.m, mt), ceilDiv(s.k, kt)
	js := s.jobs(nt)
	a := cfg.arrays
	groups := ceilDiv(int64(len(js)), a)

	// Stream sums over the temporal chunks of one job.
	var sumS int64
	var chunks int64
	dot := t.Style == hw.StyleDotTree
	switch {
	case dot:
		chunks = nk
		sumS = (nk-1)*t.StreamCycles(ceilDiv(kt, r)) + t.StreamCycles(ceilDiv(s.k-(nk-1)*kt, r))
	case os:
		chunks = nk
		sumS = (nk-1)*t.StreamCycles(kt) + t.StreamCycles(s.k-(nk-1)*kt)
	default:
		chunks = nm
		sumS = (nm-1)*t.StreamCycles(mt) + t.StreamCycles(s.m-(nm-1)*mt)
	}
	foldsN, foldsS := make([]int64, a), make([]int64, a)
	for i, j := range js {
		spatial := ceilDiv(j.cols, c)
		switch {
		case dot:
			spatial *= s.m
		case os:
			spatial *= ceilDiv(s.m, r)
		default:
			spatial *= ceilDiv(s.k, r)
		}
		foldsN[int64(i)%a] += spatial * chunks
		foldsS[int64(i)%a] += spatial * sumS
	}
	var compute int64
	for i := range a {
		compute = max(compute, t.FoldsCycles(foldsN[i], foldsS[i]))
	}
	if t.GapCycles() == 0 {
		// A streaming array has no gap between folds, so its closed form
		// does not grow with the steps; charge each step boundary a fill
		// and a drain, the bubble a late tile costs it, so that the tiler
		// prefers few large steps over many small ones.
		compute += (groups*nm*nk - 1) * (t.FillCycles + t.DrainCycles)
	}

	// Traffic.
	aBytes := float64(bytesOf(s.m*s.k, s.inBits))
	var wTraffic, aTraffic, oTraffic float64
	wReuse := nk == 1
	aReuse := nm == 1 && nk == 1
	if order == OrderMNK {
		wReuse = nk == 1 && groups == 1
		aReuse = nk == 1
	}
	for i, j := range js {
		w := float64(bytesOf(s.k*j.cols, s.wBits) + bytesOf(j.cols*s.biasPerCol, s.inBits))
		if !wReuse {
			w *= float64(nm)
		}
		wTraffic += w
		oTraffic += float64(bytesOf(s.m*j.cols, s.outBits) + bytesOf(s.m*j.cols, s.sideBits))
		// The input tile of this job's batch is read for the job's group
		// unless an earlier job of the group already reads it, or (with
		// reuse) the same array held it in the previous group.
		g := int64(i) / a
		first := int64(i) == g*a || js[i-1].b != j.b
		if !first {
			continue
		}
		need := g == 0 || !aReuse
		for x := int64(i); !need && x < min(int64(len(js)), (g+1)*a) && js[x].b == j.b; x++ {
			if js[x-a].b != j.b {
				need = true
			}
		}
		if need {
			aTraffic += aBytes
		}
	}
	traffic := wTraffic + aTraffic + oTraffic

	// Exposed load before the first step and store after the last.
	var head, tail float64
	for i := int64(0); i < min(a, int64(len(js))); i++ {
		j := js[i]
		head += float64(bytesOf(kt*j.cols, s.wBits))
		if i == 0 || js[i-1].b != j.b {
			head += float64(bytesOf(min(mt, s.m)*kt, s.inBits))
		}
	}
	lastRows := s.m - (nm-1)*mt
	for i := (groups - 1) * a; i < int64(len(js)); i++ {
		tail += float64(bytesOf(lastRows*js[i].cols, s.outBits))
	}
	est, edge := float64(compute), 0.0
	if bw := cfg.memBytesPerCycle; bw > 0 {
		est = math.Max(est, traffic/bw)
		edge = (head + tail) / bw
	}
	return candidate{mt: mt, kt: kt, nt: nt, order: order, est: est, traffic: traffic, edge: edge, steps: groups * nm * nk}
}
