package validation

import (
	"bytes"
	"flag"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/workload"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

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

func TestShortName(t *testing.T) {
	cases := map[string]string{
		"vision.cam0.l3.fc1": "vision.fc1", "text.l15.down": "text.down", "connector.cam2.proj": "connector.proj",
		"Vis_MLP": "Vis_MLP", "text.final_norm": "text.final_norm", "vision.cam1.layer": "vision.layer",
	}
	for in, want := range cases {
		if got := ShortName(in); got != want {
			t.Errorf("ShortName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWriteTablesGolden(t *testing.T) {
	tb := &Table{Name: "demo", Title: "Demo", Columns: Cols("name", "count", "ratio:%.2f", "note")}
	tb.Add("a|b", int64(3), 0.125, "with, comma")
	tb.Add("c", int64(40), math.Inf(1), "quote \"q\"")
	tb.Notes = []string{"a note"}
	tb2 := &Table{Name: "empty", Title: "Empty", Columns: Cols("x")}
	for _, f := range []Format{FormatTable, FormatCSV, FormatJSON, FormatMarkdown} {
		var b bytes.Buffer
		if err := WriteTables(&b, f, tb, tb2); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("testdata", "tables."+string(f))
		if *update {
			os.WriteFile(path, b.Bytes(), 0o644)
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run with -update)", err)
		}
		if b.String() != string(want) {
			t.Errorf("%s output differs from %s:\n%s", f, path, b.String())
		}
	}
}

func TestParseFormat(t *testing.T) {
	for _, s := range []string{"table", "CSV", "json", "md", "markdown"} {
		if _, err := ParseFormat(s); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
	if _, err := ParseFormat("xml"); err == nil || !strings.Contains(err.Error(), FormatNames) {
		t.Errorf("xml: got %v", err)
	}
}

func TestRooflineFigure(t *testing.T) {
	sc, _ := workload.ScenarioByName("seed")
	ks, _ := sc.Kernels()
	var as []Analysis
	for _, p := range hw.SeedPrecisions() {
		c, _ := hw.SeedCeilings(p)
		as = append(as, AnalyzeAll(ks, p, c))
	}
	img, err := RooflineFigure("png", as)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(bytes.NewReader(img)); err != nil {
		t.Errorf("not a PNG: %v", err)
	}
	if _, err := RooflineFigure("gif", as); err == nil {
		t.Error("gif: want an error")
	}
	if _, err := RooflineFigure("png", nil); err == nil {
		t.Error("no analyses: want an error")
	}
}
