package accel

import (
	"fmt"
	"sort"

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
	// virtual says the tensor is never stored: the output of a matmul
	// whose epilogue (a fused elementwise kernel) consumes it tile by tile.
	virtual bool
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
	// weightBase in HBM, or in the weight store when pinned.
	weights    bool
	weightBase uint64
	pinned     bool
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

// fusable reports whether elementwise kernel i+1 can be fused into matmul
// i as its epilogue, as far as the tensors go: i+1 is an activation, a
// residual add or a softmax (softmax only after an attention matmul, the
// others only after a GEMM) without weights or parameters, and the only
// reader of i's output, which it reads whole, element for element, with at
// most one more operand of the same size (the side operand). Whether a
// tiling fits is the planner's to say.
func (g *graph) fusable(i int) bool {
	if i+1 >= len(g.ks) {
		return false
	}
	k, e := g.ks[i], g.ks[i+1]
	switch {
	case k.Kind == workload.KindGEMM && (e.Kind == workload.KindActivation || e.Kind == workload.KindResidual):
	case k.Kind == workload.KindAttention && e.Kind == workload.KindSoftmax:
	default:
		return false
	}
	t := g.steps[i].out
	st := &g.steps[i+1]
	if e.WeightElems != 0 || e.BiasElems != 0 || st.right != nil || len(t.uses) != 1 || t.uses[0] != i+1 ||
		e.OutputElems != t.elems {
		return false
	}
	found := false
	for _, p := range st.in {
		if p.t == t {
			if found || p.elems != t.elems {
				return false
			}
			found = true
		}
	}
	side := partsElems(st.in) - t.elems
	return found && (side == 0 || side == e.OutputElems)
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
	// fusedWith is, per kernel, the elementwise kernel fused into it (-1:
	// none); fusedInto the matmul a kernel is fused into (-1: none).
	fusedWith, fusedInto []int
	// weightBytes is the HBM the weights take; pinnedBytes the weight
	// store they take; peakOnChip the activation store's highest
	// occupancy; peakSpill the most HBM held by spilled activations at
	// once.
	weightBytes, pinnedBytes, peakOnChip, peakSpill uint64
}

// placeOptions are the options place follows.
type placeOptions struct {
	// residency keeps activations on chip while they fit.
	residency bool
	// pin is the weight pinning policy (PinNone, PinInOrder,
	// PinMostReused).
	pin string
	// align is the granule of HBM ranges; capacity the bytes of the
	// layout's PCs.
	align, capacity uint64
}

// side is the side operand of the epilogue fused into kernel i: the
// epilogue's inputs but the matmul's output (nil when none).
func (s *schedule) side(i int) []part {
	e := s.fusedWith[i]
	if e < 0 {
		return nil
	}
	var out []part
	for _, p := range s.steps[e].in {
		if !p.t.virtual {
			out = append(out, p)
		}
	}
	return out
}

// output is the tensor kernel i writes: its own output, or the output of
// the epilogue fused into it.
func (s *schedule) output(i int) *tensor {
	if e := s.fusedWith[i]; e >= 0 {
		return s.steps[e].out
	}
	return s.steps[i].out
}

// place decides where every tensor of graph g lives and lays the weights,
// the inputs of the pass and the spilled activations out in the DMA's
// address space. fusedWith gives, per kernel, the elementwise kernel fused
// into it (-1: none); plans[i] is then the fused plan.
func place(g *graph, plans []*compute.Plan, fusedWith []int, d hw.Design, o placeOptions) (*schedule, error) {
	ks := g.ks
	align, capacity := o.align, o.capacity
	s := &schedule{graph: g, plans: plans, fusedWith: fusedWith, fusedInto: make([]int, len(ks))}
	for i := range s.fusedInto {
		s.fusedInto[i] = -1
	}
	for i, e := range fusedWith {
		if e >= 0 {
			s.steps[i].out.virtual = true
			s.fusedInto[e] = i
		}
	}
	// Reserve, for every tensor in HBM, the largest range a producer or a
	// consumer touches (their tilings lay it out differently).
	reserve := func(t *tensor, b uint64) { t.size = max(t.size, b) }
	for i, st := range s.steps {
		if s.fusedInto[i] >= 0 {
			continue // the fused job of its matmul moves its operands
		}
		p := plans[i]
		reserve(s.output(i), p.Footprint(compute.Outputs))
		for _, o := range []struct {
			op compute.Operand
			ps []part
		}{{compute.Inputs, st.in}, {compute.Weights, st.right}, {compute.Side, s.side(i)}} {
			total := partsElems(o.ps)
			for _, pt := range o.ps {
				reserve(pt.t, uint64(mulDiv(int64(p.Footprint(o.op)), pt.elems, total))+align)
			}
		}
	}

	// Weights first, one range per distinct weight: the kernels of the
	// cameras after the first read the first camera's weights.
	if err := s.placeWeights(d, o); err != nil {
		return nil, err
	}
	next := s.weightBytes
	bump := func(size uint64) (uint64, error) {
		base := next
		next += ceilDivU(size, align) * align
		if next > capacity {
			return 0, fmt.Errorf("accel: the weights and the inputs of the pass take more than the %d bytes of the layout's PCs", capacity)
		}
		return base, nil
	}
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
	if !o.residency {
		store = 0
	}
	var used int64
	// placeOutput places the output of kernel j, which may go in place
	// over an input j reads for the last time.
	placeOutput := func(j int) error {
		st := &s.steps[j]
		out := st.out
		if out.virtual {
			return nil
		}
		if store > 0 && len(out.uses) > 0 {
			var over *tensor
			if inPlace(ks[j].Kind) {
				for _, pt := range st.in {
					if pt.t.onChip && !pt.t.handedOver && pt.t.lastUse() == j && pt.t.bytes == out.bytes {
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
				return fmt.Errorf("accel: kernel %s: its output (%d bytes) does not fit the HBM left after the weights (%d bytes, %d held by other activations)",
					ks[j].Name, out.size, capacity-next, spill.used)
			}
			out.base = b
		}
		return nil
	}
	for i := range ks {
		st := &s.steps[i]
		if s.fusedInto[i] < 0 {
			// A fused job writes its epilogue's output while it still
			// reads the matmul's inputs.
			j := i
			if e := fusedWith[i]; e >= 0 {
				j = e
			}
			if err := placeOutput(j); err != nil {
				return nil, err
			}
		}
		s.peakOnChip = max(s.peakOnChip, uint64(used))
		// Free what this kernel read for the last time.
		for _, ps := range [][]part{st.in, st.right} {
			for _, pt := range ps {
				t := pt.t
				if t.lastUse() != i || t.producer < 0 || t.freed || t.virtual {
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

// placeWeights gives every distinct weight (a GEMM's weights and bias, a
// norm's parameters, the position table) its place: pinned in the weight
// store (o.pin: in the order of first use, or most reads per byte first;
// each that still fits) or one range of HBM, laid out in the order the
// kernels first read the weights from address 0. The kernels of the
// cameras after the first read the first camera's weights.
func (s *schedule) placeWeights(d hw.Design, o placeOptions) error {
	type weightKey struct {
		ord                       int
		stage                     workload.Stage
		kind                      workload.Kind
		k, n, weight, bias, bytes int64
	}
	type weight struct {
		bytes  uint64
		uses   int
		pinned bool
		base   uint64
	}
	var ws []weight
	id := make([]int, len(s.ks))
	shared := map[weightKey]int{}
	ords := map[int]int{}
	for i, k := range s.ks {
		id[i] = -1
		if s.fusedInto[i] >= 0 {
			continue
		}
		fp := s.plans[i].Footprint(compute.Weights)
		if k.Kind == workload.KindAttention || fp == 0 {
			continue
		}
		s.steps[i].weights = true
		if k.Camera >= 0 {
			key := weightKey{ord: ords[k.Camera], stage: k.Stage, kind: k.Kind, k: k.K, n: k.N,
				weight: k.WeightElems, bias: k.BiasElems, bytes: int64(fp)}
			ords[k.Camera]++
			if w, ok := shared[key]; ok {
				id[i] = w
				ws[w].uses++
				continue
			}
			shared[key] = len(ws)
		}
		id[i] = len(ws)
		ws = append(ws, weight{bytes: fp, uses: 1})
	}
	if o.pin == PinInOrder || o.pin == PinMostReused {
		order := make([]int, len(ws))
		for i := range order {
			order[i] = i
		}
		if o.pin == PinMostReused {
			// Most reads per byte first: uses_a / bytes_a > uses_b / bytes_b.
			sort.SliceStable(order, func(a, b int) bool {
				x, y := ws[order[a]], ws[order[b]]
				return uint64(x.uses)*y.bytes > uint64(y.uses)*x.bytes
			})
		}
		room := uint64(d.WeightStoreBytes)
		for _, w := range order {
			if ws[w].bytes <= room {
				ws[w].pinned = true
				room -= ws[w].bytes
				s.pinnedBytes += ws[w].bytes
			}
		}
	}
	var next uint64
	for w := range ws {
		if ws[w].pinned {
			continue
		}
		ws[w].base = next
		next += ceilDivU(ws[w].bytes, o.align) * o.align
		if next > o.capacity {
			return fmt.Errorf("accel: the weights and the inputs of the pass take more than the %d bytes of the layout's PCs", o.capacity)
		}
	}
	s.weightBytes = next
	for i := range s.ks {
		if id[i] >= 0 {
			s.steps[i].weightBase = ws[id[i]].base
			s.steps[i].pinned = ws[id[i]].pinned
		}
	}
	return nil
}

// binding is where kernel i's operands live, for the compute side (for a
// kernel with a fused epilogue: its inputs and weights, the epilogue's side
// operand and output).
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
		b.Operands[compute.Weights] = []compute.Segment{{Base: st.weightBase, WeightStore: st.pinned, Elems: 1}}
		b.StoredWeights = true
	}
	out := s.output(i)
	b.Operands[compute.Outputs] = seg([]part{{out, out.elems}})
	if side := s.side(i); side != nil {
		b.Operands[compute.Side] = seg(side)
	}
	return b
}

// loc is where the parts of an operand live.
func loc(ps []part) Location {
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

// placement is where kernel i's operands live, as reported (for a kernel
// with a fused epilogue, its inputs are its own and the side operand).
func (s *schedule) placement(i int) Placement {
	st := &s.steps[i]
	in := st.in
	if side := s.side(i); side != nil {
		in = append(append([]part(nil), in...), side...)
	}
	out := s.output(i)
	pl := Placement{Inputs: loc(in), Weights: None, Outputs: loc([]part{{out, out.elems}})}
	switch {
	case st.right != nil:
		pl.Weights = loc(st.right)
	case st.pinned:
		pl.Weights = OnChip
	case st.weights:
		pl.Weights = InHBM
	}
	return pl
}

// hbmIdealBytes is the ideal bytes of kernel i's operands (or parts of
// them) that live in HBM: weights at the weight width, activations at the
// activation width, biases and parameters not counted (as the roofline's
// ideal bytes). A fused epilogue's side operand and output count as the
// kernel's.
func (s *schedule) hbmIdealBytes(i int) float64 {
	k := s.ks[i]
	st := &s.steps[i]
	var act int64
	for _, ps := range [][]part{st.in, st.right, s.side(i)} {
		for _, p := range ps {
			if !p.t.onChip {
				act += p.elems
			}
		}
	}
	if out := s.output(i); !out.onChip {
		act += out.elems
	}
	b := s.prec.ActBytes(act)
	if st.weights && !st.pinned {
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
