package sweep

import (
	"fmt"
	"strings"

	"github.com/roofsim/roofsim/energy"
	"github.com/roofsim/roofsim/ideas"

	"github.com/roofsim/roofsim/roofline"
	"github.com/roofsim/roofsim/sim/accel"
	"github.com/roofsim/roofsim/validation"
	"github.com/roofsim/roofsim/workload"
)

// maxReasonFailures bounds the failed checks a fail row lists.
const maxReasonFailures = 3

// Evaluate runs one point with ev and returns its row. It does not fail:
// a design that does not fit the board, a simulation that errors (or
// panics) and a pass whose kernels fail their roofline checks are rows
// with their status and reason.
func Evaluate(p Point, ev Evaluator) Row {
	r, _ := EvaluateResult(p, ev)
	return r
}

// designRow is the row of point p with its parameters and its design's
// resources and ceilings, before any simulation.
func designRow(p Point) Row {
	r := p.Row()
	c := p.Config
	d, pl := c.Design, c.Platform
	r.set(colDSPs, d.DSPs())
	r.set(colOnChip, d.BufferBytes())
	r.set("weight_mb", d.Precision.WeightBytes(workload.ParamTotalOf(c.Scenario.Params()))/1e6)
	ceil := d.Ceilings(pl)
	r.set("peak_tops", ceil.PeakOpsPerSec/1e12)
	r.set("bw_gbps", ceil.BWBytesPerSec/1e9)
	return r
}

// DoesNotFit is the row of a point that is not simulated because the
// board cannot hold its design (reason says why): its parameters,
// resources and ceilings, status does_not_fit.
func DoesNotFit(p Point, reason error) Row {
	r := designRow(p)
	r.set(colStatus, string(StatusDoesNotFit))
	r.set(colReason, reason.Error())
	return r
}

// EvaluateResult is Evaluate that also returns the simulated pass (nil
// when the point was not simulated or the simulation failed), for callers
// that need more of it than the row holds (its energy).
func EvaluateResult(p Point, ev Evaluator) (Row, *accel.Result) {
	c := p.Config
	if err := c.Design.Fit(c.Platform); err != nil {
		return DoesNotFit(p, err), nil
	}
	r := designRow(p)
	ks, err := c.Scenario.Kernels()
	if err != nil {
		return errorRow(r, err), nil
	}
	res, err := simulate(ev, c, ks)
	if err != nil {
		return errorRow(r, err), nil
	}
	if res == nil || res.TotalCycles <= 0 || res.FreqHz <= 0 {
		return errorRow(r, fmt.Errorf("the simulation returned no time")), nil
	}
	cmp := validation.Compare(res)
	fillResults(r, cmp, c.Scenario.Frames)
	if err := fillEnergy(r, res, c.Scenario.Frames); err != nil {
		return errorRow(r, err), nil
	}

	var failures []string
	if len(res.Kernels) != len(ks) {
		failures = append(failures, fmt.Sprintf("the simulation ran %d kernels, the scenario has %d", len(res.Kernels), len(ks)))
	} else {
		for i, kr := range res.Kernels {
			if kr.Kernel.Name != ks[i].Name {
				failures = append(failures, fmt.Sprintf("kernel %d is %s, the scenario's is %s", i, kr.Kernel.Name, ks[i].Name))
				break
			}
		}
	}
	n := len(failures)
	for _, k := range cmp.Kernels {
		for _, f := range k.Failures {
			if n < maxReasonFailures {
				failures = append(failures, k.Kernel.Name+": "+f)
			}
			n++
		}
	}
	if n > len(failures) {
		failures = append(failures, fmt.Sprintf("and %d more", n-len(failures)))
	}
	if len(failures) == 0 {
		r.set(colStatus, string(StatusOK))
		return r, res
	}
	r.set(colStatus, string(StatusFail))
	r.set(colReason, strings.Join(failures, "; "))
	return r, res
}

// simulate calls the evaluator, turning a panic into an error so that one
// point cannot end a long sweep.
func simulate(ev Evaluator, c ideas.Config, ks []workload.Kernel) (res *accel.Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			res, err = nil, fmt.Errorf("the simulation panicked: %v", p)
		}
	}()
	return ev.Simulate(c, ks)
}

// fillEnergy writes the energy model's power, energy per frame and frames
// per joule of the pass res (frames frames) into r.
func fillEnergy(r Row, res *accel.Result, frames int) error {
	e, err := energy.Of(res)
	if err != nil {
		return err
	}
	r.set(colPowerW, e.PowerW)
	r.set(colEnergyMJ, e.EnergyJ*1e3/float64(max(frames, 1)))
	r.set(colFramesPerJ, float64(max(frames, 1))/e.EnergyJ)
	return nil
}

func errorRow(r Row, err error) Row {
	r.set(colStatus, string(StatusError))
	r.set(colReason, err.Error())
	return r
}

// fillResults writes a checked pass's results into r.
func fillResults(r Row, c validation.Comparison, frames int) {
	res := c.Result
	f := res.FreqHz
	sec := c.Seconds()
	msOf := func(cycles int64) float64 { return float64(cycles) / f * 1e3 }
	r.set("cycles", res.TotalCycles)
	r.set(colLatency, sec*1e3)
	r.set("fps", float64(frames)/c.FrameIntervalSeconds())
	r.set("achieved_tops", c.AchievedOpsPerSec()/1e12)
	r.set("gbps", c.AchievedBytesPerSec()/1e9)
	r.set("hbm_mb", float64(c.Total.HBMBytes)/1e6)

	// The floors split bound_ms (the sum of the kernels' design bounds) by
	// the ceiling that sets each kernel's bound, so that they add up to it.
	var memCycles, stallHBM, computeFloor, memoryFloor int64
	for _, k := range c.Kernels {
		if k.Bound == roofline.BoundMemory {
			memCycles += k.Cycles
			memoryFloor += k.BoundCycles
		} else {
			computeFloor += k.BoundCycles
		}
		stallHBM += k.StallHBMCycles
	}
	share := float64(memCycles) / float64(res.TotalCycles)
	r.set("memory_bound_share", share)
	bound := roofline.BoundCompute
	if share >= 0.5 {
		bound = roofline.BoundMemory
	}
	r.set("bound", string(bound))
	r.set("compute_floor_ms", msOf(computeFloor))
	r.set("memory_floor_ms", msOf(memoryFloor))
	r.set("bound_ms", msOf(c.Total.BoundCycles))
	r.set("efficiency", float64(c.Total.BoundCycles)/float64(res.TotalCycles))
	if c.HasSeed {
		r.set("seed_bound_ms", c.Total.SeedBoundSec*1e3)
	}
	r.set("stall_hbm_share", float64(stallHBM)/float64(res.TotalCycles))
	stage := map[workload.Stage]string{
		workload.StageVision: "vision_ms", workload.StageConnector: "connector_ms",
		workload.StageText: "text_ms", workload.StageHead: "head_ms",
		workload.StageExpert: "expert_ms",
	}
	for _, st := range workload.Stages() {
		r.set(stage[st], 0.0)
	}
	for _, s := range c.Stages {
		if col, ok := stage[workload.Stage(s.Name)]; ok {
			r.set(col, msOf(s.Cycles))
		}
	}
	r.set("validation", c.Verdict())
	r.set("failed_kernels", c.Failed)
}
