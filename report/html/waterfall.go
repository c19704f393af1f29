package html

import (
	"fmt"

	"github.com/roofsim/roofsim/validation"
)

// lossOrder is the order of the waterfall's steps: the compute losses,
// then the memory's, then the units that wait on each other.
var lossOrder = []validation.Loss{validation.LossFillDrain, validation.LossTileEdges, validation.LossIdleArrays,
	validation.LossHBMStalls, validation.LossRefresh, validation.LossImbalance, validation.LossOnChipStalls,
	validation.LossBufferStalls, validation.LossVectorUnit}

// step is one bar of the waterfall, in milliseconds.
type step struct {
	name  string
	delta float64
	total bool
	why   string
}

// waterfallSteps walks from the design bound to the simulated latency:
// the bound, each cause's loss summed over the kernels
// (validation.KernelCheck.Losses), what the causes leave unexplained or
// count twice (they are measured separately and may overlap), the
// pipeline's overlap when the pass is pipelined, and the latency.
func waterfallSteps(c validation.Comparison) []step {
	f := c.Result.FreqHz
	msOf := func(cycles int64) float64 { return float64(cycles) / f * 1e3 }
	sums := map[validation.Loss]int64{}
	for _, k := range c.Kernels {
		for _, l := range k.Losses {
			sums[l.Loss] += l.Cycles
		}
	}
	steps := []step{{name: "design bound", delta: msOf(c.Total.BoundCycles), total: true,
		why: "the sum of every kernel's lower bound on this design: max(ops / peak, HBM bytes / memory ceiling)"}}
	var named int64
	for _, l := range lossOrder {
		if sums[l] > 0 {
			steps = append(steps, step{name: string(l), delta: msOf(sums[l]), why: "summed over the kernels that lose time to it"})
			named += sums[l]
		}
	}
	if rest := c.Total.Cycles - c.Total.BoundCycles - named; rest > 0 {
		steps = append(steps, step{name: "not attributed", delta: msOf(rest), why: "time beyond the bound no named cause covers"})
	} else if rest < 0 {
		steps = append(steps, step{name: "overlapping causes", delta: msOf(rest),
			why: "causes that overlap in time (a stall during fill/drain, imbalance within HBM stalls) are counted once"})
	}
	if d := c.Result.TotalCycles - c.Total.Cycles; d != 0 {
		steps = append(steps, step{name: "pipeline", delta: msOf(d), why: "the latency of a frame against the sum of its kernels' times"})
	}
	return append(steps, step{name: "simulated", delta: msOf(c.Result.TotalCycles), total: true, why: "the simulated latency of a frame"})
}

// waterfallChart draws the steps as floating bars: totals from zero,
// losses up from the running sum, overlaps down.
func waterfallChart(c validation.Comparison) Chart {
	steps := waterfallSteps(c)
	var names []string
	var base, bars []any
	run := 0.0
	for _, s := range steps {
		names = append(names, s.name)
		lo, h := run, s.delta
		color := "#d1495b"
		switch {
		case s.total:
			lo, h, color = 0, s.delta, "#2e5a88"
			run = s.delta
		case s.delta < 0:
			lo, h, color = run+s.delta, -s.delta, "#66a182"
			run += s.delta
		default:
			run += s.delta
		}
		t := tip(s.name, fmt.Sprintf("%+.3f ms", s.delta), fmt.Sprintf("running total %.3f ms", run), s.why)
		if s.total {
			t = tip(s.name, fmt.Sprintf("%.3f ms", s.delta), s.why)
		}
		base = append(base, map[string]any{"value": round6(lo), "tip": t})
		lbl := fmt.Sprintf("%+.2f", s.delta)
		if s.total {
			lbl = fmt.Sprintf("%.2f", s.delta)
		}
		bars = append(bars, map[string]any{"value": round6(h), "tip": t, "lbl": lbl, "itemStyle": map[string]any{"color": color}})
	}
	return Chart{ID: "waterfall-chart", HeightPx: 380, Option: map[string]any{
		"animation": false,
		"title":     map[string]any{"text": "From the design bound to the simulated latency, by cause (ms)", "left": "center", "textStyle": map[string]any{"fontSize": 13}},
		"tooltip":   map[string]any{"formatter": "tip"},
		"grid":      map[string]any{"left": 70, "right": 30, "top": 40, "bottom": 80},
		"xAxis":     map[string]any{"type": "category", "data": names, "axisLabel": map[string]any{"interval": 0, "rotate": 20}},
		"yAxis":     map[string]any{"type": "value", "name": "ms"},
		"series": []map[string]any{
			{"name": "base", "type": "bar", "stack": "w", "data": base, "itemStyle": map[string]any{"color": "transparent"},
				"emphasis": map[string]any{"disabled": true}, "silent": true},
			{"name": "ms", "type": "bar", "stack": "w", "data": bars,
				"label": map[string]any{"show": true, "position": "top", "formatter": "lbl"}},
		},
	}}
}
