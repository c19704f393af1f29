package html

import (
	"fmt"
	"math"

	"github.com/roofsim/roofsim/sim/accel"
	"github.com/roofsim/roofsim/validation"
)

// heatBuckets is the number of time buckets of the HBM heat map.
const heatBuckets = 480

// hbmHeatmap draws the HBM bandwidth of each pseudo-channel over the pass
// (GB/s) in heatBuckets buckets of time. With a timeline that recorded the
// requests (Timeline.PCBytes), each request's bytes count in the bucket in
// which its response arrived; without one, each kernel's bytes on a channel
// (KernelResult.BytesReadPerPC, BytesWrittenPerPC) are spread evenly over
// the kernel's span. The string says which.
func hbmHeatmap(c validation.Comparison, tl *Timeline) (Chart, string, bool) {
	r := c.Result
	pcs := 0
	for _, k := range r.Kernels {
		pcs = max(pcs, len(k.BytesReadPerPC), len(k.BytesWrittenPerPC))
	}
	if pcs == 0 || r.TotalCycles <= 0 {
		return Chart{}, "", false
	}
	width := float64(r.TotalCycles) / heatBuckets
	bytes := make([][]float64, pcs)
	for pc := range bytes {
		bytes[pc] = make([]float64, heatBuckets)
	}
	source := "each HBM request's bytes in the bucket in which its response arrived"
	if tl != nil && len(tl.pcs) > 0 {
		for _, e := range tl.pcs {
			i := min(max(int(e.t*r.FreqHz/width), 0), heatBuckets-1)
			if int(e.pc) < pcs {
				bytes[e.pc][i] += float64(e.bytes)
			}
		}
	} else {
		source = "each kernel's bytes on a channel spread evenly over its span (its mean rate)"
		spreadKernels(r.Kernels, bytes, width)
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
	}}, source, true
}

// spreadKernels adds each kernel's bytes per channel to bytes[pc][bucket],
// spread evenly over the kernel's span (buckets of width cycles).
func spreadKernels(ks []accel.KernelResult, bytes [][]float64, width float64) {
	buckets := len(bytes[0])
	for _, k := range ks {
		if k.Cycles <= 0 {
			continue
		}
		s, e := float64(k.StartCycle), float64(k.EndCycle)
		for pc := range bytes {
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
			for i := int(s / width); i < buckets && float64(i)*width < e; i++ {
				lo, hi := math.Max(s, float64(i)*width), math.Min(e, float64(i+1)*width)
				if hi > lo {
					bytes[pc][i] += perCycle * (hi - lo)
				}
			}
		}
	}
}
