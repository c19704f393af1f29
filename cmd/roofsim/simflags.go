package main

import (
	"fmt"
	"strings"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/ideas"
	"github.com/roofsim/roofsim/sim/accel"
	"github.com/roofsim/roofsim/workload"
	"github.com/spf13/cobra"
)

// simFlags are the flags of a simulated forward pass.
type simFlags struct {
	scen        scenarioFlags
	board       boardFlags
	design      designFlags
	precision   string
	memory      string
	foldOverlap bool
	residency   bool
	ideas       string
	pinPolicy   string
	layout      string
	limits      limitFlags
}

func addSimFlags(cmd *cobra.Command, s *simFlags) {
	addScenarioFlags(cmd, &s.scen)
	addBoardFlags(cmd, &s.board)
	addDesignFlags(cmd, &s.design)
	addLimitFlags(cmd, &s.limits)
	cmd.Flags().StringVar(&s.precision, "precision", "", "precision: "+hw.PrecisionNames()+"; without --design, picks that precision's built-in design (default "+hw.DefaultDesignName+"); with it, must be the design's")
	cmd.Flags().StringVar(&s.memory, "memory", string(accel.MemoryHBM), "off-chip memory model: hbm (the cycle-level HBM2 model) or ideal (fixed latency behind the ports' bandwidth)")
	cmd.Flags().BoolVar(&s.foldOverlap, "fold-overlap", true, "let an array's next fold fill while the previous one drains")
	cmd.Flags().BoolVar(&s.residency, "residency", true, "keep activations in the design's on-chip activation store while they fit (off: every activation goes through HBM)")
	cmd.Flags().StringVar(&s.ideas, "ideas", "", "acceleration ideas to apply, comma-separated ("+ideas.Names()+"; see docs/ideas.md)")
	cmd.Flags().StringVar(&s.pinPolicy, "pin-policy", string(accel.PinMostReused), "which weights the pin_weights idea keeps on chip: reuse (most reads per byte first) or order (kernel order until the store is full)")
	cmd.Flags().StringVar(&s.layout, "layout", string(accel.LayoutInterleave), "how weights and spilled activations spread over the PCs: interleave (4 KiB chunks in turn) or contiguous (one range per PC, a naive allocation)")
}

// load returns the platform and design arg (a preset or a .json file; the
// --precision's preset when arg is the --design flag's and only
// --precision is given), with the design flags' overrides, checked to fit;
// flag names the flag arg comes from in errors.
func (s *simFlags) load(cmd *cobra.Command, flag, arg string) (hw.Platform, hw.Design, error) {
	fl := cmd.Flags()
	if fl.Changed("precision") && !fl.Changed("design") && arg == s.board.design {
		p, err := hw.PrecisionByName(s.precision)
		if err != nil {
			return hw.Platform{}, hw.Design{}, fmt.Errorf("--precision: %w", err)
		}
		if _, err := hw.DesignByName(p.Name); err != nil {
			return hw.Platform{}, hw.Design{}, fmt.Errorf("--precision %s has no built-in design (presets: %s); give a --design file with \"precision\": %q", p.Name, hw.DesignNames(), p.Name)
		}
		arg = p.Name
	}
	d, err := hw.LoadDesign(arg)
	if err != nil {
		return hw.Platform{}, hw.Design{}, fmt.Errorf("%s: %w", flag, err)
	}
	p, err := loadPlatform(cmd, s.board.platform, d)
	if err != nil {
		return hw.Platform{}, hw.Design{}, err
	}
	if fl.Changed("precision") && !strings.EqualFold(s.precision, d.Precision.Name) {
		return hw.Platform{}, hw.Design{}, fmt.Errorf("--precision %s does not match design %s, which computes in %s", s.precision, d.Name, d.Precision.Name)
	}
	if d, err = s.design.apply(cmd, flag, d, p); err != nil {
		return hw.Platform{}, hw.Design{}, err
	}
	return p, d, nil
}

// configure returns the configuration of design arg of flag (see load)
// running scenario sc, with the --ideas applied on the options of the flags.
func (s *simFlags) configure(cmd *cobra.Command, flag, arg string, sc workload.Scenario) (ideas.Config, error) {
	p, d, err := s.load(cmd, flag, arg)
	if err != nil {
		return ideas.Config{}, err
	}
	set, err := ideas.ParseSet(s.ideas, "--ideas")
	if err != nil {
		return ideas.Config{}, err
	}
	memory, err := accel.ParseMemory(s.memory)
	if err != nil {
		return ideas.Config{}, fmt.Errorf("--%w", err)
	}
	layout, err := accel.ParseLayoutMap(s.layout)
	if err != nil {
		return ideas.Config{}, fmt.Errorf("--%w", err)
	}
	limits, err := s.limits.limits()
	if err != nil {
		return ideas.Config{}, err
	}
	pin, err := accel.ParsePinPolicy(s.pinPolicy)
	if err != nil || pin == accel.PinNone {
		return ideas.Config{}, fmt.Errorf("--pin-policy %q is not known (accepted: %s|%s)", s.pinPolicy, accel.PinMostReused, accel.PinInOrder)
	}
	c, err := ideas.Apply(ideas.Config{Platform: p, Design: d, Scenario: sc}, set, func(d hw.Design, p hw.Platform) accel.Options {
		o := accel.DefaultOptions(d, p)
		o.Memory, o.Layout.Map = memory, layout
		o.FoldOverlap, o.Residency = s.foldOverlap, s.residency
		o.Limits = limits
		return o
	})
	if err != nil {
		return ideas.Config{}, fmt.Errorf("--ideas: %w", err)
	}
	if cmd.Flags().Changed("pin-policy") {
		if c.Options.PinWeights == accel.PinNone {
			return ideas.Config{}, fmt.Errorf("--pin-policy goes with --ideas pin_weights (it picks which weights that idea pins)")
		}
		c.Options.PinWeights = pin
	}
	if err := c.Design.Fit(p); err != nil {
		return ideas.Config{}, fmt.Errorf("--ideas %s: %w", s.ideas, err)
	}
	return c, nil
}
