package compute_test

import (
	"fmt"
	"math/bits"
	"testing"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sim/compute"
	"github.com/roofsim/roofsim/workload"
)

// TestStreamingClosedForm checks the streaming array on the simulator:
// with an ideal memory and buffers large enough, a kernel takes
// F + D + folds x T cycles (no gap between folds), recomputed here from
// the dimensions alone.
func TestStreamingClosedForm(t *testing.T) {
	p := hw.U280()
	for _, df := range []hw.Dataflow{hw.OutputStationary, hw.WeightStationary} {
		d := bigBuffers(t, "int8")
		d.Dataflow, d.ArrayStyle = df, hw.StyleStreaming
		r, c := int64(d.ArrayRows), int64(d.ArrayCols)
		f, dr := r+c-2, r
		if df == hw.WeightStationary {
			f, dr = r, r+c-2
		}
		for _, s := range testShapes {
			name := fmt.Sprintf("%s/%s", df, s)
			st, err := compute.RunKernel(d, p, s.kernel(), unlimited(d, p, true))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			_, folds, temporal := formula(d, s, true)
			want := f + dr + folds*temporal
			if st.ComputeCycles != want {
				t.Errorf("%s: compute %d cycles, want F + D + folds T = %d + %d + %d x %d = %d", name, st.ComputeCycles, f, dr, folds, temporal, want)
			}
			if fold, _, _ := formula(d, s, true); folds > 1 && st.ComputeCycles >= fold {
				t.Errorf("%s: streaming %d cycles is not below the fold model's %d", name, st.ComputeCycles, fold)
			}
		}
	}
}

// TestDotTreeClosedForm checks dot-product trees (a GEMV engine) against
// the count recomputed here: C trees of R multipliers take R elements of
// K of one output per cycle, so an m x k x n matmul on one engine is
// m ceil(n/C) outputs rows of ceil(k/R) cycles each, plus the tree's
// latency 1 + ceil(log2 R) and one cycle into the accumulator; on a GEMV
// it is about R times faster than an output-stationary array.
func TestDotTreeClosedForm(t *testing.T) {
	cd := func(x, y int64) int64 { return (x + y - 1) / y }
	for _, shape := range []struct{ r, c, m, k, n, batch, arrays int64 }{
		{64, 64, 1, 768, 3072, 1, 1},
		{16, 32, 1, 960, 2560, 1, 2},
		{64, 8, 4, 100, 70, 3, 1},
		{1, 1, 3, 5, 7, 1, 1},
	} {
		d := hw.Design{ArrayRows: int(shape.r), ArrayCols: int(shape.c), Dataflow: hw.OutputStationary, ArrayStyle: hw.StyleDotTree}
		tm, err := compute.NewArrayTiming(d, 8, 8, true)
		if err != nil {
			t.Fatal(err)
		}
		levels := int64(bits.Len64(uint64(shape.r - 1)))
		outs := cd(shape.m*cd(shape.n, shape.c)*shape.batch, shape.arrays)
		want := outs*cd(shape.k, shape.r) + 1 + levels + 1
		if got := tm.MatmulCycles(shape.m, shape.k, shape.n, shape.batch, shape.arrays); got != want {
			t.Errorf("%+v: %d cycles, want %d", shape, got, want)
		}
		d.ArrayStyle = hw.StyleFold
		fold, err := compute.NewArrayTiming(d, 8, 8, true)
		if err != nil {
			t.Fatal(err)
		}
		if shape.m == 1 && shape.r >= 16 && fold.MatmulCycles(1, shape.k, shape.n, 1, shape.arrays) < (shape.r/2)*want {
			t.Errorf("%+v: a GEMV on trees (%d) should be about R=%d times faster than folds (%d)", shape, want, shape.r, fold.MatmulCycles(1, shape.k, shape.n, 1, shape.arrays))
		}
	}
	if err := (hw.Design{Name: "x", Precision: hw.Precisions()[0], ArrayRows: 1, ArrayCols: 1, Arrays: 1, Dataflow: hw.WeightStationary,
		ArrayStyle: hw.StyleDotTree, VectorLanes: 1, HBMPorts: 1, PortBits: 256}).Validate(); err == nil {
		t.Error("a weight-stationary design with array_style dot validated")
	}
}

// TestFP64BufferBandwidth checks the stream of a 64-bit precision when a
// buffer feeds B bytes per cycle: S = max(T, ceil(T R 64 / 8B)) for the
// inputs, and C for the weights of output-stationary folds.
func TestFP64BufferBandwidth(t *testing.T) {
	fp64, err := hw.PrecisionByName("fp64")
	if err != nil {
		t.Fatal(err)
	}
	const r, c, b, temporal = 8, 4, 16, 100
	d := hw.Design{ArrayRows: r, ArrayCols: c, Dataflow: hw.OutputStationary, BufferReadBytesPerCycle: b}
	tm, err := compute.NewArrayTiming(d, fp64.ActBits, fp64.WeightBits, true)
	if err != nil {
		t.Fatal(err)
	}
	want := int64(max(temporal, (temporal*r*64+8*b-1)/(8*b), (temporal*c*64+8*b-1)/(8*b)))
	if got := tm.StreamCycles(temporal); got != want {
		t.Errorf("fp64 stream %d cycles, want %d", got, want)
	}
}

// TestSingleBufferedClosedForm compares a single-buffered design with a
// double-buffered one whose halves are the same size (so the tiler picks
// the same tiles) on a memory of no latency and no bandwidth limit. The
// double buffer loads step j+1's tiles while step j computes, so the next
// fill starts when step j's stream ends; the single buffer loads them
// when step j is done (its drain ended), so every step boundary of the
// critical array costs min(F, D) more: F + D instead of max(F, D), and
// the kernel takes (steps - 1) min(F, D) more cycles, all waiting for
// data.
func TestSingleBufferedClosedForm(t *testing.T) {
	p := hw.U280()
	base, err := hw.DesignByName("int8")
	if err != nil {
		t.Fatal(err)
	}
	base.WeightBufferBytes, base.InputBufferBytes, base.OutputBufferBytes = hw.MiB, 2*hw.MiB, hw.MiB
	single := base
	single.Buffering = hw.SingleBuffered
	single.WeightBufferBytes, single.InputBufferBytes, single.OutputBufferBytes = hw.MiB/2, hw.MiB, hw.MiB/2
	r, c := int64(base.ArrayRows), int64(base.ArrayCols)
	minFD := min(r+c-2, r)
	multi := 0
	for _, s := range testShapes {
		sd, err := compute.RunKernel(base, p, s.kernel(), unlimited(base, p, true))
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		ss, err := compute.RunKernel(single, p, s.kernel(), unlimited(single, p, true))
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		if sd.Plan.String() != ss.Plan.String() {
			t.Fatalf("%s: plans differ: %v and %v", s, sd.Plan, ss.Plan)
		}
		var works int64
		for _, e := range ss.Engines {
			if e.FinishCycle == ss.Cycles-ss.WritebackCycles {
				works = max(works, e.Works)
			}
		}
		if works > 1 {
			multi++
		}
		want := sd.Cycles + (works-1)*minFD
		if ss.Cycles != want || ss.ComputeCycles != sd.ComputeCycles || ss.StallHBMCycles != (works-1)*minFD {
			t.Errorf("%s: single-buffered %d cycles (compute %d, HBM stall %d), double %d; want %d + (%d - 1) x %d = %d",
				s, ss.Cycles, ss.ComputeCycles, ss.StallHBMCycles, sd.Cycles, sd.Cycles, works, minFD, want)
		}
	}
	if multi < len(testShapes)/2 {
		t.Errorf("only %d of %d shapes have more than one step: the test does not exercise the step boundary", multi, len(testShapes))
	}
	t.Logf("%d of %d shapes with several steps", multi, len(testShapes))
}

// TestLaunchOverhead checks the kernel launch overhead: with a memory of
// no latency and no bandwidth limit a kernel takes exactly L more cycles,
// all of them LaunchCycles, and its time still splits into compute and
// stalls; a list of kernels run back to back takes L more per kernel.
func TestLaunchOverhead(t *testing.T) {
	const launch = 1234
	p := hw.U280()
	base := bigBuffers(t, "int8")
	withL := base
	withL.LaunchCycles = launch
	var ks []workload.Kernel
	for _, s := range testShapes[:6] {
		ks = append(ks, s.kernel())
		s0, err := compute.RunKernel(base, p, s.kernel(), unlimited(base, p, true))
		if err != nil {
			t.Fatal(err)
		}
		s1, err := compute.RunKernel(withL, p, s.kernel(), unlimited(withL, p, true))
		if err != nil {
			t.Fatal(err)
		}
		if s1.Cycles != s0.Cycles+launch || s1.LaunchCycles != launch || s0.LaunchCycles != 0 || s1.ComputeCycles != s0.ComputeCycles ||
			s1.ComputeCycles+s1.StallCycles() != s1.Cycles || s1.StallHBMCycles != s0.StallHBMCycles {
			t.Errorf("%s: %d cycles (launch %d, compute %d, stalls %d), without launch %d", s, s1.Cycles, s1.LaunchCycles, s1.ComputeCycles, s1.StallCycles(), s0.Cycles)
		}
	}
	runAll := func(d hw.Design) []compute.KernelStats {
		sim, err := compute.NewSimulator(d, p, unlimited(d, p, true))
		if err != nil {
			t.Fatal(err)
		}
		sts, err := sim.RunAll(ks)
		if err != nil {
			t.Fatal(err)
		}
		return sts
	}
	a, b := runAll(base), runAll(withL)
	for i := range a {
		if b[i].Cycles != a[i].Cycles+launch || b[i].EndCycle != a[i].EndCycle+uint64(launch*(i+1)) {
			t.Errorf("kernel %d: %d cycles ending at %d; without launch %d ending at %d", i, b[i].Cycles, b[i].EndCycle, a[i].Cycles, a[i].EndCycle)
		}
	}
}

// TestDotTreeSimulated runs dot-product trees on the simulator: with a
// memory of no latency and no bandwidth limit a kernel takes the closed
// form F + D + folds ceil(K/R) of its busiest array (folds = M ceil(N/C)
// per product, spread over the arrays by column blocks), and a GEMV is far
// faster than on folds.
func TestDotTreeSimulated(t *testing.T) {
	p := hw.U280()
	d := bigBuffers(t, "int8")
	d.ArrayStyle = hw.StyleDotTree
	fold := bigBuffers(t, "int8")
	r, c, a := int64(d.ArrayRows), int64(d.ArrayCols), int64(d.Arrays)
	cd := func(x, y int64) int64 { return (x + y - 1) / y }
	f := 1 + int64(bits.Len64(uint64(r-1)))
	for _, s := range testShapes {
		st, err := compute.RunKernel(d, p, s.kernel(), unlimited(d, p, true))
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		folds := s.m * cd(s.batch()*cd(s.n, c), a)
		if want := f + 1 + folds*cd(s.k, r); st.ComputeCycles != want || st.MACs != s.m*s.k*s.n*s.batch() {
			t.Errorf("%s: compute %d cycles, want F + D + folds ceil(K/R) = %d + 1 + %d x %d = %d; %d MACs", s, st.ComputeCycles, f, folds, cd(s.k, r), want, st.MACs)
		}
		if s.m == 1 && s.k >= r {
			sf, err := compute.RunKernel(fold, p, s.kernel(), unlimited(fold, p, true))
			if err != nil {
				t.Fatal(err)
			}
			if sf.Cycles < 10*st.Cycles {
				t.Errorf("%s: GEMV on trees %d cycles, on folds %d: want at least 10x faster", s, st.Cycles, sf.Cycles)
			}
		}
	}
}

// TestWeightReuseRows checks hw.Design.WeightReuseRows: a GEMM whose
// weights exceed half the weight buffer reads them once per row tile of
// that many rows (M = 8 rows, 1 per tile: 8 times; 4 per tile: twice), a
// GEMM whose weights fit it reads them once, and the MACs do not change;
// with WeightScaleBlock and WeightScaleBits its scales (16 bits per 64
// weights of a column) are read once per pass over the weights, or once in
// all when the weights are streamed again per row.
func TestWeightReuseRows(t *testing.T) {
	p := hw.U280()
	d := bigBuffers(t, "int8")
	d.ArrayStyle, d.WeightBufferBytes = hw.StyleDotTree, 64*hw.KiB
	for _, tc := range []struct {
		k, n         int64
		reuse, block int
		wantPasses   int64
		wantScales   int64
	}{
		{1024, 1024, 0, 0, 1, 0}, {1024, 1024, 1, 0, 8, 0}, {1024, 1024, 4, 0, 2, 0}, {64, 64, 1, 0, 1, 0},
		{1024, 1024, 0, 64, 1, 1024 * 16 * 2}, {1024, 1024, 1, 64, 8, 1024 * 16 * 2},
	} {
		d.WeightReuseRows, d.WeightScaleBlock, d.WeightScaleBits = tc.reuse, tc.block, 0
		if tc.block > 0 {
			d.WeightScaleBits = 16
		}
		k := workload.NewGEMM("g", workload.StageText, -1, 0, 8, tc.k, tc.n)
		st, err := compute.RunKernel(d, p, k, unlimited(d, p, true))
		if err != nil {
			t.Fatal(err)
		}
		want := tc.wantPasses*tc.k*tc.n + tc.wantScales
		if got := st.BytesRead[compute.Weights]; got != want || st.MACs != 8*tc.k*tc.n {
			t.Errorf("k %d n %d, reuse %d rows, scale block %d: %d weight bytes read, want %d passes of %d and %d of scales; %d MACs",
				tc.k, tc.n, tc.reuse, tc.block, got, tc.wantPasses, tc.k*tc.n, tc.wantScales, st.MACs)
		}
	}
}
