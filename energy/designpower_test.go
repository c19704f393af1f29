package energy_test

import (
	"math"
	"testing"

	"github.com/roofsim/roofsim/energy"
)

// TestDesignPowerValidation recomputes the model's power for each
// published whole-design measurement (energy.DesignPowerCases) and checks
// its error against the one docs/energy.md prints, to half a percentage
// point.
func TestDesignPowerValidation(t *testing.T) {
	documented := map[string]float64{ // (model - measured) / measured, %
		"NTT 2^24, 8 cores (Varium C1100)":                          +4.4,
		"NTT 2^24, 16 cores (Varium C1100)":                         -2.4,
		"NTT 2^24, 32 cores (Varium C1100)":                         -15.7,
		"NTT 2^24, 64 cores (Varium C1100)":                         -35.5,
		"MiniRocket, fused, 3 CUs (U280)":                           -25.6,
		"GEMV 4x4 engine, 6 HBM channels, loaded and idle (U280)":   -24.2,
		"GEMV 4x32 engine, 32 HBM channels, loaded and idle (U280)": -43.2,
	}
	cases := energy.DesignPowerCases()
	if len(cases) != len(documented) {
		t.Fatalf("%d cases, the docs table has %d", len(cases), len(documented))
	}
	for _, c := range cases {
		want, ok := documented[c.Name]
		if !ok {
			t.Errorf("%s: not in the docs table", c.Name)
			continue
		}
		if got := 100 * c.Error(); math.Abs(got-want) > 0.5 {
			t.Errorf("%s: error %+.1f%%, the docs say %+.1f%% (model %.2f W, measured %.2f W, traffic %.2f + %.2f GB/s)",
				c.Name, got, want, c.ModelW(), c.MeasuredW, c.ReadBytesPerSec/1e9, c.WriteBytesPerSec/1e9)
		}
		if c.Source == "" || c.MeasuredW <= 0 || c.LUTs < 0 {
			t.Errorf("%s: source %q, %g W, %d LUTs", c.Name, c.Source, c.MeasuredW, c.LUTs)
		}
		// The model never goes below the card's static power.
		if c.ModelW() < c.Platform.BoardStaticW() {
			t.Errorf("%s: model %g W below the static %g W", c.Name, c.ModelW(), c.Platform.BoardStaticW())
		}
	}
}
