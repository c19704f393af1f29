package main

import (
	"fmt"
	"strings"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/report"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// boardFlags are the --platform and --design flags.
type boardFlags struct {
	platform string
	design   string
}

func addBoardFlags(cmd *cobra.Command, b *boardFlags) {
	addPlatformFlags(cmd.Flags(), &b.platform, "")
	cmd.Flags().StringVar(&b.design, "design", hw.DefaultDesignName, "accelerator design: "+hw.DesignNames()+" or a design .json file")
}

// addPlatformFlags registers --platform and its other name --board, both
// setting *v (default u280), with what the board is used for.
func addPlatformFlags(fl *pflag.FlagSet, v *string, what string) {
	usage := "board: " + hw.PlatformNames() + " or a platform .json file (fields absent keep the U280's values)" + what
	fl.StringVar(v, "platform", "u280", usage)
	fl.StringVar(v, "board", "u280", "the same as --platform: "+usage)
}

// platformGiven reports whether --platform or --board was given.
func platformGiven(cmd *cobra.Command) bool {
	return cmd.Flags().Changed("platform") || cmd.Flags().Changed("board")
}

// loadPlatform loads the --platform/--board arg for design d: the design's
// own "board" when it names one and neither flag was given; a flag that
// names another board than the design's is refused.
func loadPlatform(cmd *cobra.Command, arg string, d hw.Design) (hw.Platform, error) {
	given := platformGiven(cmd)
	if d.Board != "" && !given {
		arg = d.Board
	}
	p, err := hw.LoadPlatform(arg)
	if err != nil {
		return hw.Platform{}, fmt.Errorf("--platform: %w", err)
	}
	if d.Board != "" && given && !strings.EqualFold(p.Name, d.Board) {
		return hw.Platform{}, fmt.Errorf("--platform %s: design %q is for board %s (drop the flag or give --board %s)", arg, d.Name, d.Board, d.Board)
	}
	return p, nil
}

// load returns the platform and the design, checking that the design fits.
func (b *boardFlags) load(cmd *cobra.Command) (hw.Platform, hw.Design, error) {
	return b.loadAs(cmd, "--design")
}

// loadAs is load with the design's errors naming designFlag (compare
// takes its designs from --designs).
func (b *boardFlags) loadAs(cmd *cobra.Command, designFlag string) (hw.Platform, hw.Design, error) {
	d, err := hw.LoadDesign(b.design)
	if err != nil {
		return hw.Platform{}, hw.Design{}, fmt.Errorf("%s: %w", designFlag, err)
	}
	p, err := loadPlatform(cmd, b.platform, d)
	if err != nil {
		return hw.Platform{}, hw.Design{}, err
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
			p, d, err := board.load(cmd)
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
