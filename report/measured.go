package report

import (
	"fmt"
	"strings"

	"github.com/roofsim/roofsim/calib"
)

// MeasuredTables builds the tables of roofsim validate: one row per case
// (simulated next to measured, ratio and error; pending cases with their
// reason), then the error figures over the measured cases.
func MeasuredTables(rs []calib.Result, s calib.Summary, maxMAPEPct float64) []*Table {
	cases := &Table{
		Name:  "cases",
		Title: "Simulated against published measurements",
		Columns: []Column{{Key: "case"}, {Key: "board"}, {Key: "source"}, {Key: "kind"}, {Key: "unit"},
			{Key: "measured", Fmt: "%.4g"}, {Key: "simulated", Fmt: "%.4g"}, {Key: "ratio", Fmt: "%.3f"},
			{Key: "error_pct", Header: "error %", Fmt: "%.1f"}, {Key: "bound"}},
	}
	for _, r := range rs {
		c := r.Case
		if r.Pending() {
			cases.Add(c.Name, c.Board, c.Source, "pending", c.Unit, c.Measured, "", "", "", "")
			continue
		}
		cases.Add(c.Name, c.Board, c.Source, c.Kind, c.Unit, c.Measured, r.Simulated, r.Ratio, r.ErrorPct, strings.Join(r.Bound, "/"))
	}
	cases.Notes = append(cases.Notes,
		"ratio = simulated / measured; error = |simulated - measured| / measured; bound: what bounds each port group in the simulation (port, hbm-port, hbm, switch, latency), "+
			"or for a GEMM case (unit cycles) what sets the kernel's time (matmul, or the restart stream named), or for a model case (ms, tokens/s) the figure of roofsim's run compared (latency, ttft, tpot, tokens_per_s)")
	for _, r := range rs {
		if r.Pending() {
			cases.Notes = append(cases.Notes, fmt.Sprintf("%s is pending: %s", r.Case.Name, r.Case.Pending))
		}
	}
	sum := &Table{
		Name:  "summary",
		Title: "Error over the measured cases",
		Columns: []Column{{Key: "cases"}, {Key: "sources"}, {Key: "pending"}, {Key: "estimates"},
			{Key: "mape_pct", Header: "MAPE %", Fmt: "%.1f"}, {Key: "source_mape_pct", Header: "source-mean MAPE %", Fmt: "%.1f"},
			{Key: "geomean_ratio", Header: "geo-mean ratio", Fmt: "%.3f"}, {Key: "over_25", Header: "over 25%"}, {Key: "worst"},
			{Key: "worst_pct", Header: "worst %", Fmt: "%.1f"}, {Key: "max_mape_pct", Header: "max MAPE %", Fmt: "%.1f"}, {Key: "pass"}},
	}
	sum.Add(s.Cases, s.Sources, s.Pending, s.Estimates, s.MAPEPct, s.SourceMAPEPct, s.GeoMeanRatio, s.Over25, s.Worst, s.WorstPct,
		maxMAPEPct, s.MAPEPct <= maxMAPEPct)
	sum.Notes = append(sum.Notes, "estimates (HLS or analytical figures) and pending cases are not in the error figures; "+
		"source-mean MAPE: the mean of the per-source MAPEs below (each source weighs the same); over 25%: cases off by more than 25%")
	return []*Table{cases, sum, measuredBySource(rs)}
}

// measuredBySource is the error figures of each source's measured cases.
func measuredBySource(rs []calib.Result) *Table {
	t := &Table{
		Name:  "by_source",
		Title: "Error per source",
		Columns: []Column{{Key: "source"}, {Key: "cases"}, {Key: "mape_pct", Header: "MAPE %", Fmt: "%.1f"},
			{Key: "geomean_ratio", Header: "geo-mean ratio", Fmt: "%.3f"}, {Key: "worst"}, {Key: "worst_pct", Header: "worst %", Fmt: "%.1f"}},
	}
	var order []string
	by := map[string][]calib.Result{}
	for _, r := range rs {
		src := r.Case.Source
		if _, ok := by[src]; !ok {
			order = append(order, src)
		}
		by[src] = append(by[src], r)
	}
	for _, src := range order {
		s := calib.Summarize(by[src])
		if s.Cases == 0 {
			continue
		}
		t.Add(src, s.Cases, s.MAPEPct, s.GeoMeanRatio, s.Worst, s.WorstPct)
	}
	return t
}

// MeasuredMappingTable lists how each case was mapped: its citation, the
// workload, the mapping and what it approximates (or why it is pending).
func MeasuredMappingTable(rs []calib.Result) *Table {
	t := &Table{
		Name:    "mappings",
		Title:   "How each case was mapped",
		Columns: []Column{{Key: "case"}, {Key: "citation"}, {Key: "workload"}, {Key: "mapping"}, {Key: "approximates"}},
	}
	for _, r := range rs {
		c := r.Case
		approx := c.Approximates
		if r.Pending() {
			approx = "pending: " + c.Pending
		}
		t.Add(c.Name, c.Citation, c.Workload, c.Mapping, approx)
	}
	return t
}
