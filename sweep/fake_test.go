package sweep

import (
	"errors"
	"github.com/roofsim/roofsim/ideas"
	"github.com/roofsim/roofsim/sim/compute"
	"math"
	"time"

	"github.com/roofsim/roofsim/roofline"
	"github.com/roofsim/roofsim/sim/accel"
	"github.com/roofsim/roofsim/sim/clock"
	"github.com/roofsim/roofsim/workload"
)

// fakeEvaluator stands in for the simulation in tests: every kernel takes
// its roofline bound on the design plus a fixed overhead, moves its ideal
// bytes through HBM and executes its MACs, so that validation.Compare
// passes it. It is deterministic. Designs with 2 arrays come out below
// their bound (a validation failure); designs with 7-row arrays or 7 ports
// are refused with an error; delay slows each point down (by the point's
// precision, so that points finish out of order).
type fakeEvaluator struct {
	delay time.Duration
}

func (f fakeEvaluator) Simulate(c ideas.Config, ks []workload.Kernel) (*accel.Result, error) {
	d, p := c.Design, c.Platform
	if d.ArrayRows == 7 {
		return nil, errors.New("fake: a tile of 7 rows does not fit the buffers")
	}
	if d.HBMPorts == 7 {
		return nil, errors.New("fake: 7 ports do not divide the layout")
	}
	if f.delay > 0 {
		time.Sleep(f.delay * time.Duration(1+d.Precision.WeightBits%3))
	}
	freq := d.ClockHz(p)
	ceil := d.Ceilings(p)
	res := &accel.Result{Design: d, Platform: p, FreqHz: freq, Memory: c.Options.Memory}
	var at int64
	for _, k := range ks {
		r := roofline.Analyze(k, d.Precision, ceil)
		bound := int64(clock.New(freq).Cycles(r.LowerBoundSec))
		cycles := bound + bound/10 + 40
		if d.Arrays == 2 {
			cycles = bound / 2
		}
		in := int64(math.Ceil(d.Precision.ActBytes(k.InputElems) + d.Precision.WeightBytes(k.WeightElems)))
		out := int64(math.Ceil(d.Precision.ActBytes(k.OutputElems)))
		engine := compute.EngineArray
		if !k.Kind.IsMatmul() {
			engine = compute.EngineVector
		}
		res.Kernels = append(res.Kernels, accel.KernelResult{
			Kernel:     k,
			Placement:  accel.Placement{Inputs: accel.InHBM, Weights: accel.InHBM, Outputs: accel.InHBM},
			StartCycle: at, EndCycle: at + cycles, Cycles: cycles,
			ComputeCycles: cycles - 40, StallHBMCycles: 40, Engine: engine,
			MACs: k.MACs(), PEs: int64(d.PEs()), PECycles: k.MACs(),
			BytesRead: in, BytesWritten: out,
		})
		at += cycles
	}
	res.TotalCycles = at
	return res, nil
}

// testSpaceJSON is a small space over the seed scenario with every
// status under the fake evaluator: 2 precisions x 3 array shapes x 2 array
// counts, baseline and port512 (24 points). 7x8 arrays are errors, 192x128
// ones do not fit, 2 arrays fail validation, the rest are ok.
const testSpaceJSON = `{
  "name": "test",
  "base": {"scenario": "seed", "memory": "ideal"},
  "axes": {"precision": ["int8", "int4"], "array": ["64x64", "7x8", "192x128"], "arrays": [2, 3]},
  "ideas": ["port512"]
}`

// mustPoints parses a space and builds its points.
func mustPoints(t interface {
	Helper()
	Fatal(...any)
}, js string) []Point {
	t.Helper()
	s, err := ParseSpace([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	pts, err := s.Points()
	if err != nil {
		t.Fatal(err)
	}
	return pts
}
