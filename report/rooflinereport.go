package report

import (
	"fmt"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"

	"github.com/roofsim/roofsim/roofline"
	"github.com/roofsim/roofsim/workload"
)

// Grouping says how the roofline table lists kernels.
type Grouping string

// The groupings of the roofline table.
const (
	// ByKernel lists every kernel of the scenario.
	ByKernel Grouping = "kernel"
	// ByShape lists each distinct kernel (same short name and shape) once,
	// with how many times it runs.
	ByShape Grouping = "shape"
)

// ParseGrouping accepts kernel or shape.
func ParseGrouping(s string) (Grouping, error) {
	switch g := Grouping(s); g {
	case ByKernel, ByShape:
		return g, nil
	}
	return "", fmt.Errorf("--by %q is not known (accepted: shape|kernel)", s)
}

// ShortName drops the camera and layer parts of a kernel name:
// "vision.cam0.l3.fc1" becomes "vision.fc1".
func ShortName(name string) string {
	parts := strings.Split(name, ".")
	kept := parts[:0]
	for _, p := range parts {
		if !cameraOrLayer(p) {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, ".")
}

// cameraOrLayer reports whether a name part is a camera ("cam2") or a
// layer ("l11").
func cameraOrLayer(part string) bool {
	digits, ok := strings.CutPrefix(part, "cam")
	if !ok {
		digits, ok = strings.CutPrefix(part, "l")
	}
	if !ok || digits == "" {
		return false
	}
	for _, r := range digits {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// shapeRow is one line of the roofline table: a kernel, or a group of
// kernels with the same short name and shape.
type shapeRow struct {
	name  string
	k     workload.Kernel
	r     roofline.Roofline
	count int
}

func groupRows(a roofline.Analysis, g Grouping) []shapeRow {
	var rows []shapeRow
	index := map[string]int{}
	for _, kr := range a.Kernels {
		k := kr.Kernel
		if g == ByKernel {
			rows = append(rows, shapeRow{name: k.Name, k: k, r: kr.Roofline, count: 1})
			continue
		}
		key := fmt.Sprintf("%s|%d|%d|%d|%d|%d|%d|%d", ShortName(k.Name), k.M, k.K, k.N, k.Batch, k.WeightElems, k.InputElems, k.OutputElems)
		if i, ok := index[key]; ok {
			rows[i].count++
			continue
		}
		index[key] = len(rows)
		rows = append(rows, shapeRow{name: ShortName(k.Name), k: k, r: kr.Roofline, count: 1})
	}
	return rows
}

// RooflineTables prints the notebook's section 4 for each analysis (one per
// precision): a kernel table (ops, bytes, OI, attainable performance, bound,
// lower-bound time) and the totals per stage and for the scenario.
func RooflineTables(as []roofline.Analysis, g Grouping) []*Table {
	kt := &Table{Name: "kernels", Title: "Roofline per kernel",
		Columns: Cols("precision", "ceilings", "name", "stage", "kind", "count", "m", "k", "n", "batch",
			"gops:%.4f", "mbytes:%.4f", "oi:%.2f", "attainable_tops:%.3f", "bound", "time_us:%.3f", "total_us:%.3f")}
	st := &Table{Name: "stages", Title: "Roofline per stage",
		Columns: Cols("precision", "ceilings", "stage", "kernels", "gops:%.3f", "mbytes:%.3f", "oi:%.2f",
			"lower_bound_ms:%.4f", "achieved_tops:%.3f", "memory_bound_share:%.1f%%", "bound")}
	for _, a := range as {
		for _, row := range groupRows(a, g) {
			k, r := row.k, row.r
			kt.Add(a.Precision.Name, a.Ceilings.Name, row.name, string(k.Stage), string(k.Kind), int64(row.count),
				k.M, k.K, k.N, k.Batch, r.Ops/1e9, r.Bytes/1e6, r.OI, r.AttainableOpsPerSec/1e12, string(r.Bound),
				r.LowerBoundSec*1e6, r.LowerBoundSec*1e6*float64(row.count))
		}
		for _, t := range append(append([]roofline.Total(nil), a.Stages...), a.Total) {
			st.Add(a.Precision.Name, a.Ceilings.Name, t.Name, int64(t.Kernels), t.Ops/1e9, t.Bytes/1e6, t.OI(),
				t.LowerBoundSec*1e3, t.AchievedOpsPerSec()/1e12, 100*t.MemoryBoundSec/t.LowerBoundSec, string(t.Bound()))
		}
	}
	if len(as) > 0 {
		c := as[0].Ceilings
		kt.Notes = append(kt.Notes, fmt.Sprintf("bytes: every weight, input and output element moved once; "+
			"bound: memory when bandwidth x OI < peak (%s: %.0f GB/s)", c.Name, c.BWBytesPerSec/1e9))
	}
	return []*Table{kt, st}
}

// RooflineFigure draws the notebook's two charts side by side: the vision
// encoder with the connector, and the text encoder with the LM head. Each
// shows the memory wall, a ceiling per precision (equal ceilings share one
// line) and one point per distinct matmul kernel and precision at its
// attainable performance; the last precision's points carry the labels.
func RooflineFigure(format string, as []roofline.Analysis) ([]byte, error) {
	if len(as) == 0 {
		return nil, fmt.Errorf("plot: no analysis to draw")
	}
	var roofs []RoofLine
	for _, a := range as {
		merged := false
		for i := range roofs {
			if roofs[i].PeakOpsPerSec == a.Ceilings.PeakOpsPerSec {
				roofs[i].Label += "/" + a.Precision.Name
				merged = true
			}
		}
		if !merged {
			roofs = append(roofs, RoofLine{Label: a.Precision.Name, PeakOpsPerSec: a.Ceilings.PeakOpsPerSec, Series: a.Precision.Name})
		}
	}
	panel := func(title string, stages ...workload.Stage) (*plot.Plot, error) {
		var pts []RoofPoint
		for i, a := range as {
			for _, row := range groupRows(a, ByShape) {
				if !row.k.Kind.IsMatmul() || !inStages(row.k.Stage, stages) {
					continue
				}
				label := ""
				if i == len(as)-1 {
					label = row.name
				}
				pts = append(pts, RoofPoint{Label: label, Series: a.Precision.Name, OI: row.r.OI, OpsPerSec: row.r.AttainableOpsPerSec})
			}
		}
		return RooflineChart(title, as[0].Ceilings.BWBytesPerSec, roofs, pts)
	}
	ceilName := as[0].Ceilings.Name
	for _, a := range as[1:] {
		if a.Ceilings.Name != ceilName {
			ceilName = "design"
		}
	}
	vision, err := panel(fmt.Sprintf("Vision encoder roofline (%s ceilings)", ceilName), workload.StageVision, workload.StageConnector)
	if err != nil {
		return nil, err
	}
	text, err := panel(fmt.Sprintf("Text encoder roofline (%s ceilings)", ceilName), workload.StageText, workload.StageHead)
	if err != nil {
		return nil, err
	}
	return RenderFigure(format, 30*vg.Centimeter, 12*vg.Centimeter, [][]*plot.Plot{{vision, text}})
}

func inStages(s workload.Stage, stages []workload.Stage) bool {
	for _, x := range stages {
		if x == s {
			return true
		}
	}
	return false
}

// SummaryTable gives one row per analysis: the scenario's lower-bound
// latency, the frame rate it allows, the ops rate it implies, and the share
// of time under the memory bound.
func SummaryTable(title string, as []roofline.Analysis) *Table {
	t := &Table{Name: "summary", Title: title,
		Columns: Cols("ceilings", "precision", "peak_tops:%.2f", "bw_gbps:%.1f", "lower_bound_ms:%.3f", "max_fps:%.1f",
			"achieved_tops:%.3f", "memory_bound_share:%.1f%%")}
	for _, a := range as {
		tot := a.Total
		t.Add(a.Ceilings.Name, a.Precision.Name, a.Ceilings.PeakOpsPerSec/1e12, a.Ceilings.BWBytesPerSec/1e9,
			tot.LowerBoundSec*1e3, 1/tot.LowerBoundSec, tot.AchievedOpsPerSec()/1e12, 100*tot.MemoryBoundSec/tot.LowerBoundSec)
	}
	return t
}
