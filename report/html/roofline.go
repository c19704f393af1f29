package html

import (
	"fmt"
	"math"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/report"
	"github.com/roofsim/roofsim/validation"
	"github.com/roofsim/roofsim/workload"
)

// ceilingLine is a roofline's two ceilings over [lo, hi] (ops/byte) as
// points (OI, TOP/s): the memory wall up to the ridge, then the peak.
func ceilingLine(c hw.Ceilings, lo, hi float64) [][2]float64 {
	ridge := c.PeakOpsPerSec / c.BWBytesPerSec
	pts := [][2]float64{{lo, math.Min(c.PeakOpsPerSec, c.BWBytesPerSec*lo) / 1e12}}
	if ridge > lo && ridge < hi {
		pts = append(pts, [2]float64{ridge, c.PeakOpsPerSec / 1e12})
	}
	return append(pts, [2]float64{hi, math.Min(c.PeakOpsPerSec, c.BWBytesPerSec*hi) / 1e12})
}

// rooflineChart draws every matmul kernel of the pass on the roofline:
// the design's ceilings and the seed notebook's, each kernel's analytic
// point (attainable performance at its operational intensity, every
// operand through HBM once) and its simulated point (its ops over its
// simulated time, at the same intensity), coloured by stage. Hovering a
// point shows the kernel's name, shape, bound and largest loss.
func rooflineChart(c validation.Comparison) (Chart, bool) {
	f := c.Result.FreqHz
	var analytic []any
	var tips []string
	sim := map[workload.Stage][]any{}
	lo, hi := math.Inf(1), 0.0
	for _, k := range c.Kernels {
		if !k.Kernel.Kind.IsMatmul() || k.Cycles <= 0 || !(k.Roofline.OI > 0) {
			continue
		}
		oi := k.Roofline.OI
		lo, hi = math.Min(lo, oi), math.Max(hi, oi)
		simOps := float64(k.Kernel.Ops) / (float64(k.Cycles) / f)
		t := tip(k.Kernel.Name,
			fmt.Sprintf("%s %s, M x K x N = %s", k.Kernel.Stage, k.Kernel.Kind, report.KernelShape(k)),
			fmt.Sprintf("OI %.1f ops/byte; analytic %.3f TOP/s (%s-bound), simulated %.3f TOP/s", oi, k.Roofline.AttainableOpsPerSec/1e12, k.Roofline.Bound, simOps/1e12),
			fmt.Sprintf("simulated %.4f ms, bound on the design %.4f ms (%s), efficiency %.3f", float64(k.Cycles)/f*1e3, float64(k.BoundCycles)/f*1e3, k.Bound, k.Efficiency),
			fmt.Sprintf("largest loss: %s, %.4f ms", k.Loss, float64(k.LossCycles)/f*1e3))
		// Both points share the tooltip: stored once, referred to by index.
		tips = append(tips, t)
		analytic = append(analytic, map[string]any{"value": []float64{oi, k.Roofline.AttainableOpsPerSec / 1e12}, "t": len(tips) - 1})
		sim[k.Kernel.Stage] = append(sim[k.Kernel.Stage], map[string]any{"value": []float64{oi, simOps / 1e12}, "t": len(tips) - 1})
	}
	if len(analytic) == 0 {
		return Chart{}, false
	}
	// Whole decades, so the axis is labelled at powers of ten.
	lo, hi = math.Pow(10, math.Floor(math.Log10(lo))), math.Pow(10, math.Ceil(math.Log10(hi)))
	if hi <= lo {
		hi = lo * 10
	}
	line := func(name, color string, ce hw.Ceilings, dash string) map[string]any {
		return map[string]any{"name": name, "type": "line", "data": ceilingLine(ce, lo, hi), "symbol": "none", "silent": true,
			"lineStyle": map[string]any{"color": color, "width": 2, "type": dash}, "itemStyle": map[string]any{"color": color},
			"z": 1, "tooltip": map[string]any{"show": false}}
	}
	series := []map[string]any{line(fmt.Sprintf("design %s ceilings", c.Result.Design.Name), "#333333", c.Ceilings, "solid")}
	if c.HasSeed {
		series = append(series, line("seed notebook ceilings", "#999999", c.Seed, "dashed"))
	}
	series = append(series, map[string]any{"name": "analytic (roofline)", "type": "scatter", "data": analytic, "symbol": "emptyCircle",
		"symbolSize": 7, "itemStyle": map[string]any{"color": "#777777"}, "z": 3})
	for _, st := range workload.Stages() {
		if pts, ok := sim[st]; ok {
			series = append(series, map[string]any{"name": "simulated: " + string(st), "type": "scatter", "data": pts,
				"symbolSize": 7, "itemStyle": map[string]any{"color": stageColor(st), "opacity": 0.85}, "z": 4})
		}
	}
	return Chart{ID: "roofline-chart", HeightPx: 520, Tips: tips, Option: map[string]any{
		"animation": false,
		"title": map[string]any{"text": fmt.Sprintf("Roofline of every matmul kernel on design %s (%d kernels)", c.Result.Design.Name, len(analytic)),
			"left": "center", "textStyle": map[string]any{"fontSize": 13}},
		"tooltip": map[string]any{"trigger": "item", "formatter": "tip"},
		"legend":  map[string]any{"top": 24},
		"grid":    map[string]any{"left": 70, "right": 40, "top": 70, "bottom": 60},
		"xAxis":   map[string]any{"type": "log", "name": "operational intensity (ops/byte)", "nameLocation": "middle", "nameGap": 30, "min": lo, "max": hi},
		"yAxis":   map[string]any{"type": "log", "name": "TOP/s", "nameLocation": "end"},
		"dataZoom": []map[string]any{{"type": "inside", "xAxisIndex": 0, "filterMode": "none"},
			{"type": "inside", "yAxisIndex": 0, "filterMode": "none"}},
		"series": series,
	}}, true
}
