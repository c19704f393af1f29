package report

import (
	"fmt"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sim/compute"
	"github.com/roofsim/roofsim/validation"
)

// GEMMTables builds the tables of GEMMs simulated on the compute arrays
// of design d with options opts, each next to its roofline bound.
func GEMMTables(d hw.Design, p hw.Platform, opts compute.Options, checks []validation.GEMMCheck) []*Table {
	overlap := "on"
	if !opts.FoldOverlap {
		overlap = "off"
	}
	ceil := d.Ceilings(p)
	freq := d.ClockHz(p)
	memory := fmt.Sprintf("ideal memory (%d cycles, %.1f GB/s)", opts.IdealMemory.LatencyCycles, d.MemBytesPerSec(p)/1e9)
	if opts.Memory != nil {
		memory = fmt.Sprintf("HBM model (%d ports x %d bit)", d.HBMPorts, d.PortBits)
	}
	main := &Table{
		Name: "gemm",
		Title: fmt.Sprintf("Simulated GEMMs: design %s, %s, %d x %dx%d %s, fold overlap %s, %s",
			d.Name, d.Precision.Name, d.Arrays, d.ArrayRows, d.ArrayCols, d.Dataflow, overlap, memory),
		Columns: Cols("name", "m", "k", "n", "batch", "cycles", "time_us:%.3f",
			"compute_cycles", "fill_drain_cycles", "stall_cycles", "stall_hbm_cycles", "stall_buffer_cycles", "writeback_cycles",
			"utilization:%.3f", "mapping_efficiency:%.3f", "bytes_read", "bytes_written", "oi:%.2f",
			"bound_cycles", "bound", "vs_bound:%.3f"),
		Notes: []string{
			"cycles = compute + stall (hbm + buffer + writeback) of the array that finishes last; compute = its folds in closed form, fill_drain the part that is not streaming",
			"utilization = MACs / (all PEs x cycles); mapping_efficiency = MACs / PE-cycles of the folds' streams; oi = ops / bytes moved",
			fmt.Sprintf("bound_cycles: roofline max(ops / %.2f TOP/s, ideal bytes / %.1f GB/s) at %.0f MHz; vs_bound = cycles / bound_cycles", ceil.PeakOpsPerSec/1e12, ceil.BWBytesPerSec/1e9, freq/1e6),
		},
	}
	traffic := &Table{
		Name:  "gemm_traffic",
		Title: "Tiling and off-chip traffic per operand",
		Columns: Cols("name", "tile", "order", "steps", "arrays_used", "weights_read", "inputs_read", "outputs_written",
			"ideal_bytes", "traffic_ratio:%.3f", "dma_requests"),
		Notes: []string{"tile = M x K x N per array and step; traffic_ratio = bytes moved / ideal bytes (each operand once)"},
	}
	for _, c := range checks {
		st, r, bound := c.Stats, c.Roofline, c.BoundCycles
		k := st.Kernel
		moved := st.TotalBytesRead() + st.TotalBytesWritten()
		main.Add(k.Name, k.M, k.K, k.N, k.Batch, st.Cycles, st.Seconds()*1e6,
			st.ComputeCycles, st.FillDrainCycles, st.StallCycles(), st.StallHBMCycles, st.StallBufferCycles, st.WritebackCycles,
			st.Utilization(), st.MappingEfficiency(), st.TotalBytesRead(), st.TotalBytesWritten(), st.OI(),
			bound, string(r.Bound), float64(st.Cycles)/float64(max(bound, 1)))
		pl := st.Plan
		traffic.Add(k.Name, fmt.Sprintf("%dx%dx%d", pl.TileM, pl.TileK, pl.TileN), string(pl.Order), pl.Steps, pl.ActiveArrays,
			st.BytesRead[compute.Weights], st.BytesRead[compute.Inputs], st.BytesWritten[compute.Outputs],
			int64(r.Bytes), float64(moved)/r.Bytes, st.DMARequestsIssued)
	}
	return []*Table{main, traffic}
}
