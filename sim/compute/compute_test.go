package compute_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/roofline"
	"github.com/roofsim/roofsim/sim/compute"
	"github.com/roofsim/roofsim/sim/idealmem"
	"github.com/roofsim/roofsim/workload"
)

// shape is a matmul to simulate: heads and kvHeads make it an attention
// matmul (batch = heads).
type shape struct {
	m, k, n        int64
	heads, kvHeads int64
}

func (s shape) String() string {
	if s.heads > 0 {
		return fmt.Sprintf("%dx%dx%d/h%d/kv%d", s.m, s.k, s.n, s.heads, s.kvHeads)
	}
	return fmt.Sprintf("%dx%dx%d", s.m, s.k, s.n)
}

func (s shape) kernel() workload.Kernel {
	if s.heads == 0 {
		return workload.NewGEMM(s.String(), workload.StageVision, -1, -1, s.m, s.k, s.n)
	}
	return workload.Kernel{
		Name: s.String(), Stage: workload.StageVision, Camera: -1, Layer: -1, Kind: workload.KindAttention,
		M: s.m, K: s.k, N: s.n, Batch: s.heads,
		InputElems:  s.heads*s.m*s.k + s.kvHeads*s.k*s.n,
		OutputElems: s.heads * s.m * s.n,
		Ops:         2 * s.heads * s.m * s.k * s.n,
	}
}

func (s shape) batch() int64 { return max(s.heads, 1) }

// testShapes cover shapes that are multiples of the arrays and shapes that
// are not, K and N smaller than the array, M = 1, and the SmolVLA matmuls.
var testShapes = []shape{
	{m: 1024, k: 768, n: 3072},                        // vision fc1
	{m: 1024, k: 3072, n: 768},                        // vision fc2
	{m: 1024, k: 768, n: 768},                         // vision q/k/v/out, patch embedding
	{m: 64, k: 12288, n: 960},                         // connector
	{m: 241, k: 960, n: 960},                          // text q, o
	{m: 241, k: 960, n: 320},                          // text k, v
	{m: 241, k: 960, n: 2560},                         // text gate, up
	{m: 241, k: 2560, n: 960},                         // text down
	{m: 1, k: 768, n: 3072},                           // M = 1
	{m: 1, k: 32, n: 960},                             // state projection: M = 1, K below the array
	{m: 100, k: 30, n: 70},                            // K below the array
	{m: 65, k: 65, n: 65},                             // one past the array
	{m: 3, k: 5, n: 7},                                // smaller than the array everywhere
	{m: 130, k: 200, n: 129},                          // ragged
	{m: 1024, k: 64, n: 1024, heads: 12, kvHeads: 12}, // vision QK^T
	{m: 1024, k: 1024, n: 64, heads: 12, kvHeads: 12}, // vision AV
	{m: 241, k: 64, n: 241, heads: 15, kvHeads: 5},    // text QK^T, grouped KV
	{m: 241, k: 241, n: 64, heads: 15, kvHeads: 5},    // text AV
}

// bigBuffers is the preset design of precision name with the largest
// buffers three arrays can have on the U280: 8 MiB of weights, 4 MiB of
// inputs and 2 MiB of outputs per array.
func bigBuffers(t testing.TB, name string) hw.Design {
	t.Helper()
	d, err := hw.DesignByName(name)
	if err != nil {
		t.Fatal(err)
	}
	d.WeightBufferBytes, d.InputBufferBytes, d.OutputBufferBytes = 8*hw.MiB, 4*hw.MiB, 2*hw.MiB
	d.ActivationBufferBytes = 0 // the arrays' buffers take the on-chip memory
	if err := d.Fit(hw.U280()); err != nil {
		t.Fatal(err)
	}
	return d
}

// unlimited returns options with a memory of no latency and no bandwidth
// limit: the ideal of ideal memories.
func unlimited(d hw.Design, p hw.Platform, overlap bool) compute.Options {
	o := compute.DefaultOptions(d, p)
	o.FoldOverlap = overlap
	o.IdealMemory.LatencyCycles = 0
	o.IdealMemory.PortBytesPerCycle = 0
	o.IdealMemory.TotalBytesPerCycle = 0
	return o
}

// formula is the closed-form cycle count of a matmul on design d, computed
// here from the dimensions alone (see the package documentation): the
// busiest array's folds, each 2R + C + T - 2 cycles, with max(F, D) per fold
// boundary hidden by fold overlap.
func formula(d hw.Design, s shape, overlap bool) (cycles, folds, temporal int64) {
	r, c, a := int64(d.ArrayRows), int64(d.ArrayCols), int64(d.Arrays)
	cd := func(x, y int64) int64 { return (x + y - 1) / y }
	blocks := cd(s.batch()*cd(s.n, c), a)
	var f, dr int64
	if d.Dataflow == hw.OutputStationary {
		folds, temporal = cd(s.m, r)*blocks, s.k
		f, dr = r+c-2, r
	} else {
		folds, temporal = cd(s.k, r)*blocks, s.m
		f, dr = r, r+c-2
	}
	gap := f + dr
	if overlap {
		gap = max(f, dr)
	}
	return f + dr + (folds-1)*gap + folds*temporal, folds, temporal
}

// TestClosedForm checks that with an ideal memory and buffers large enough
// the simulated cycles equal the closed-form formula exactly, with and
// without fold overlap, for every shape, dataflow and precision.
func TestClosedForm(t *testing.T) {
	p := hw.U280()
	for _, prec := range []string{"int8", "fp32", "bf16", "int4"} {
		for _, df := range []hw.Dataflow{hw.OutputStationary, hw.WeightStationary} {
			for _, overlap := range []bool{true, false} {
				d := bigBuffers(t, prec)
				d.Dataflow = df
				for _, s := range testShapes {
					name := fmt.Sprintf("%s/%s/overlap=%v/%s", prec, df, overlap, s)
					st, err := compute.RunKernel(d, p, s.kernel(), unlimited(d, p, overlap))
					if err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					want, folds, temporal := formula(d, s, overlap)
					if st.Cycles != want || st.ComputeCycles != want {
						t.Errorf("%s: cycles %d, compute %d, want %d (plan %v)", name, st.Cycles, st.ComputeCycles, want, st.Plan)
					}
					if st.StallCycles() != 0 {
						t.Errorf("%s: %d stall cycles with an unlimited memory", name, st.StallCycles())
					}
					if st.StreamCycles != folds*temporal || st.FillDrainCycles != want-folds*temporal {
						t.Errorf("%s: stream %d fill/drain %d, want %d and %d", name, st.StreamCycles, st.FillDrainCycles, folds*temporal, want-folds*temporal)
					}
					if want := s.m * s.k * s.n * s.batch(); st.MACs != want {
						t.Errorf("%s: %d MACs, want %d", name, st.MACs, want)
					}
				}
			}
		}
	}
}

// TestIdealMemory runs every shape on the preset designs with the default
// ideal memory and checks the invariants: every engine's busy cycles are
// the plan's closed form, the time splits exactly into compute and stalls,
// MACs and bytes are exact, every request completed, the bytes are at
// least the roofline's ideal bytes and the time is at least its bound.
func TestIdealMemory(t *testing.T) {
	p := hw.U280()
	for _, prec := range []string{"int8", "bf16", "w4a8"} {
		for _, df := range []hw.Dataflow{hw.OutputStationary, hw.WeightStationary} {
			d, err := hw.DesignByName(prec)
			if err != nil {
				t.Fatal(err)
			}
			d.Dataflow = df
			for _, s := range testShapes {
				name := fmt.Sprintf("%s/%s/%s", prec, df, s)
				k := s.kernel()
				st, err := compute.RunKernel(d, p, k, compute.DefaultOptions(d, p))
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				checkInvariants(t, name, d, p, k, st)
			}
		}
	}
}

// checkInvariants asserts what must hold of every simulated kernel.
func checkInvariants(t *testing.T, name string, d hw.Design, p hw.Platform, k workload.Kernel, st compute.KernelStats) {
	t.Helper()
	for i, e := range st.Engines {
		if want := st.Plan.PredictedComputeCycles[i]; e.BusyCycles != want {
			t.Errorf("%s: engine %d busy %d cycles, closed form %d", name, i, e.BusyCycles, want)
		}
		if e.FinishCycle != e.BusyCycles+e.StallHBMCycles+e.StallBufferCycles {
			t.Errorf("%s: engine %d finishes at %d, not busy %d + stalls %d + %d", name, i, e.FinishCycle, e.BusyCycles, e.StallHBMCycles, e.StallBufferCycles)
		}
	}
	if st.Cycles != st.ComputeCycles+st.StallCycles() || st.WritebackCycles < 0 {
		t.Errorf("%s: cycles %d != compute %d + stalls %d (data %d, space %d, write-back %d)", name, st.Cycles, st.ComputeCycles,
			st.StallCycles(), st.StallHBMCycles, st.StallBufferCycles, st.WritebackCycles)
	}
	if st.MACs != k.MACs() {
		t.Errorf("%s: %d MACs, want %d", name, st.MACs, k.MACs())
	}
	if st.PECycles < st.MACs {
		t.Errorf("%s: %d PE-cycles for %d MACs", name, st.PECycles, st.MACs)
	}
	for _, op := range compute.Operands() {
		if got := st.BytesRead[op] + st.BytesWritten[op]; got != st.Plan.PredictedBytes[op] {
			t.Errorf("%s: %s moved %d bytes, the plan predicted %d", name, op, got, st.Plan.PredictedBytes[op])
		}
	}
	if st.DMARequestsIssued != st.DMARequestsCompleted || st.DMARequestsIssued == 0 {
		t.Errorf("%s: %d requests issued, %d completed", name, st.DMARequestsIssued, st.DMARequestsCompleted)
	}
	moved := float64(st.TotalBytesRead() + st.TotalBytesWritten())
	if ideal := roofline.IdealBytes(k, d.Precision); moved < ideal {
		t.Errorf("%s: moved %.0f bytes, fewer than the ideal %.0f", name, moved, ideal)
	}
	r := roofline.Analyze(k, d.Precision, d.Ceilings(p))
	if st.Seconds() < r.LowerBoundSec*(1-1e-12) {
		t.Errorf("%s: %d cycles = %g s beats the roofline bound %g s", name, st.Cycles, st.Seconds(), r.LowerBoundSec)
	}
}

// TestRooflineBound sweeps shapes, dataflows, fold overlap and memory
// widths and checks that no simulated time beats the roofline bound of the
// same design.
func TestRooflineBound(t *testing.T) {
	p := hw.U280()
	for _, ports := range []int{32, 4} {
		for _, bits := range []int{256, 512} {
			for _, df := range []hw.Dataflow{hw.OutputStationary, hw.WeightStationary} {
				for _, overlap := range []bool{true, false} {
					d, _ := hw.DesignByName("int8")
					d.Dataflow, d.HBMPorts, d.PortBits = df, ports, bits
					opts := compute.DefaultOptions(d, p)
					opts.FoldOverlap = overlap
					for _, s := range testShapes {
						k := s.kernel()
						st, err := compute.RunKernel(d, p, k, opts)
						if err != nil {
							t.Fatal(err)
						}
						r := roofline.Analyze(k, d.Precision, d.Ceilings(p))
						if st.Seconds() < r.LowerBoundSec*(1-1e-12) {
							t.Errorf("ports %d x %d bits %s overlap=%v %s: %g s beats the bound %g s", ports, bits, df, overlap, s, st.Seconds(), r.LowerBoundSec)
						}
					}
				}
			}
		}
	}
}

// TestFoldOverlapHelps checks that overlap never makes a kernel slower and
// that it saves min(F, D) per fold boundary with an unlimited memory.
func TestFoldOverlapHelps(t *testing.T) {
	p := hw.U280()
	d := bigBuffers(t, "int8")
	s := shape{m: 1024, k: 768, n: 3072}
	on, err := compute.RunKernel(d, p, s.kernel(), unlimited(d, p, true))
	if err != nil {
		t.Fatal(err)
	}
	off, err := compute.RunKernel(d, p, s.kernel(), unlimited(d, p, false))
	if err != nil {
		t.Fatal(err)
	}
	_, folds, _ := formula(d, s, true)
	// os on 64x64: F = 126, D = 64: each of the folds-1 boundaries saves 64.
	if off.Cycles-on.Cycles != (folds-1)*64 {
		t.Errorf("overlap saved %d cycles, want %d", off.Cycles-on.Cycles, (folds-1)*64)
	}
}

// TestShrinkingBuffers checks that smaller buffers raise the off-chip bytes
// and, when the memory limits, the cycles.
func TestShrinkingBuffers(t *testing.T) {
	p := hw.U280()
	k := shape{m: 1024, k: 768, n: 3072}.kernel()
	run := func(buf int64, ports int) compute.KernelStats {
		d, _ := hw.DesignByName("int8")
		d.WeightBufferBytes, d.InputBufferBytes, d.OutputBufferBytes = buf, buf, buf
		d.ActivationBufferBytes = 0
		d.HBMPorts = ports
		st, err := compute.RunKernel(d, p, k, compute.DefaultOptions(d, p))
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	big, small := run(4*hw.MiB, 32), run(64*hw.KiB, 32)
	bytes := func(s compute.KernelStats) int64 { return s.TotalBytesRead() + s.TotalBytesWritten() }
	if bytes(small) <= bytes(big) {
		t.Errorf("64 KiB buffers moved %d bytes, 4 MiB buffers %d: want more", bytes(small), bytes(big))
	}
	if small.BytesRead[compute.Weights] <= big.BytesRead[compute.Weights] && small.BytesRead[compute.Inputs] <= big.BytesRead[compute.Inputs] {
		t.Errorf("64 KiB buffers read no operand more often: %v vs %v", small.BytesRead, big.BytesRead)
	}
	// With two ports (19.2 GB/s) the memory limits, and the extra bytes cost time.
	bigSlow, smallSlow := run(4*hw.MiB, 2), run(64*hw.KiB, 2)
	if smallSlow.Cycles <= bigSlow.Cycles {
		t.Errorf("with 2 ports 64 KiB buffers took %d cycles, 4 MiB %d: want more", smallSlow.Cycles, bigSlow.Cycles)
	}
	if smallSlow.StallHBMCycles == 0 {
		t.Errorf("with 2 ports and 64 KiB buffers the arrays never waited for data")
	}
}

// TestOperandsOnceWhenTheyFit checks the tiler's reuse: with the preset
// buffers every operand of the SmolVLA GEMMs is read once.
func TestOperandsOnceWhenTheyFit(t *testing.T) {
	p := hw.U280()
	d, _ := hw.DesignByName("int8")
	for _, s := range testShapes[:8] {
		k := s.kernel()
		st, err := compute.RunKernel(d, p, k, compute.DefaultOptions(d, p))
		if err != nil {
			t.Fatal(err)
		}
		round := func(b float64) int64 { return int64(b+31) / 32 * 32 }
		if got, want := st.BytesRead[compute.Weights], round(d.Precision.WeightBytes(k.WeightElems)); got > want+int64(st.Plan.Steps)*32 {
			t.Errorf("%s: weights read %d bytes, the operand is %d (plan %v)", s, got, want, st.Plan)
		}
		if got, want := st.BytesRead[compute.Inputs], round(d.Precision.ActBytes(k.InputElems)); got > want+int64(st.Plan.Steps)*32 {
			t.Errorf("%s: inputs read %d bytes, the operand is %d (plan %v)", s, got, want, st.Plan)
		}
	}
}

// TestBufferBandwidth checks the stream slowdown when a buffer cannot feed
// the array's edge every cycle.
func TestBufferBandwidth(t *testing.T) {
	p := hw.U280()
	for _, df := range []hw.Dataflow{hw.OutputStationary, hw.WeightStationary} {
		d := bigBuffers(t, "int8")
		d.Dataflow = df
		d.BufferReadBytesPerCycle = 16 // a quarter of the 64-byte edge
		s := shape{m: 256, k: 512, n: 128}
		st, err := compute.RunKernel(d, p, s.kernel(), unlimited(d, p, true))
		if err != nil {
			t.Fatal(err)
		}
		// Every stream takes 4 T; a ws fill reads 64x64 bytes at 16 per
		// cycle: 256 cycles.
		r, c := int64(64), int64(64)
		var f, dr, folds, tmp int64
		if df == hw.OutputStationary {
			f, dr, folds, tmp = r+c-2, r, 4*1, s.k
		} else {
			f, dr, folds, tmp = 256, r+c-2, 8*1, s.m
		}
		want := f + dr + (folds-1)*max(f, dr) + folds*4*tmp
		if st.Cycles != want {
			t.Errorf("%s: %d cycles, want %d", df, st.Cycles, want)
		}
	}
}

// TestVectorKernels runs the elementwise kernels: their time is at least
// their element operations over all lanes, exactly that per unit when the
// memory is unlimited, and their bytes are the plan's.
func TestVectorKernels(t *testing.T) {
	p := hw.U280()
	d, _ := hw.DesignByName("int8")
	sc, err := workload.ScenarioByName("smolvla")
	if err != nil {
		t.Fatal(err)
	}
	ks, err := sc.Kernels()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[workload.Kind]bool{}
	for _, k := range ks {
		if k.Kind.IsMatmul() || seen[k.Kind] && k.Kind != workload.KindNorm {
			continue
		}
		seen[k.Kind] = true
		st, err := compute.RunKernel(d, p, k, unlimited(d, p, true))
		if err != nil {
			t.Fatal(err)
		}
		lanes := int64(d.VectorLanes)
		if st.Cycles != st.Plan.ComputeCycles() {
			t.Errorf("%s: %d cycles with an unlimited memory, closed form %d", k.Name, st.Cycles, st.Plan.ComputeCycles())
		}
		if min := (k.Ops + lanes*int64(d.Arrays) - 1) / (lanes * int64(d.Arrays)); st.Cycles < min {
			t.Errorf("%s: %d cycles, fewer than ops/lanes %d", k.Name, st.Cycles, min)
		}
		if st.VectorOps != k.Ops {
			t.Errorf("%s: %d element ops, want %d", k.Name, st.VectorOps, k.Ops)
		}
		st2, err := compute.RunKernel(d, p, k, compute.DefaultOptions(d, p))
		if err != nil {
			t.Fatal(err)
		}
		checkVector(t, k, d, p, st2)
	}
}

func checkVector(t *testing.T, k workload.Kernel, d hw.Design, p hw.Platform, st compute.KernelStats) {
	t.Helper()
	if st.Cycles != st.ComputeCycles+st.StallCycles() {
		t.Errorf("%s: cycles %d != compute %d + stalls %d", k.Name, st.Cycles, st.ComputeCycles, st.StallCycles())
	}
	moved := float64(st.TotalBytesRead() + st.TotalBytesWritten())
	if ideal := roofline.IdealBytes(k, d.Precision); moved < ideal {
		t.Errorf("%s: moved %.0f bytes, fewer than the ideal %.0f", k.Name, moved, ideal)
	}
	for _, op := range compute.Operands() {
		if got := st.BytesRead[op] + st.BytesWritten[op]; got != st.Plan.PredictedBytes[op] {
			t.Errorf("%s: %s moved %d bytes, the plan predicted %d", k.Name, op, got, st.Plan.PredictedBytes[op])
		}
	}
	r := roofline.Analyze(k, d.Precision, d.Ceilings(p))
	if st.Seconds() < r.MemorySec*(1-1e-12) {
		t.Errorf("%s: %g s beats the memory bound %g s", k.Name, st.Seconds(), r.MemorySec)
	}
}

// TestSmolVLA runs SmolVLA's whole forward pass on one simulator and checks
// every kernel.
func TestSmolVLA(t *testing.T) {
	if testing.Short() {
		t.Skip("the whole forward pass takes about a second")
	}
	p := hw.U280()
	d, _ := hw.DesignByName("int8")
	sc, _ := workload.ScenarioByName("smolvla")
	ks, err := sc.Kernels()
	if err != nil {
		t.Fatal(err)
	}
	s, err := compute.NewSimulator(d, p, compute.DefaultOptions(d, p))
	if err != nil {
		t.Fatal(err)
	}
	sts, err := s.RunAll(ks)
	if err != nil {
		t.Fatal(err)
	}
	for i, st := range sts {
		if ks[i].Kind.IsMatmul() {
			checkInvariants(t, ks[i].Name, d, p, ks[i], st)
		} else {
			checkVector(t, ks[i], d, p, st)
		}
	}
}

// TestDeterministic runs the same kernels twice and expects identical
// statistics.
func TestDeterministic(t *testing.T) {
	p := hw.U280()
	d, _ := hw.DesignByName("int8")
	d.HBMPorts = 8
	run := func() []compute.KernelStats {
		s, err := compute.NewSimulator(d, p, compute.DefaultOptions(d, p))
		if err != nil {
			t.Fatal(err)
		}
		var ks []workload.Kernel
		for _, sh := range testShapes {
			ks = append(ks, sh.kernel())
		}
		sts, err := s.RunAll(ks)
		if err != nil {
			t.Fatal(err)
		}
		for i := range sts {
			sts[i].Plan = nil
		}
		return sts
	}
	if a, b := run(), run(); !reflect.DeepEqual(a, b) {
		t.Error("two runs of the same kernels differ")
	}
}

// TestErrors checks the errors for bad parameters.
func TestErrors(t *testing.T) {
	p := hw.U280()
	base, _ := hw.DesignByName("int8")
	cases := []struct {
		name   string
		design func(d *hw.Design)
		kernel workload.Kernel
		want   string
	}{
		{"zero M", nil, workload.NewGEMM("z", workload.StageVision, -1, -1, 0, 8, 8), "must be > 0"},
		{"zero N", nil, workload.NewGEMM("z", workload.StageVision, -1, -1, 8, 8, 0), "must be > 0"},
		{"array beyond the DSPs", func(d *hw.Design) { d.ArrayRows, d.ArrayCols = 128, 128 }, shape{m: 8, k: 8, n: 8}.kernel(), "DSP48E2"},
		{"buffers beyond the board", func(d *hw.Design) { d.WeightBufferBytes = 64 * hw.MiB }, shape{m: 8, k: 8, n: 8}.kernel(), "BRAM+URAM"},
		{"input buffer too small", func(d *hw.Design) { d.InputBufferBytes = 64 }, shape{m: 64, k: 64, n: 64}.kernel(), "input_buffer_bytes"},
		{"output buffer too small", func(d *hw.Design) { d.OutputBufferBytes = 64; d.Dataflow = hw.WeightStationary }, shape{m: 64, k: 64, n: 64}.kernel(), "output_buffer_bytes"},
	}
	for _, c := range cases {
		d := base
		if c.design != nil {
			c.design(&d)
		}
		_, err := compute.RunKernel(d, p, c.kernel, compute.DefaultOptions(d, p))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
	opts := compute.DefaultOptions(base, p)
	opts.DMA.MaxRequestBytes = 8192
	if _, err := compute.NewSimulator(base, p, opts); err == nil || !strings.Contains(err.Error(), "max request bytes") {
		t.Errorf("8 KiB requests: error %v", err)
	}
	opts = compute.DefaultOptions(base, p)
	opts.IdealMemory = idealmem.Config{}
	if _, err := compute.NewSimulator(base, p, opts); err == nil {
		t.Error("a memory of 0 ports was accepted")
	}
}

// TestHBMMemory runs the matmuls on the HBM model instead of the ideal
// memory: the compute side is the same, and every invariant still holds.
func TestHBMMemory(t *testing.T) {
	p := hw.U280()
	for _, bits := range []int{256, 512} {
		d, _ := hw.DesignByName("int8")
		d.PortBits = bits
		opts := compute.DefaultOptions(d, p)
		opts.Memory = compute.HBMMemory
		for _, s := range []shape{testShapes[0], testShapes[3], testShapes[8], testShapes[12], testShapes[16]} {
			k := s.kernel()
			st, err := compute.RunKernel(d, p, k, opts)
			if err != nil {
				t.Fatalf("%d-bit %s: %v", bits, s, err)
			}
			checkInvariants(t, fmt.Sprintf("hbm %d-bit %s", bits, s), d, p, k, st)
		}
	}
}

// TestBindings runs kernels back to back with their operands bound on
// chip, split between the activation store and memory, and off chip.
func TestBindings(t *testing.T) {
	p := hw.U280()
	d, _ := hw.DesignByName("int8")
	opts := compute.DefaultOptions(d, p)
	opts.OnChip = &compute.OnChipConfig{ReadBytesPerCycle: 1024, WriteBytesPerCycle: 1024, LatencyCycles: 4}
	s, err := compute.NewSimulator(d, p, opts)
	if err != nil {
		t.Fatal(err)
	}
	k := shape{m: 1024, k: 768, n: 768}.kernel()
	inElems, outElems := k.InputElems, k.OutputElems
	on := func(n int64) []compute.Segment { return []compute.Segment{{OnChip: true, Elems: n}} }
	var half compute.Binding
	half.Operands[compute.Inputs] = []compute.Segment{{OnChip: true, Elems: inElems / 2}, {Base: 1 << 30, Elems: inElems - inElems/2}}
	var chip compute.Binding
	chip.Operands[compute.Inputs] = on(inElems)
	chip.Operands[compute.Outputs] = on(outElems)
	jobs := []compute.Job{{Kernel: k}, {Kernel: k, Binding: chip}, {Kernel: k, Binding: half}}
	var sts []compute.KernelStats
	err = s.RunJobs(jobs, func(i int, st compute.KernelStats) error {
		sts = append(sts, st)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	inBytes, outBytes := int64(d.Precision.ActBytes(inElems)), int64(d.Precision.ActBytes(outElems))
	for i, st := range sts {
		name := fmt.Sprintf("job %d", i)
		if i > 0 && st.StartCycle != sts[i-1].EndCycle {
			t.Errorf("%s starts at %d, the previous job ended at %d", name, st.StartCycle, sts[i-1].EndCycle)
		}
		if st.Cycles != st.ComputeCycles+st.StallCycles() || st.MACs != k.MACs() {
			t.Errorf("%s: cycles %d != compute %d + stalls %d, or %d MACs", name, st.Cycles, st.ComputeCycles, st.StallCycles(), st.MACs)
		}
		if st.BytesRead[compute.Weights] < int64(d.Precision.WeightBytes(k.WeightElems)) {
			t.Errorf("%s: read %d bytes of weights", name, st.BytesRead[compute.Weights])
		}
	}
	if st := sts[0]; st.OnChipBytesRead != 0 || st.OnChipBytesWritten != 0 || st.StallOnChipCycles != 0 {
		t.Errorf("off chip: %d/%d bytes on chip, %d stall", st.OnChipBytesRead, st.OnChipBytesWritten, st.StallOnChipCycles)
	}
	if st := sts[1]; st.BytesRead[compute.Inputs] != 0 || st.BytesWritten[compute.Outputs] != 0 ||
		st.OnChipBytesRead != inBytes || st.OnChipBytesWritten != outBytes || st.StallOnChipCycles == 0 {
		t.Errorf("on chip: %d bytes of inputs and %d of outputs off chip, %d/%d on chip (want %d/%d), %d stall",
			st.BytesRead[compute.Inputs], st.BytesWritten[compute.Outputs], st.OnChipBytesRead, st.OnChipBytesWritten, inBytes, outBytes, st.StallOnChipCycles)
	}
	if st := sts[2]; st.OnChipBytesRead != inBytes/2 || st.BytesRead[compute.Inputs] < inBytes/2 || st.BytesRead[compute.Inputs] > inBytes/2+int64(st.Plan.Steps)*32 {
		t.Errorf("half on chip: %d bytes on chip, %d off chip, want %d each", st.OnChipBytesRead, st.BytesRead[compute.Inputs], inBytes/2)
	}

	// Without a store, an operand bound on chip is an error.
	s, _ = compute.NewSimulator(d, p, compute.DefaultOptions(d, p))
	err = s.RunJobs([]compute.Job{{Kernel: k, Binding: chip}}, func(int, compute.KernelStats) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "no activation store") {
		t.Errorf("on chip without a store: error %v", err)
	}
}
