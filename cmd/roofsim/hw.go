package main

import (
	"fmt"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/report"
	"github.com/spf13/cobra"
)

// boardFlags are the --platform and --design flags.
type boardFlags struct {
	platform string
	design   string
}

func addBoardFlags(cmd *cobra.Command, b *boardFlags) {
	cmd.Flags().StringVar(&b.platform, "platform", "u280", "platform: u280 or a platform .json file (fields absent keep the U280's values)")
	cmd.Flags().StringVar(&b.design, "design", hw.DefaultDesignName, "accelerator design: "+hw.DesignNames()+" or a design .json file")
}

// load returns the platform and the design, checking that the design fits.
func (b *boardFlags) load() (hw.Platform, hw.Design, error) {
	return b.loadAs("--design")
}

// loadAs is load with the design's errors naming designFlag (compare
// takes its designs from --designs).
func (b *boardFlags) loadAs(designFlag string) (hw.Platform, hw.Design, error) {
	p, err := hw.LoadPlatform(b.platform)
	if err != nil {
		return hw.Platform{}, hw.Design{}, fmt.Errorf("--platform: %w", err)
	}
	d, err := hw.LoadDesign(b.design)
	if err != nil {
		return hw.Platform{}, hw.Design{}, fmt.Errorf("%s: %w", designFlag, err)
	}
	if err := d.Fit(p); err != nil {
		return hw.Platform{}, hw.Design{}, fmt.Errorf("%s: %w", designFlag, err)
	}
	return p, d, nil
}

func newHWCmd() *cobra.Command {
	var out outputFlags
	var board boardFlags
	var design designFlags
	var requireFit bool
	cmd := &cobra.Command{
		Use:   "hw",
		Short: "Print the platform, a design, and their ceilings",
		Long: `Print the board (resources, HBM geometry and timing), an accelerator design
(arrays, buffers, ports, what it takes of the board) and its roofline
ceilings next to the seed notebook's.`,
		Example: `  roofsim hw
  roofsim hw --design int4 --format md
  roofsim hw --weight-store 2MiB --activation-store 14MiB
  roofsim hw --platform examples/platform-slow-hbm.json --design examples/design-int8-wide.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f, err := out.parse()
			if err != nil {
				return err
			}
			p, d, err := board.load()
			if err != nil {
				return err
			}
			if d, err = design.apply(cmd, "--design", d, p); err != nil {
				return err
			}
			est := report.DesignResources(d, p)
			if err := est.Fit(); err != nil && requireFit {
				return fmt.Errorf("--design: %w", err)
			}
			return out.emitTables(cmd, f, append(report.HardwareTables(p, d), report.ResourceTables(est)...)...)
		},
	}
	cmd.Flags().BoolVar(&requireFit, "require-fit", false, "refuse (exit 2) a design whose BRAM/URAM blocks, DSPs, LUTs or FFs do not fit an SLR")
	addOutputFlags(cmd, &out)
	addBoardFlags(cmd, &board)
	addDesignFlags(cmd, &design)
	return cmd
}
