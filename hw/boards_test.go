package hw

import (
	"errors"
	"math"
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
