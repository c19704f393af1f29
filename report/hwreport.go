package report

import (
	"fmt"

	"github.com/roofsim/roofsim/hw"
)

// HardwareTables describes platform p and design d: the board's resources,
// its HBM and timing, the design with what it takes of the board, and the
// ceilings of the design next to the seed notebook's.
func HardwareTables(p hw.Platform, d hw.Design) []*Table {
	board := &Table{Name: "platform", Title: "Platform " + p.Name, Columns: Cols("item", "value", "unit")}
	h := p.HBM
	board.Add("kernel clock", p.KernelFreqHz/1e6, "MHz")
	board.Add("SLRs", int64(p.SLRs), "")
	board.Add(p.DSPName(), int64(p.DSPs), "slices")
	board.Add("LUTs", int64(p.LUTs), "")
	board.Add("FFs", int64(p.FFs), "")
	board.Add("BRAM18", int64(p.BRAM18s), fmt.Sprintf("blocks (%.2f MiB)", float64(p.BRAMBytes())/hw.MiB))
	board.Add("URAM", int64(p.URAMs), fmt.Sprintf("blocks (%.2f MiB)", float64(p.URAMBytes())/hw.MiB))
	board.Add("HBM stacks", int64(h.Stacks), "")
	board.Add("HBM pseudo-channels", int64(h.PseudoChannels), fmt.Sprintf("x %d bit, %d MiB each", h.PCBits, h.PCBytes/hw.MiB))
	board.Add("HBM clock", h.ClockHz/1e6, fmt.Sprintf("MHz (%.0f MT/s)", 2*h.ClockHz/1e6))
	board.Add("HBM per PC", h.PCBytesPerSec()/1e9, "GB/s")
	board.Add("HBM peak", h.PeakBytesPerSec()/1e9, "GB/s")
	board.Add("banks per PC", int64(h.BanksPerPC), fmt.Sprintf("in %d bank groups, %d B pages, %d rows", h.BankGroups, h.PageBytes, h.RowsPerBank))
	board.Add("AXI port", int64(h.AXIPortBits), fmt.Sprintf("bits, up to %.0f MHz, %d IDs", h.AXIMaxFreqHz/1e6, h.AXIIDs))
	board.Add("switch group", int64(h.SwitchGroupPorts), fmt.Sprintf("ports; lateral links carry %.0f%% of a port", h.LateralBWFraction*100))

	timing := &Table{Name: "hbm_timing", Title: "HBM2 timing", Columns: Cols("parameter", "ns:%.1f", "cycles")}
	t, c := h.Timing, h.Timing.Cycles(h.ClockHz)
	tck := 1e9 / h.ClockHz
	for _, r := range []struct {
		name string
		ns   float64
		cyc  int
	}{
		{"CL", t.CLNs, c.CL}, {"CWL", t.CWLNs, c.CWL}, {"tRCD", t.TRCDNs, c.RCD}, {"tRP", t.TRPNs, c.RP},
		{"tRAS", t.TRASNs, c.RAS}, {"tCCD_S", float64(t.TCCDSCycles) * tck, c.CCDS},
		{"tCCD_L", float64(t.TCCDLCycles) * tck, c.CCDL}, {"tRRD_S", t.TRRDSNs, c.RRDS},
		{"tRRD_L", t.TRRDLNs, c.RRDL}, {"tFAW", t.TFAWNs, c.FAW}, {"tWR", t.TWRNs, c.WR},
		{"tWTR_S", t.TWTRSNs, c.WTRS}, {"tWTR_L", t.TWTRLNs, c.WTRL},
		{"tRTW", float64(t.TRTWCycles) * tck, c.RTW}, {"tRFC", t.TRFCNs, c.RFC}, {"tREFI", t.TREFINs, c.REFI},
	} {
		timing.Add(r.name, r.ns, int64(r.cyc))
	}
	timing.Notes = []string{fmt.Sprintf("cycles of the %.0f MHz HBM clock, rounded up", h.ClockHz/1e6)}

	design := &Table{Name: "design", Title: "Design " + d.Name, Columns: Cols("item", "value")}
	design.Add("precision", fmt.Sprintf("%s (weights %d bit, activations %d bit, %g DSP per MAC)", d.Precision.Name, d.Precision.WeightBits, d.Precision.ActBits, d.DSPsPerMAC()))
	design.Add("arrays", fmt.Sprintf("%d x %dx%d PEs, dataflow %s", d.Arrays, d.ArrayRows, d.ArrayCols, d.Dataflow))
	design.Add("clock", fmt.Sprintf("%.0f MHz", d.ClockHz(p)/1e6))
	design.Add("buffers per array", fmt.Sprintf("weights %s, inputs %s, outputs %s", bytesText(d.WeightBufferBytes), bytesText(d.InputBufferBytes), bytesText(d.OutputBufferBytes)))
	design.Add("activation store", bytesText(d.ActivationBufferBytes)+" shared by the arrays")
	if d.WeightStoreBytes > 0 {
		design.Add("weight store", bytesText(d.WeightStoreBytes)+" for weights kept on chip")
	}
	design.Add("vector unit", fmt.Sprintf("%d lanes per array", d.VectorLanes))
	design.Add("HBM", fmt.Sprintf("%d ports x %d bit over %d PCs", d.HBMPorts, d.PortBits, d.PCs()))

	usage := &Table{Name: "usage", Title: "Board resources used by " + d.Name, Columns: Cols("resource", "used:%.0f", "available:%.0f", "share:%.1f%%")}
	for _, u := range d.Usage(p) {
		usage.Add(u.Resource, u.Used, u.Avail, 100*u.Used/u.Avail)
	}

	ceil := &Table{Name: "ceilings", Title: "Roofline ceilings (" + d.Precision.Name + ")",
		Columns: Cols("ceilings", "peak_tops:%.2f", "bw_gbps:%.1f", "ridge_oi:%.1f", "note")}
	dc := d.Ceilings(p)
	ceil.Add(dc.Name, dc.PeakOpsPerSec/1e12, dc.BWBytesPerSec/1e9, dc.RidgeOI(),
		fmt.Sprintf("%d PEs x 2 x %.0f MHz; min(HBM %.1f GB/s, ports %.1f GB/s)", d.PEs(), d.ClockHz(p)/1e6,
			float64(d.PCs())*p.HBM.PCBytesPerSec()/1e9, d.PortBytesPerSec(p)/1e9))
	if sc, err := hw.SeedCeilings(d.Precision); err == nil {
		ceil.Add(sc.Name, sc.PeakOpsPerSec/1e12, sc.BWBytesPerSec/1e9, sc.RidgeOI(),
			fmt.Sprintf("the notebook's assumption: %.2fx this design's peak; needs %.0f DSPs at %g MACs/DSP and %.0f MHz, the board has %d",
				sc.PeakOpsPerSec/dc.PeakOpsPerSec, sc.PeakOpsPerSec/(2*d.ClockHz(p))*d.DSPsPerMAC(), 1/d.DSPsPerMAC(), d.ClockHz(p)/1e6, p.DSPs))
	}
	return []*Table{board, timing, design, usage, ceil}
}

// bytesText prints a byte count in the largest binary unit that divides it.
func bytesText(b int64) string {
	switch {
	case b >= hw.MiB && b%hw.MiB == 0:
		return fmt.Sprintf("%d MiB", b/hw.MiB)
	case b >= hw.KiB && b%hw.KiB == 0:
		return fmt.Sprintf("%d KiB", b/hw.KiB)
	}
	return fmt.Sprintf("%d B", b)
}
