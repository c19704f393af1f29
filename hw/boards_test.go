package hw

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// TestBoards checks every built-in board: valid, found by name (in any
// case), its totals (SLRs, DSPs, HBM bytes and peak bandwidth, power
// limit), its HBM address map consistent (burst x columns x banks x rows =
// PC bytes) and its DSPs spread evenly over its SLRs.
func TestBoards(t *testing.T) {
	want := map[string]struct {
		slrs, dsps int
		hbmBytes   int64
		peakGBps   float64 // PCs x per-PC GB/s
		powerW     float64
	}{
		"u280": {3, 9024, 8 * GiB, 32 * 14.4, 225},
		"u50":  {2, 5952, 8 * GiB, 32 * 14.4, 75},
		"u55c": {3, 9024, 16 * GiB, 32 * 14.4, 150},
		"v80":  {3, 10848, 32 * GiB, 32 * 25.6, 190},
	}
	for _, p := range Platforms() {
		t.Run(p.Name, func(t *testing.T) {
			if err := p.Validate(); err != nil {
				t.Fatal(err)
			}
			w, ok := want[p.Name]
			if !ok {
				t.Fatalf("board %s has no expectation", p.Name)
			}
			if p.SLRs != w.slrs || p.DSPs != w.dsps || p.HBM.TotalBytes() != w.hbmBytes {
				t.Errorf("SLRs %d, DSPs %d, HBM %d B; want %d, %d, %d", p.SLRs, p.DSPs, p.HBM.TotalBytes(), w.slrs, w.dsps, w.hbmBytes)
			}
			if got := p.HBM.PeakBytesPerSec() / 1e9; math.Abs(got-w.peakGBps) > 1e-9 {
				t.Errorf("HBM peak %g GB/s, want %g GB/s", got, w.peakGBps)
			}
			if got := BoardPowerLimitW(p); got != w.powerW {
				t.Errorf("power limit %g W, want %g W", got, w.powerW)
			}
			h := p.HBM
			if got := int64(h.BurstBytes) * int64(h.PageBytes/h.BurstBytes) * int64(h.BanksPerPC) * int64(h.RowsPerBank); got != h.PCBytes {
				t.Errorf("burst x columns x banks x rows = %d B, PC bytes %d", got, h.PCBytes)
			}
			q, err := PlatformByName(string([]rune(p.Name)[0]-32) + p.Name[1:])
			if err != nil || q.Name != p.Name {
				t.Errorf("PlatformByName(upper case) = %v, %v", q.Name, err)
			}
		})
	}
	if _, err := PlatformByName("vhk158"); !errors.Is(err, ErrUnknownPreset) {
		t.Errorf("vhk158: got %v, want an unknown preset", err)
	}
}

// TestDesignBoard: a design file's "board" must name a built-in board and
// is kept in its canonical spelling.
func TestDesignBoard(t *testing.T) {
	base := `"name": "x", "precision": "int8", "array_rows": 8, "array_cols": 8, "weight_buffer_bytes": 1024, "input_buffer_bytes": 1024, "output_buffer_bytes": 1024`
	d, err := ParseDesign([]byte(`{` + base + `, "board": "U50"}`))
	if err != nil || d.Board != "u50" {
		t.Fatalf("board U50: got %q, %v", d.Board, err)
	}
	if _, err := ParseDesign([]byte(`{` + base + `, "board": "vhk158"}`)); err == nil {
		t.Error("board vhk158 was accepted")
	}
	if d, err := ParseDesign([]byte(`{` + base + `}`)); err != nil || d.Board != "" {
		t.Errorf("no board: got %q, %v", d.Board, err)
	}
}

// TestV80 checks the V80 preset against its sources (hw/v80.go): the
// Vivado totals of the XCV80, DS1013's block RAM and UltraRAM in Mb,
// PG313's 25.6 GB/s per 64-bit PC at 3200 MT/s, 1 GiB PCs, and AVED's
// 64 HBM_NMUs x 12.8 GB/s = 819.2 GB/s, the HBM's peak.
func TestV80(t *testing.T) {
	p := V80()
	h := p.HBM
	checks := []struct {
		what      string
		got, want float64
	}{
		{"LUTs", float64(p.LUTs), 2574208},
		{"FFs", float64(p.FFs), 5148416},
		{"BRAM36 tiles", float64(p.BRAM18s) / 2, 3741},
		{"URAMs", float64(p.URAMs), 1925},
		{"block RAM Mb (DS1013: 132)", math.Round(float64(p.BRAM18s) * 18 / 1024), 132},
		{"UltraRAM Mb (DS1013: 541)", math.Round(float64(p.URAMs) * 288 / 1024), 541},
		{"GB/s per PC", h.PCBytesPerSec() / 1e9, 25.6},
		{"MT/s", 2 * h.ClockHz / 1e6, 3200},
		{"GiB per PC", float64(h.PCBytes) / GiB, 1},
		{"PCs per stack", float64(h.PseudoChannels / h.Stacks), 16},
		{"HBM_NMU GB/s", float64(h.AXIPortBits) / 8 * h.AXIMaxFreqHz / 1e9, 12.8},
		{"64 HBM_NMUs GB/s", 64 * float64(h.AXIPortBits) / 8 * h.AXIMaxFreqHz / 1e9, h.PeakBytesPerSec() / 1e9},
		{"DSPs per SLR", float64(p.DSPsPerSLR()), 3616},
	}
	for _, c := range checks {
		if math.Abs(c.got-c.want) > 1e-9 {
			t.Errorf("%s: %g, want %g", c.what, c.got, c.want)
		}
	}
}

// TestDSPKind checks the DSP slice's name per board and the parsing of a
// platform file's dsp_kind.
func TestDSPKind(t *testing.T) {
	for _, tc := range []struct {
		p    Platform
		want string
	}{
		{U280(), "DSP48E2"}, {U50(), "DSP48E2"}, {U55C(), "DSP48E2"}, {V80(), "DSP58"},
	} {
		if got := tc.p.DSPName(); got != tc.want {
			t.Errorf("%s: DSPName = %q, want %q", tc.p.Name, got, tc.want)
		}
		if got := int8Estimate(t, tc.p).DSPName; got != tc.want {
			t.Errorf("%s: estimate's DSPName = %q, want %q", tc.p.Name, got, tc.want)
		}
	}
	for _, tc := range []struct {
		in   string
		want DSPKind
		ok   bool
	}{
		{"", DSP48E2, true}, {"DSP48E2", DSP48E2, true}, {"DSP58", DSP58, true}, {"dsp58", "", false}, {"DSP48", "", false},
	} {
		got, err := ParseDSPKind(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseDSPKind(%q) = %q, %v; want %q, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
	if _, err := ParsePlatform([]byte(`{"dsp_kind": "DSP99"}`)); err == nil || !strings.Contains(err.Error(), "DSP48E2|DSP58") {
		t.Errorf("a platform with dsp_kind DSP99: err = %v, want one naming DSP48E2|DSP58", err)
	}
}

// int8Estimate is the resource estimate of the int8 preset on p.
func int8Estimate(t *testing.T, p Platform) ResourceEstimate {
	t.Helper()
	d, err := DesignByName("int8")
	if err != nil {
		t.Fatal(err)
	}
	return d.EstimateResources(p, 512, 512)
}
