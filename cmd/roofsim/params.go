package main

import (
	"fmt"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/report"
	"github.com/spf13/cobra"
)

func newParamsCmd() *cobra.Command {
	var (
		out      outputFlags
		scen     scenarioFlags
		platform string
	)
	cmd := &cobra.Command{
		Use:   "params",
		Short: "Parameters per part and weight memory per precision (the seed notebook's section 3)",
		Long: `Print the stored parameters of a scenario's model per part and stage, and the
memory its weights need in each precision, per stage and in all, next to the
board's on-chip memory (BRAM+URAM) and its HBM.

For the smolvla scenario the counts are the checkpoint's; for the seed
scenario they are the notebook's formulas, kept exactly.`,
		Example: `  roofsim params
  roofsim params --scenario seed --format md
  roofsim params --cameras 1 --lm-head --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f, err := out.parse()
			if err != nil {
				return err
			}
			sc, err := scen.load(cmd)
			if err != nil {
				return err
			}
			p, err := hw.LoadPlatform(platform)
			if err != nil {
				return fmt.Errorf("--platform: %w", err)
			}
			precs := hw.Precisions()
			if sc.Seed != nil {
				precs = hw.SeedPrecisions()
			}
			return out.emitTables(cmd, f, report.ParamTables(sc.Params(), p, precs)...)
		},
	}
	addOutputFlags(cmd, &out)
	addScenarioFlags(cmd, &scen)
	addPlatformFlags(cmd.Flags(), &platform, "")
	return cmd
}
