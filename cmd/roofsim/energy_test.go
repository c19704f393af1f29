package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestHWRequireFit: --require-fit refuses the int8 preset, whose buffers
// take more block RAM than an SLR has once counted in blocks (exit 2,
// naming the resource and the SLR); without it the resources are printed.
func TestHWRequireFit(t *testing.T) {
	code, _, errs := runCLI(t, "hw", "--design", "int8", "--require-fit")
	if code != exitBadInput || !strings.Contains(errs, "SLR0 needs") || !strings.Contains(errs, "BRAM18") || strings.Count(errs, "\n") != 1 {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
	code, out, _ := runCLI(t, "hw", "--design", "int8", "--format", "json")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	rows, ok := doc["resources_per_slr"].([]any)
	if !ok || len(rows) != 15 {
		t.Errorf("resources_per_slr: %v", doc["resources_per_slr"])
	}
}

// TestRunEnergyJSON: the run JSON has power, energy and per-stage energy
// that add up to the total.
func TestRunEnergyJSON(t *testing.T) {
	code, out, errs := runCLI(t, "run", "--scenario", "seed", "--memory", "ideal", "--format", "json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var doc struct {
		PowerW       float64 `json:"power_w"`
		EnergyJ      float64 `json:"energy_j"`
		EnergyStages []struct {
			EnergyJ float64 `json:"energy_j"`
		} `json:"energy_stages"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for _, s := range doc.EnergyStages {
		sum += s.EnergyJ
	}
	if doc.PowerW <= 0 || doc.EnergyJ <= 0 || len(doc.EnergyStages) == 0 || (sum-doc.EnergyJ)*(sum-doc.EnergyJ) > 1e-18*doc.EnergyJ*doc.EnergyJ {
		t.Errorf("power %g W, energy %g J, stages %v", doc.PowerW, doc.EnergyJ, doc.EnergyStages)
	}
}
