package sweep

import (
	"github.com/roofsim/roofsim/ideas"
	"github.com/roofsim/roofsim/sim/accel"
	"github.com/roofsim/roofsim/sim/budget"
	"github.com/roofsim/roofsim/workload"
)

// Evaluator simulates one point: the forward pass of kernels ks (the
// point's scenario's kernels) on c's design and platform with c's options.
// Each call must build its own simulation (its own engine) and share
// nothing mutable with other calls: the sweep calls it from several
// goroutines at once.
type Evaluator interface {
	Simulate(c ideas.Config, ks []workload.Kernel) (*accel.Result, error)
}

// Simulation is the real evaluator: sim/accel's end-to-end simulation.
type Simulation struct {
	// Limits bound each point's simulation (the zero value: the default
	// limits); a point over them is an error row.
	Limits budget.Limits
}

// Simulate runs accel.Run on the graph of the point's scenario (whose ops
// are ks): its own engine, HBM model and arrays for each call.
func (s Simulation) Simulate(c ideas.Config, _ []workload.Kernel) (*accel.Result, error) {
	g, err := c.Scenario.Graph()
	if err != nil {
		return nil, err
	}
	o := c.Options
	o.Limits = s.Limits
	return accel.Run(c.Design, c.Platform, g, o)
}
