package sweep

import (
	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sim/accel"
	"github.com/roofsim/roofsim/sim/budget"
	"github.com/roofsim/roofsim/workload"
)

// Config is everything one point runs with.
type Config struct {
	// Platform is the board.
	Platform hw.Platform
	// Design is the accelerator.
	Design hw.Design
	// Scenario is the workload.
	Scenario workload.Scenario
	// Layout is the space's base layout of weights over the PCs (empty:
	// interleave); the options start from it.
	Layout string
	// Options are the simulation's options: accel.DefaultOptions of the
	// design (after the ideas' design edits), the space's memory model, and
	// the ideas' option edits.
	Options accel.Options
}

// Evaluator simulates one point: the forward pass of kernels ks (the
// point's scenario's kernels) on c's design and platform with c's options.
// Each call must build its own simulation (its own engine) and share
// nothing mutable with other calls: the sweep calls it from several
// goroutines at once.
type Evaluator interface {
	Simulate(c Config, ks []workload.Kernel) (*accel.Result, error)
}

// Simulation is the real evaluator: sim/accel's end-to-end simulation.
type Simulation struct {
	// Limits bound each point's simulation (the zero value: the default
	// limits); a point over them is an error row.
	Limits budget.Limits
}

// Simulate runs accel.Run on the graph of the point's scenario (whose ops
// are ks): its own engine, HBM model and arrays for each call.
func (s Simulation) Simulate(c Config, _ []workload.Kernel) (*accel.Result, error) {
	g, err := c.Scenario.Graph()
	if err != nil {
		return nil, err
	}
	o := c.Options
	o.Limits = s.Limits
	return accel.Run(c.Design, c.Platform, g, o)
}

// options returns the simulation options of c's design on its platform
// with the memory model memory and c's base layout.
func options(c Config, memory string) accel.Options {
	o := accel.DefaultOptions(c.Design, c.Platform)
	o.Memory = memory
	if c.Layout != "" {
		o.Layout.Map = c.Layout
	}
	return o
}
