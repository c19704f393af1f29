package accel

import (
	"fmt"
	"sort"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sim/compute"
	"github.com/roofsim/roofsim/workload"
)

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
	// once; kvOnChip the bytes of KV cache kept in the activation store.
	weightBytes, pinnedBytes, peakOnChip, peakSpill, kvOnChip uint64
}

// placeOptions are the options place follows.
type placeOptions struct {
	// residency keeps activations on chip while they fit.
	residency bool
	// pin is the weight pinning policy (PinNone, PinInOrder,
	// PinMostReused).
	pin PinPolicy
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
// address space. With residency, KV caches (inputs of the pass written by
// earlier passes) stay in the activation store while they fit, in order of
// first use, for the whole pass; the other inputs are in HBM. fusedWith gives, per kernel, the elementwise kernel fused
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

	// Weights first, one range per distinct weight: the kernels of every
	// camera read one copy.
	if err := s.placeWeights(d, o); err != nil {
		return nil, err
	}
	next := s.weightBytes
	store := d.ActivationBufferBytes
	if !o.residency {
		store = 0
	}
	// The KV caches, in order of first use, in the activation store while
	// they fit: written there by the passes before, they stay for this one.
	var used int64
	for _, t := range s.inputs {
		if t.kvCache && used+t.bytes <= store {
			t.onChip = true
			used += t.bytes
			s.kvOnChip += uint64(t.bytes)
		}
	}
	bump := func(size uint64) (uint64, error) {
		base := next
		next += ceilDivU(size, align) * align
		if next > capacity {
			return 0, fmt.Errorf("accel: the weights and the inputs of the pass take more than the %d bytes of the layout's PCs", capacity)
		}
		return base, nil
	}
	for _, t := range s.inputs {
		if t.onChip {
			continue
		}
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
// kernels first read the weights from address 0. Kernels that read the
// same stored tensors (every camera's vision kernels) share one copy.
func (s *schedule) placeWeights(d hw.Design, o placeOptions) error {
	type weight struct {
		bytes  uint64
		uses   int
		pinned bool
		base   uint64
	}
	var ws []weight
	id := make([]int, len(s.ks))
	shared := map[string]int{}
	for i, k := range s.ks {
		id[i] = -1
		if s.fusedInto[i] >= 0 || k.Kind == workload.KindAttention {
			continue
		}
		fp := s.plans[i].Footprint(compute.Weights)
		key := s.steps[i].weightKey
		switch {
		case fp == 0 && key == "":
			continue
		case fp == 0 || key == "":
			return fmt.Errorf("accel: kernel %s plans %d weight bytes and reads the stored tensors %q", k.Name, fp, key)
		}
		s.steps[i].weights = true
		if w, ok := shared[key]; ok {
			if ws[w].bytes != fp {
				return fmt.Errorf("accel: kernel %s reads %s as %d bytes, an earlier kernel as %d", k.Name, key, fp, ws[w].bytes)
			}
			id[i] = w
			ws[w].uses++
			continue
		}
		shared[key] = len(ws)
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
