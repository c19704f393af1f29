package main

import (
	"fmt"
	"strings"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sim/accel"
	"github.com/spf13/cobra"
)

// simFlags are the flags of a simulated forward pass.
type simFlags struct {
	scen        scenarioFlags
	board       boardFlags
	precision   string
	memory      string
	foldOverlap bool
	residency   bool
	fuse        bool
	prefetch    bool
	pinWeights  string
	weightStore string
	actStore    string
	pipeline    bool
	layout      string
	limits      limitFlags
}

func addSimFlags(cmd *cobra.Command, s *simFlags) {
	addScenarioFlags(cmd, &s.scen)
	addBoardFlags(cmd, &s.board)
	addLimitFlags(cmd, &s.limits)
	cmd.Flags().StringVar(&s.precision, "precision", "", "precision: picks that precision's built-in design when --design is not given ("+hw.PrecisionNames()+")")
	cmd.Flags().StringVar(&s.memory, "memory", accel.MemoryHBM, "off-chip memory model: hbm (the cycle-level HBM2 model) or ideal (fixed latency behind the ports' bandwidth)")
	cmd.Flags().BoolVar(&s.foldOverlap, "fold-overlap", true, "let an array's next fold fill while the previous one drains")
	cmd.Flags().BoolVar(&s.residency, "residency", true, "keep activations in the design's on-chip activation store while they fit (off: every activation goes through HBM)")
	cmd.Flags().BoolVar(&s.fuse, "fuse", false, "idea: fuse each elementwise kernel into the matmul that feeds it (an epilogue on the vector units)")
	cmd.Flags().BoolVar(&s.prefetch, "prefetch", false, "idea: load the next kernel's first weight tiles while the current kernel runs")
	cmd.Flags().StringVar(&s.pinWeights, "pin-weights", accel.PinNone, "idea: keep weights in an on-chip weight store: none, order (in kernel order until full) or reuse (most reads per byte first); needs --weight-store")
	cmd.Flags().StringVar(&s.weightStore, "weight-store", "", "size of the design's on-chip weight store (e.g. 8MiB), taken from the board's BRAM+URAM")
	cmd.Flags().StringVar(&s.actStore, "activation-store", "", "size of the design's on-chip activation store (e.g. 8MiB; 0 sends every activation through HBM)")
	cmd.Flags().BoolVar(&s.pipeline, "pipeline", false, "idea: split the arrays across the SLRs to pipeline frames: vision on all arrays but one, text on the last")
	cmd.Flags().StringVar(&s.layout, "layout", accel.LayoutInterleave, "how weights and spilled activations spread over the PCs: interleave (4 KiB chunks in turn) or contiguous (one range per PC, a naive allocation)")
}

// design returns the platform and the design the flags name.
func (s *simFlags) design(cmd *cobra.Command) (hw.Platform, hw.Design, error) {
	if cmd.Flags().Changed("precision") && !cmd.Flags().Changed("design") {
		p, err := hw.PrecisionByName(s.precision)
		if err != nil {
			return hw.Platform{}, hw.Design{}, fmt.Errorf("--precision: %w", err)
		}
		s.board.design = p.Name
	}
	pl, d, err := s.board.load()
	if err != nil {
		return hw.Platform{}, hw.Design{}, err
	}
	if s.actStore != "" {
		// 0 is accepted: every activation goes through HBM.
		if d.ActivationBufferBytes, err = parseSizeIn("--activation-store", s.actStore, 0, maxBufferFlag); err != nil {
			return hw.Platform{}, hw.Design{}, err
		}
	}
	if s.weightStore != "" {
		if d.WeightStoreBytes, err = parseSize("--weight-store", s.weightStore, maxBufferFlag); err != nil {
			return hw.Platform{}, hw.Design{}, err
		}
	}
	if s.actStore != "" || s.weightStore != "" {
		if err := d.Fit(pl); err != nil {
			return hw.Platform{}, hw.Design{}, fmt.Errorf("--activation-store/--weight-store: %w", err)
		}
	}
	if cmd.Flags().Changed("precision") && !strings.EqualFold(s.precision, d.Precision.Name) {
		return hw.Platform{}, hw.Design{}, fmt.Errorf("--precision %s does not match design %s, which computes in %s", s.precision, d.Name, d.Precision.Name)
	}
	return pl, d, nil
}

// options returns the simulation options for design d.
func (s *simFlags) options(d hw.Design, p hw.Platform) (accel.Options, error) {
	o := accel.DefaultOptions(d, p)
	var err error
	if o.Limits, err = s.limits.limits(); err != nil {
		return accel.Options{}, err
	}
	switch s.memory {
	case accel.MemoryHBM, accel.MemoryIdeal:
		o.Memory = s.memory
	default:
		return accel.Options{}, fmt.Errorf("--memory %q is not known (accepted: hbm|ideal)", s.memory)
	}
	o.FoldOverlap = s.foldOverlap
	o.Residency = s.residency
	o.Fuse = s.fuse
	o.PrefetchWeights = s.prefetch
	switch s.pinWeights {
	case accel.PinNone, accel.PinInOrder, accel.PinMostReused:
		o.PinWeights = s.pinWeights
	default:
		return accel.Options{}, fmt.Errorf("--pin-weights %q is not known (accepted: none|order|reuse)", s.pinWeights)
	}
	if s.pinWeights != accel.PinNone && d.WeightStoreBytes == 0 {
		return accel.Options{}, fmt.Errorf("--pin-weights %s needs a weight store: give --weight-store SIZE (or weight_store_bytes in the design file)", s.pinWeights)
	}
	switch s.layout {
	case accel.LayoutInterleave, accel.LayoutContiguous:
		o.Layout.Map = s.layout
	default:
		return accel.Options{}, fmt.Errorf("--layout %q is not known (accepted: interleave|contiguous)", s.layout)
	}
	if s.pipeline {
		o.Pipeline = &accel.Pipeline{}
	}
	return o, nil
}
