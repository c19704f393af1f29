package compute_test

import (
	"fmt"
	"testing"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sim/compute"
)

// streamDesign is the int8 preset with stream buffers refilled in bursts
// of burst bytes.
func streamDesign(t testing.TB, burst int64) hw.Design {
	t.Helper()
	d, err := hw.DesignByName("int8")
	if err != nil {
		t.Fatal(err)
	}
	d.Buffering, d.BurstBytes = hw.StreamBuffered, burst
	if err := d.Fit(hw.U280()); err != nil {
		t.Fatal(err)
	}
	return d
}

// TestStreamInvariants runs every test shape (grouped KV attention, whose
// tiles a FIFO may hold twice, included) on stream-buffered designs, with
// the ideal memory and the HBM model: bytes, MACs, closed-form compute,
// empty queues and the roofline bound hold as for double buffering.
func TestStreamInvariants(t *testing.T) {
	p := hw.U280()
	for _, burst := range []int64{512, 0} {
		for _, df := range []hw.Dataflow{hw.OutputStationary, hw.WeightStationary} {
			d := streamDesign(t, burst)
			d.Dataflow = df
			for _, s := range testShapes {
				name := fmt.Sprintf("burst %d/%s/%s", burst, df, s)
				k := s.kernel()
				st, err := compute.RunKernel(d, p, k, compute.DefaultOptions(d, p))
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				checkInvariants(t, name, d, p, k, st)
			}
		}
	}
	d := streamDesign(t, 512)
	k := testShapes[0].kernel()
	opts := compute.DefaultOptions(d, p)
	if err := compute.PlaceOnHBM(&opts, d, p); err != nil {
		t.Fatal(err)
	}
	st, err := compute.RunKernel(d, p, k, opts)
	if err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, "hbm", d, p, k, st)
}

// blasGEMV is a GEMV engine like AMD Vitis BLAS's gemvStreamCh16: 16
// dot-product trees of 4 fp64 multipliers fed by 16 256-bit ports, 128 KiB
// of weight buffer, buffered as b with 512 B bursts.
func blasGEMV(t testing.TB, b hw.Buffering) hw.Design {
	t.Helper()
	prec, err := hw.PrecisionByName("fp64")
	if err != nil {
		t.Fatal(err)
	}
	d := hw.Design{Name: "gemv", Precision: prec, ArrayRows: 4, ArrayCols: 16, Arrays: 1, Dataflow: hw.OutputStationary,
		ArrayStyle: hw.StyleDotTree, Buffering: b, BurstBytes: 512, WeightBufferBytes: 128 * hw.KiB,
		InputBufferBytes: 8 * hw.KiB, OutputBufferBytes: 8 * hw.KiB, VectorLanes: 4, HBMPorts: 16, PortBits: 256}
	if err := d.Fit(hw.U280()); err != nil {
		t.Fatal(err)
	}
	return d
}

// TestStreamGEMVNearBound runs a long GEMV, whose compute and weight
// stream take the same time (64 doubles per cycle from 16 ports of 32 B),
// on an ideal memory of latency L cycles. A stream buffer keeps
// 128 KiB / 8 KiB = 16 tiles in flight, so the latency is paid about once:
// a few times at the ends, never per tile: T <= max(compute, bytes /
// bandwidth) + 3 L + the ends (below); a double buffer pays L once per
// 64 KiB tile. No run beats the roofline bound
// (checkInvariants), and the stream buffer is never slower.
func TestStreamGEMVNearBound(t *testing.T) {
	p := hw.U280()
	for _, tc := range []struct {
		n       int64
		latency int
	}{{2048, 0}, {2048, 50}, {4096, 50}, {2048, 200}} {
		name := fmt.Sprintf("n %d, L %d", tc.n, tc.latency)
		k := compute.NewBatchedGEMM("gemv", 1, tc.n, tc.n, 1)
		run := func(b hw.Buffering) compute.KernelStats {
			d := blasGEMV(t, b)
			opts := compute.DefaultOptions(d, p)
			opts.IdealMemory.LatencyCycles = uint64(tc.latency)
			st, err := compute.RunKernel(d, p, k, opts)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			checkInvariants(t, name, d, p, k, st)
			return st
		}
		stream, double := run(hw.StreamBuffered), run(hw.DoubleBuffered)
		bw := int64(16 * 32) // bytes per cycle of the 16 ports
		compute := tc.n * tc.n / 64
		memory := (stream.TotalBytesRead() + stream.TotalBytesWritten()) / bw
		// Ends: two tiles of 16 x 512 B (the first load; the x tiles are
		// not spread evenly over the ports), the last 16-output store
		// through one 32 B port, and the tree's fill and drain.
		tile, store := int64(16*512)/bw, int64(16*8/32)
		fillDrain := int64(1 + 2 + 1)
		limit := max(compute, memory) + 3*int64(tc.latency) + 2*tile + 2*store + fillDrain
		if stream.Cycles > limit {
			t.Errorf("%s: stream %d cycles, above max(%d, %d) + 3 x %d + 2 x %d + 2 x %d + %d = %d", name, stream.Cycles,
				compute, memory, tc.latency, tile, store, fillDrain, limit)
		}
		if stream.Cycles > double.Cycles {
			t.Errorf("%s: stream %d cycles, slower than double buffering's %d", name, stream.Cycles, double.Cycles)
		}
		if tc.latency >= 50 && double.Cycles-stream.Cycles < int64(tc.latency)*(tc.n*tc.n*8/(64*hw.KiB))/2 {
			t.Errorf("%s: double buffering %d cycles, stream %d: the latency is not paid once per 64 KiB tile", name, double.Cycles, stream.Cycles)
		}
	}
}

// TestStreamSmallBursts checks that the stream buffer's tiles are one
// burst per port: a GEMV's weight tile is 16 x 512 B.
func TestStreamSmallBursts(t *testing.T) {
	p := hw.U280()
	d := blasGEMV(t, hw.StreamBuffered)
	sim, err := compute.NewSimulator(d, p, compute.DefaultOptions(d, p))
	if err != nil {
		t.Fatal(err)
	}
	pl, err := sim.Plan(compute.NewBatchedGEMM("gemv", 1, 4096, 4096, 1))
	if err != nil {
		t.Fatal(err)
	}
	if got := pl.TileK * pl.TileN * 8; got != 16*512 {
		t.Errorf("weight tile %d x %d = %d B, want 16 ports x 512 B = 8192", pl.TileK, pl.TileN, got)
	}
}
