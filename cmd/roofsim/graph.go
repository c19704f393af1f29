package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/workload"
	"github.com/spf13/cobra"
)

func newGraphCmd() *cobra.Command {
	var (
		out       outputFlags
		scen      scenarioFlags
		precision string
	)
	cmd := &cobra.Command{
		Use:   "graph",
		Short: "Dump a scenario's tensor graph: the ops, the tensors they read and write (json or Graphviz dot)",
		Long: `Print the tensor graph the simulator runs: every op (kernel) with the tensors
it reads and writes, and every tensor with its role (weight, parameter,
activation, scores, kv_cache, input), shape, bytes at --precision, producer
and consumers. Views (the text prefix) list the tensors they concatenate.

--format json (default) or dot; render dot with Graphviz (dot -Tsvg).`,
		Example: `  roofsim graph --scenario seed
  roofsim graph --cameras 1 --format dot -o smolvla.dot && dot -Tsvg smolvla.dot -o smolvla.svg`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			write, ok := map[string]func(io.Writer, *workload.Graph, hw.Precision) error{"json": writeGraphJSON, "dot": writeGraphDOT}[out.format]
			if !ok {
				return fmt.Errorf("--format %q is not known (accepted: json|dot)", out.format)
			}
			if err := checkWritable("-o", out.out); err != nil {
				return err
			}
			if precision == "" {
				precision = hw.DefaultDesignName
			}
			prec, err := hw.PrecisionByName(precision)
			if err != nil {
				return fmt.Errorf("--precision: %w", err)
			}
			_, g, err := scen.graph(cmd)
			if err != nil {
				return err
			}
			return out.emit(cmd, func(w io.Writer) error { return write(w, g, prec) })
		},
	}
	cmd.Flags().StringVar(&out.format, "format", "json", "output format: json|dot")
	cmd.Flags().StringVarP(&out.out, "output", "o", "", "write the output to FILE instead of standard output")
	cmd.Flags().StringVar(&precision, "precision", "", "precision of the tensors' bytes: "+hw.PrecisionNames()+" (default: the default design's, "+hw.DefaultDesignName+")")
	addScenarioFlags(cmd, &scen)
	return cmd
}

// graphOp is an op as the JSON dump shows it.
type graphOp struct {
	Name    string            `json:"name"`
	Kind    workload.Kind     `json:"kind"`
	Stage   workload.Stage    `json:"stage"`
	M       int64             `json:"m"`
	K       int64             `json:"k"`
	N       int64             `json:"n"`
	Batch   int64             `json:"batch"`
	Inputs  []string          `json:"inputs"`
	Weights []string          `json:"weights"`
	Outputs []string          `json:"outputs"`
	Shapes  map[string]string `json:"shapes"`
}

// graphTensor is a tensor as the JSON dump shows it; bytes at the
// precision's weight width for weights, its activation width otherwise.
type graphTensor struct {
	Name      string        `json:"name"`
	Role      workload.Role `json:"role"`
	Rows      int64         `json:"rows"`
	Cols      int64         `json:"cols"`
	Elems     int64         `json:"elems"`
	Bytes     float64       `json:"bytes"`
	Concat    []string      `json:"concat,omitempty"`
	Producer  string        `json:"producer,omitempty"`
	Consumers []string      `json:"consumers"`
}

// tensorBytes is the bytes of tensor t at precision p: the weight width
// for weights, the activation width for everything else (biases and norm
// parameters included, as the simulator stores them).
func tensorBytes(t workload.Tensor, p hw.Precision) float64 {
	if t.Role == workload.RoleWeight {
		return p.WeightBytes(t.Elems())
	}
	return p.ActBytes(t.Elems())
}

func writeGraphJSON(w io.Writer, g *workload.Graph, p hw.Precision) error {
	var doc struct {
		Precision string        `json:"precision"`
		Ops       []graphOp     `json:"ops"`
		Tensors   []graphTensor `json:"tensors"`
	}
	doc.Precision = p.Name
	for _, k := range g.Ops {
		op := graphOp{Name: k.Name, Kind: k.Kind, Stage: k.Stage, M: k.M, K: k.K, N: k.N, Batch: k.Batch,
			Inputs: k.Inputs, Weights: k.Weights, Outputs: k.Outputs, Shapes: map[string]string{}}
		for _, names := range [][]string{k.Inputs, k.Weights, k.Outputs} {
			for _, n := range names {
				t, _ := g.Tensor(n)
				op.Shapes[n] = fmt.Sprintf("%dx%d", t.Rows, t.Cols)
			}
		}
		doc.Ops = append(doc.Ops, op)
	}
	for _, t := range g.Tensors {
		gt := graphTensor{Name: t.Name, Role: t.Role, Rows: t.Rows, Cols: t.Cols, Elems: t.Elems(), Bytes: tensorBytes(t, p),
			Concat: t.Concat, Consumers: []string{}}
		if t.Producer >= 0 {
			gt.Producer = g.Ops[t.Producer].Name
		}
		for _, c := range t.Consumers {
			gt.Consumers = append(gt.Consumers, g.Ops[c].Name)
		}
		doc.Tensors = append(doc.Tensors, gt)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// roleColor is the fill colour of tensors of role r in the DOT output.
func roleColor(r workload.Role) string {
	switch r {
	case workload.RoleWeight:
		return "lightgoldenrod"
	case workload.RoleParameter:
		return "lightyellow"
	case workload.RoleScores:
		return "plum"
	case workload.RoleKVCache:
		return "lightsalmon"
	case workload.RoleInput:
		return "palegreen"
	}
	return "lightblue"
}

// writeGraphDOT writes g in Graphviz's DOT language: ops as boxes, tensors
// as ellipses coloured by role, an edge from each tensor to the ops that
// read it and from each op to its output, dashed edges from a view's parts.
func writeGraphDOT(w io.Writer, g *workload.Graph, p hw.Precision) error {
	var b strings.Builder
	fmt.Fprintf(&b, "digraph roofsim {\n  rankdir=TB;\n  node [fontname=\"Helvetica\", fontsize=10];\n")
	for _, t := range g.Tensors {
		fmt.Fprintf(&b, "  %q [shape=ellipse, style=filled, fillcolor=%s, label=\"%s\\n%s %dx%d, %.0f B\"];\n",
			"t:"+t.Name, roleColor(t.Role), t.Name, t.Role, t.Rows, t.Cols, tensorBytes(t, p))
		for _, part := range t.Concat {
			fmt.Fprintf(&b, "  %q -> %q [style=dashed];\n", "t:"+part, "t:"+t.Name)
		}
	}
	for _, k := range g.Ops {
		fmt.Fprintf(&b, "  %q [shape=box, style=\"rounded,filled\", fillcolor=white, label=\"%s\\n%s %dx%dx%d", "op:"+k.Name, k.Name, k.Kind, k.M, k.K, k.N)
		if k.Batch > 1 {
			fmt.Fprintf(&b, " x%d", k.Batch)
		}
		b.WriteString("\"];\n")
		for i, n := range append(append([]string(nil), k.Inputs...), k.Weights...) {
			attr := ""
			if k.Kind == workload.KindAttention && i < 2 {
				attr = fmt.Sprintf(" [label=%q]", []string{"left", "right"}[i])
			}
			fmt.Fprintf(&b, "  %q -> %q%s;\n", "t:"+n, "op:"+k.Name, attr)
		}
		for _, n := range k.Outputs {
			fmt.Fprintf(&b, "  %q -> %q;\n", "op:"+k.Name, "t:"+n)
		}
	}
	b.WriteString("}\n")
	_, err := io.WriteString(w, b.String())
	return err
}
