package main

import (
	"github.com/spf13/cobra"
)

// newRootCmd builds the roofsim command tree. With no subcommand roofsim
// runs its main job on the default design and scenario.
func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "roofsim",
		Short: "Simulate transformer accelerators on the AMD Alveo U280 and check them against the roofline",
		Long: `roofsim simulates SmolVLA's vision and text encoders on accelerator designs
for the AMD Alveo U280 (HBM2 pseudo-channels and DSP48E2 arrays at 300 MHz)
and checks every kernel against its analytical roofline bound.

With no subcommand it runs the main job on the default design (int8) and
scenario (smolvla, 3 cameras).

Exit codes: 0 success, 1 a failed check, 2 bad input.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
	}
	main := newMainJob()
	main.attach(root)
	root.AddCommand(
		newHWCmd(),
		newParamsCmd(),
		newRooflineCmd(),
		newRunCmd(),
		newCompareCmd(),
		newGEMMCmd(),
		newHBMCmd(),
		newSweepCmd(),
		newMergeCmd(),
		newReportCmd(),
		newGraphCmd(),
	)
	return root
}
