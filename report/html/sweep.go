package html

import (
	"fmt"
	"math"
	"slices"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/report"
	"github.com/roofsim/roofsim/sweep"
)

// precisionColors are the colours of the precisions on the sweep page.
var precisionColors = []string{"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2", "#edc948", "#9c755f"}

// Sweep builds the sweep page of a sweep's rows: per workload the Pareto
// front over latency, DSPs and on-chip memory (every ok row, the front's
// rows ringed; hovering a point shows its parameters), the ideas'
// speed-ups over their baselines, and report.SweepTables' tables.
func Sweep(title string, rows []sweep.Row) ([]byte, error) {
	if len(rows) == 0 {
		return nil, fmt.Errorf("html: sweep page %s: no rows", title)
	}
	recs := sweep.Records(rows)
	good := sweep.OK(recs)
	p := Page{Title: "roofsim report: " + title, Subtitle: fmt.Sprintf("Sweep %s: %s", title, sweep.Summarize(rows))}
	front := Section{ID: "front", Title: "Pareto front",
		Notes: []string{"Every ok row, coloured by precision; the rows of the front (no other row of the workload is as fast with as few DSPs and as little on-chip memory) are ringed. Hover a point for its parameters."}}
	for i, wl := range sweep.Workloads(good) {
		in := sweep.Filter(good, func(r sweep.Record) bool { return r.Workload == wl })
		front.Charts = append(front.Charts,
			frontChart(fmt.Sprintf("front-%d-dsps", i), wl, "DSP48E2 slices", in, func(r sweep.Record) float64 { return float64(r.DSPs) }),
			frontChart(fmt.Sprintf("front-%d-onchip", i), wl, "on-chip memory (MiB)", in, func(r sweep.Record) float64 { return float64(r.OnChipBytes) / hw.MiB }))
	}
	if len(front.Charts) == 0 {
		front.Notes = []string{"No ok rows: nothing to draw."}
	}
	p.Sections = append(p.Sections, front)
	if pairs := sweep.IdeaPairs(recs); len(pairs) > 0 {
		p.Sections = append(p.Sections, Section{ID: "ideas", Title: "Ideas", Charts: []Chart{ideasChart(pairs)},
			Notes: []string{"Each idea row's speed-up over the ok row with the same parameters and no ideas (baseline latency / idea latency); the bar is the geometric mean. Hover a point for the pair and the reason."}})
	}
	p.Sections = append(p.Sections, Section{ID: "tables", Title: "Tables", Tables: FromTables("sweep", report.SweepTables(title, rows)...)})
	return p.Render()
}

// recordTip is the tooltip of a sweep row: its parameters and results.
func recordTip(r sweep.Record, onFront bool) string {
	lines := []string{fmt.Sprintf("point %d: %s", r.Index, r.Key)}
	if onFront {
		lines = append(lines, "on the Pareto front")
	}
	ideas := r.Ideas
	if ideas == "" {
		ideas = "none"
	}
	lines = append(lines,
		fmt.Sprintf("precision %s, array %s x %s, dataflow %s", r.Precision, r.Row.Get("arrays"), r.Row.Get("array"), r.Row.Get("dataflow")),
		fmt.Sprintf("HBM ports %s x %s bits, %s PCs; ideas %s", r.Row.Get("hbm_ports"), r.Row.Get("port_bits"), r.Row.Get("hbm_pcs"), ideas),
		fmt.Sprintf("latency %.3f ms, %.2f fps, %.3f TOP/s, %s-bound, efficiency %.3f", r.LatencyMs, r.FPS, r.TOPS, r.Bound, r.Efficiency),
		fmt.Sprintf("%d DSPs, %.1f MiB on chip", r.DSPs, float64(r.OnChipBytes)/hw.MiB))
	return tip(lines...)
}

// frontChart draws latency against one resource for the rows of one
// workload, a series per precision and one for the front.
func frontChart(id, workload, xName string, in []sweep.Record, x func(sweep.Record) float64) Chart {
	fr := sweep.ParetoFront(in)
	onFront := map[int]bool{}
	for _, r := range fr {
		onFront[r.Index] = true
	}
	var series []map[string]any
	for i, prec := range sweep.PrecisionOrder(in) {
		var data []any
		for _, r := range in {
			if r.Precision == prec {
				data = append(data, map[string]any{"value": []float64{x(r), r.LatencyMs}, "tip": recordTip(r, onFront[r.Index])})
			}
		}
		series = append(series, map[string]any{"name": prec, "type": "scatter", "data": data, "symbolSize": 9,
			"itemStyle": map[string]any{"color": precisionColors[i%len(precisionColors)], "opacity": 0.8}})
	}
	var fdata []any
	slices.SortFunc(fr, func(a, b sweep.Record) int { return int(math.Copysign(1, x(a)-x(b))) })
	for _, r := range fr {
		fdata = append(fdata, map[string]any{"value": []float64{x(r), r.LatencyMs}, "tip": recordTip(r, true)})
	}
	series = append(series, map[string]any{"name": "Pareto front", "type": "scatter", "data": fdata, "symbol": "circle", "symbolSize": 17,
		"itemStyle": map[string]any{"color": "transparent", "borderColor": "#222", "borderWidth": 2}, "z": 5})
	return Chart{ID: id, HeightPx: 380, Option: map[string]any{
		"animation": false,
		"title":     map[string]any{"text": workload + ": latency vs " + xName, "left": "center", "textStyle": map[string]any{"fontSize": 13}},
		"tooltip":   map[string]any{"trigger": "item", "formatter": "tip"},
		"legend":    map[string]any{"top": 24},
		"grid":      map[string]any{"left": 70, "right": 40, "top": 64, "bottom": 50},
		"xAxis":     map[string]any{"type": "value", "name": xName, "nameLocation": "middle", "nameGap": 28, "scale": true},
		"yAxis":     map[string]any{"type": "value", "name": "latency (ms)", "scale": true},
		"series":    series,
	}}
}

// ideasChart draws each idea set's speed-ups: a point per pair, coloured
// by the baseline's precision, and the geometric mean as a bar.
func ideasChart(pairs []sweep.IdeaPair) Chart {
	var sets, precs []string
	for _, p := range pairs {
		if !slices.Contains(sets, p.Idea) {
			sets = append(sets, p.Idea)
		}
		if !slices.Contains(precs, p.Base.Precision) {
			precs = append(precs, p.Base.Precision)
		}
	}
	var mean []any
	for _, set := range sets {
		logSum, n := 0.0, 0
		for _, p := range pairs {
			if p.Idea == set {
				logSum += math.Log(p.SpeedUp())
				n++
			}
		}
		g := math.Exp(logSum / float64(n))
		mean = append(mean, map[string]any{"value": round6(g), "tip": tip(set, fmt.Sprintf("geometric mean speed-up %.3f over %d pairs", g, n))})
	}
	series := []map[string]any{{"name": "geometric mean", "type": "bar", "data": mean, "itemStyle": map[string]any{"color": "#c9d6e8"}, "barWidth": "50%"}}
	for i, prec := range precs {
		var data []any
		for _, p := range pairs {
			if p.Base.Precision != prec {
				continue
			}
			data = append(data, map[string]any{"value": []float64{float64(slices.Index(sets, p.Idea)), round6(p.SpeedUp())},
				"tip": tip(fmt.Sprintf("%s on point %d", p.Idea, p.Base.Index), p.Base.Key,
					fmt.Sprintf("%.3f ms without, %.3f ms with: speed-up %.3f", p.Base.LatencyMs, p.With.LatencyMs, p.SpeedUp()), p.Reason())})
		}
		series = append(series, map[string]any{"name": prec, "type": "scatter", "data": data, "symbolSize": 11,
			"itemStyle": map[string]any{"color": precisionColors[i%len(precisionColors)]}})
	}
	return Chart{ID: "ideas-chart", HeightPx: 400, Option: map[string]any{
		"animation": false,
		"title":     map[string]any{"text": "Speed-up of each idea over the same design without it", "left": "center", "textStyle": map[string]any{"fontSize": 13}},
		"tooltip":   map[string]any{"trigger": "item", "formatter": "tip"},
		"legend":    map[string]any{"top": 24},
		"grid":      map[string]any{"left": 70, "right": 40, "top": 64, "bottom": 90},
		"xAxis":     map[string]any{"type": "category", "data": sets, "axisLabel": map[string]any{"interval": 0, "rotate": 25}},
		"yAxis":     map[string]any{"type": "value", "name": "speed-up (x)", "scale": true},
		"series":    series,
	}}
}
