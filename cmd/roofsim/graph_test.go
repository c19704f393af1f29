package main

import (
	"strings"
	"testing"
)

// TestGraphGolden dumps the seed scenario's graph in each format.
func TestGraphGolden(t *testing.T) {
	cases := []struct {
		file string
		args []string
	}{
		{"graph_seed.json", []string{"graph", "--scenario", "seed"}},
		{"graph_seed.dot", []string{"graph", "--scenario", "seed", "--format", "dot", "--precision", "fp32"}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			code, out, errs := runCLI(t, c.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			golden(t, c.file, out)
		})
	}
}

// TestGraphCmd dumps SmolVLA's graph: the text prefix is a view of the
// cameras' image tokens, and bad flags are refused with one line.
func TestGraphCmd(t *testing.T) {
	code, out, errs := runCLI(t, "graph", "--cameras", "2", "--format", "dot")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{`"t:connector.cam1.proj.out" -> "t:text.prefix" [style=dashed];`, `"t:text.l0.q.out" -> "op:text.l0.qk" [label="left"];`} {
		if !strings.Contains(out, want) {
			t.Errorf("dot output lacks %s", want)
		}
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"graph", "--format", "table"}, `--format "table" is not known (accepted: json|dot)`},
		{[]string{"graph", "--precision", "fp8"}, `precision "fp8"`},
	} {
		code, _, errs := runCLI(t, c.args...)
		if code != 2 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, %q; want 2 and %q", c.args, code, errs, c.want)
		}
	}
}
