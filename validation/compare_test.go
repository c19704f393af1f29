package validation

import (
	"strings"
	"testing"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/roofline"
	"github.com/roofsim/roofsim/sim/accel"
	"github.com/roofsim/roofsim/workload"
)

// fakeResult wraps kernel results in a Result of the int8 preset design.
func fakeResult(t *testing.T, krs ...accel.KernelResult) *accel.Result {
	t.Helper()
	d, _ := hw.DesignByName("int8")
	r := &accel.Result{Design: d, Platform: hw.U280(), FreqHz: 300e6, Memory: "hbm"}
	var at int64
	for _, kr := range krs {
		kr.StartCycle, kr.EndCycle = at, at+kr.Cycles
		at += kr.Cycles
		r.Kernels = append(r.Kernels, kr)
	}
	r.TotalCycles = at
	return r
}

var allHBM = accel.Placement{Inputs: accel.InHBM, Weights: accel.InHBM, Outputs: accel.InHBM}

func TestCompareBoundsAndChecks(t *testing.T) {
	// 1024 x 768 x 3072 int8 on 12,288 PEs at 300 MHz: ops / peak =
	// 2*1024*768*3072 / (2*12288) = 196,608 cycles; bytes 6,291,456 at
	// 1024 B/cycle = 6,144 cycles. Compute bound: 196,608.
	fc1 := workload.NewGEMM("vision.cam0.l0.fc1", workload.StageVision, 0, 0, 1024, 768, 3072)
	good := accel.KernelResult{Kernel: fc1, Placement: allHBM, Engine: "array", Cycles: 230098, ComputeCycles: 228928,
		FillDrainCycles: 32320, StallHBMCycles: 1170, MACs: fc1.MACs(), PECycles: fc1.MACs(), PEs: 12288,
		BytesRead: 3145728, BytesWritten: 3145728}
	fast := good
	fast.Kernel.Name = "fast"
	fast.Cycles = 196607
	thin := good
	thin.Kernel.Name = "thin"
	thin.BytesRead = 1000
	short := good
	short.Kernel.Name = "short"
	short.MACs--
	c := Compare(fakeResult(t, good, fast, thin, short))

	k := c.Kernels[0]
	if k.BoundCycles != 196608 || k.Bound != roofline.BoundCompute {
		t.Errorf("bound %d %s, want 196608 compute", k.BoundCycles, k.Bound)
	}
	if len(k.Failures) != 0 || k.Loss != LossFillDrain || k.LossCycles != 32320 {
		t.Errorf("good kernel: failures %v, loss %s %d", k.Failures, k.Loss, k.LossCycles)
	}
	want := []string{"below the lower bound of 196608", "below the ideal 6291456", "MACs executed"}
	for i, w := range want {
		f := c.Kernels[i+1].Failures
		if len(f) == 0 || !strings.Contains(f[0], w) {
			t.Errorf("kernel %s: failures %v, want one containing %q", c.Kernels[i+1].Kernel.Name, f, w)
		}
	}
	if c.Failed != 3 || c.Passed() || c.Verdict() != "fail" {
		t.Errorf("failed %d, verdict %s", c.Failed, c.Verdict())
	}
	if c.Total.Cycles != 230098*3+196607 || len(c.Stages) != 1 {
		t.Errorf("totals: %+v", c.Total)
	}
}

// An operand kept on chip leaves the bound: a residual add with everything
// on chip is bound only by its ops at the arrays' peak.
func TestComparePlacementAwareBound(t *testing.T) {
	add := workload.Kernel{Name: "vision.cam0.l0.res1", Stage: workload.StageVision, Camera: 0, Layer: 0, Kind: workload.KindResidual,
		M: 1024, K: 1, N: 768, Batch: 1, InputElems: 2 * 1024 * 768, OutputElems: 1024 * 768, Ops: 1024 * 768}
	onChip := accel.Placement{Inputs: accel.OnChip, Weights: accel.OnChip, Outputs: accel.OnChip}
	kr := accel.KernelResult{Kernel: add, Placement: onChip, Engine: "vector", Cycles: 4096, ComputeCycles: 4096,
		OnChipBytesRead: 2 * 1024 * 768, OnChipBytesWritten: 1024 * 768}
	c := Compare(fakeResult(t, kr))
	k := c.Kernels[0]
	// ops 786,432 / (2 x 12,288) per cycle = 32 cycles.
	if k.BoundCycles != 32 || k.Bound != roofline.BoundCompute || k.BoundHBMBytes != 0 {
		t.Errorf("on-chip add: bound %d %s, HBM bytes %g", k.BoundCycles, k.Bound, k.BoundHBMBytes)
	}
	if k.Loss != LossVectorUnit || len(k.Failures) != 0 {
		t.Errorf("on-chip add: loss %s, failures %v", k.Loss, k.Failures)
	}
	kr.Placement = allHBM
	kr.BytesRead, kr.BytesWritten, kr.OnChipBytesRead, kr.OnChipBytesWritten = 2*1024*768, 1024*768, 0, 0
	k = Compare(fakeResult(t, kr)).Kernels[0]
	// Reads 1,572,864 B over the ports' read channels at 1,024 B/cycle take
	// 1,536 cycles, the writes 768 on the write channels, both together
	// 2,359,296 B at the HBM's 1,536 B/cycle 1,536: the bound is 1,536. The
	// seed's roofline, one 307.2 GB/s for both directions, says 2,304.
	if k.BoundCycles != 1536 || k.Bound != roofline.BoundMemory || int64(k.Roofline.LowerBoundSec*300e6+0.5) != 2304 {
		t.Errorf("HBM add: bound %d %s (roofline %g s)", k.BoundCycles, k.Bound, k.Roofline.LowerBoundSec)
	}
	// Reads alone: the design bound is the roofline's.
	rd := kr
	rd.Placement.Outputs = accel.OnChip
	k = Compare(fakeResult(t, rd)).Kernels[0]
	if k.BoundCycles != 1536 { // 1,572,864 B at 1,024 B/cycle
		t.Errorf("HBM reads only: bound %d", k.BoundCycles)
	}
}

// A simulator that claims less HBM-placed data than its placement, or moves
// less through HBM than it placed there, is caught.
func TestCompareHBMClaims(t *testing.T) {
	q := workload.NewGEMM("text.l0.q", workload.StageText, -1, 0, 241, 960, 960)
	pl := accel.Placement{Inputs: accel.OnChip, Weights: accel.InHBM, Outputs: accel.OnChip}
	kr := accel.KernelResult{Kernel: q, Placement: pl, Engine: "array", Cycles: 80000, ComputeCycles: 80000, MACs: q.MACs(),
		PECycles: q.MACs(), PEs: 12288, BytesRead: 960 * 960, OnChipBytesRead: 241 * 960, OnChipBytesWritten: 241 * 960,
		HBMIdealBytes: 960 * 960}
	if f := Compare(fakeResult(t, kr)).Kernels[0].Failures; len(f) != 0 {
		t.Fatalf("honest kernel failed: %v", f)
	}
	lying := kr
	lying.HBMIdealBytes = 1000
	if f := Compare(fakeResult(t, lying)).Kernels[0].Failures; len(f) != 1 || !strings.Contains(f[0], "its placement chip/hbm/chip gives 921600") {
		t.Errorf("understated HBM bytes: %v", f)
	}
	mixed := kr
	mixed.Placement.Inputs = accel.Mixed
	mixed.HBMIdealBytes = 960*960 + 49*960
	if f := Compare(fakeResult(t, mixed)).Kernels[0].Failures; len(f) != 1 || !strings.Contains(f[0], "bytes of HBM traffic is below") {
		t.Errorf("mixed inputs read from chip only: %v", f)
	}
}

func TestPlacedBytesAttention(t *testing.T) {
	// GQA QK^T: 15 query heads of 241 x 64, 5 KV heads of 64 x 241.
	k := workload.Kernel{Name: "qk", Kind: workload.KindAttention, M: 241, K: 64, N: 241, Batch: 15,
		InputElems: 15*241*64 + 5*64*241, OutputElems: 15 * 241 * 241}
	p, _ := hw.PrecisionByName("int8")
	cases := []struct {
		pl   accel.Placement
		want float64
	}{
		{allHBM, 15*241*64 + 5*64*241 + 15*241*241},
		{accel.Placement{Inputs: accel.OnChip, Weights: accel.InHBM, Outputs: accel.OnChip}, 5 * 64 * 241},
		{accel.Placement{Inputs: accel.InHBM, Weights: accel.OnChip, Outputs: accel.OnChip}, 15 * 241 * 64},
	}
	for _, c := range cases {
		if got := placedBytes(k, c.pl, p); got != c.want {
			t.Errorf("%+v: %g bytes, want %g", c.pl, got, c.want)
		}
	}
}

func TestLossesImbalanceAndRefresh(t *testing.T) {
	k := workload.NewGEMM("text.l0.k", workload.StageText, -1, 0, 1, 4096, 4096) // memory bound
	kr := accel.KernelResult{Kernel: k, Placement: allHBM, Engine: "array", MACs: k.MACs(), PECycles: k.MACs(), PEs: 12288,
		BytesRead: 4096*4096 + 4096, BytesWritten: 4096, StallHBMCycles: 20000, RefreshCycles: 10, PCCycles: 100,
		BytesReadPerPC: []int64{3000, 1000, 0, 0}, BytesWrittenPerPC: []int64{0, 0, 0, 0}}
	kr.Cycles = 40000
	c := Compare(fakeResult(t, kr)).Kernels[0]
	got := map[Loss]int64{}
	for _, l := range c.Losses {
		got[l.Loss] = l.Cycles
	}
	// 10% of the HBM stall is refresh; the busiest PC carries 1.5x the mean.
	if got[LossRefresh] != 2000 || got[LossHBMStalls] != 18000 {
		t.Errorf("refresh split: %v", got)
	}
	if want := int64(float64(c.BoundCycles) * 0.5); got[LossImbalance] != want {
		t.Errorf("imbalance %d, want %d", got[LossImbalance], want)
	}
	if c.Loss != LossHBMStalls {
		t.Errorf("largest loss %s", c.Loss)
	}
}
