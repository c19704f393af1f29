package html

import (
	"fmt"
	"math"

	"github.com/roofsim/roofsim/validation"
)

// heatBuckets is the number of time buckets of the HBM heat map.
const heatBuckets = 240

// hbmHeatmap draws the HBM bandwidth of each pseudo-channel over the pass
// (GB/s): each kernel's bytes on a channel, read and written, spread evenly
// over the kernel's span, summed into heatBuckets buckets of time. It shows
// which channels a kernel keeps busy and when; within one kernel the rate
// is the kernel's mean.
func hbmHeatmap(c validation.Comparison) (Chart, bool) {
	r := c.Result
	pcs := 0
	for _, k := range r.Kernels {
		pcs = max(pcs, len(k.BytesReadPerPC), len(k.BytesWrittenPerPC))
	}
	if pcs == 0 || r.TotalCycles <= 0 {
		return Chart{}, false
	}
	total := float64(r.TotalCycles)
	width := total / heatBuckets
	bytes := make([][]float64, pcs)
	for pc := range bytes {
		bytes[pc] = make([]float64, heatBuckets)
	}
	for _, k := range r.Kernels {
		if k.Cycles <= 0 {
			continue
		}
		s, e := float64(k.StartCycle), float64(k.EndCycle)
		for pc := 0; pc < pcs; pc++ {
			var b int64
			if pc < len(k.BytesReadPerPC) {
				b += k.BytesReadPerPC[pc]
			}
			if pc < len(k.BytesWrittenPerPC) {
				b += k.BytesWrittenPerPC[pc]
			}
			if b == 0 {
				continue
			}
			perCycle := float64(b) / (e - s)
			for i := int(s / width); i < heatBuckets && float64(i)*width < e; i++ {
				lo, hi := math.Max(s, float64(i)*width), math.Min(e, float64(i+1)*width)
				if hi > lo {
					bytes[pc][i] += perCycle * (hi - lo)
				}
			}
		}
	}
	bucketSec := width / r.FreqHz
	var data [][3]float64
	peak := 0.0
	for pc := range bytes {
		for i, b := range bytes[pc] {
			if b == 0 {
				continue
			}
			gbps := math.Round(b/bucketSec/1e9*1000) / 1000
			peak = math.Max(peak, gbps)
			data = append(data, [3]float64{float64(i), float64(pc), gbps})
		}
	}
	xs := make([]string, heatBuckets)
	for i := range xs {
		xs[i] = fmt.Sprintf("%.2f", float64(i)*bucketSec*1e3)
	}
	ys := make([]string, pcs)
	for i := range ys {
		ys[i] = fmt.Sprintf("PC %d", i)
	}
	pcPeak := r.Platform.HBM.PCBytesPerSec() / 1e9
	return Chart{ID: "hbm-chart", HeightPx: 140 + 14*pcs, Option: map[string]any{
		"animation": false,
		"title": map[string]any{"text": fmt.Sprintf("HBM bandwidth per pseudo-channel over the pass (GB/s; a PC's peak is %.1f GB/s)", pcPeak),
			"left": "center", "textStyle": map[string]any{"fontSize": 13}},
		"tooltip": map[string]any{"formatter": "heat"},
		"grid":    map[string]any{"left": 60, "right": 90, "top": 40, "bottom": 64},
		"xAxis":   map[string]any{"type": "category", "data": xs, "name": "ms", "splitArea": map[string]any{"show": false}},
		"yAxis":   map[string]any{"type": "category", "data": ys, "inverse": true},
		"visualMap": map[string]any{"type": "continuous", "min": 0, "max": math.Max(peak, 1e-3), "calculable": true, "precision": 2,
			"orient": "vertical", "right": 8, "top": "middle", "text": []string{"GB/s", ""},
			"inRange": map[string]any{"color": []string{"#f7fbff", "#6baed6", "#08306b"}}},
		"dataZoom": []map[string]any{{"type": "slider", "bottom": 8, "height": 22}, {"type": "inside"}},
		"series":   []map[string]any{{"name": "GB/s", "type": "heatmap", "data": data, "progressive": 0}},
	}}, true
}
