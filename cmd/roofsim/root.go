package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// exitCodesHelp documents roofsim's exit codes (root help and docs/cli.md).
const exitCodesHelp = `Exit codes: 0 success; 1 a failed check (a kernel or point broke its roofline
checks, the output is still written); 2 bad input (a flag, file or value
refused before anything runs, with one line naming it and what is accepted);
3 an internal error (a bug in roofsim: one line naming the command and asking
for a bug report; --debug adds the stack).`

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
scenario (smolvla, 3 cameras): the summary, the stages and the ten kernels
that lose the most time against their bound (--kernels all for every one).

` + exitCodesHelp,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
	}
	root.PersistentFlags().Bool("debug", false, "on an internal error (exit 3), also print the Go stack")
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
		newOptimizeCmd(),
		newMergeCmd(),
		newReportCmd(),
		newGraphCmd(),
		newValidateCmd(),
	)
	root.SetHelpCommand(newHelpCmd(root))
	return root
}

// newHelpCmd is `roofsim help [command]`: an unknown topic is bad input
// (exit 2), not a help page.
func newHelpCmd(root *cobra.Command) *cobra.Command {
	return &cobra.Command{
		Use:   "help [command]",
		Short: "Help about any command",
		RunE: func(_ *cobra.Command, args []string) error {
			cmd, rest, err := root.Find(args)
			if err != nil || len(rest) > 0 {
				var names []string
				for _, c := range root.Commands() {
					if c.IsAvailableCommand() {
						names = append(names, c.Name())
					}
				}
				return fmt.Errorf("help %q: no such command (accepted: %s)", strings.Join(args, " "), strings.Join(names, "|"))
			}
			return cmd.Help()
		},
	}
}
