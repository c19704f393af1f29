package energy_test

import (
	"math"
	"testing"

	"github.com/roofsim/roofsim/energy"
	"github.com/roofsim/roofsim/hw"
)

// TestHBMPowerValidation recomputes the model's HBM power for each
// published measurement (energy.HBMPowerCases) and checks its error
// against the one docs/energy.md prints ("Power validation"), to half a
// percentage point: a change of an HBM coefficient must update that table.
func TestHBMPowerValidation(t *testing.T) {
	documented := map[string]float64{ // (model - measured) / measured, %
		"U50 idle, no xclbin":                       +38.3,
		"U50LV HBM read, 50% rate":                  -60.2,
		"U50LV HBM write, 57% rate":                 -49.3,
		"U50LV HBM read and write, 26% rate":        -55.4,
		"HBM memory test, 32 channels at full rate": -79.3,
	}
	p := hw.U280() // the U50's HBM: the same two 4 GiB HBM2 stacks, 32 pseudo-channels
	cases := energy.HBMPowerCases()
	if len(cases) != len(documented) {
		t.Fatalf("%d cases, the docs table has %d", len(cases), len(documented))
	}
	for _, c := range cases {
		want, ok := documented[c.Name]
		if !ok {
			t.Errorf("%s: not in the docs table", c.Name)
			continue
		}
		if got := 100 * c.Error(p); math.Abs(got-want) > 0.5 {
			t.Errorf("%s: error %+.1f%%, the docs say %+.1f%% (model %.3f W, measured %.3f W)",
				c.Name, got, want, energy.HBMPowerW(p, c.ReadBytesPerSec, c.WriteBytesPerSec), c.MeasuredW)
		}
		if c.Source == "" || c.Scope == "" || c.MeasuredW <= 0 {
			t.Errorf("%s: source %q, scope %q, %g W", c.Name, c.Source, c.Scope, c.MeasuredW)
		}
	}
}

// TestHBMPowerMechanism: idle is the precharged background and refreshes;
// streaming adds the open-bank standby, the bytes (DRAM core and
// interposer I/O) and one activate per
// page, so power grows with the traffic and writes cost more than reads.
func TestHBMPowerMechanism(t *testing.T) {
	p := hw.U280()
	if got := energy.HBMPowerW(p, 0, 0); got != p.HBMIdleW() {
		t.Errorf("idle %g W, want %g", got, p.HBMIdleW())
	}
	gbps := 100e9
	pcs := float64(p.HBM.PseudoChannels)
	refresh := p.HBMIdleW() - pcs*hw.HBMIdleWPerPC
	want := pcs*hw.HBMStandbyWPerPC + refresh + gbps*(hw.HBMReadEnergyJPerByte+hw.HBMIOEnergyJPerByte) + gbps/float64(p.HBM.PageBytes)*hw.HBMActivateEnergyJ
	if got := energy.HBMPowerW(p, gbps, 0); math.Abs(got-want) > 1e-12 {
		t.Errorf("100 GB/s of reads: %g W, want %g", got, want)
	}
	if r, w := energy.HBMPowerW(p, gbps, 0), energy.HBMPowerW(p, 0, gbps); !(w > r && r > p.HBMIdleW()) {
		t.Errorf("reads %g W, writes %g W, idle %g W", r, w, p.HBMIdleW())
	}
}
