package accel

import (
	"fmt"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sim/compute"
	"github.com/roofsim/roofsim/workload"
)

// tensor is an activation of the forward pass: the output of a kernel, or
// an input of the pass (camera patches, token embeddings, the inputs of
// kernels with no producer in the list), which the host leaves in HBM.
type tensor struct {
	producer int   // kernel index; -1 for an input of the pass
	elems    int64 // elements
	cols     int64 // row length, for concatenation along rows
	bytes    int64 // at the activation width, rounded up to a byte
	uses     []int // kernels that read it, in order
	onChip   bool
	base     uint64 // DMA address when in HBM
	size     uint64 // HBM bytes reserved
	// handedOver says an in-place kernel wrote its output over the tensor
	// in the store (the output took its bytes); freed that its space (on
	// chip or in HBM) went back.
	handedOver, freed bool
}

func (t *tensor) lastUse() int {
	if len(t.uses) == 0 {
		return -1
	}
	return t.uses[len(t.uses)-1]
}

// part is a share of an operand: elems elements of tensor t.
type part struct {
	t     *tensor
	elems int64
}

// step is the schedule of one kernel: where its operands come from and go.
type step struct {
	in    []part  // the Inputs operand (for attention, the left operand)
	right []part  // attention's right operand (the plan's Weights operand)
	out   *tensor // its output
	// weights says the kernel reads stored weights or parameters, at
	// weightBase.
	weights    bool
	weightBase uint64
}

// group is a run of GEMMs that read the same input (q, k, v; gate, up).
type group struct {
	in   []part
	outs []*tensor
	next int // the next output an attention kernel takes
}

// graph derives the producer of every operand from the order and kinds of
// the kernels (the package documentation gives the rules).
type graph struct {
	ks      []workload.Kernel
	prec    hw.Precision
	steps   []step
	tensors []*tensor
	inputs  []*tensor // inputs of the pass, in order of first use
	prevOut *tensor
	grp     *group
	stream  []part // the residual stream: the input of the latest norm
}

func (g *graph) newTensor(producer int, elems, cols int64) *tensor {
	t := &tensor{producer: producer, elems: elems, cols: cols, bytes: ceilDiv(elems*int64(g.prec.ActBits), 8)}
	g.tensors = append(g.tensors, t)
	return t
}

// external is an input of the pass of elems elements.
func (g *graph) external(elems, cols int64) []part {
	t := g.newTensor(-1, elems, cols)
	g.inputs = append(g.inputs, t)
	return []part{{t, elems}}
}

// unconsumed lists the tensors produced so far that nothing has read yet,
// with rows of cols elements, in production order.
func (g *graph) unconsumed(cols int64) []*tensor {
	var out []*tensor
	for _, t := range g.tensors {
		if t.producer >= 0 && len(t.uses) == 0 && t.cols == cols {
			out = append(out, t)
		}
	}
	return out
}

// resolve finds the tensor(s) an operand of need elements with rows of cols
// elements reads: the previous kernel's output when it has that size and
// its rows fit (see fits); else the concatenation along rows of the
// unconsumed outputs of that row length (the text prefix: the image tokens
// of every camera), completed by an input of the pass (the language and
// state tokens); else an input of the pass.
func (g *graph) resolve(need, cols int64) []part {
	if g.prevOut != nil && g.prevOut.elems == need && fits(g.prevOut.cols, cols) {
		return []part{{g.prevOut, need}}
	}
	var parts []part
	var have int64
	for _, t := range g.unconsumed(cols) {
		if have+t.elems > need {
			break
		}
		parts = append(parts, part{t, t.elems})
		have += t.elems
	}
	if have == 0 {
		return g.external(need, cols)
	}
	if have < need {
		parts = append(parts, g.external(need-have, cols)...)
	}
	return parts
}

// derive builds the steps of ks.
func derive(ks []workload.Kernel, prec hw.Precision) *graph {
	g := &graph{ks: ks, prec: prec, steps: make([]step, len(ks))}
	for i, k := range ks {
		st := &g.steps[i]
		var prev *workload.Kernel
		if i > 0 {
			prev = &ks[i-1]
		}
		prevGEMM := prev != nil && prev.Kind == workload.KindGEMM && g.grp != nil
		switch k.Kind {
		case workload.KindGEMM:
			if prevGEMM && prev.M == k.M && prev.K == k.K && prev.Batch == k.Batch && prev.InputElems == k.InputElems {
				st.in = g.grp.in
			} else {
				st.in = g.resolve(k.InputElems, k.K)
				g.grp = &group{in: st.in}
			}
			st.out = g.newTensor(i, k.OutputElems, k.N)
			g.grp.outs = append(g.grp.outs, st.out)
		case workload.KindAttention:
			left := k.Batch * k.M * k.K
			right := k.InputElems - left
			if prevGEMM && g.grp.next < len(g.grp.outs) && g.grp.outs[g.grp.next].elems == left {
				st.in = []part{{g.grp.outs[g.grp.next], left}}
				g.grp.next++
			} else {
				st.in = g.resolve(left, k.K)
			}
			if g.grp != nil && g.grp.next < len(g.grp.outs) && g.grp.outs[g.grp.next].elems == right && right > 0 {
				st.right = []part{{g.grp.outs[g.grp.next], right}}
				g.grp.next++
			} else if right > 0 {
				st.right = g.external(right, k.N)
			}
			st.out = g.newTensor(i, k.OutputElems, k.N)
		default:
			st.in = g.elementwiseInputs(k, prevGEMM)
			st.out = g.newTensor(i, k.OutputElems, k.N)
		}
		for _, ps := range [][]part{st.in, st.right} {
			for _, p := range ps {
				if n := len(p.t.uses); n == 0 || p.t.uses[n-1] != i {
					p.t.uses = append(p.t.uses, i)
				}
			}
		}
		g.prevOut = st.out
	}
	return g
}

// elementwiseInputs finds the inputs of an elementwise kernel.
func (g *graph) elementwiseInputs(k workload.Kernel, prevGEMM bool) []part {
	out := k.OutputElems
	switch {
	case k.InputElems == 0:
		return nil
	case k.Kind == workload.KindResidual && k.InputElems == 2*out && g.prevOut != nil && g.prevOut.elems == out && partsElems(g.stream) == out:
		// A residual add: the branch just computed plus the stream the
		// block's norm read.
		return append([]part{{g.prevOut, out}}, g.stream...)
	case k.Kind == workload.KindActivation && k.InputElems == 2*out && prevGEMM && len(g.grp.outs) >= 2:
		// A gated activation (SwiGLU): the group's last two outputs.
		a, b := g.grp.outs[len(g.grp.outs)-2], g.grp.outs[len(g.grp.outs)-1]
		if a.elems == out && b.elems == out {
			return []part{{a, out}, {b, out}}
		}
	case k.Kind == workload.KindNorm:
		in := g.resolve(k.InputElems, k.N)
		g.stream = in
		return in
	case k.Kind == workload.KindShuffle:
		// A reshape: any row length.
		return g.resolve(k.InputElems, 0)
	}
	return g.resolve(k.InputElems, k.N)
}

// fits reports whether rows of have elements make rows of want: the same
// length, or whole rows side by side (the heads of an attention output
// concatenated into the hidden width; want 0 accepts any row, for a
// reshape such as the pixel shuffle).
func fits(have, want int64) bool {
	return want == 0 || have == want || (have > 0 && want%have == 0)
}

func partsElems(ps []part) int64 {
	var n int64
	for _, p := range ps {
		n += p.elems
	}
	return n
}

// inPlace reports whether kernel kind k may write its output over an input
// it reads for the last time: the row-wise elementwise kernels, which read
// a chunk of rows before they write it.
func inPlace(k workload.Kind) bool {
	switch k {
	case workload.KindNorm, workload.KindSoftmax, workload.KindActivation, workload.KindResidual:
		return true
	}
	return false
}

// allocator hands out ranges of the DMA's address space, first fit, and
// takes them back.
type allocator struct {
	free []span // sorted by base, coalesced
	used uint64
	peak uint64
}

type span struct{ base, size uint64 }

func newAllocator(base, size uint64) *allocator {
	return &allocator{free: []span{{base, size}}}
}

func (a *allocator) alloc(size, align uint64) (uint64, bool) {
	size = ceilDivU(size, align) * align
	for i, s := range a.free {
		if s.size < size {
			continue
		}
		base := s.base
		if size == s.size {
			a.free = append(a.free[:i], a.free[i+1:]...)
		} else {
			a.free[i] = span{s.base + size, s.size - size}
		}
		a.used += size
		a.peak = max(a.peak, a.used)
		return base, true
	}
	return 0, false
}

func (a *allocator) release(base, size, align uint64) {
	size = ceilDivU(size, align) * align
	a.used -= size
	i := 0
	for i < len(a.free) && a.free[i].base < base {
		i++
	}
	a.free = append(a.free, span{})
	copy(a.free[i+1:], a.free[i:])
	a.free[i] = span{base, size}
	if i+1 < len(a.free) && a.free[i].base+a.free[i].size == a.free[i+1].base {
		a.free[i].size += a.free[i+1].size
		a.free = append(a.free[:i+1], a.free[i+2:]...)
	}
	if i > 0 && a.free[i-1].base+a.free[i-1].size == a.free[i].base {
		a.free[i-1].size += a.free[i].size
		a.free = append(a.free[:i], a.free[i+1:]...)
	}
}

// schedule is the whole pass's placement: the steps with their tensors
// placed, and the address space used.
type schedule struct {
	*graph
	plans []*compute.Plan
	// weightBytes is the HBM the weights take; peakOnChip the activation
	// store's highest occupancy; peakSpill the most HBM held by spilled
	// activations at once.
	weightBytes, peakOnChip, peakSpill uint64
}

// place decides where every tensor lives and lays the weights, the inputs
// of the pass and the spilled activations out in the DMA's address space of
// capacity bytes.
func place(ks []workload.Kernel, plans []*compute.Plan, d hw.Design, residency bool, align, capacity uint64) (*schedule, error) {
	s := &schedule{graph: derive(ks, d.Precision), plans: plans}
	// Reserve, for every tensor in HBM, the largest range a producer or a
	// consumer touches (their tilings lay it out differently).
	reserve := func(t *tensor, b uint64) { t.size = max(t.size, b) }
	for i, st := range s.steps {
		p := plans[i]
		reserve(st.out, p.Footprint(compute.Outputs))
		for _, o := range []struct {
			op compute.Operand
			ps []part
		}{{compute.Inputs, st.in}, {compute.Weights, st.right}} {
			total := partsElems(o.ps)
			for _, pt := range o.ps {
				reserve(pt.t, uint64(mulDiv(int64(p.Footprint(o.op)), pt.elems, total))+align)
			}
		}
	}

	// Weights first, one range per distinct weight: the kernels of the
	// cameras after the first read the first camera's weights.
	var next uint64
	bump := func(size uint64) (uint64, error) {
		base := next
		next += ceilDivU(size, align) * align
		if next > capacity {
			return 0, fmt.Errorf("accel: the weights and the inputs of the pass take more than the %d bytes of the layout's PCs", capacity)
		}
		return base, nil
	}
	type weightKey struct {
		ord                       int
		stage                     workload.Stage
		kind                      workload.Kind
		k, n, weight, bias, bytes int64
	}
	shared := map[weightKey]uint64{}
	ords := map[int]int{}
	for i, k := range ks {
		fp := plans[i].Footprint(compute.Weights)
		if k.Kind == workload.KindAttention || fp == 0 {
			continue
		}
		st := &s.steps[i]
		st.weights = true
		if k.Camera < 0 {
			b, err := bump(fp)
			if err != nil {
				return nil, err
			}
			st.weightBase = b
			continue
		}
		key := weightKey{ord: ords[k.Camera], stage: k.Stage, kind: k.Kind, k: k.K, n: k.N,
			weight: k.WeightElems, bias: k.BiasElems, bytes: int64(fp)}
		ords[k.Camera]++
		if b, ok := shared[key]; ok {
			st.weightBase = b
			continue
		}
		b, err := bump(fp)
		if err != nil {
			return nil, err
		}
		shared[key] = b
		st.weightBase = b
	}
	s.weightBytes = next
	for _, t := range s.inputs {
		b, err := bump(t.size)
		if err != nil {
			return nil, err
		}
		t.base = b
	}
	if next >= capacity {
		return nil, fmt.Errorf("accel: the weights and the inputs of the pass fill the %d bytes of the layout's PCs", capacity)
	}

	// Activations, in order: on chip while they fit, else spilled to HBM.
	spill := newAllocator(next, capacity-next)
	store := d.ActivationBufferBytes
	if !residency {
		store = 0
	}
	var used int64
	for i, k := range ks {
		st := &s.steps[i]
		out := st.out
		if store > 0 && len(out.uses) > 0 {
			var over *tensor
			if inPlace(k.Kind) {
				for _, pt := range st.in {
					if pt.t.onChip && !pt.t.handedOver && pt.t.lastUse() == i && pt.t.bytes == out.bytes {
						over = pt.t
						break
					}
				}
			}
			free := store - used
			if over != nil {
				free += over.bytes
			}
			if out.bytes <= free {
				out.onChip = true
				used += out.bytes
				if over != nil {
					over.handedOver = true
					used -= over.bytes
				}
			}
		}
		if !out.onChip {
			b, ok := spill.alloc(out.size, align)
			if !ok {
				return nil, fmt.Errorf("accel: kernel %s: its output (%d bytes) does not fit the HBM left after the weights (%d bytes, %d held by other activations)",
					k.Name, out.size, capacity-next, spill.used)
			}
			out.base = b
		}
		s.peakOnChip = max(s.peakOnChip, uint64(used))
		// Free what this kernel read for the last time.
		for _, ps := range [][]part{st.in, st.right} {
			for _, pt := range ps {
				t := pt.t
				if t.lastUse() != i || t.producer < 0 || t.freed {
					continue
				}
				t.freed = true
				if t.onChip {
					if !t.handedOver {
						used -= t.bytes
					}
					continue
				}
				spill.release(t.base, t.size, align)
			}
		}
	}
	s.peakSpill = spill.peak
	return s, nil
}

// binding is where kernel i's operands live, for the compute side.
func (s *schedule) binding(i int) compute.Binding {
	st := &s.steps[i]
	var b compute.Binding
	seg := func(ps []part) []compute.Segment {
		out := make([]compute.Segment, 0, len(ps))
		for _, p := range ps {
			out = append(out, compute.Segment{OnChip: p.t.onChip, Base: p.t.base, Elems: p.elems})
		}
		return out
	}
	b.Operands[compute.Inputs] = seg(st.in)
	if st.right != nil {
		b.Operands[compute.Weights] = seg(st.right)
	} else if st.weights {
		b.Operands[compute.Weights] = []compute.Segment{{Base: st.weightBase, Elems: 1}}
	}
	b.Operands[compute.Outputs] = seg([]part{{st.out, st.out.elems}})
	return b
}

// placement is where kernel i's operands live, as reported.
func (s *schedule) placement(i int) Placement {
	st := &s.steps[i]
	loc := func(ps []part) Location {
		if len(ps) == 0 {
			return None
		}
		on, off := false, false
		for _, p := range ps {
			if p.t.onChip {
				on = true
			} else {
				off = true
			}
		}
		switch {
		case on && off:
			return Mixed
		case on:
			return OnChip
		}
		return InHBM
	}
	pl := Placement{Inputs: loc(st.in), Weights: None, Outputs: loc([]part{{st.out, st.out.elems}})}
	switch {
	case st.right != nil:
		pl.Weights = loc(st.right)
	case st.weights:
		pl.Weights = InHBM
	}
	return pl
}

// hbmIdealBytes is the ideal bytes of kernel i's operands (or parts of
// them) that live in HBM: weights at the weight width, activations at the
// activation width, biases and parameters not counted (as the roofline's
// ideal bytes).
func (s *schedule) hbmIdealBytes(i int) float64 {
	k := s.ks[i]
	st := &s.steps[i]
	var act int64
	for _, ps := range [][]part{st.in, st.right} {
		for _, p := range ps {
			if !p.t.onChip {
				act += p.elems
			}
		}
	}
	if !st.out.onChip {
		act += k.OutputElems
	}
	b := s.prec.ActBytes(act)
	if st.weights {
		b += s.prec.WeightBytes(k.WeightElems)
	}
	return b
}

func ceilDiv(a, b int64) int64 { return (a + b - 1) / b }

func ceilDivU(a, b uint64) uint64 { return (a + b - 1) / b }

// mulDiv is a*b/c rounded down, in floating point when a*b would overflow.
func mulDiv(a, b, c int64) int64 {
	if c == 0 {
		return 0
	}
	if b == 0 || a <= (1<<62)/b {
		return a * b / c
	}
	return int64(float64(a) / float64(c) * float64(b))
}
