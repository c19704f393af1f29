package accel_test

import (
	"reflect"
	"testing"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sim/accel"
	"github.com/roofsim/roofsim/workload"
)

// TestFastPathMatchesReference runs a short SmolVLA pass (one camera, one
// vision and one text layer) on every preset design on the fast path and
// on the reference path (hbm.Params.Reference: akita's SerialEngine and
// the HBM model's reference paths) and requires the same result, field by
// field: cycles, statistics and events.
func TestFastPathMatchesReference(t *testing.T) {
	t.Parallel()
	short := func(s *workload.Scenario) {
		s.Cameras, s.TextLayers = 1, 1
		s.Model.Vision.Layers = 1
	}
	g := graphOf(t, "smolvla", short)
	p := hw.U280()
	for _, d := range hw.Designs() {
		t.Run(d.Name, func(t *testing.T) {
			opts := accel.DefaultOptions(d, p)
			ref := opts
			ref.HBM.Reference = true
			want := run(t, d, g, ref)
			got := run(t, d, g, opts)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("fast path and reference differ: %d vs %d cycles, %d vs %d events",
					got.TotalCycles, want.TotalCycles, got.Events, want.Events)
			}
			if got.MemoryBytesRead == 0 {
				t.Error("the pass read nothing from HBM")
			}
		})
	}
}

// TestPolicyFastPathMatchesReference is TestFastPathMatchesReference on a
// small policy call (prefix and three flow-matching steps) with the prefix
// cache in HBM (no residency), on the int8 design (the policy benchmark's).
func TestPolicyFastPathMatchesReference(t *testing.T) {
	t.Parallel()
	g := graphOf(t, workload.ScenarioSmolVLAPolicy, smallPolicy)
	p := hw.U280()
	for _, name := range []string{"int8"} {
		t.Run(name, func(t *testing.T) {
			d := design(t, name)
			opts := accel.DefaultOptions(d, p)
			opts.Residency = false
			ref := opts
			ref.HBM.Reference = true
			want := run(t, d, g, ref)
			got := run(t, d, g, opts)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("fast path and reference differ: %d vs %d cycles, %d vs %d events",
					got.TotalCycles, want.TotalCycles, got.Events, want.Events)
			}
		})
	}
}
