package ideas

import (
	"reflect"
	"strings"
	"testing"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sim/accel"
	"github.com/roofsim/roofsim/workload"
)

// options builds the base options the tests apply ideas to: the memory
// model and layout given.
func options(memory accel.Memory, layout accel.LayoutMap) OptionsFunc {
	return func(d hw.Design, p hw.Platform) accel.Options {
		o := accel.DefaultOptions(d, p)
		o.Memory = memory
		o.Layout.Map = layout
		return o
	}
}

func TestRegistry(t *testing.T) {
	seen := map[string]bool{}
	sc, err := workload.LoadScenario(workload.ScenarioSmolVLA)
	if err != nil {
		t.Fatal(err)
	}
	base := Config{Platform: hw.U280(), Scenario: sc}
	base.Design, _ = hw.DesignByName("int8")
	base.Design.HBMPorts = 16
	// The placement idea's baseline is the contiguous layout.
	contiguous := options(accel.MemoryHBM, accel.LayoutContiguous)
	plain, err := Apply(base, nil, contiguous)
	if err != nil {
		t.Fatal(err)
	}
	for _, idea := range All() {
		if idea.Name == "" || strings.ContainsAny(idea.Name, "+ =,") || seen[idea.Name] || idea.Summary == "" || idea.Apply == nil {
			t.Errorf("idea %+v: names must be unique, without '+', ' ', '=' or ','; summary and Apply set", idea.Name)
		}
		seen[idea.Name] = true
		// Apply applies the idea twice and refuses one that is not
		// idempotent.
		with, err := Apply(base, []string{idea.Name}, contiguous)
		if err != nil {
			t.Fatalf("%s: %v", idea.Name, err)
		}
		if reflect.DeepEqual(with, plain) {
			t.Errorf("%s changed nothing of the int8 design with 16 ports", idea.Name)
		}
	}
	// An idea that accumulates is refused; one that sets an option is not.
	grow := Idea{Name: "grow", Summary: "more ports", Apply: func(c *Config) error { c.Design.HBMPorts++; return nil }}
	if _, err := apply(base, []Idea{grow}, contiguous); err == nil || !strings.Contains(err.Error(), "ideas grow: applying them twice changed the design or scenario") {
		t.Errorf("an accumulating idea: err %v", err)
	}
	opt := Idea{Name: "no_overlap", Summary: "no fold overlap", Apply: func(c *Config) error { c.Options.FoldOverlap = false; return nil }}
	c, err := apply(base, []Idea{opt}, options(accel.MemoryIdeal, accel.LayoutInterleave))
	if err != nil || c.Options.FoldOverlap || c.Options.Memory != accel.MemoryIdeal || !plain.Options.FoldOverlap {
		t.Errorf("an option idea: %v, fold overlap %v, memory %s", err, c.Options.FoldOverlap, c.Options.Memory)
	}
	if Names() != "batch_cameras|port512|fuse|pin_weights|pipeline_slr|interleave|prefetch|pin_max|all_pcs" {
		t.Errorf("Names() = %q, want this package's ideas first", Names())
	}
	if _, err := ByName("nope"); err == nil || !strings.Contains(err.Error(), "accepted: "+Names()+")") {
		t.Errorf("ByName(nope) err %v", err)
	}
}

func TestParseSet(t *testing.T) {
	cases := []struct {
		in   string
		want []string
		err  string
	}{
		{"", nil, ""},
		{"prefetch,fuse", []string{"fuse", "prefetch"}, ""},
		{"fuse+pin_weights", []string{"fuse", "pin_weights"}, ""},
		{"fuse,fuse", nil, "names fuse twice"},
		{"warp", nil, `--ideas[0] "warp" is not a known idea (accepted: ` + Names()},
	}
	for _, c := range cases {
		got, err := ParseSet(c.in, "--ideas")
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: err %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%q: %v, %v; want %v", c.in, got, err, c.want)
		}
	}
}
