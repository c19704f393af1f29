package report

import (
	"fmt"

	"github.com/roofsim/roofsim/energy"
	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sim/accel"
)

// DesignResources is design d's resource estimate on platform p, its
// stores as wide as the simulator's default paths to them
// (accel.DefaultOnChip, accel.DefaultWeightStore).
func DesignResources(d hw.Design, p hw.Platform) hw.ResourceEstimate {
	return d.EstimateResources(p, 8*accel.DefaultOnChip(d, p).ReadBytesPerCycle, 8*accel.DefaultWeightStore(d, p).ReadBytesPerCycle)
}

// EnergyTables describes an energy estimate: power, energy per frame and
// frames per joule against the board's limit; with breakdown, also the
// energy per unit with its activity and the energy per stage.
func EnergyTables(e energy.Estimate, breakdown bool) []*Table {
	sum := &Table{Name: "power", Title: "Power and energy (docs/energy.md: the model, its sources, what it leaves out)",
		Columns: Cols("power_w:%.2f", "energy_mj_per_frame:%.3f", "frames_per_joule:%.3f", "frame_interval_ms:%.3f", "limit_w:%.0f", "check")}
	check := "ok"
	if err := e.CheckPowerLimit(); err != nil {
		check = "over the limit"
	}
	sum.Add(e.PowerW, e.EnergyJ*1e3, e.FramesPerJoule(), e.FrameIntervalSec*1e3, e.PowerLimitW, check)
	sum.Notes = []string{"the counted activity's energy, HBM standby and the board's static power (a measured idle HBM card); without the fabric's clock and logic dynamic power"}
	if !breakdown {
		sum.Notes = append(sum.Notes, "per unit and per stage: --kernels all, or energy_units and energy_stages in --format json")
		return []*Table{sum}
	}
	units := &Table{Name: "energy_units", Title: "Energy per frame by unit",
		Columns: Cols("unit", "activity:%.4g", "of", "energy_mj:%.4f", "share:%.1f%%")}
	for _, u := range e.Units {
		units.Add(string(u.Unit), u.Count, u.CountUnit, u.EnergyJ*1e3, 100*u.EnergyJ/e.EnergyJ)
	}
	stages := &Table{Name: "energy_stages", Title: "Energy per frame by stage",
		Columns: Cols("stage", "energy_mj:%.4f", "share:%.1f%%")}
	for _, s := range e.Stages {
		stages.Add(s.Stage, s.EnergyJ*1e3, 100*s.EnergyJ/e.EnergyJ)
	}
	return []*Table{sum, units, stages}
}

// ResourceTables describes a resource estimate: per SLR, each resource
// used, available and its share; per unit, what it takes; and, in the
// notes, whether the design fits and what puts its timing at risk.
func ResourceTables(est hw.ResourceEstimate) []*Table {
	slr := &Table{Name: "resources_per_slr", Title: "Resources per SLR of " + est.Design + " (estimate)",
		Columns: Cols("slr", "resource", "used", "available", "share:%.1f%%")}
	for _, s := range est.SLRs {
		used, avail := s.Used.Items(est.DSPName), s.Avail.Items(est.DSPName)
		for i := range used {
			slr.Add(fmt.Sprintf("SLR%d", s.SLR), used[i].Name, used[i].Count, avail[i].Count, 100*float64(used[i].Count)/float64(avail[i].Count))
		}
	}
	if err := est.Fit(); err != nil {
		slr.Notes = append(slr.Notes, "does not fit: "+err.Error())
	} else {
		slr.Notes = append(slr.Notes, "fits every SLR")
	}
	for _, r := range est.TimingRisks() {
		slr.Notes = append(slr.Notes, "timing risk: "+r)
	}
	slr.Notes = append(slr.Notes, "not counted: vector units, DMA, AXI masters, control (no cited per-unit figure; docs/energy.md)")

	cross := &Table{Name: "slr_crossings", Title: "Signals crossing SLR boundaries (estimate)",
		Columns: Cols("boundary", "axi_signals", "store_signals", "signals", "slls", "share:%.1f%%")}
	for _, c := range est.Crossings {
		cross.Add(fmt.Sprintf("SLR%d/SLR%d", c.Lower, c.Lower+1), int64(c.AXISignals), int64(c.StoreSignals), int64(c.Signals()),
			int64(hw.SLLsPerBoundary), 100*float64(c.Signals())/float64(hw.SLLsPerBoundary))
	}
	cross.Notes = []string{"AXI: the HBM ports of the arrays above SLR0 (the HBM's); store: the store slices' read and write paths to arrays on the other side; SLLs from the Laguna sites (docs/energy.md)"}

	units := &Table{Name: "resources_per_unit", Title: "Resources per unit of " + est.Design,
		Columns: Cols("unit", "slr", "shape", "dsp", "bram18", "uram", "lut", "ff")}
	for _, u := range est.Units {
		shape := ""
		if u.Shape.DepthWords > 0 {
			shape = fmt.Sprintf("%d x %d bit x %d", u.Shape.DepthWords, u.Shape.WidthBits, u.Shape.Banks)
		}
		units.Add(u.Unit, int64(u.SLR), shape, u.DSPs, u.BRAM18s, u.URAMs, u.LUTs, u.FFs)
	}
	return []*Table{slr, cross, units}
}
