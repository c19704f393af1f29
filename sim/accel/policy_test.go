package accel_test

import (
	"strings"
	"testing"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sim/accel"
	"github.com/roofsim/roofsim/validation"
	"github.com/roofsim/roofsim/workload"
)

// smallPolicy is the policy over a small prefix (one camera, two vision
// and two text layers) with 3 steps of a 16-action chunk.
func smallPolicy(sc *workload.Scenario) {
	small(sc)
	p := *sc.Policy
	p.NumSteps, p.ChunkSize, p.NActionSteps = 3, 16, 16
	sc.Policy = &p
}

// TestPolicyLatency checks that a policy call's latency is its prefix's
// plus its steps', that the steps cost alike, that every kernel passes its
// checks, and that the prefix's K/V cache is placed like any other tensor:
// on chip with the activation store, in HBM without it, read by every
// step.
func TestPolicyLatency(t *testing.T) {
	d := design(t, "int8")
	p := hw.U280()
	g := graphOf(t, workload.ScenarioSmolVLAPolicy, smallPolicy)
	for _, residency := range []bool{true, false} {
		opts := accel.DefaultOptions(d, p)
		opts.Residency = residency
		res := run(t, d, g, opts)
		pt, err := accel.Policy(res, g, 3)
		if err != nil {
			t.Fatal(err)
		}
		if pt.TotalCycles != res.TotalCycles || pt.PrefixCycles+pt.StepsCycles != res.TotalCycles || len(pt.StepCycles) != 3 {
			t.Errorf("residency %v: prefix %d + steps %v != total %d", residency, pt.PrefixCycles, pt.StepCycles, res.TotalCycles)
		}
		if sum := pt.VisionCycles + pt.ConnectorCycles + pt.TextCycles; sum != pt.PrefixCycles {
			t.Errorf("residency %v: prefix stages sum to %d, the prefix is %d", residency, sum, pt.PrefixCycles)
		}
		for i, c := range pt.StepCycles {
			// The steps run the same kernels; their memory timing differs
			// a little (refresh, open rows).
			if c <= 0 || float64(c) > 1.1*float64(pt.StepCycles[0]) || float64(c) < 0.9*float64(pt.StepCycles[0]) {
				t.Errorf("residency %v: step %d takes %d cycles, step 0 %d", residency, i, c, pt.StepCycles[0])
			}
		}
		if c := validation.Compare(res); c.Failed != 0 {
			t.Errorf("residency %v: %d kernels failed their checks", residency, c.Failed)
		}
		want := accel.OnChip
		if !residency {
			want = accel.InHBM
		}
		steps := 0
		for _, kr := range res.Kernels {
			// Cross layer 1 projects text layer 1's cached keys.
			if strings.HasSuffix(kr.Kernel.Name, ".l1.k") && kr.Kernel.Stage == workload.StageExpert {
				steps++
				if kr.Placement.Inputs != want {
					t.Errorf("residency %v: %s reads the cache from %s, want %s", residency, kr.Kernel.Name, kr.Placement.Inputs, want)
				}
			}
		}
		if steps != 3 {
			t.Errorf("%d steps read text layer 1's keys, want 3", steps)
		}
	}
	vg := graphOf(t, workload.ScenarioSmolVLA, small)
	if _, err := accel.Policy(run(t, d, vg, accel.DefaultOptions(d, p)), vg, 3); err == nil {
		t.Error("Policy of a pass without expert kernels: no error")
	}
}

// BenchmarkPolicyInt8 is the speed target of the whole policy call: the
// prefix and 10 flow-matching steps on the int8 design with the HBM model,
// under 3 s per run on one core (GOMAXPROCS=1).
func BenchmarkPolicyInt8(b *testing.B) { benchRun(b, "int8", workload.ScenarioSmolVLAPolicy) }
