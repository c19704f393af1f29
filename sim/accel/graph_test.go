package accel

import (
	"fmt"
	"strings"
	"testing"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/workload"
)

// producers names, for each kernel, the producers of its input parts and
// of its right operand: a kernel's name, or "in" for an input of the pass.
func producers(ks []workload.Kernel, g *graph) map[string]string {
	name := func(ps []part) string {
		var s []string
		for _, p := range ps {
			if p.t.producer < 0 {
				s = append(s, fmt.Sprintf("in(%d)", p.elems))
			} else {
				s = append(s, ks[p.t.producer].Name)
			}
		}
		return strings.Join(s, "+")
	}
	out := map[string]string{}
	for i, k := range ks {
		out[k.Name] = name(g.steps[i].in)
		if g.steps[i].right != nil {
			out[k.Name] += " | " + name(g.steps[i].right)
		}
	}
	return out
}

// scenarioGraph builds the placement's view of scenario name's graph,
// changed by mod, at precision int8.
func scenarioGraph(t *testing.T, name string, mod func(*workload.Scenario)) ([]workload.Kernel, *graph) {
	t.Helper()
	sc, err := workload.ScenarioByName(name)
	if err != nil {
		t.Fatal(err)
	}
	if mod != nil {
		mod(&sc)
	}
	wg, err := sc.Graph()
	if err != nil {
		t.Fatal(err)
	}
	p, _ := hw.PrecisionByName("int8")
	g, err := newGraph(wg, p)
	if err != nil {
		t.Fatal(err)
	}
	return wg.Ops, g
}

// TestGraph checks the operands the placement sees on SmolVLA's graph
// with two cameras, one vision and one text layer: who produces each.
func TestGraph(t *testing.T) {
	ks, g := scenarioGraph(t, "smolvla", func(sc *workload.Scenario) {
		sc.Cameras = 2
		sc.Model.Vision.Layers = 1
		sc.TextLayers = 1
	})
	got := producers(ks, g)
	v := "vision.cam1."
	want := map[string]string{
		v + "patch_embed":        "in(786432)",
		v + "pos_embed":          v + "patch_embed",
		v + "l0.ln1":             v + "pos_embed",
		v + "l0.q":               v + "l0.ln1",
		v + "l0.k":               v + "l0.ln1",
		v + "l0.v":               v + "l0.ln1",
		v + "l0.qk":              v + "l0.q | " + v + "l0.k",
		v + "l0.softmax":         v + "l0.qk",
		v + "l0.av":              v + "l0.softmax | " + v + "l0.v",
		v + "l0.out":             v + "l0.av",
		v + "l0.res1":            v + "l0.out+" + v + "pos_embed",
		v + "l0.ln2":             v + "l0.res1",
		v + "l0.fc1":             v + "l0.ln2",
		v + "l0.gelu":            v + "l0.fc1",
		v + "l0.fc2":             v + "l0.gelu",
		v + "l0.res2":            v + "l0.fc2+" + v + "l0.res1",
		v + "post_ln":            v + "l0.res2",
		"connector.cam1.shuffle": v + "post_ln",
		"connector.cam1.proj":    "connector.cam1.shuffle",
		// The prefix: both cameras' image tokens, then 49 token rows.
		"text.l0.norm1":    "connector.cam0.proj+connector.cam1.proj+in(47040)",
		"text.l0.q":        "text.l0.norm1",
		"text.l0.qk":       "text.l0.q | text.l0.k",
		"text.l0.av":       "text.l0.softmax | text.l0.v",
		"text.l0.res1":     "text.l0.o+connector.cam0.proj+connector.cam1.proj+in(47040)",
		"text.l0.up":       "text.l0.norm2",
		"text.l0.silu_mul": "text.l0.gate+text.l0.up",
		"text.l0.down":     "text.l0.silu_mul",
		"text.l0.res2":     "text.l0.down+text.l0.res1",
		"text.final_norm":  "text.l0.res2",
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s reads %q, want %q", k, got[k], w)
		}
	}

	// The cameras read one copy of the vision weights.
	byName := map[string]step{}
	for i, k := range ks {
		byName[k.Name] = g.steps[i]
	}
	for _, op := range []string{"patch_embed", "pos_embed", "l0.ln1", "l0.q", "l0.fc2", "post_ln"} {
		a, b := byName["vision.cam0."+op].weightKey, byName["vision.cam1."+op].weightKey
		if a == "" || a != b {
			t.Errorf("vision %s: camera 0 reads weights %q, camera 1 %q", op, a, b)
		}
	}
	if a, b := byName["connector.cam0.proj"].weightKey, byName["text.l0.q"].weightKey; a != "connector.proj.weight" || b != "text.l0.q.weight" {
		t.Errorf("weights: connector %q, text.l0.q %q", a, b)
	}

	// The seed's six GEMMs are independent: every input comes from the
	// host, except that Txt_Attn_K shares Txt_Attn_Q's (the three text
	// GEMMs read one input).
	seed, g := scenarioGraph(t, "seed", nil)
	for i, k := range seed {
		st := g.steps[i]
		if len(st.in) != 1 || st.in[0].t.producer >= 0 || len(st.out.uses) != 0 {
			t.Errorf("seed %s: reads %s, read by %v", k.Name, producers(seed, g)[k.Name], st.out.uses)
		}
	}
	if g.steps[4].in[0].t != g.steps[3].in[0].t {
		t.Error("seed: Txt_Attn_K does not share Txt_Attn_Q's input")
	}

	// Batched cameras: one vision pass over both images, the prefix from
	// the one connector.
	ks, g = scenarioGraph(t, "smolvla", func(sc *workload.Scenario) {
		sc.Cameras = 2
		sc.Model.Vision.Layers = 1
		sc.TextLayers = 1
		sc.BatchCameras = true
	})
	got = producers(ks, g)
	if w := "connector.proj+in(47040)"; got["text.l0.norm1"] != w {
		t.Errorf("batched: text.l0.norm1 reads %q, want %q", got["text.l0.norm1"], w)
	}
	if w := "vision.l0.q | vision.l0.k"; got["vision.l0.qk"] != w {
		t.Errorf("batched: vision.l0.qk reads %q, want %q", got["vision.l0.qk"], w)
	}
}

// TestAllocator checks first fit and coalescing.
func TestAllocator(t *testing.T) {
	a := newAllocator(0, 1000)
	x, _ := a.alloc(100, 10)
	y, _ := a.alloc(200, 10)
	z, _ := a.alloc(95, 10) // rounded to 100
	if x != 0 || y != 100 || z != 300 || a.used != 400 {
		t.Fatalf("alloc: %d %d %d, used %d", x, y, z, a.used)
	}
	a.release(y, 200, 10)
	if w, _ := a.alloc(150, 10); w != 100 {
		t.Errorf("first fit gave %d, want 100", w)
	}
	if _, ok := a.alloc(1000, 10); ok {
		t.Error("an allocation larger than what is free succeeded")
	}
	a.release(100, 150, 10)
	a.release(x, 100, 10)
	a.release(z, 95, 10)
	if len(a.free) != 1 || a.free[0] != (span{0, 1000}) || a.used != 0 || a.peak != 400 {
		t.Errorf("after releasing all: free %v, used %d, peak %d", a.free, a.used, a.peak)
	}
}
