package main

import (
	"github.com/spf13/cobra"
)

// mainJob is what `roofsim` does with no subcommand: `roofsim run` on the
// default design (int8) and scenario (smolvla, 3 cameras).
type mainJob struct {
	out outputFlags
	sf  simFlags
	x   runExtras
}

func newMainJob() *mainJob { return &mainJob{} }

// attach makes the job the root command's action and adds its flags.
func (j *mainJob) attach(root *cobra.Command) {
	addOutputFlags(root, &j.out)
	addSimFlags(root, &j.sf)
	addRunExtras(root, &j.x)
	root.RunE = func(cmd *cobra.Command, _ []string) error {
		return runPass(cmd, &j.out, &j.sf, &j.x)
	}
}
