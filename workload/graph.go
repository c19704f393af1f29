package workload

import (
	"fmt"
	"slices"
)

// Role is what the elements of a tensor are.
type Role string

// Tensor roles.
const (
	// RoleWeight is a stored weight: a GEMM's K x N operand, the vision
	// position-embedding table.
	RoleWeight Role = "weight"
	// RoleParameter is a stored bias or norm parameter (scale, shift).
	RoleParameter Role = "parameter"
	// RoleActivation is an activation an op computes.
	RoleActivation Role = "activation"
	// RoleScores is attention scores or probabilities (QK^T, its softmax).
	RoleScores Role = "scores"
	// RoleKVCache is keys or values cached by an earlier pass: an input
	// of this pass, as a model input is.
	RoleKVCache Role = "kv_cache"
	// RoleInput is an input of the model the host leaves in memory:
	// camera patches, token embeddings.
	RoleInput Role = "input"
)

// Stored reports whether tensors of this role are stored parameters of
// the model (weights, biases, norm parameters).
func (r Role) Stored() bool { return r == RoleWeight || r == RoleParameter }

// External reports whether tensors of this role come from outside the
// pass (stored parameters, model inputs, a KV cache): no op produces them.
func (r Role) External() bool { return r.Stored() || r == RoleInput || r == RoleKVCache }

func (r Role) valid() bool {
	switch r {
	case RoleWeight, RoleParameter, RoleActivation, RoleScores, RoleKVCache, RoleInput:
		return true
	}
	return false
}

// Tensor is a named value of the forward pass: Rows x Cols elements, or a
// concatenation view.
type Tensor struct {
	// Name is unique within a graph, e.g. "vision.cam0.l3.fc1.out".
	Name string `json:"name"`
	// Role says what the elements are.
	Role Role `json:"role"`
	// Rows and Cols are the shape: Rows x Cols elements.
	Rows int64 `json:"rows"`
	Cols int64 `json:"cols"`
	// Concat, when set, makes the tensor a view: the rows of these
	// tensors one after the other (the text prefix: every camera's image
	// tokens, then the language and state tokens). A view has no producer
	// and no storage of its own; an op that reads it reads its parts.
	Concat []string `json:"concat,omitempty"`
	// Producer is the index of the op that writes the tensor, -1 for an
	// external tensor or a view (set by NewGraph).
	Producer int `json:"producer"`
	// Consumers are the indices of the ops that read the tensor, directly
	// or through a view, in order and without repeats (set by NewGraph).
	Consumers []int `json:"consumers"`
}

// Elems is the tensor's number of elements, Rows x Cols.
func (t Tensor) Elems() int64 { return t.Rows * t.Cols }

// FirstUse is the index of the first op that writes or reads the tensor,
// -1 when none does.
func (t Tensor) FirstUse() int {
	if t.Producer >= 0 {
		return t.Producer
	}
	if len(t.Consumers) > 0 {
		return t.Consumers[0]
	}
	return -1
}

// LastUse is the index of the last op that writes or reads the tensor, -1
// when none does.
func (t Tensor) LastUse() int {
	if n := len(t.Consumers); n > 0 {
		return t.Consumers[n-1]
	}
	return t.Producer
}

// Graph is a forward pass as ops over named tensors. Ops run in order;
// each names the tensors it reads (Kernel.Inputs, Kernel.Weights) and
// writes (Kernel.Outputs). Build one with NewGraph.
type Graph struct {
	// Ops are the kernels in execution order.
	Ops []Kernel `json:"ops"`
	// Tensors are every tensor an op reads or writes, in declaration
	// order, with their producers and consumers.
	Tensors []Tensor `json:"tensors"`
	index   map[string]int
}

// NewGraph builds a graph of ops over tensors: it checks every op, that
// every tensor an op names is declared, that every tensor read is produced
// by an earlier op or is external (a weight, parameter, model input or KV
// cache) or a view of such tensors, that no tensor is produced twice or is
// external and produced, and that each operand's element count is the
// op's; and it records producers and consumers. ops and tensors are
// copied.
func NewGraph(ops []Kernel, tensors []Tensor) (*Graph, error) {
	g := &Graph{Ops: slices.Clone(ops), Tensors: slices.Clone(tensors), index: make(map[string]int, len(tensors))}
	for i := range g.Tensors {
		t := &g.Tensors[i]
		if t.Name == "" {
			return nil, fmt.Errorf("graph: tensor %d has no name", i)
		}
		if !t.Role.valid() {
			return nil, fmt.Errorf("graph: tensor %s: role %q is not known (accepted: weight|parameter|activation|scores|kv_cache|input)", t.Name, t.Role)
		}
		if _, dup := g.index[t.Name]; dup {
			return nil, fmt.Errorf("graph: tensor %s is declared twice", t.Name)
		}
		if t.Concat == nil && (t.Rows <= 0 || t.Cols <= 0) {
			return nil, fmt.Errorf("graph: tensor %s: rows and cols must be > 0, got %d x %d", t.Name, t.Rows, t.Cols)
		}
		t.Producer, t.Consumers = -1, nil
		g.index[t.Name] = i
	}
	for i := range g.Tensors {
		if err := g.checkView(i); err != nil {
			return nil, err
		}
	}
	for i := range g.Ops {
		if err := g.addOp(i); err != nil {
			return nil, err
		}
	}
	return g, nil
}

// checkView checks that view i's parts are declared tensors (not views)
// and that its shape is theirs: the sum of their rows, their columns.
func (g *Graph) checkView(i int) error {
	t := &g.Tensors[i]
	if t.Concat == nil {
		return nil
	}
	if t.Role.External() {
		return fmt.Errorf("graph: view %s: a view's role must be an activation or scores, got %s", t.Name, t.Role)
	}
	var rows int64
	for _, pn := range t.Concat {
		j, ok := g.index[pn]
		if !ok {
			return fmt.Errorf("graph: view %s: part %s is not a declared tensor", t.Name, pn)
		}
		p := g.Tensors[j]
		if p.Concat != nil || p.Cols != t.Cols {
			return fmt.Errorf("graph: view %s: part %s must be a tensor of %d columns, not a view", t.Name, pn, t.Cols)
		}
		rows += p.Rows
	}
	if len(t.Concat) == 0 || rows != t.Rows {
		return fmt.Errorf("graph: view %s: its parts have %d rows, the view %d", t.Name, rows, t.Rows)
	}
	return nil
}

// addOp checks op i and records it as the producer and a consumer of the
// tensors it names.
func (g *Graph) addOp(i int) error {
	k := g.Ops[i]
	if err := k.Validate(); err != nil {
		return fmt.Errorf("graph: %w", err)
	}
	if k.Kind == KindAttention && len(k.Inputs) != 2 {
		return fmt.Errorf("graph: op %s: an attention op reads 2 inputs (left, right), it names %d", k.Name, len(k.Inputs))
	}
	if len(k.Outputs) != 1 {
		return fmt.Errorf("graph: op %s: an op writes 1 output tensor, it names %d", k.Name, len(k.Outputs))
	}
	var in, weight, bias int64
	read := func(name string, stored bool) (*Tensor, error) {
		j, ok := g.index[name]
		if !ok {
			return nil, fmt.Errorf("graph: op %s reads tensor %s, which is not declared", k.Name, name)
		}
		t := &g.Tensors[j]
		if t.Role.Stored() != stored {
			as := "an input"
			if stored {
				as = "a weight"
			}
			return nil, fmt.Errorf("graph: op %s reads %s tensor %s as %s", k.Name, t.Role, name, as)
		}
		parts := []int{j}
		if t.Concat != nil {
			g.consume(j, i)
			parts = parts[:0]
			for _, pn := range t.Concat {
				parts = append(parts, g.index[pn])
			}
		}
		for _, pj := range parts {
			p := &g.Tensors[pj]
			if p.Producer < 0 && !p.Role.External() {
				return nil, fmt.Errorf("graph: op %s reads tensor %s, which no op before it produces and which is not a model input", k.Name, p.Name)
			}
			g.consume(pj, i)
		}
		return t, nil
	}
	for _, name := range k.Inputs {
		t, err := read(name, false)
		if err != nil {
			return err
		}
		in += t.Elems()
	}
	for _, name := range k.Weights {
		t, err := read(name, true)
		if err != nil {
			return err
		}
		if t.Role == RoleWeight {
			weight += t.Elems()
		} else {
			bias += t.Elems()
		}
	}
	if k.Kind == KindAttention {
		if left := g.Tensors[g.index[k.Inputs[0]]].Elems(); left != k.Batch*k.M*k.K {
			return fmt.Errorf("graph: op %s: its left input %s has %d elements, the op reads %d", k.Name, k.Inputs[0], left, k.Batch*k.M*k.K)
		}
	}
	if in != k.InputElems || weight != k.WeightElems || bias != k.BiasElems {
		return fmt.Errorf("graph: op %s: its tensors have %d input, %d weight and %d parameter elements, the op reads %d, %d and %d",
			k.Name, in, weight, bias, k.InputElems, k.WeightElems, k.BiasElems)
	}
	j, ok := g.index[k.Outputs[0]]
	if !ok {
		return fmt.Errorf("graph: op %s writes tensor %s, which is not declared", k.Name, k.Outputs[0])
	}
	t := &g.Tensors[j]
	switch {
	case t.Producer >= 0:
		return fmt.Errorf("graph: tensor %s is produced twice, by %s and %s", t.Name, g.Ops[t.Producer].Name, k.Name)
	case t.Concat != nil:
		return fmt.Errorf("graph: op %s writes tensor %s, which is a view", k.Name, t.Name)
	case t.Role.External():
		return fmt.Errorf("graph: op %s writes tensor %s, which is external (%s)", k.Name, t.Name, t.Role)
	case len(t.Consumers) > 0:
		return fmt.Errorf("graph: op %s writes tensor %s, which %s read before", k.Name, t.Name, g.Ops[t.Consumers[0]].Name)
	case t.Elems() != k.OutputElems:
		return fmt.Errorf("graph: op %s: its output %s has %d elements, the op writes %d", k.Name, t.Name, t.Elems(), k.OutputElems)
	}
	t.Producer = i
	return nil
}

// consume records op i as a consumer of tensor j.
func (g *Graph) consume(j, i int) {
	t := &g.Tensors[j]
	if n := len(t.Consumers); n == 0 || t.Consumers[n-1] != i {
		t.Consumers = append(t.Consumers, i)
	}
}

// Tensor returns the tensor named name.
func (g *Graph) Tensor(name string) (Tensor, bool) {
	j, ok := g.index[name]
	if !ok {
		return Tensor{}, false
	}
	return g.Tensors[j], true
}

// TensorIndex returns the index in Tensors of the tensor named name.
func (g *Graph) TensorIndex(name string) (int, bool) {
	j, ok := g.index[name]
	return j, ok
}

// Slice returns the graph of ops [from, to): a tensor read there that an
// op before from produces becomes a model input of the slice, and so does
// a view all of whose parts are produced before from or are model inputs
// (one input of the view's shape). Tensors no op of the slice names are
// left out. It is how a pass is split in parts that run apart.
func (g *Graph) Slice(from, to int) (*Graph, error) {
	if g.index == nil {
		return nil, fmt.Errorf("graph: slice of a graph not built by NewGraph")
	}
	if from < 0 || to > len(g.Ops) || from >= to {
		return nil, fmt.Errorf("graph: slice [%d, %d) of %d ops is empty or out of range", from, to, len(g.Ops))
	}
	outside := func(t Tensor) bool { return t.Producer < from && !t.Role.External() }
	ops := g.Ops[from:to]
	keep := make([]bool, len(g.Tensors))
	for _, k := range ops {
		for _, names := range [][]string{k.Inputs, k.Weights, k.Outputs} {
			for _, name := range names {
				keep[g.index[name]] = true
			}
		}
	}
	// collapse reports whether view t is one input of the slice: all its
	// parts come from before it.
	collapse := func(t Tensor) bool {
		for _, pn := range t.Concat {
			if p := g.Tensors[g.index[pn]]; !outside(p) && p.Role != RoleInput {
				return false
			}
		}
		return true
	}
	for j, t := range g.Tensors {
		if keep[j] && t.Concat != nil && !collapse(t) {
			for _, pn := range t.Concat {
				keep[g.index[pn]] = true
			}
		}
	}
	var ts []Tensor
	for j, t := range g.Tensors {
		if !keep[j] {
			continue
		}
		switch {
		case t.Concat != nil && collapse(t):
			t.Concat, t.Role = nil, RoleInput
		case t.Concat == nil && outside(t):
			t.Role = RoleInput
		}
		ts = append(ts, t)
	}
	sub, err := NewGraph(ops, ts)
	if err != nil {
		return nil, fmt.Errorf("graph: slice [%d, %d): %w", from, to, err)
	}
	return sub, nil
}
