package accel_test

import (
	"testing"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sim/accel"
)

// TestStreamBuffering runs a stream-buffered design (each buffer a FIFO of
// small tiles, 512 B bursts) through the whole model with every idea on:
// fusion (epilogues with side operands), prefetch across kernels and
// pinned weights. Every invariant holds (bytes, MACs,
// queues empty, bounds), and the run is no slower than a bound.
func TestStreamBuffering(t *testing.T) {
	t.Parallel()
	p := hw.U280()
	d := weightStoreDesign(t)
	d.Buffering, d.BurstBytes = hw.StreamBuffered, 512
	wg := graphOf(t, "smolvla", tiny)
	ks := wg.Ops
	opts := accel.DefaultOptions(d, p)
	opts.PinWeights = accel.PinMostReused
	opts.Fuse = true
	opts.PrefetchWeights = true
	res := run(t, d, wg, opts)
	checkAll(t, "stream, all ideas", d, ks, res, opts, false)
	if res.FusedKernels == 0 {
		t.Errorf("%d kernels fused", res.FusedKernels)
	}
}
