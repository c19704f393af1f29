package html

import (
	"fmt"

	"github.com/roofsim/roofsim/report"
	"github.com/roofsim/roofsim/roofline"
	"github.com/roofsim/roofsim/validation"
	"github.com/roofsim/roofsim/workload"
)

// Compare builds the compare page: the designs side by side in charts
// (latency against the design and seed bounds, frames per second and
// efficiency, time per stage, time in memory- and compute-bound kernels)
// and in tables (report.CompareTable, the per-stage table and any extra
// tables, such as the policy's).
func Compare(rows []report.CompareRow, extra []*report.Table) ([]byte, error) {
	if len(rows) == 0 {
		return nil, fmt.Errorf("html: compare page: no designs")
	}
	var names []string
	for _, r := range rows {
		if r.Comparison.Result == nil {
			return nil, fmt.Errorf("html: compare page: design %d has no simulation result", len(names))
		}
		names = append(names, r.Comparison.Result.Design.Name)
	}
	p := Page{Title: fmt.Sprintf("roofsim compare: %d designs on %s", len(rows), rows[0].Scenario),
		Subtitle: "Each design simulated on the same scenario and checked against its roofline."}
	p.Sections = append(p.Sections,
		Section{ID: "latency", Title: "Latency and rate", Charts: []Chart{latencyChart(rows, names), rateChart(rows, names)}},
		Section{ID: "stages", Title: "Per stage", Charts: []Chart{stageChart(rows, names), boundChart(rows, names)}},
		Section{ID: "tables", Title: "Tables", Tables: FromTables("cmp", append([]*report.Table{report.CompareTable(rows), stageTable(rows)}, extra...)...)})
	return p.Render()
}

// bars is one bar series of a category chart with a tooltip per bar.
func bars(name, color string, values []float64, tips []string) map[string]any {
	data := make([]any, len(values))
	for i, v := range values {
		data[i] = map[string]any{"value": round6(v), "tip": tips[i]}
	}
	return map[string]any{"name": name, "type": "bar", "data": data, "itemStyle": map[string]any{"color": color}}
}

// categoryChart is a bar chart over the designs.
func categoryChart(id, title, yName string, names []string, series []map[string]any, extraAxis map[string]any) Chart {
	y := []map[string]any{{"type": "value", "name": yName}}
	if extraAxis != nil {
		y = append(y, extraAxis)
	}
	return Chart{ID: id, HeightPx: 360, Option: map[string]any{
		"animation": false,
		"title":     map[string]any{"text": title, "left": "center", "textStyle": map[string]any{"fontSize": 13}},
		"tooltip":   map[string]any{"trigger": "item", "formatter": "tip"},
		"legend":    map[string]any{"top": 24},
		"grid":      map[string]any{"left": 70, "right": 70, "top": 64, "bottom": 40},
		"xAxis":     map[string]any{"type": "category", "data": names},
		"yAxis":     y,
		"series":    series,
	}}
}

// latencyChart: each design's simulated latency next to its design bound
// and its seed bound (ms).
func latencyChart(rows []report.CompareRow, names []string) Chart {
	var sim, bound, seed []float64
	var simTips, boundTips, seedTips []string
	for i, r := range rows {
		c := r.Comparison
		s, b := c.Seconds()*1e3, float64(c.Total.BoundCycles)/c.Result.FreqHz*1e3
		sim, bound = append(sim, s), append(bound, b)
		simTips = append(simTips, tip(names[i], fmt.Sprintf("simulated %.3f ms per frame", s), "validation "+c.Verdict()))
		boundTips = append(boundTips, tip(names[i], fmt.Sprintf("design bound %.3f ms", b), fmt.Sprintf("efficiency %.3f", b/s)))
		sd := 0.0
		st := tip(names[i], "the seed notebook has no ceilings for this precision")
		if c.HasSeed {
			sd = c.Total.SeedBoundSec * 1e3
			st = tip(names[i], fmt.Sprintf("seed bound %.3f ms", sd), "the same kernels under the seed notebook's ceilings")
		}
		seed, seedTips = append(seed, sd), append(seedTips, st)
	}
	return categoryChart("cmp-latency", "Latency per frame: simulated, design bound, seed bound (ms)", "ms", names, []map[string]any{
		bars("simulated", "#2e5a88", sim, simTips), bars("design bound", "#8fb3d9", bound, boundTips), bars("seed bound", "#bbbbbb", seed, seedTips)}, nil)
}

// rateChart: frames per second (bars) and efficiency against the design
// bound (a line on the right axis).
func rateChart(rows []report.CompareRow, names []string) Chart {
	var fps []float64
	var fpsTips []string
	var effData []any
	for i, r := range rows {
		c := r.Comparison
		e := float64(c.Total.BoundCycles) / float64(c.Result.TotalCycles)
		fps = append(fps, c.FPS())
		fpsTips = append(fpsTips, tip(names[i], fmt.Sprintf("%.2f frames per second", c.FPS()),
			fmt.Sprintf("%.3f TOP/s achieved of %.2f peak", c.AchievedOpsPerSec()/1e12, c.Ceilings.PeakOpsPerSec/1e12)))
		effData = append(effData, map[string]any{"value": round6(e), "tip": tip(names[i], fmt.Sprintf("efficiency %.3f (design bound / simulated)", e))})
	}
	return categoryChart("cmp-rate", "Frames per second and efficiency", "fps", names, []map[string]any{
		bars("fps", "#59a14f", fps, fpsTips),
		{"name": "efficiency", "type": "line", "yAxisIndex": 1, "data": effData, "symbolSize": 9, "itemStyle": map[string]any{"color": "#e15759"}},
	}, map[string]any{"type": "value", "name": "efficiency", "min": 0, "max": 1})
}

// stageChart: each design's simulated time per stage, stacked (ms).
func stageChart(rows []report.CompareRow, names []string) Chart {
	var series []map[string]any
	for _, st := range workload.Stages() {
		vals := make([]float64, len(rows))
		tips := make([]string, len(rows))
		found := false
		for i, r := range rows {
			c := r.Comparison
			for _, s := range c.Stages {
				if s.Name != string(st) {
					continue
				}
				found = true
				f := c.Result.FreqHz
				vals[i] = float64(s.Cycles) / f * 1e3
				tips[i] = tip(names[i]+": "+s.Name, fmt.Sprintf("%d kernels, simulated %.3f ms", s.Kernels, vals[i]),
					fmt.Sprintf("bound %.3f ms, efficiency %.3f", float64(s.BoundCycles)/f*1e3, float64(s.BoundCycles)/float64(max(s.Cycles, 1))))
			}
		}
		if found {
			b := bars(string(st), stageColor(st), vals, tips)
			b["stack"] = "stages"
			series = append(series, b)
		}
	}
	return categoryChart("cmp-stages", "Simulated time per stage (ms)", "ms", names, series, nil)
}

// boundChart: each design's simulated time in memory-bound and in
// compute-bound kernels (the bound of each kernel on its design), stacked.
func boundChart(rows []report.CompareRow, names []string) Chart {
	mem, comp := make([]float64, len(rows)), make([]float64, len(rows))
	memTips, compTips := make([]string, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		c := r.Comparison
		var nm, nc int
		for _, k := range c.Kernels {
			t := float64(k.Cycles) / c.Result.FreqHz * 1e3
			if k.Bound == roofline.BoundMemory {
				mem[i] += t
				nm++
			} else {
				comp[i] += t
				nc++
			}
		}
		memTips[i] = tip(names[i], fmt.Sprintf("%d memory-bound kernels: %.3f ms", nm, mem[i]))
		compTips[i] = tip(names[i], fmt.Sprintf("%d compute-bound kernels: %.3f ms", nc, comp[i]))
	}
	m, cp := bars("memory-bound kernels", "#f28e2b", mem, memTips), bars("compute-bound kernels", "#4e79a7", comp, compTips)
	m["stack"], cp["stack"] = "bound", "bound"
	return categoryChart("cmp-bound", "Simulated time by what bounds each kernel on its design (ms)", "ms", names, []map[string]any{cp, m}, nil)
}

// stageTable lists every design's stages: simulated and bound times and
// efficiency.
func stageTable(rows []report.CompareRow) *report.Table {
	t := &report.Table{Name: "stages", Title: "Per design and stage",
		Columns: report.Cols("design", "stage", "kernels", "sim_ms:%.3f", "share:%.1f%%", "bound_ms:%.3f", "efficiency:%.3f", "hbm_mb:%.2f")}
	for _, r := range rows {
		c := r.Comparison
		f := c.Result.FreqHz
		for _, s := range append(append([]validation.StageCheck(nil), c.Stages...), c.Total) {
			t.Add(c.Result.Design.Name, s.Name, int64(s.Kernels), float64(s.Cycles)/f*1e3, 100*float64(s.Cycles)/float64(c.Result.TotalCycles),
				float64(s.BoundCycles)/f*1e3, float64(s.BoundCycles)/float64(max(s.Cycles, 1)), float64(s.HBMBytes)/1e6)
		}
	}
	return t
}
