package accel_test

import (
	"testing"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sim/accel"
)

// TestLaunchOverhead runs a small pass with a kernel launch overhead on
// the ideal memory, whose fixed latency makes a kernel's time independent
// of when it starts: the pass's invariants hold (every kernel's time
// splits into compute, stalls and launch), every kernel that runs takes
// exactly the launch more, and the pass the launch times the kernels
// that run more.
func TestLaunchOverhead(t *testing.T) {
	t.Parallel()
	const launch = 3000
	p := hw.U280()
	d := design(t, "int8")
	d.LaunchCycles = launch
	wg := graphOf(t, "smolvla", tiny)
	opts := accel.DefaultOptions(d, p)
	opts.Memory = accel.MemoryIdeal
	res := run(t, d, wg, opts)
	check(t, "launch", d, wg.Ops, res, opts, true)
	base := design(t, "int8")
	opts0 := accel.DefaultOptions(base, p)
	opts0.Memory = accel.MemoryIdeal
	res0 := run(t, base, wg, opts0)
	ran := 0
	for i, kr := range res.Kernels {
		if kr.FusedInto != "" {
			continue
		}
		ran++
		if kr.LaunchCycles != launch || kr.Cycles != launch+res0.Kernels[i].Cycles {
			t.Errorf("%s: launch %d, %d cycles; without launch %d", kr.Kernel.Name, kr.LaunchCycles, kr.Cycles, res0.Kernels[i].Cycles)
		}
	}
	if res.TotalCycles != res0.TotalCycles+int64(ran)*launch {
		t.Errorf("with a launch overhead of %d cycles on %d kernels the pass takes %d cycles, without %d", launch, ran, res.TotalCycles, res0.TotalCycles)
	}
	t.Logf("%d kernels: %d cycles with launches, %d without", ran, res.TotalCycles, res0.TotalCycles)
}
