package report

import (
	"fmt"

	"github.com/roofsim/roofsim/sim/spatial"
)

// SpatialTables are the tables of a spatial run: the summary (makespan,
// pipeline fill, bottleneck, throughput), one row per unit and one per
// stream.
func SpatialTables(workload string, r spatial.Result) []*Table {
	ms := func(cycles float64) float64 { return cycles / r.FreqHz * 1e3 }
	b := r.Units[r.Bottleneck]
	sum := &Table{Name: "summary", Title: fmt.Sprintf("Spatial design %s on %s: %s, %d pass(es), %d tiles per op", r.Design, r.Platform, workload, r.Passes, r.Tiles),
		Columns: Cols("metric", "value:%.4g")}
	sum.Add("makespan (ms)", ms(float64(r.MakespanCycles)))
	sum.Add("pipeline fill, first pass (ms)", ms(float64(r.FillCycles)))
	sum.Add("bottleneck stage", b.Name)
	sum.Add("bottleneck busy (% of the makespan)", 100*r.Utilization(r.Bottleneck))
	sum.Add("bottleneck interval per pass (ms)", ms(r.IntervalCycles))
	sum.Add("throughput (passes/s)", r.ThroughputPerSec())
	if mi := r.MeasuredIntervalCycles(); mi > 0 {
		sum.Add("measured interval per pass (ms)", ms(mi))
	}
	sum.Add("units busy / makespan (concurrency)", float64(r.BusyCycles())/float64(r.MakespanCycles))
	sum.Add("MACs", float64(r.GraphMACs))
	sum.Add("HBM read (MB)", float64(r.HBMBytesRead)/1e6)
	sum.Add("HBM written (MB)", float64(r.HBMBytesWritten)/1e6)
	sum.Add("on-chip buffers and streams (MiB)", float64(r.OnChipBytes)/(1<<20))

	units := &Table{Name: "units", Title: "Units",
		Columns: Cols("unit", "kind", "slr", "tiles", "busy_ms:%.3f", "util_pct:%.1f", "pe_util_pct:%.1f",
			"stall_input_ms:%.3f", "stall_hbm_ms:%.3f", "stall_output_ms:%.3f", "hbm_read_mb:%.2f")}
	for i, u := range r.Units {
		name := u.Name
		if i == r.Bottleneck {
			name += " *"
		}
		units.Add(name, u.Kind, u.SLR, u.Items, ms(float64(u.BusyCycles)), 100*r.Utilization(i), 100*r.PEUtilization(i),
			ms(float64(u.StallInputCycles)), ms(float64(u.StallHBMCycles)), ms(float64(u.StallOutputCycles)), float64(u.HBMBytesRead)/1e6)
	}
	units.Notes = []string{"* the bottleneck: the unit with the most busy cycles. util: busy / makespan; pe_util: MACs / (PEs x makespan). " +
		"Stalls: idle with work left, waiting for an input tile, for HBM, or for a full output stream (back-pressure)."}

	streams := &Table{Name: "streams", Title: "Streams",
		Columns: Cols("from", "to", "capacity_kib:%.1f", "tiles", "mb:%.2f", "peak_kib:%.1f", "blocked_pushes")}
	for _, s := range r.Streams {
		streams.Add(s.From, s.To, float64(s.CapacityBytes)/1024, s.Tiles, float64(s.Bytes)/1e6, float64(s.PeakBytes)/1024, s.BlockedPushes)
	}
	return []*Table{sum, units, streams}
}
