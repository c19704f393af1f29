package hw

import (
	"strings"
	"testing"
)

// TestHLSPrecisions checks FP16 and FP64: their sizes and their DSP cost
// per MAC (a multiplier plus an adder of AMD PG060, full DSP usage), and
// the DSPs of an array built from them.
func TestHLSPrecisions(t *testing.T) {
	for _, c := range []struct {
		name       string
		bits       int
		dspsPerMAC float64
	}{{"fp16", 16, 1 + 1}, {"fp64", 64, 11 + 3}} {
		p, err := PrecisionByName(c.name)
		if err != nil {
			t.Fatal(err)
		}
		if p.WeightBits != c.bits || p.ActBits != c.bits || p.DSPsPerMAC != c.dspsPerMAC {
			t.Errorf("%s: %+v, want %d bits and %g DSPs per MAC", c.name, p, c.bits, c.dspsPerMAC)
		}
		d := Design{Precision: p, ArrayRows: 8, ArrayCols: 16, Arrays: 2}
		if want := int(8 * 16 * 2 * c.dspsPerMAC); d.DSPs() != want {
			t.Errorf("%s: an 8x16 array pair uses %d DSPs, want %d", c.name, d.DSPs(), want)
		}
		if !strings.Contains(PrecisionNames(), c.name) {
			t.Errorf("%s is not in the accepted names %s", c.name, PrecisionNames())
		}
	}
	if len(Precisions()) != 5 {
		t.Errorf("the built-in precisions changed: %d", len(Precisions()))
	}
}

const spatialJSON = `{"name": "s", "precision": "int8", "units": [
 {"name": "a", "kind": "array", "array_rows": 32, "array_cols": 64, "arrays": 2, "slr": 0, "hbm_ports": [0], "ops": ["kind:gemm"]},
 {"name": "v", "kind": "vector", "vector_lanes": 16, "slr": 1, "hbm_ports": [1], "precision": "fp16", "ops": ["*"]}]}`

// TestSpatialDesign checks a spatial design's defaults, DSPs and errors.
func TestSpatialDesign(t *testing.T) {
	if !IsSpatialDesign([]byte(spatialJSON)) || IsSpatialDesign([]byte(`{"name":"x"}`)) {
		t.Fatal("IsSpatialDesign does not tell a spatial design by its units")
	}
	d, err := ParseSpatialDesign([]byte(spatialJSON))
	if err != nil {
		t.Fatal(err)
	}
	if d.Tiles != SpatialDefaultTiles || d.StreamDepthTiles != SpatialDefaultDepthTiles || d.PortBits != 256 {
		t.Errorf("defaults: %+v", d)
	}
	a, v := d.Units[0], d.Units[1]
	if a.Precision.Name != "int8" || v.Precision.Name != "fp16" || a.Dataflow != OutputStationary || a.Style != StyleFold || a.Order != OrderOpMajor {
		t.Errorf("unit defaults: %+v %+v", a, v)
	}
	if a.DSPs() != 32*64*2/2 || v.DSPs() != 0 {
		t.Errorf("DSPs %d and %d", a.DSPs(), v.DSPs())
	}
	if err := d.Fit(U280()); err != nil {
		t.Error(err)
	}
	for _, c := range []struct{ edit, want string }{
		{`"slr": 0`, `"slr": 5`},
		{`"ops": ["*"]`, `"ops": []`},
		{`"kind": "vector"`, `"kind": "fifo"`},
		{`"arrays": 2`, `"arrays": 2, "order": "random"`},
		{`"arrays": 2`, `"arrays": 2, "array_style": "wave"`},
		{`"arrays": 2`, `"arrays": 5`},
		{`"hbm_ports": [1]`, `"hbm_ports": [32]`},
		{`"name": "s"`, `"name": "s", "bogus": 1`},
	} {
		b := strings.Replace(spatialJSON, c.edit, c.want, 1)
		d, err := ParseSpatialDesign([]byte(b))
		if err == nil {
			err = d.Fit(U280())
		}
		if err == nil || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error %v, want one line", c.want, err)
		}
	}
}
