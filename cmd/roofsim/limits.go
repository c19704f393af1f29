package main

import (
	"fmt"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sim/budget"
	"github.com/spf13/cobra"
)

// maxMemoryFlag bounds --max-memory (1 TiB).
const maxMemoryFlag = 1 << 40

// limitFlags are --max-memory and --max-events, which bound a simulation
// before it starts (sim/budget).
type limitFlags struct {
	memory string
	events int64
}

// addLimitFlags registers --max-memory and --max-events on cmd.
func addLimitFlags(cmd *cobra.Command, l *limitFlags) {
	cmd.Flags().StringVar(&l.memory, "max-memory", fmt.Sprintf("%dGiB", budget.DefaultMaxMemoryBytes/hw.GiB),
		"refuse, before it starts, a simulation whose state would take more memory than this (B, KiB, MiB, GiB)")
	cmd.Flags().Int64Var(&l.events, "max-events", budget.DefaultMaxEvents,
		"refuse, before it starts, a simulation that would run more engine events than this")
}

// limits checks the flags and returns the limits they set.
func (l *limitFlags) limits() (budget.Limits, error) {
	mem, err := parseSizeIn("--max-memory", l.memory, 1<<20, maxMemoryFlag)
	if err != nil {
		return budget.Limits{}, err
	}
	if l.events < 1 {
		return budget.Limits{}, fmt.Errorf("--max-events must be >= 1, got %d", l.events)
	}
	return budget.Limits{MaxMemoryBytes: mem, MaxEvents: l.events}, nil
}
