package html

import (
	"fmt"
	"math"

	"github.com/roofsim/roofsim/report"
	"github.com/roofsim/roofsim/validation"
)

// FromTable converts one of report's tables into a page table: the same
// cells as the text output, numbers sortable by value.
func FromTable(t *report.Table) Table {
	out := Table{ID: "t-" + t.Name, Title: t.Title, Notes: t.Notes, Filter: len(t.Rows) > 20}
	for _, c := range t.Columns {
		out.Header = append(out.Header, c.Heading())
	}
	for _, row := range t.Rows {
		cells := make([]Cell, len(row))
		for i, v := range row {
			cells[i] = Cell{Text: t.Columns[i].Text(v)}
			if x, ok := number(v); ok {
				cells[i].Value, cells[i].Numeric = x, true
			}
			if s, ok := v.(string); ok && (s == "fail" || s == "FAIL" || len(s) > 5 && s[:5] == "FAIL:") {
				cells[i].Bad = true
			}
		}
		out.Rows = append(out.Rows, cells)
	}
	return out
}

// FromTables converts several of report's tables, giving each a unique id.
func FromTables(prefix string, ts ...*report.Table) []Table {
	var out []Table
	for i, t := range ts {
		pt := FromTable(t)
		pt.ID = fmt.Sprintf("%s-%d-%s", prefix, i, t.Name)
		out = append(out, pt)
	}
	return out
}

// number is v as a float64 when it is a finite number.
func number(v any) (float64, bool) {
	var x float64
	switch n := v.(type) {
	case float64:
		x = n
	case int:
		x = float64(n)
	case int64:
		x = float64(n)
	case int32:
		x = float64(n)
	case uint64:
		x = float64(n)
	default:
		return 0, false
	}
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, false
	}
	return x, true
}

// kernelTable lists every kernel of c: what it is, when it ran, its
// simulated and bound times, its efficiency, its largest loss, its HBM
// traffic and placement, and its checks.
func kernelTable(c validation.Comparison) Table {
	f := c.Result.FreqHz
	msOf := func(cycles int64) float64 { return float64(cycles) / f * 1e3 }
	t := Table{ID: "kernels", Title: fmt.Sprintf("Every kernel (%d)", len(c.Kernels)), Filter: true,
		Header: []string{"#", "name", "stage", "kind", "shape", "engine", "start_ms", "sim_ms", "bound_ms", "lost_ms", "efficiency",
			"bound", "loss", "loss_ms", "hbm_mb", "gbps", "placement", "check"}}
	for i, k := range c.Kernels {
		check := Cell{Text: "ok"}
		if len(k.Failures) > 0 {
			check = Cell{Text: "FAIL: " + k.Failures[0], Bad: true}
		}
		hbm := float64(k.BytesRead + k.BytesWritten)
		gbps := 0.0
		if k.Cycles > 0 {
			gbps = hbm / (float64(k.Cycles) / f) / 1e9
		}
		t.Rows = append(t.Rows, []Cell{
			numCell("%.0f", float64(i)), textCell(k.Kernel.Name), textCell(string(k.Kernel.Stage)), textCell(string(k.Kernel.Kind)),
			textCell(report.KernelShape(k)), textCell(string(k.Engine)), numCell("%.3f", msOf(k.StartCycle)), numCell("%.4f", msOf(k.Cycles)),
			numCell("%.4f", msOf(k.BoundCycles)), numCell("%.4f", msOf(k.Cycles-k.BoundCycles)), numCell("%.3f", k.Efficiency),
			textCell(string(k.Bound)), textCell(string(k.Loss)), numCell("%.4f", msOf(k.LossCycles)), numCell("%.3f", hbm/1e6),
			numCell("%.1f", gbps), textCell(validation.PlacementText(k.Placement)), check,
		})
	}
	t.Notes = []string{"click a column's header to sort by it (again to reverse); the box keeps the rows that contain every word typed",
		"lost_ms: sim_ms - bound_ms; loss: the largest reason the kernel is slower than its bound (loss_ms its size); gbps: HBM bytes / sim time"}
	return t
}
