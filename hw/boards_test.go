package hw

import (
	"errors"
	"testing"
)

// TestBoards checks every built-in board: valid, found by name (in any
// case), its HBM address map consistent (burst x columns x banks x rows =
// PC bytes) and its DSPs spread evenly over its SLRs.
func TestBoards(t *testing.T) {
	want := map[string]struct {
		slrs, dsps int
		hbmBytes   int64
		powerW     float64
	}{
		"u280": {3, 9024, 8 * GiB, 225},
		"u50":  {2, 5952, 8 * GiB, 75},
		"u55c": {3, 9024, 16 * GiB, 150},
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
	if _, err := PlatformByName("v80"); !errors.Is(err, ErrUnknownPreset) {
		t.Errorf("v80: got %v, want an unknown preset", err)
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
	if _, err := ParseDesign([]byte(`{` + base + `, "board": "v80"}`)); err == nil {
		t.Error("board v80 was accepted")
	}
	if d, err := ParseDesign([]byte(`{` + base + `}`)); err != nil || d.Board != "" {
		t.Errorf("no board: got %q, %v", d.Board, err)
	}
}
