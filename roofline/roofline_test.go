package roofline

import (
	"math"
	"testing"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/workload"
)

func mustPrec(t *testing.T, name string) hw.Precision {
	t.Helper()
	p, err := hw.PrecisionByName(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// The seed notebook's calc_oi_linear for its six kernels, to two decimals.
func TestSeedOperationalIntensity(t *testing.T) {
	type shape struct {
		name    string
		m, k, n int64
	}
	shapes := []shape{
		{"Vis_MLP", 256, 768, 3072}, {"Vis_PatchEmbed", 1024, 768, 768}, {"Txt_MLP", 50, 960, 2560},
		{"Txt_Attn_Q", 50, 960, 960}, {"Txt_Attn_K", 50, 960, 320}, {"Connector", 1, 12288, 960},
	}
	want := map[string][]float64{ // fp32, bf16, int8, int4
		"Vis_MLP":        {90.35, 180.71, 361.41, 722.82},
		"Vis_PatchEmbed": {139.64, 279.27, 558.55, 1117.09},
		"Txt_MLP":        {23.33, 46.66, 93.32, 186.63},
		"Txt_Attn_Q":     {22.64, 45.28, 90.57, 181.13},
		"Txt_Attn_K":     {20.69, 41.38, 82.76, 165.52},
		"Connector":      {0.50, 1.00, 2.00, 4.00},
	}
	for _, s := range shapes {
		k := workload.NewGEMM(s.name, workload.StageVision, -1, -1, s.m, s.k, s.n)
		for i, p := range hw.SeedPrecisions() {
			c, _ := hw.SeedCeilings(p)
			r := Analyze(k, p, c)
			if got := math.Round(r.OI*100) / 100; got != want[s.name][i] {
				t.Errorf("%s %s: OI %.4f, want %.2f", s.name, p.Name, r.OI, want[s.name][i])
			}
		}
	}
}

func TestRooflineBoundAndTime(t *testing.T) {
	c := hw.Ceilings{Name: "test", PeakOpsPerSec: 1e12, BWBytesPerSec: 1e11}
	int8 := mustPrec(t, "int8")
	cases := []struct {
		name      string
		k         workload.Kernel
		bound     Bound
		lowerSec  float64
		attainOps float64
	}{
		// ops 2*1000*1000*1000 = 2e9, bytes 3e6: OI 666.7 > ridge 10.
		{"square gemm", workload.NewGEMM("a", workload.StageText, -1, -1, 1000, 1000, 1000), BoundCompute, 2e9 / 1e12, 1e12},
		// ops 2*1*1000*1000 = 2e6, bytes 1e6+1e3+1e3: OI ~2 < 10.
		{"vector gemm", workload.NewGEMM("b", workload.StageText, -1, -1, 1, 1000, 1000), BoundMemory, 1_002_000 / 1e11, 1e11 * 2e6 / 1_002_000},
		// ops 2*10*10*10 = 2000, bytes 300: OI 6.67 < 10.
		{"tiny gemm", workload.NewGEMM("c", workload.StageText, -1, -1, 10, 10, 10), BoundMemory, 300 / 1e11, 1e11 * 2000.0 / 300},
	}
	for _, tc := range cases {
		r := Analyze(tc.k, int8, c)
		if r.Bound != tc.bound {
			t.Errorf("%s: bound %s, want %s", tc.name, r.Bound, tc.bound)
		}
		if math.Abs(r.LowerBoundSec-tc.lowerSec) > 1e-12*tc.lowerSec+1e-18 {
			t.Errorf("%s: lower bound %g s, want %g", tc.name, r.LowerBoundSec, tc.lowerSec)
		}
		if math.Abs(r.AttainableOpsPerSec-tc.attainOps) > 1e-9*tc.attainOps {
			t.Errorf("%s: attainable %g, want %g", tc.name, r.AttainableOpsPerSec, tc.attainOps)
		}
		// The bound is never below either roof.
		if r.LowerBoundSec < r.Ops/c.PeakOpsPerSec || r.LowerBoundSec < r.Bytes/c.BWBytesPerSec {
			t.Errorf("%s: lower bound below a roof", tc.name)
		}
	}
}

func TestIdealBytesMixedAndInt4(t *testing.T) {
	k := workload.NewGEMM("g", workload.StageText, -1, -1, 4, 6, 8) // KN 48, MK 24, MN 32
	cases := []struct {
		prec string
		want float64
	}{
		{"fp32", 4 * 104}, {"bf16", 2 * 104}, {"int8", 104}, {"int4", 52}, {"w4a8", 24 + 56},
	}
	for _, c := range cases {
		if got := IdealBytes(k, mustPrec(t, c.prec)); got != c.want {
			t.Errorf("%s: ideal bytes %g, want %g", c.prec, got, c.want)
		}
	}
}

func TestAnalyzeAllTotals(t *testing.T) {
	sc, err := workload.ScenarioByName("smolvla")
	if err != nil {
		t.Fatal(err)
	}
	ks, err := sc.Kernels()
	if err != nil {
		t.Fatal(err)
	}
	p := mustPrec(t, "int8")
	d, _ := hw.DesignByName("int8")
	a := AnalyzeAll(ks, p, d.Ceilings(hw.U280()))
	if len(a.Kernels) != len(ks) || a.Total.Kernels != len(ks) {
		t.Fatalf("analysed %d of %d kernels", len(a.Kernels), len(ks))
	}
	var ops, sec, stageSec float64
	for _, kr := range a.Kernels {
		ops += kr.Ops
		sec += kr.LowerBoundSec
	}
	for _, s := range a.Stages {
		stageSec += s.LowerBoundSec
	}
	if ops != float64(workload.TotalOps(ks)) || ops != a.Total.Ops {
		t.Errorf("total ops %g, kernels sum %g, workload %d", a.Total.Ops, ops, workload.TotalOps(ks))
	}
	if math.Abs(sec-a.Total.LowerBoundSec) > 1e-12 || math.Abs(stageSec-sec) > 1e-12 {
		t.Errorf("lower bounds: kernels %g, stages %g, total %g", sec, stageSec, a.Total.LowerBoundSec)
	}
	if len(a.Stages) != 3 || a.Stages[0].Name != "vision" || a.Stages[1].Name != "connector" || a.Stages[2].Name != "text" {
		t.Errorf("stages out of order: %+v", a.Stages)
	}
}

// The design bound of the int8 preset on the U280 at 300 MHz: 12,288 PEs
// (24,576 ops per cycle), 1,024 B per cycle on the ports' read channels and
// as many on their write channels, 1,536 B per cycle from the 32 PCs.
func TestDesignBound(t *testing.T) {
	d, err := hw.DesignByName("int8")
	if err != nil {
		t.Fatal(err)
	}
	plat := hw.U280()
	f := d.ClockHz(plat)
	if f != 300e6 || d.PeakOpsPerSec(plat)/f != 24576 || d.PortBytesPerSec(plat)/f != 1024 || d.MemBytesPerSec(plat)/f != 1024 {
		t.Fatalf("int8 preset changed: %g Hz, %g ops, %g B per cycle", f, d.PeakOpsPerSec(plat)/f, d.PortBytesPerSec(plat)/f)
	}
	cases := []struct {
		name                  string
		ops, read, write      float64
		wantCycles            float64
		wantBound             Bound
		wantMemCycles, wantOI float64
	}{
		{"reads alone: the ports' read channels", 0, 1024e3, 0, 1000, BoundMemory, 1000, 0},
		{"writes alone: the write channels", 24576, 0, 2048e3, 2000, BoundMemory, 2000, 24576 / 2048e3},
		{"reads and writes: the PCs' peak", 0, 1024e3, 1024e3, 2048e3 / 1536.0, BoundMemory, 2048e3 / 1536.0, 0},
		{"unequal directions: the read channels", 0, 1024e3, 512e3, 1000, BoundMemory, 1000, 0},
		{"compute above the memory time", 24576 * 5000, 1024e3, 0, 5000, BoundCompute, 1000, 24576 * 5000 / 1024e3},
		{"nothing moved", 24576, 0, 0, 1, BoundCompute, 0, math.Inf(1)},
	}
	for _, c := range cases {
		r := Design(c.ops, c.read, c.write, d, plat)
		if math.Abs(r.LowerBoundSec*f-c.wantCycles) > 1e-6 || r.Bound != c.wantBound || math.Abs(r.MemorySec*f-c.wantMemCycles) > 1e-6 {
			t.Errorf("%s: %g cycles (%s, memory %g), want %g (%s, memory %g)", c.name, r.LowerBoundSec*f, r.Bound, r.MemorySec*f,
				c.wantCycles, c.wantBound, c.wantMemCycles)
		}
		if r.Bytes != c.read+c.write || (r.OI != c.wantOI && !(math.IsInf(c.wantOI, 1) && math.IsInf(r.OI, 1))) {
			t.Errorf("%s: bytes %g OI %g, want %g and %g", c.name, r.Bytes, r.OI, c.read+c.write, c.wantOI)
		}
		if r.ComputeSec*f != c.ops/24576 || r.AttainableOpsPerSec != c.ops/r.LowerBoundSec {
			t.Errorf("%s: compute %g cycles, attainable %g", c.name, r.ComputeSec*f, r.AttainableOpsPerSec)
		}
		// One direction alone is the seed's roofline on the design's ceilings.
		if c.read == 0 || c.write == 0 {
			if s := Seed(c.ops, c.read+c.write, d.Ceilings(plat)); math.Abs(s.LowerBoundSec-r.LowerBoundSec) > 1e-15 {
				t.Errorf("%s: seed %g s, design %g s", c.name, s.LowerBoundSec, r.LowerBoundSec)
			}
		}
	}
}

func TestHBMBytes(t *testing.T) {
	g := workload.NewGEMM("g", workload.StageText, -1, -1, 4, 6, 8) // MK 24, KN 48, MN 32
	// GQA QK^T: 15 query heads of 241 x 64, 5 KV heads of 64 x 241.
	qk := workload.Kernel{Name: "qk", Kind: workload.KindAttention, M: 241, K: 64, N: 241, Batch: 15,
		InputElems: 15*241*64 + 5*64*241, OutputElems: 15 * 241 * 241}
	cases := []struct {
		name        string
		k           workload.Kernel
		prec        string
		in          InHBM
		read, write float64
	}{
		{"gemm all in HBM", g, "int8", AllInHBM(), 24 + 48, 32},
		{"gemm w4a8 weights only", g, "w4a8", InHBM{Weights: true}, 24, 0},
		{"gemm fp32 inputs and outputs", g, "fp32", InHBM{Inputs: true, Outputs: true}, 4 * 24, 4 * 32},
		{"gemm on chip", g, "int8", InHBM{}, 0, 0},
		{"attention all", qk, "int8", AllInHBM(), 15*241*64 + 5*64*241, 15 * 241 * 241},
		{"attention K^T only", qk, "int8", InHBM{Weights: true}, 5 * 64 * 241, 0},
		{"attention Q only", qk, "bf16", InHBM{Inputs: true}, 2 * 15 * 241 * 64, 0},
	}
	for _, c := range cases {
		p := mustPrec(t, c.prec)
		r, w := HBMBytes(c.k, p, c.in)
		if r != c.read || w != c.write {
			t.Errorf("%s: read %g write %g, want %g and %g", c.name, r, w, c.read, c.write)
		}
		if c.in == AllInHBM() && r+w != IdealBytes(c.k, p) {
			t.Errorf("%s: all in HBM %g bytes, ideal %g", c.name, r+w, IdealBytes(c.k, p))
		}
	}
}

func TestAttainableAndOI(t *testing.T) {
	c := hw.Ceilings{PeakOpsPerSec: 1e12, BWBytesPerSec: 1e11}
	cases := []struct{ ops, bytes, oi, attain float64 }{
		{2000, 1000, 2, 2e11}, {1e6, 1e4, 100, 1e12}, {10, 1, 10, 1e12}, {5, 0, math.Inf(1), 1e12},
	}
	for _, tc := range cases {
		oi := OI(tc.ops, tc.bytes)
		if oi != tc.oi || Attainable(oi, c) != tc.attain {
			t.Errorf("%g ops %g bytes: OI %g attainable %g, want %g and %g", tc.ops, tc.bytes, oi, Attainable(oi, c), tc.oi, tc.attain)
		}
	}
}

// A group's bound is the kind that takes at least half its lower-bound
// time; its OI and achieved rate are its sums'.
func TestTotal(t *testing.T) {
	mem := Roofline{Ops: 100, Bytes: 50, Bound: BoundMemory, LowerBoundSec: 2}
	comp := Roofline{Ops: 300, Bytes: 10, Bound: BoundCompute, LowerBoundSec: 2}
	cases := []struct {
		name        string
		rs          []Roofline
		bound       Bound
		oi, achieve float64
	}{
		{"memory only", []Roofline{mem}, BoundMemory, 2, 50},
		{"a tie is memory", []Roofline{mem, comp}, BoundMemory, 400.0 / 60, 100},
		{"compute larger", []Roofline{mem, comp, comp}, BoundCompute, 700.0 / 70, 700.0 / 6},
	}
	for _, c := range cases {
		var tot Total
		for _, r := range c.rs {
			tot.Add(r)
		}
		if tot.Kernels != len(c.rs) || tot.Bound() != c.bound || tot.OI() != c.oi || tot.AchievedOpsPerSec() != c.achieve {
			t.Errorf("%s: %d kernels, %s, OI %g, %g ops/s; want %s, %g, %g", c.name, tot.Kernels, tot.Bound(), tot.OI(), tot.AchievedOpsPerSec(),
				c.bound, c.oi, c.achieve)
		}
	}
}
