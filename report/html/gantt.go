package html

import (
	"fmt"
	"math"
	"strings"

	"github.com/roofsim/roofsim/report"

	"github.com/roofsim/roofsim/validation"
	"github.com/roofsim/roofsim/workload"
)

// stageColors are the colours of the model's stages on every chart.
var stageColors = map[workload.Stage]string{
	workload.StageVision: "#4e79a7", workload.StageConnector: "#f28e2b", workload.StageText: "#59a14f",
	workload.StageHead: "#e15759", workload.StageExpert: "#b07aa1",
}

// stageColor is a stage's colour (grey for one not listed).
func stageColor(s workload.Stage) string {
	if c, ok := stageColors[s]; ok {
		return c
	}
	return "#9c9c9c"
}

// round6 keeps six decimals (a nanosecond in milliseconds): a shorter page.
func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }

// ganttChart draws the pass's timeline: a row for the kernels, one per
// unit the timeline saw (arrays, vector units, the DMA to and from HBM,
// the on-chip stores) and one for the HBM (the kernels that moved HBM
// bytes), every bar coloured by its kernel's stage; zoomable with the
// slider or the mouse wheel down to one kernel.
func ganttChart(c validation.Comparison, tl *Timeline) Chart {
	f := c.Result.FreqHz
	index := map[string]int{}
	kernelTips := make([]string, len(c.Kernels))
	for i, k := range c.Kernels {
		index[k.Kernel.Name] = i
		hbm := float64(k.BytesRead + k.BytesWritten)
		line := fmt.Sprintf("%s|%s %s %s, %.4f ms (bound %.4f ms, %s)", k.Kernel.Name, k.Kernel.Stage, k.Kernel.Kind,
			report.KernelShape(k), float64(k.Cycles)/f*1e3, float64(k.BoundCycles)/f*1e3, k.Bound)
		if hbm > 0 && k.Cycles > 0 {
			line += fmt.Sprintf("|HBM %.3f MB at %.1f GB/s", hbm/1e6, hbm/(float64(k.Cycles)/f)/1e9)
		}
		kernelTips[i] = line
	}
	units, spans := tl.spans(index)
	if len(c.Result.Parts) > 0 {
		// A pipelined design: the first part's units keep their plain
		// names in the trace.
		for i, u := range units {
			if !strings.Contains(u, ": ") {
				units[i] = c.Result.Parts[0].Name + ": " + u
			}
		}
	}
	rows := append(append([]string{"kernels"}, units...), "HBM")
	hbmRow := len(rows) - 1
	byStage := map[workload.Stage][][4]float64{}
	add := func(row, kernel int, start, end float64) {
		st := workload.Stage("other")
		if kernel >= 0 {
			st = c.Kernels[kernel].Kernel.Stage
		}
		byStage[st] = append(byStage[st], [4]float64{float64(row), round6(start), round6(end), float64(kernel)})
	}
	for i, k := range c.Kernels {
		if k.Cycles == 0 {
			continue
		}
		s, e := float64(k.StartCycle)/f*1e3, float64(k.EndCycle)/f*1e3
		add(0, i, s, e)
		if k.BytesRead+k.BytesWritten > 0 {
			add(hbmRow, i, s, e)
		}
	}
	for _, sp := range spans {
		add(sp.row+1, sp.kernel, sp.start, sp.end)
	}
	var series []map[string]any
	for _, st := range append(workload.Stages(), "other") {
		data, ok := byStage[st]
		if !ok {
			continue
		}
		series = append(series, map[string]any{
			"name": string(st), "type": "custom", "renderItem": "gantt", "color": stageColor(st),
			"encode": map[string]any{"x": []int{1, 2}, "y": 0}, "data": data, "progressive": 0,
		})
	}
	totalMs := float64(c.Result.TotalCycles) / f * 1e3
	return Chart{ID: "gantt-chart", HeightPx: 90 + 26*len(rows), Kernels: kernelTips, Option: map[string]any{
		"animation": false,
		"title":     map[string]any{"text": "Timeline of the pass (drag the slider or scroll on the chart to zoom)", "left": "center", "textStyle": map[string]any{"fontSize": 13}},
		"tooltip":   map[string]any{"formatter": "gantt"},
		"legend":    map[string]any{"top": 24},
		"grid":      map[string]any{"left": 150, "right": 30, "top": 56, "bottom": 64},
		"xAxis":     map[string]any{"type": "value", "name": "ms", "min": 0, "max": math.Ceil(totalMs*1e3) / 1e3, "nameGap": 8},
		"yAxis":     map[string]any{"type": "category", "data": rows, "inverse": true, "axisTick": map[string]any{"show": false}},
		"dataZoom": []map[string]any{{"type": "slider", "filterMode": "weakFilter", "bottom": 8, "height": 22, "labelPrecision": 3},
			{"type": "inside", "filterMode": "weakFilter"}},
		"series": series,
	}}
}
