package hw

import (
	"math"
	"testing"
)

// TestResourceValidation recomputes docs/energy.md's resource-validation
// table: each published U280/U50 design's DSPs times the per-DSP LUT and
// FF costs, against its reported utilisation, and the error the docs
// print, to a tenth of a percentage point. The sources are in the docs
// table (PG367 v1.0; Vitis Libraries 2023.1 cg_gemv_jacobi on the U50;
// Vitis Sparse Library 2022.1, nasa2910 on the U280).
func TestResourceValidation(t *testing.T) {
	for _, c := range []struct {
		name                string
		dsps                float64
		luts, ffs           float64 // reported; 0 when not reported
		lutErrPct, ffErrPct float64 // as the docs print them
	}{
		{"DPUCAHX8H 4 engines (U50LV)", 2080, 193675, 338966, -7.2, -3.7},
		{"DPUCAHX8H 5 engines (U50LV)", 2598, 238433, 420289, -5.9, -3.0},
		{"CG solver, GEMV on 16 HBM channels (U50)", 1262, 186448, 325149, -41.5, -39.1},
		{"SpMV kernel (U280)", 900, 220980, 0, -64.8, 0},
	} {
		lutErr := 100 * (math.Round(c.dsps*LUTsPerArrayDSP) - c.luts) / c.luts
		if math.Abs(lutErr-c.lutErrPct) > 0.05 {
			t.Errorf("%s: LUT error %.2f%%, the docs print %.1f%%", c.name, lutErr, c.lutErrPct)
		}
		if c.ffs == 0 {
			continue
		}
		if ffErr := 100 * (math.Round(c.dsps*FFsPerArrayDSP) - c.ffs) / c.ffs; math.Abs(ffErr-c.ffErrPct) > 0.05 {
			t.Errorf("%s: FF error %.2f%%, the docs print %.1f%%", c.name, ffErr, c.ffErrPct)
		}
	}
}
