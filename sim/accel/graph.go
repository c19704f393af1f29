package accel

import (
	"fmt"
	"sort"
	"strings"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sim/compute"
	"github.com/roofsim/roofsim/workload"
)

// tensor is an activation of the forward pass with its place: the output
// of a kernel, or an input of the pass (camera patches, token embeddings,
// a KV cache), which the host leaves in HBM. Weights and parameters are
// placed per kernel (see placeWeights); a view (workload.Tensor.Concat) is
// its parts.
type tensor struct {
	name     string
	producer int   // kernel index; -1 for an input of the pass
	elems    int64 // elements
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
	// kvCache says the tensor is a KV cache, an input of the pass that
	// earlier passes wrote: with residency it stays on chip when it fits.
	kvCache bool
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
	// weightKey names the stored tensors the kernel reads ("" none): the
	// kernels with the same key read one copy (the cameras' vision
	// weights).
	weightKey string
	// weights says the kernel reads stored weights or parameters, at
	// weightBase in HBM, or in the weight store when pinned.
	weights    bool
	weightBase uint64
	pinned     bool
}

// graph is the workload graph's tensors and operands as the placement
// uses them: one tensor per stored activation or input of the pass, and
// per kernel its operands as parts of those tensors.
type graph struct {
	ks      []workload.Kernel
	prec    hw.Precision
	steps   []step
	tensors []*tensor
	inputs  []*tensor // inputs of the pass, in order of first use
}

// newGraph builds the steps of workload graph wg at precision prec. An
// operand that is not a tensor of the graph is an error.
func newGraph(wg *workload.Graph, prec hw.Precision) (*graph, error) {
	ks := wg.Ops
	g := &graph{ks: ks, prec: prec, steps: make([]step, len(ks))}
	byIndex := make([]*tensor, len(wg.Tensors))
	for j, wt := range wg.Tensors {
		if wt.Role.Stored() || wt.Concat != nil {
			continue
		}
		t := &tensor{name: wt.Name, producer: wt.Producer, elems: wt.Elems(), bytes: ceilDiv(wt.Elems()*int64(prec.ActBits), 8),
			kvCache: wt.Role == workload.RoleKVCache}
		byIndex[j] = t
		g.tensors = append(g.tensors, t)
	}
	// operand returns the parts of activation tensor name, read by kernel
	// i.
	operand := func(i int, name string) ([]part, error) {
		j, ok := wg.TensorIndex(name)
		if !ok || wg.Tensors[j].Role.Stored() {
			return nil, fmt.Errorf("accel: kernel %s reads %q, which is not an activation tensor of the graph", ks[i].Name, name)
		}
		idx := []int{j}
		if wg.Tensors[j].Concat != nil {
			idx = idx[:0]
			for _, pn := range wg.Tensors[j].Concat {
				pj, ok := wg.TensorIndex(pn)
				if !ok {
					return nil, fmt.Errorf("accel: kernel %s reads view %s, whose part %q is not in the graph", ks[i].Name, name, pn)
				}
				idx = append(idx, pj)
			}
		}
		var ps []part
		for _, pj := range idx {
			t := byIndex[pj]
			if t == nil {
				return nil, fmt.Errorf("accel: kernel %s reads %q, which is not a stored tensor of the graph", ks[i].Name, wg.Tensors[pj].Name)
			}
			ps = append(ps, part{t, t.elems})
		}
		return ps, nil
	}
	for i, k := range ks {
		st := &g.steps[i]
		for a, name := range k.Inputs {
			ps, err := operand(i, name)
			if err != nil {
				return nil, err
			}
			if k.Kind == workload.KindAttention && a == 1 {
				st.right = ps
			} else {
				st.in = append(st.in, ps...)
			}
		}
		st.weightKey = strings.Join(k.Weights, ",")
		if len(k.Outputs) != 1 {
			return nil, fmt.Errorf("accel: kernel %s writes %d tensors, want 1", k.Name, len(k.Outputs))
		}
		j, ok := wg.TensorIndex(k.Outputs[0])
		if !ok || byIndex[j] == nil || byIndex[j].producer != i {
			return nil, fmt.Errorf("accel: kernel %s writes %q, which is not a tensor of the graph it produces", k.Name, k.Outputs[0])
		}
		st.out = byIndex[j]
		for _, ps := range [][]part{st.in, st.right} {
			for _, p := range ps {
				if n := len(p.t.uses); n == 0 || p.t.uses[n-1] != i {
					p.t.uses = append(p.t.uses, i)
				}
			}
		}
	}
	// The inputs of the pass in order of first use.
	for _, t := range g.tensors {
		if t.producer < 0 && len(t.uses) > 0 {
			g.inputs = append(g.inputs, t)
		}
	}
	sort.SliceStable(g.inputs, func(a, b int) bool { return g.inputs[a].uses[0] < g.inputs[b].uses[0] })
	return g, nil
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
