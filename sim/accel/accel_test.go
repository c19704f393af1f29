package accel_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/roofline"
	"github.com/roofsim/roofsim/sim/accel"
	"github.com/roofsim/roofsim/sim/clock"
	"github.com/roofsim/roofsim/sim/compute"
	"github.com/roofsim/roofsim/workload"
)

// design returns the preset design name.
func design(t testing.TB, name string) hw.Design {
	t.Helper()
	d, err := hw.DesignByName(name)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// graphOf returns the graph of scenario name, changed by mod.
func graphOf(t testing.TB, name string, mod func(*workload.Scenario)) *workload.Graph {
	t.Helper()
	sc, err := workload.ScenarioByName(name)
	if err != nil {
		t.Fatal(err)
	}
	if mod != nil {
		mod(&sc)
	}
	g, err := sc.Graph()
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// alone is the graph of kernel k by itself, with one tensor per operand
// as compute.RunKernel lays them out: its input (for attention the left
// and the right operand), its weights, its parameters and its output.
func alone(t testing.TB, k workload.Kernel) *workload.Graph {
	t.Helper()
	var ts []workload.Tensor
	tensor := func(name string, role workload.Role, elems int64) []string {
		if elems == 0 {
			return nil
		}
		ts = append(ts, workload.Tensor{Name: name, Role: role, Rows: 1, Cols: elems})
		return []string{name}
	}
	if k.Kind == workload.KindAttention {
		left := k.Batch * k.M * k.K
		k.Inputs = append(tensor("left", workload.RoleInput, left), tensor("right", workload.RoleInput, k.InputElems-left)...)
	} else {
		k.Inputs = tensor("in", workload.RoleInput, k.InputElems)
	}
	k.Weights = append(tensor("weight", workload.RoleWeight, k.WeightElems), tensor("params", workload.RoleParameter, k.BiasElems)...)
	k.Outputs = tensor("out", workload.RoleActivation, k.OutputElems)
	g, err := workload.NewGraph([]workload.Kernel{k}, ts)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// small is SmolVLA cut down to one camera, two vision and two text layers:
// the same structure in a tenth of the kernels.
func small(sc *workload.Scenario) {
	sc.Cameras = 1
	sc.Model.Vision.Layers = 2
	sc.TextLayers = 2
}

// tiny is SmolVLA with one camera, one vision and one text layer.
func tiny(sc *workload.Scenario) {
	small(sc)
	sc.Model.Vision.Layers = 1
	sc.TextLayers = 1
}

func run(t testing.TB, d hw.Design, g *workload.Graph, opts accel.Options) *accel.Result {
	t.Helper()
	res, err := accel.Run(d, hw.U280(), g, opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// int8Run is the default run, shared by the tests that read it.
var int8Run = sync.OnceValues(func() (*accel.Result, error) {
	d, _ := hw.DesignByName("int8")
	sc, _ := workload.ScenarioByName("smolvla")
	g, err := sc.Graph()
	if err != nil {
		return nil, err
	}
	return accel.Run(d, hw.U280(), g, accel.DefaultOptions(d, hw.U280()))
})

func defaultRun(t *testing.T) *accel.Result {
	t.Helper()
	res, err := int8Run()
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// placedBytes is the ideal bytes of the operands the placement puts in HBM,
// counting a Mixed operand as in HBM (an upper bound of HBMIdealBytes).
func placedBytes(k workload.Kernel, pl accel.Placement, p hw.Precision) float64 {
	rd, wr := roofline.HBMBytes(k, p, roofline.InHBM{
		Inputs:  pl.Inputs != accel.OnChip,
		Weights: pl.Weights != accel.OnChip,
		Outputs: pl.Outputs != accel.OnChip,
	})
	return rd + wr
}

// boundCycles is the roofline lower bound of a simulated kernel in kernel
// cycles, the HBM bytes being the ideal bytes of what the placement keeps in
// HBM: the design bound (roofline.Design: the AXI ports' separate read and
// write channels, the HBM peak of the design's PCs) with twoChannels, else
// the seed's one-bandwidth bound under the design's own ceilings.
func boundCycles(d hw.Design, p hw.Platform, kr accel.KernelResult, twoChannels bool) int64 {
	ops := float64(kr.Kernel.Ops)
	r := roofline.Seed(ops, kr.HBMIdealBytes, d.Ceilings(p))
	if twoChannels {
		r = roofline.Design(ops, kr.HBMIdealBytes-kr.HBMIdealWriteBytes, kr.HBMIdealWriteBytes, d, p)
	}
	return int64(clock.New(d.ClockHz(p)).Cycles(r.LowerBoundSec))
}

// check asserts what must hold of every simulated pass: the kernels in
// order and back to back, time that adds up, the work of the kernel list
// executed, traffic no less than the ideal bytes, no kernel below its
// lower bound, and the DMA's traffic equal to what the memory served. An
// elementwise kernel fused into its matmul (Options.Fuse) takes no time
// and reports nothing; its matmul reports the work and bytes of both.
func check(t *testing.T, name string, d hw.Design, ks []workload.Kernel, res *accel.Result, opts accel.Options, twoChannels bool) {
	t.Helper()
	p := hw.U280()
	if len(res.Kernels) != len(ks) {
		t.Fatalf("%s: %d kernel results for %d kernels", name, len(res.Kernels), len(ks))
	}
	inLayout := make([]bool, p.HBM.PseudoChannels)
	for _, pc := range opts.Layout.PCs {
		inLayout[pc] = true
	}
	var prevEnd, rd, wr, reqs, cols int64
	var failures int
	fail := func(format string, a ...any) {
		failures++
		if failures <= 10 {
			t.Errorf(name+": "+format, a...)
		}
	}
	laneOps := func(k workload.Kernel) int64 {
		if x, ok := opts.VectorOpsPerElement[k.Kind]; ok {
			return x * k.OutputElems
		}
		return k.Ops
	}
	for i, kr := range res.Kernels {
		k := ks[i]
		if kr.Kernel.Name != k.Name {
			fail("kernel %d is %s, want %s", i, kr.Kernel.Name, k.Name)
		}
		if kr.FusedInto != "" {
			z := kr.Kernel
			if kr.FusedInto != ks[i-1].Name || res.Kernels[i-1].FusedWith != k.Name || kr.StartCycle != prevEnd || kr.EndCycle != prevEnd ||
				kr.Cycles != 0 || z.Ops != 0 || z.InputElems != 0 || z.OutputElems != 0 || kr.BytesRead+kr.BytesWritten+kr.OnChipBytesRead+kr.OnChipBytesWritten != 0 ||
				kr.IdealBytes != 0 || kr.HBMIdealBytes != 0 || kr.Placement != (accel.Placement{Inputs: accel.None, Weights: accel.None, Outputs: accel.None}) {
				fail("%s: fused into %s (its matmul fused with %q) but reports %+v", k.Name, kr.FusedInto, res.Kernels[i-1].FusedWith, kr)
			}
			continue
		}
		// The kernel as run: with an epilogue fused in, the pair.
		run := k
		if kr.FusedWith != "" {
			e := ks[i+1]
			if kr.FusedWith != e.Name || kr.Kernel.Ops != k.Ops+e.Ops || kr.Kernel.OutputElems != e.OutputElems ||
				kr.Kernel.InputElems != k.InputElems+e.InputElems-k.OutputElems || kr.Kernel.MACs() != k.MACs() {
				fail("%s: fused with %s reports the kernel %v", k.Name, kr.FusedWith, kr.Kernel)
			}
			run = kr.Kernel
		} else if !reflect.DeepEqual(kr.Kernel, k) {
			fail("%s: reports the kernel %v, the list has %v", k.Name, kr.Kernel, k)
		}
		if kr.StartCycle != prevEnd || kr.Cycles != kr.EndCycle-kr.StartCycle || kr.Cycles <= 0 {
			fail("%s: runs %d..%d (%d cycles) after a kernel that ended at %d", k.Name, kr.StartCycle, kr.EndCycle, kr.Cycles, prevEnd)
		}
		prevEnd = kr.EndCycle
		if sum := kr.ComputeCycles + kr.StallHBMCycles + kr.StallOnChipCycles + kr.StallBufferCycles + kr.StallVectorCycles + kr.LaunchCycles; sum != kr.Cycles {
			fail("%s: compute %d + stalls (hbm %d, on chip %d, buffer %d, vector %d) + launch %d = %d, not its %d cycles", k.Name,
				kr.ComputeCycles, kr.StallHBMCycles, kr.StallOnChipCycles, kr.StallBufferCycles, kr.StallVectorCycles, kr.LaunchCycles, sum, kr.Cycles)
		}
		if kr.FillDrainCycles < 0 || kr.FillDrainCycles > kr.ComputeCycles || kr.StallVectorCycles < 0 || (kr.FusedWith == "" && kr.StallVectorCycles != 0) {
			fail("%s: %d fill/drain cycles of %d compute cycles, %d vector stalls", k.Name, kr.FillDrainCycles, kr.ComputeCycles, kr.StallVectorCycles)
		}
		if k.Kind.IsMatmul() {
			var ops int64
			if kr.FusedWith != "" {
				ops = laneOps(ks[i+1])
			}
			if kr.MACs != k.MACs() || kr.Engine != "array" || kr.PECycles < kr.MACs || kr.VectorOps != ops {
				fail("%s: %d MACs and %d lane operations on %q (%d PE-cycles), the kernel has %d and %d", k.Name, kr.MACs, kr.VectorOps, kr.Engine, kr.PECycles, k.MACs(), ops)
			}
		} else {
			if want := laneOps(k); kr.VectorOps != want || kr.Engine != "vector" || kr.MACs != 0 {
				fail("%s: %d lane operations on %q, want %d", k.Name, kr.VectorOps, kr.Engine, want)
			}
		}
		if moved := float64(kr.BytesRead + kr.BytesWritten + kr.OnChipBytesRead + kr.OnChipBytesWritten); moved < kr.IdealBytes || kr.IdealBytes < roofline.IdealBytes(run, d.Precision) {
			fail("%s: moved %.0f bytes, fewer than its ideal %.0f (the kernel's %.0f)", k.Name, moved, kr.IdealBytes, roofline.IdealBytes(run, d.Precision))
		}
		if float64(kr.BytesRead) < kr.HBMIdealBytes-kr.HBMIdealWriteBytes || float64(kr.BytesWritten) < kr.HBMIdealWriteBytes {
			fail("%s: read %d and wrote %d bytes of HBM, fewer than the %.0f and %.0f placed there", k.Name,
				kr.BytesRead, kr.BytesWritten, kr.HBMIdealBytes-kr.HBMIdealWriteBytes, kr.HBMIdealWriteBytes)
		}
		placed := placedBytes(run, kr.Placement, d.Precision)
		hasMixed := kr.Placement.Inputs == accel.Mixed || kr.Placement.Weights == accel.Mixed || kr.Placement.Outputs == accel.Mixed
		if kr.HBMIdealBytes > placed+1e-6 || (!hasMixed && math.Abs(kr.HBMIdealBytes-placed) > 1e-6) {
			fail("%s: HBM ideal bytes %.0f, the placement %+v gives %.0f", k.Name, kr.HBMIdealBytes, kr.Placement, placed)
		}
		if b := boundCycles(d, p, kr, twoChannels); kr.Cycles < b {
			fail("%s: %d cycles beat the lower bound of %d (placement %+v)", k.Name, kr.Cycles, b, kr.Placement)
		}
		var pr, pw int64
		for pc := range kr.BytesReadPerPC {
			pr += kr.BytesReadPerPC[pc]
			pw += kr.BytesWrittenPerPC[pc]
			if !inLayout[pc] && kr.BytesReadPerPC[pc]+kr.BytesWrittenPerPC[pc] != 0 {
				fail("%s: PC %d is not in the layout but moved bytes", k.Name, pc)
			}
		}
		if len(kr.BytesReadPerPC) != p.HBM.PseudoChannels || pr != kr.BytesRead || pw != kr.BytesWritten {
			fail("%s: per-PC bytes %d/%d over %d PCs, totals %d/%d", k.Name, pr, pw, len(kr.BytesReadPerPC), kr.BytesRead, kr.BytesWritten)
		}
		if res.Memory == accel.MemoryHBM {
			// Every column command moves one 32 B burst, and a kernel's
			// requests complete before it ends; with prefetch, the next
			// kernel's first tiles may move in this kernel's time.
			if (!opts.PrefetchWeights && kr.ColumnCommands*int64(p.HBM.BurstBytes) != kr.BytesRead+kr.BytesWritten) || kr.RowHits > kr.ColumnCommands {
				fail("%s: %d column commands (%d row hits) for %d bytes", k.Name, kr.ColumnCommands, kr.RowHits, kr.BytesRead+kr.BytesWritten)
			}
			if kr.RefreshCycles > kr.PCCycles {
				fail("%s: %d refresh cycles of %d PC-cycles", k.Name, kr.RefreshCycles, kr.PCCycles)
			}
		}
		if (kr.DMARequestsIssued == 0) != (kr.BytesRead+kr.BytesWritten == 0) {
			fail("%s: %d requests for %d bytes", k.Name, kr.DMARequestsIssued, kr.BytesRead+kr.BytesWritten)
		}
		if kr.PrefetchedBytes < 0 || (!opts.PrefetchWeights && kr.PrefetchedBytes != 0) {
			fail("%s: %d prefetched bytes", k.Name, kr.PrefetchedBytes)
		}
		rd += kr.BytesRead
		wr += kr.BytesWritten
		reqs += kr.DMARequestsIssued
		cols += kr.ColumnCommands
	}
	if res.TotalCycles != prevEnd {
		t.Errorf("%s: total %d cycles, the last kernel ended at %d", name, res.TotalCycles, prevEnd)
	}
	if res.Parts == nil && res.FrameIntervalCycles != res.TotalCycles {
		t.Errorf("%s: a frame every %d cycles, its latency is %d", name, res.FrameIntervalCycles, res.TotalCycles)
	}
	if rd != res.MemoryBytesRead || wr != res.MemoryBytesWritten || reqs != res.MemoryRequests {
		t.Errorf("%s: the DMA read %d, wrote %d bytes in %d requests; the memory served %d, %d in %d", name,
			rd, wr, reqs, res.MemoryBytesRead, res.MemoryBytesWritten, res.MemoryRequests)
	}
	if res.Memory == accel.MemoryHBM && cols*int64(p.HBM.BurstBytes) != rd+wr {
		t.Errorf("%s: %d column commands for %d bytes", name, cols, rd+wr)
	}
	if res.Events <= int64(len(ks)) {
		t.Errorf("%s: %d events for %d kernels", name, res.Events, len(ks))
	}
}

// TestPresets runs both scenarios on every preset design with the default
// options and checks every kernel (see check). The SmolVLA pass runs on the
// HBM model for the presets whose activations stay on chip; BF16 and FP32
// spill their attention scores (4.5 and 10 GB of HBM traffic, 12 and 30 s
// on the HBM model), so they run the whole pass on the ideal memory and a
// cut-down pass (two layers each for BF16, one for FP32) on the HBM model.
func TestPresets(t *testing.T) {
	t.Parallel()
	p := hw.U280()
	type job struct {
		design, scenario string
		memory           accel.Memory
		mod              func(*workload.Scenario)
	}
	var jobs []job
	for _, d := range hw.Designs() {
		jobs = append(jobs, job{d.Name, "seed", accel.MemoryHBM, nil}, job{d.Name, "seed", accel.MemoryIdeal, nil})
		switch d.Name {
		case "bf16":
			jobs = append(jobs, job{d.Name, "smolvla", accel.MemoryIdeal, nil}, job{d.Name, "smolvla", accel.MemoryHBM, small})
		case "fp32":
			jobs = append(jobs, job{d.Name, "smolvla", accel.MemoryIdeal, nil}, job{d.Name, "smolvla", accel.MemoryHBM, tiny})
		case "int8":
			// Also two frames, the LM head and the cameras batched.
			jobs = append(jobs, job{d.Name, "smolvla", accel.MemoryHBM, nil}, job{d.Name, "smolvla", accel.MemoryHBM, func(sc *workload.Scenario) {
				tiny(sc)
				sc.Cameras = 2
				sc.Frames = 2
				sc.IncludeLMHead = true
				sc.BatchCameras = true
			}})
		default:
			jobs = append(jobs, job{d.Name, "smolvla", accel.MemoryHBM, nil})
		}
	}
	for _, j := range jobs {
		name := fmt.Sprintf("%s/%s/%s", j.design, j.scenario, j.memory)
		if j.mod != nil {
			name += "/small"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			d := design(t, j.design)
			wg := graphOf(t, j.scenario, j.mod)
			ks := wg.Ops
			opts := accel.DefaultOptions(d, p)
			opts.Memory = j.memory
			var res *accel.Result
			if j.design == "int8" && j.scenario == "smolvla" && j.mod == nil {
				res = defaultRun(t)
			} else {
				res = run(t, d, wg, opts)
			}
			check(t, name, d, ks, res, opts, false)
		})
	}
}

// TestAllInHBM runs with residency off: every activation goes through HBM.
// Every kernel still keeps its bound, counted with the AXI ports' separate
// read and write channels. An elementwise kernel with few operations per
// byte reads and writes HBM at once, faster than the one-direction memory
// ceiling (hw.Design.MemBytesPerSec) allows: at FP32 the residual adds and
// the shuffle do (logged).
func TestAllInHBM(t *testing.T) {
	t.Parallel()
	p := hw.U280()
	for _, name := range []string{"int8", "bf16", "fp32"} {
		d := design(t, name)
		wg := graphOf(t, "smolvla", tiny)
		ks := wg.Ops
		opts := accel.DefaultOptions(d, p)
		opts.Residency = false
		res := run(t, d, wg, opts)
		check(t, "all in HBM/"+name, d, ks, res, opts, true)
		oneWay := 0
		for _, kr := range res.Kernels {
			if kr.OnChipBytesRead+kr.OnChipBytesWritten != 0 {
				t.Errorf("%s: %s moved %d bytes on chip with residency off", name, kr.Kernel.Name, kr.OnChipBytesRead+kr.OnChipBytesWritten)
			}
			for _, l := range []accel.Location{kr.Placement.Inputs, kr.Placement.Weights, kr.Placement.Outputs} {
				if l == accel.OnChip || l == accel.Mixed {
					t.Errorf("%s: %s placed %+v with residency off", name, kr.Kernel.Name, kr.Placement)
				}
			}
			if b := boundCycles(d, p, kr, false); kr.Cycles < b {
				oneWay++
				t.Logf("%s: %s: %d cycles, one-direction bound %d (reads %d, writes %d bytes)", name, kr.Kernel.Name, kr.Cycles, b, kr.BytesRead, kr.BytesWritten)
			}
		}
		t.Logf("%s: %d of %d kernels beat the one-direction bound (reads and writes overlap on separate AXI channels)", name, oneWay, len(ks))
	}
}

// TestLargeGEMMsNearBound checks that the compute-bound GEMMs that fill the
// arrays (no tile-edge waste: MACs = PE-cycles) come within 20% of their
// roofline bound on the preset int8 design, whose buffers fit their tiles:
// fill and drain and the first load are all that is left.
func TestLargeGEMMsNearBound(t *testing.T) {
	t.Parallel()
	p := hw.U280()
	d := design(t, "int8")
	res := defaultRun(t)
	n := 0
	for _, kr := range res.Kernels {
		k := kr.Kernel
		if k.Kind != workload.KindGEMM || kr.MACs != kr.PECycles {
			continue
		}
		f := d.ClockHz(p)
		compute, memory := float64(k.Ops)/(d.PeakOpsPerSec(p)/f), kr.HBMIdealBytes/(d.MemBytesPerSec(p)/f)
		if compute < memory {
			continue
		}
		n++
		if r := float64(kr.Cycles) / compute; r > 1.2 {
			t.Errorf("%s: %d cycles, %.3f times its bound of %.0f", k.Name, kr.Cycles, r, compute)
		}
	}
	// Per camera: patch embedding, 12 x (q, k, v, out, fc1, fc2), connector.
	if n != 3*(1+12*6+1) {
		t.Errorf("%d large GEMMs checked, want %d", n, 3*(1+12*6+1))
	}
}

// TestMatchesCompute runs single kernels with every operand in HBM, where
// the joined model and compute.RunKernel set up the same thing: the work
// and traffic are the same, and the time differs only by where the
// layouts put the tiles.
func TestMatchesCompute(t *testing.T) {
	t.Parallel()
	p := hw.U280()
	d := design(t, "int8")
	d.ActivationBufferBytes = 0
	all := graphOf(t, "smolvla", nil)
	pick := map[string]bool{"vision.cam0.l0.fc1": true, "vision.cam0.l0.ln1": true, "connector.cam0.proj": true,
		"text.l0.q": true, "text.l0.qk": true, "text.l0.softmax": true, "text.l0.silu_mul": true}
	for _, memory := range []accel.Memory{accel.MemoryIdeal, accel.MemoryHBM} {
		for _, k := range all.Ops {
			if !pick[k.Name] {
				continue
			}
			opts := accel.DefaultOptions(d, p)
			opts.Memory = memory
			res := run(t, d, alone(t, k), opts)
			a := res.Kernels[0]
			co := compute.DefaultOptions(d, p)
			if memory == accel.MemoryHBM {
				co.Memory = compute.HBMMemory
			}
			c, err := compute.RunKernel(d, p, k, co)
			if err != nil {
				t.Fatal(err)
			}
			name := string(memory) + "/" + k.Name
			if a.Placement != (accel.Placement{Inputs: accel.InHBM, Weights: a.Placement.Weights, Outputs: accel.InHBM}) || a.Placement.Weights == accel.OnChip {
				t.Errorf("%s: placed %+v, want everything in HBM", name, a.Placement)
			}
			if a.MACs != c.MACs || a.VectorOps != c.VectorOps || a.ComputeCycles != c.ComputeCycles || a.FillDrainCycles != c.FillDrainCycles {
				t.Errorf("%s: accel %d MACs, %d ops, %d compute (%d fill/drain); compute %d, %d, %d (%d)", name,
					a.MACs, a.VectorOps, a.ComputeCycles, a.FillDrainCycles, c.MACs, c.VectorOps, c.ComputeCycles, c.FillDrainCycles)
			}
			if a.BytesRead != c.TotalBytesRead() || a.BytesWritten != c.TotalBytesWritten() || a.DMARequestsIssued != c.DMARequestsIssued {
				t.Errorf("%s: accel moved %d/%d bytes in %d requests, compute %d/%d in %d", name,
					a.BytesRead, a.BytesWritten, a.DMARequestsIssued, c.TotalBytesRead(), c.TotalBytesWritten(), c.DMARequestsIssued)
			}
			if r := float64(a.Cycles) / float64(c.Cycles); r < 0.98 || r > 1.02 {
				t.Errorf("%s: accel %d cycles, compute %d (%.3f)", name, a.Cycles, c.Cycles, r)
			}
		}
	}
}

// TestDeterministic runs the default pass twice and expects the same
// result, field by field.
func TestDeterministic(t *testing.T) {
	t.Parallel()
	d := design(t, "int8")
	p := hw.U280()
	a := defaultRun(t)
	b := run(t, d, graphOf(t, "smolvla", nil), accel.DefaultOptions(d, p))
	if !reflect.DeepEqual(a, b) {
		t.Error("two runs of the same pass differ")
	}
}

// TestPlacement checks the residency rule on the default pass and on
// smaller stores.
func TestPlacement(t *testing.T) {
	t.Parallel()
	p := hw.U280()
	res := defaultRun(t)
	byName := map[string]accel.KernelResult{}
	for _, kr := range res.Kernels {
		byName[kr.Kernel.Name] = kr
	}
	on, hbm, none, mixed := accel.OnChip, accel.InHBM, accel.None, accel.Mixed
	want := map[string]accel.Placement{
		"vision.cam0.patch_embed": {Inputs: hbm, Weights: hbm, Outputs: on},    // patches from the host
		"vision.cam1.pos_embed":   {Inputs: on, Weights: hbm, Outputs: on},     // the table is a weight
		"vision.cam0.l0.ln1":      {Inputs: on, Weights: hbm, Outputs: on},     // norm parameters
		"vision.cam0.l3.k":        {Inputs: on, Weights: hbm, Outputs: on},     // q, k, v share ln1's output
		"vision.cam0.l0.qk":       {Inputs: on, Weights: on, Outputs: on},      // 12.6 MB of scores fit at INT8
		"vision.cam2.l6.softmax":  {Inputs: on, Weights: none, Outputs: on},    // in place over the scores
		"vision.cam1.l0.av":       {Inputs: on, Weights: on, Outputs: on},      // the softmax output and V
		"vision.cam0.l9.res1":     {Inputs: on, Weights: none, Outputs: on},    // out + the stream
		"vision.cam2.l5.gelu":     {Inputs: on, Weights: none, Outputs: on},    // in place over fc1's output
		"connector.cam0.shuffle":  {Inputs: on, Weights: none, Outputs: on},    // post_ln's output
		"connector.cam2.proj":     {Inputs: on, Weights: hbm, Outputs: on},     // image tokens wait for the text
		"text.l0.norm1":           {Inputs: mixed, Weights: hbm, Outputs: on},  // image tokens + 49 token rows from HBM
		"text.l0.res1":            {Inputs: mixed, Weights: none, Outputs: on}, // the stream is the prefix
		"text.l1.res1":            {Inputs: on, Weights: none, Outputs: on},
		"text.l7.qk":              {Inputs: on, Weights: on, Outputs: on},   // Q and the shared K heads
		"text.l15.silu_mul":       {Inputs: on, Weights: none, Outputs: on}, // gate and up
		"text.l15.down":           {Inputs: on, Weights: hbm, Outputs: on},
		"text.final_norm":         {Inputs: on, Weights: hbm, Outputs: hbm}, // the pass's result
	}
	for name, pl := range want {
		kr, ok := byName[name]
		if !ok {
			t.Errorf("no kernel %s", name)
			continue
		}
		if kr.Placement != pl {
			t.Errorf("%s: placed %+v, want %+v", name, kr.Placement, pl)
		}
	}
	// Each distinct weight is in HBM once: the weights of the vision and
	// text layers and the connector, biases and parameters at the
	// activation width, each tile rounded up to a burst.
	d := design(t, "int8")
	var params float64
	for _, k := range graphOf(t, "smolvla", func(sc *workload.Scenario) { sc.Cameras = 1 }).Ops {
		params += d.Precision.WeightBytes(k.WeightElems) + d.Precision.ActBytes(k.BiasElems)
	}
	if w := float64(res.WeightBytes); w < params || w > 1.01*params {
		t.Errorf("weights take %.0f bytes of HBM, the model's are %.0f", w, params)
	}
	if res.PeakOnChipBytes > d.ActivationBufferBytes || res.PeakOnChipBytes < d.ActivationBufferBytes/2 {
		t.Errorf("the activation store peaks at %d of %d bytes", res.PeakOnChipBytes, d.ActivationBufferBytes)
	}

	// Smaller stores keep less on chip and move more through HBM; FP32's
	// 50 MB of scores spill to HBM.
	wg := graphOf(t, "smolvla", small)
	ks := wg.Ops
	hbmBytes := func(r *accel.Result) (b int64) {
		for _, kr := range r.Kernels {
			b += kr.BytesRead + kr.BytesWritten
		}
		return b
	}
	var prev int64
	for _, store := range []int64{16 * hw.MiB, 2 * hw.MiB, 256 * hw.KiB, 0} {
		d := design(t, "int8")
		d.ActivationBufferBytes = store
		opts := accel.DefaultOptions(d, p)
		opts.Memory = accel.MemoryIdeal
		r := run(t, d, wg, opts)
		check(t, fmt.Sprintf("store %d", store), d, ks, r, opts, store < 2*hw.MiB)
		if b := hbmBytes(r); b <= prev {
			t.Errorf("a %d-byte store moved %d bytes through HBM, the larger one %d", store, b, prev)
		} else {
			prev = b
		}
		if r.PeakOnChipBytes > store {
			t.Errorf("a %d-byte store holds %d bytes", store, r.PeakOnChipBytes)
		}
	}
	fp := design(t, "fp32")
	opts := accel.DefaultOptions(fp, p)
	opts.Memory = accel.MemoryIdeal
	r := run(t, fp, wg, opts)
	for _, kr := range r.Kernels {
		if kr.Kernel.Name == "vision.cam0.l0.qk" && kr.Placement.Outputs != hbm {
			t.Errorf("fp32: %s placed %+v: its 50 MB output cannot stay in a 16 MiB store", kr.Kernel.Name, kr.Placement)
		}
		if kr.Kernel.Name == "vision.cam0.l0.softmax" && (kr.Placement.Inputs != hbm || kr.Placement.Outputs != hbm) {
			t.Errorf("fp32: %s placed %+v", kr.Kernel.Name, kr.Placement)
		}
	}
}

// TestLayout restricts weights and activations to a few PCs: only they
// carry traffic, through their own ports, so a kernel cannot move its bytes
// faster than those ports allow, and a weight-heavy kernel slows down.
func TestLayout(t *testing.T) {
	t.Parallel()
	p := hw.U280()
	d := design(t, "int8")
	// A GEMV streams all of K through each fold of one row: compute bound
	// on 32 PCs, memory bound on 4.
	k := workload.NewGEMM("gemv", workload.StageText, -1, 0, 1, 4096, 4096)
	k.Inputs, k.Weights, k.Outputs = []string{"x"}, []string{"w"}, []string{"y"}
	g, err := workload.NewGraph([]workload.Kernel{k}, []workload.Tensor{
		{Name: "x", Role: workload.RoleInput, Rows: 1, Cols: 4096},
		{Name: "w", Role: workload.RoleWeight, Rows: 4096, Cols: 4096},
		{Name: "y", Role: workload.RoleActivation, Rows: 1, Cols: 4096},
	})
	if err != nil {
		t.Fatal(err)
	}
	full := run(t, d, g, accel.DefaultOptions(d, p)).Kernels[0]
	for _, pcs := range [][]int{{0, 1, 2, 3, 4, 5, 6, 7}, {20, 21, 22, 23}} {
		opts := accel.DefaultOptions(d, p)
		opts.Layout.PCs = pcs
		res := run(t, d, g, opts)
		check(t, fmt.Sprintf("pcs %v", pcs), d, g.Ops, res, opts, false)
		kr := res.Kernels[0]
		for _, pc := range pcs {
			if kr.BytesReadPerPC[pc] == 0 {
				t.Errorf("pcs %v: PC %d read nothing", pcs, pc)
			}
		}
		portBytes := int64(len(pcs) * d.PortBits / 8)
		if least := (kr.BytesRead + portBytes - 1) / portBytes; kr.Cycles < least {
			t.Errorf("pcs %v: %d bytes in %d cycles, faster than %d ports allow (%d cycles)", pcs, kr.BytesRead, kr.Cycles, len(pcs), least)
		}
		if len(pcs) == 4 && kr.Cycles <= full.Cycles {
			t.Errorf("pcs %v: %d cycles, no slower than the %d of 32 PCs", pcs, kr.Cycles, full.Cycles)
		}
	}
}

// TestProgress checks the progress callback.
func TestProgress(t *testing.T) {
	t.Parallel()
	p := hw.U280()
	d := design(t, "int4")
	wg := graphOf(t, "seed", nil)
	ks := wg.Ops
	opts := accel.DefaultOptions(d, p)
	var got []int
	opts.Progress = func(done, total int) {
		if total != len(ks) {
			t.Errorf("progress total %d, want %d", total, len(ks))
		}
		got = append(got, done)
	}
	run(t, d, wg, opts)
	for i, n := range got {
		if n != i+1 {
			t.Fatalf("progress %v", got)
		}
	}
	if len(got) != len(ks) {
		t.Errorf("progress called %d times for %d kernels", len(got), len(ks))
	}
}

// TestErrors checks the errors for bad inputs: one line naming the field.
func TestErrors(t *testing.T) {
	t.Parallel()
	p := hw.U280()
	d := design(t, "int8")
	wg := graphOf(t, "seed", nil)
	cases := []struct {
		name string
		mod  func(*accel.Options, *hw.Design, **workload.Graph)
		want string
	}{
		{"empty graph", func(_ *accel.Options, _ *hw.Design, g **workload.Graph) { *g = nil }, "empty"},
		{"memory", func(o *accel.Options, _ *hw.Design, _ **workload.Graph) { o.Memory = "dram" }, `memory "dram" is not known (accepted: hbm|ideal)`},
		{"interleave", func(o *accel.Options, _ *hw.Design, _ **workload.Graph) { o.Layout.InterleaveBytes = 3000 }, "interleave bytes must be a power of two"},
		{"no PCs", func(o *accel.Options, _ *hw.Design, _ **workload.Graph) { o.Layout.PCs = nil }, "at least one pseudo-channel"},
		{"PC out of range", func(o *accel.Options, _ *hw.Design, _ **workload.Graph) { o.Layout.PCs = []int{32} }, "PC 32 is not a pseudo-channel"},
		{"PC twice", func(o *accel.Options, _ *hw.Design, _ **workload.Graph) { o.Layout.PCs = []int{1, 1} }, "PC 1 twice"},
		{"on-chip path", func(o *accel.Options, _ *hw.Design, _ **workload.Graph) { o.OnChip.ReadBytesPerCycle = 0 }, "read bytes per cycle must be > 0"},
		{"design", func(_ *accel.Options, d *hw.Design, _ **workload.Graph) { d.ArrayRows = 512 }, "DSP48E2"},
		{"kernel", func(_ *accel.Options, _ *hw.Design, g **workload.Graph) {
			*g = &workload.Graph{Ops: []workload.Kernel{workload.NewGEMM("z", workload.StageText, -1, -1, 0, 8, 8)}}
		}, "must be > 0"},
		// An operand that is not in the graph fails instead of becoming an
		// input in HBM.
		{"operand not in the graph", func(_ *accel.Options, _ *hw.Design, g **workload.Graph) {
			k := (*g).Ops[0]
			k.Inputs = []string{"nowhere"}
			*g = &workload.Graph{Ops: []workload.Kernel{k}, Tensors: (*g).Tensors}
		}, `kernel Vis_MLP reads "nowhere", which is not an activation tensor of the graph`},
	}
	for _, c := range cases {
		opts := accel.DefaultOptions(d, p)
		dd, g := d, wg
		c.mod(&opts, &dd, &g)
		_, err := accel.Run(dd, p, g, opts)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error %v, want one line containing %q", c.name, err, c.want)
		}
	}
}

// TestTrace writes the trace of a short pass twice: the same bytes, in the
// format of Akita's CSV trace writer (the header, seven fields per line,
// times in seconds, no task ending before it starts), a task per kernel and
// every other task the child of one.
func TestTrace(t *testing.T) {
	t.Parallel()
	p := hw.U280()
	d := design(t, "int8")
	wg, err := graphOf(t, "smolvla", tiny).Slice(0, 12)
	if err != nil {
		t.Fatal(err)
	}
	ks := wg.Ops
	write := func() []byte {
		var b bytes.Buffer
		opts := accel.DefaultOptions(d, p)
		tr := accel.NewCSVTracer(&b)
		opts.Tracer = tr
		run(t, d, wg, opts)
		if err := tr.Flush(); err != nil {
			t.Fatal(err)
		}
		if tr.Tasks() == 0 {
			t.Fatal("no task traced")
		}
		return b.Bytes()
	}
	a, b := write(), write()
	if !bytes.Equal(a, b) {
		t.Fatal("two runs wrote different traces")
	}
	r := csv.NewReader(bytes.NewReader(a))
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rows[0], ","); got != "ID, ParentID, Kind, What, Where, Start, End" {
		t.Errorf("header %q", got)
	}
	kernelIDs := map[string]bool{}
	kinds := map[string]int{}
	wheres := map[string]bool{}
	for _, row := range rows[1:] {
		for i := range row {
			row[i] = strings.TrimSpace(row[i])
		}
		start, err1 := strconv.ParseFloat(row[5], 64)
		end, err2 := strconv.ParseFloat(row[6], 64)
		if len(row) != 7 || err1 != nil || err2 != nil || end < start || row[0] == "" {
			t.Fatalf("bad trace line %q", row)
		}
		kinds[row[2]]++
		wheres[row[4]] = true
		if row[2] == compute.TaskKernel {
			kernelIDs[row[0]] = true
		}
	}
	for _, row := range rows[1:] {
		if row[2] != compute.TaskKernel && !kernelIDs[strings.TrimSpace(row[1])] {
			t.Errorf("task %s has parent %q, not a kernel", row[0], row[1])
		}
	}
	if kinds[compute.TaskKernel] != len(ks) || kinds[compute.TaskLoad] == 0 || kinds[compute.TaskStore] == 0 || kinds[compute.TaskCompute] == 0 {
		t.Errorf("tasks by kind %v for %d kernels", kinds, len(ks))
	}
	for _, w := range []string{"Accel.Ctrl", "Accel.DMA", "Accel.ActStore", "Accel.Array[0]", "Accel.Vector[2]"} {
		if !wheres[w] {
			t.Errorf("no task on %s (tasks on %v)", w, wheres)
		}
	}
}
