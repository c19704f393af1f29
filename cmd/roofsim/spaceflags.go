package main

import (
	"fmt"
	"github.com/roofsim/roofsim/hw"
	"strings"

	"github.com/roofsim/roofsim/ideas"
	"github.com/roofsim/roofsim/sim/accel"
	"github.com/roofsim/roofsim/sweep"
	"github.com/spf13/cobra"
)

// spaceFlags build a design space: --space FILE.json and the flags for
// simple cases, which replace the file's axes, base fields and ideas of
// the same name.
type spaceFlags struct {
	file     string
	axes     map[string]*string // axis name -> comma-separated values
	ideas    string
	platform string
	scenario string
	memory   string
}

// axisFlag is the flag name of an axis: its name with dashes, except the
// activation store's, named --activation-store as in run and gemm.
func axisFlag(axis string) string {
	if axis == "activation_buffer" {
		return "activation-store"
	}
	return strings.ReplaceAll(axis, "_", "-")
}

// axisUsage documents the flag of axis a.
func axisUsage(a string) string {
	return map[string]string{
		"design":            "designs to start from: presets (fp32|bf16|int8|int4|w4a8) or .json files (default: each point's precision's preset)",
		"precision":         "precisions: fp32|bf16|int8|int4|w4a8",
		"array":             "array shapes, RxC PEs (e.g. 64x64,128x64)",
		"arrays":            "numbers of arrays",
		"dataflow":          "dataflows: os|ws",
		"weight_buffer":     "weight buffers per array (bytes, or with KiB/MiB)",
		"input_buffer":      "input buffers per array",
		"output_buffer":     "output buffers per array",
		"activation_buffer": "shared activation stores (0 keeps activations in HBM)",
		"hbm_ports":         "numbers of HBM ports (one per pseudo-channel)",
		"port_bits":         "port widths: 256|512",
		"hbm_pcs":           "pseudo-channels the data is spread over",
		"cameras":           "camera images per frame",
		"frames":            "frames run together as one batch",
	}[a]
}

func addSpaceFlags(cmd *cobra.Command, s *spaceFlags) {
	fl := cmd.Flags()
	fl.StringVar(&s.file, "space", "", "the design space: a JSON file (base, axes, ideas); the flags below replace its fields")
	s.axes = map[string]*string{}
	for _, a := range sweep.AxisNames() {
		v := new(string)
		s.axes[a] = v
		fl.StringVar(v, axisFlag(a), "", "axis: "+axisUsage(a)+", comma-separated")
	}
	fl.StringVar(&s.ideas, "ideas", "", "idea sets run besides the baseline, comma-separated, ideas of a set joined by '+' ("+ideas.Names()+")")
	fl.StringVar(&s.platform, "platform", "", "base platform: "+hw.PlatformNames()+" or a platform .json file")
	fl.StringVar(&s.platform, "board", "", "the same as --platform")
	fl.StringVar(&s.scenario, "scenario", "", "base scenario: smolvla|seed or a Hugging Face config.json")
	fl.StringVar(&s.memory, "memory", string(accel.MemoryHBM), "off-chip memory model: hbm (the cycle-level HBM2 model) or ideal (fixed latency behind the ports' bandwidth)")
}

// given reports whether any space flag was given.
func (s *spaceFlags) given(cmd *cobra.Command) bool {
	for _, f := range append([]string{"space", "ideas", "platform", "board", "scenario", "memory"}, axisFlagNames()...) {
		if cmd.Flags().Changed(f) {
			return true
		}
	}
	return false
}

func axisFlagNames() []string {
	var names []string
	for _, a := range sweep.AxisNames() {
		names = append(names, axisFlag(a))
	}
	return names
}

// load builds the space and its points.
func (s *spaceFlags) load(cmd *cobra.Command) (*sweep.Space, []sweep.Point, error) {
	fl := cmd.Flags()
	sp := &sweep.Space{}
	if s.file != "" {
		var err error
		if sp, err = sweep.LoadSpace(s.file); err != nil {
			return nil, nil, fmt.Errorf("--space: %w", err)
		}
	}
	for _, a := range sweep.AxisNames() {
		name := axisFlag(a)
		if fl.Changed(name) {
			if err := sp.SetAxis(a, "--"+name, strings.Split(*s.axes[a], ",")); err != nil {
				return nil, nil, err
			}
		}
	}
	if fl.Changed("ideas") {
		sets, err := ideas.ParseSets(strings.Split(s.ideas, ","), "--ideas")
		if err != nil {
			return nil, nil, err
		}
		sp.Ideas = sets
	}
	for _, b := range []struct {
		flag string
		val  string
		dst  *string
	}{{"platform", s.platform, &sp.Base.Platform}, {"scenario", s.scenario, &sp.Base.Scenario}} {
		if fl.Changed(b.flag) || b.flag == "platform" && fl.Changed("board") {
			*b.dst = b.val
		}
	}
	if fl.Changed("memory") {
		sp.Base.Memory = accel.Memory(s.memory)
	}
	if err := sp.Validate(); err != nil {
		return nil, nil, err
	}
	pts, err := sp.Points()
	if err != nil {
		return nil, nil, err
	}
	return sp, pts, nil
}
