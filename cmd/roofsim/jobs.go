package main

import (
	"fmt"

	"github.com/spf13/pflag"
)

// maxJobs bounds -j: more simulations at once than this is a typo, not a
// machine (each runs its own engine and holds its own state).
const maxJobs = 1024

// addJobsFlag registers -j/--jobs, how many simulations run at once, on
// fl with default def.
func addJobsFlag(fl *pflag.FlagSet, n *int, def int, usage string) {
	fl.IntVarP(n, "jobs", "j", def, usage)
}

// checkJobs reports a -j outside 1..maxJobs.
func checkJobs(n int) error {
	if n < 1 || n > maxJobs {
		return fmt.Errorf("-j must be in 1..%d, got %d", maxJobs, n)
	}
	return nil
}
