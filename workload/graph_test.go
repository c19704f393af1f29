package workload

import (
	"slices"
	"strings"
	"testing"
)

// tinyGraph is a GEMM then a residual add over model input x: y = x W,
// z = y + x.
func tinyGraph() ([]Kernel, []Tensor) {
	mm := NewGEMM("mm", StageText, -1, 0, 4, 8, 8)
	mm.Inputs, mm.Weights, mm.Outputs = []string{"x"}, []string{"w"}, []string{"y"}
	add := Kernel{Name: "add", Stage: StageText, Camera: -1, Layer: 0, Kind: KindResidual, M: 4, K: 1, N: 8, Batch: 1,
		InputElems: 64, OutputElems: 32, Ops: 32, Inputs: []string{"y", "x"}, Outputs: []string{"z"}}
	return []Kernel{mm, add}, []Tensor{
		{Name: "x", Role: RoleInput, Rows: 4, Cols: 8},
		{Name: "w", Role: RoleWeight, Rows: 8, Cols: 8},
		{Name: "y", Role: RoleActivation, Rows: 4, Cols: 8},
		{Name: "z", Role: RoleActivation, Rows: 4, Cols: 8},
	}
}

// TestNewGraph checks producers, consumers and lifetimes of a small graph.
func TestNewGraph(t *testing.T) {
	ops, ts := tinyGraph()
	g, err := NewGraph(ops, ts)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		producer    int
		consumers   []int
		first, last int
	}{
		{"x", -1, []int{0, 1}, 0, 1},
		{"w", -1, []int{0}, 0, 0},
		{"y", 0, []int{1}, 0, 1},
		{"z", 1, nil, 1, 1},
	}
	for _, tc := range tests {
		tn, ok := g.Tensor(tc.name)
		if !ok {
			t.Fatalf("tensor %s missing", tc.name)
		}
		if tn.Producer != tc.producer || !slices.Equal(tn.Consumers, tc.consumers) || tn.FirstUse() != tc.first || tn.LastUse() != tc.last {
			t.Errorf("%s: producer %d consumers %v life %d..%d, want %d %v %d..%d", tc.name, tn.Producer, tn.Consumers,
				tn.FirstUse(), tn.LastUse(), tc.producer, tc.consumers, tc.first, tc.last)
		}
	}
}

// TestNewGraphErrors checks that a malformed graph is refused when it is
// built, with one line naming the op and the tensor.
func TestNewGraphErrors(t *testing.T) {
	tests := []struct {
		name string
		mod  func(ops []Kernel, ts []Tensor) ([]Kernel, []Tensor)
		want string
	}{
		{"dangling input", func(ops []Kernel, ts []Tensor) ([]Kernel, []Tensor) {
			ts[0].Role = RoleActivation // x is no longer a model input
			return ops, ts
		}, "op mm reads tensor x, which no op before it produces and which is not a model input"},
		{"read before produced", func(ops []Kernel, ts []Tensor) ([]Kernel, []Tensor) {
			return []Kernel{ops[1], ops[0]}, ts
		}, "op add reads tensor y, which no op before it produces"},
		{"undeclared", func(ops []Kernel, ts []Tensor) ([]Kernel, []Tensor) {
			ops[1].Inputs = []string{"y", "nowhere"}
			return ops, ts
		}, "op add reads tensor nowhere, which is not declared"},
		{"produced twice", func(ops []Kernel, ts []Tensor) ([]Kernel, []Tensor) {
			ops[1].Outputs = []string{"y"}
			return ops, ts
		}, "tensor y is produced twice, by mm and add"},
		{"writes an input", func(ops []Kernel, ts []Tensor) ([]Kernel, []Tensor) {
			ops[1].Outputs = []string{"x"}
			return ops, ts
		}, "op add writes tensor x, which is external (input)"},
		{"input shape", func(ops []Kernel, ts []Tensor) ([]Kernel, []Tensor) {
			ts[0].Rows = 5
			return ops, ts
		}, "op mm: its tensors have 40 input, 64 weight and 0 parameter elements, the op reads 32, 64 and 0"},
		{"output shape", func(ops []Kernel, ts []Tensor) ([]Kernel, []Tensor) {
			ts[3].Cols = 4
			return ops, ts
		}, "op add: its output z has 16 elements, the op writes 32"},
		{"weight as input", func(ops []Kernel, ts []Tensor) ([]Kernel, []Tensor) {
			ops[0].Inputs, ops[0].Weights = []string{"w"}, []string{"x"}
			return ops, ts
		}, "op mm reads weight tensor w as an input"},
		{"declared twice", func(ops []Kernel, ts []Tensor) ([]Kernel, []Tensor) {
			return ops, append(ts, ts[0])
		}, "tensor x is declared twice"},
		{"role", func(ops []Kernel, ts []Tensor) ([]Kernel, []Tensor) {
			ts[1].Role = "bias"
			return ops, ts
		}, `tensor w: role "bias" is not known (accepted: weight|parameter|activation|scores|kv_cache|input)`},
		{"view rows", func(ops []Kernel, ts []Tensor) ([]Kernel, []Tensor) {
			return ops, append(ts, Tensor{Name: "v", Role: RoleActivation, Rows: 9, Cols: 8, Concat: []string{"x", "y"}})
		}, "view v: its parts have 8 rows, the view 9"},
		{"two outputs", func(ops []Kernel, ts []Tensor) ([]Kernel, []Tensor) {
			ops[1].Outputs = []string{"z", "y"}
			return ops, ts
		}, "op add: an op writes 1 output tensor, it names 2"},
		{"bad kernel", func(ops []Kernel, ts []Tensor) ([]Kernel, []Tensor) {
			ops[0].M = 0
			return ops, ts
		}, "must be > 0"},
	}
	for _, tc := range tests {
		ops, ts := tinyGraph()
		_, err := NewGraph(tc.mod(ops, ts))
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error %v, want one line containing %q", tc.name, err, tc.want)
		}
	}
}

// TestScenarioGraphs builds the graphs of the presets, the batched cameras
// and an imported model: every activation has its producer, the cameras
// share one copy of the vision weights, and the text prefix is a view of
// every camera's image tokens and the token input.
func TestScenarioGraphs(t *testing.T) {
	m, err := ParseHFConfig(readTestConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	batched := smolvla(t)
	batched.BatchCameras = true
	tests := []struct {
		name     string
		sc       Scenario
		prefix   []string
		qWeights int // consumers of vision.l0.q.weight
	}{
		{"smolvla", smolvla(t), []string{"connector.cam0.proj.out", "connector.cam1.proj.out", "connector.cam2.proj.out", "text.tokens"}, 3},
		{"batched", batched, []string{"connector.proj.out", "text.tokens"}, 1},
		{"imported", SmolVLAScenario(m), []string{"connector.cam0.proj.out", "connector.cam1.proj.out", "connector.cam2.proj.out", "text.tokens"}, 3},
	}
	for _, tc := range tests {
		g, err := tc.sc.Graph()
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		for _, tn := range g.Tensors {
			if !tn.Role.External() && tn.Concat == nil && tn.Producer < 0 {
				t.Errorf("%s: %s has no producer", tc.name, tn.Name)
			}
			if len(tn.Consumers) == 0 && tn.Producer < 0 {
				t.Errorf("%s: %s is never used", tc.name, tn.Name)
			}
		}
		p, _ := g.Tensor("text.prefix")
		if !slices.Equal(p.Concat, tc.prefix) || p.Rows != int64(tc.sc.TextTokens()) || p.FirstUse() != slices.IndexFunc(g.Ops, func(k Kernel) bool { return k.Name == "text.l0.norm1" }) {
			t.Errorf("%s: prefix %v of %d rows first used by op %d", tc.name, p.Concat, p.Rows, p.FirstUse())
		}
		if w, _ := g.Tensor("vision.l0.q.weight"); len(w.Consumers) != tc.qWeights || w.Role != RoleWeight {
			t.Errorf("%s: vision.l0.q.weight (%s) read by %d ops, want %d", tc.name, w.Role, len(w.Consumers), tc.qWeights)
		}
		for _, name := range []string{"vision.cam0.l0.qk", "vision.l0.qk"} {
			i := slices.IndexFunc(g.Ops, func(k Kernel) bool { return k.Name == name })
			if i < 0 {
				continue
			}
			if k := g.Ops[i]; !strings.HasSuffix(k.Inputs[0], ".q.out") || !strings.HasSuffix(k.Inputs[1], ".k.out") {
				t.Errorf("%s: %s reads %v, want q then k", tc.name, name, k.Inputs)
			}
		}
	}
	seed, err := SeedScenario().Graph()
	if err != nil {
		t.Fatal(err)
	}
	if in, _ := seed.Tensor("Txt.in"); len(in.Consumers) != 3 || in.Role != RoleInput {
		t.Errorf("seed: the text input is read by %v (%s), want the three text GEMMs", in.Consumers, in.Role)
	}
}

// TestSlice splits the pass where the pipeline does: the text part's
// prefix becomes one model input, the vision part keeps its tensors.
func TestSlice(t *testing.T) {
	g, err := smolvla(t).Graph()
	if err != nil {
		t.Fatal(err)
	}
	cut := slices.IndexFunc(g.Ops, func(k Kernel) bool { return k.Stage == StageText })
	text, err := g.Slice(cut, len(g.Ops))
	if err != nil {
		t.Fatal(err)
	}
	p, ok := text.Tensor("text.prefix")
	if !ok || p.Concat != nil || p.Role != RoleInput || p.Rows != 241 || p.Consumers[0] != 0 {
		t.Errorf("text part: prefix %+v", p)
	}
	if _, ok := text.Tensor("connector.cam0.proj.out"); ok {
		t.Error("text part: holds the connector's output")
	}
	vision, err := g.Slice(0, cut)
	if err != nil {
		t.Fatal(err)
	}
	if o, _ := vision.Tensor("connector.cam2.proj.out"); o.Producer != cut-1 || len(o.Consumers) != 0 {
		t.Errorf("vision part: the last image tokens made by %d, read by %v", o.Producer, o.Consumers)
	}
	// A slice from the middle of a layer: what it reads from before is an
	// input.
	mid, err := g.Slice(3, 6)
	if err != nil {
		t.Fatal(err)
	}
	if in, _ := mid.Tensor("vision.cam0.l0.ln1.out"); in.Role != RoleInput || in.Producer != -1 {
		t.Errorf("slice [3, 6): ln1's output is %s made by %d", in.Role, in.Producer)
	}
	if _, err := g.Slice(4, 4); err == nil {
		t.Error("an empty slice was accepted")
	}
	if _, err := (&Graph{Ops: g.Ops}).Slice(0, 1); err == nil || !strings.Contains(err.Error(), "not built by NewGraph") {
		t.Errorf("slice of an unbuilt graph: %v", err)
	}
}
