package report

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sweep"
)

// maxPlotWorkloads bounds the workloads a figure draws (one row of panels
// each); the report's tables hold them all.
const maxPlotWorkloads = 4

// palette colours the precisions of the plots.
func palette() []color.RGBA {
	return []color.RGBA{
		{230, 126, 34, 255}, {31, 119, 180, 255}, {44, 160, 44, 255}, {214, 39, 40, 255},
		{148, 103, 189, 255}, {140, 86, 75, 255}, {23, 190, 207, 255}, {0, 0, 0, 255},
	}
}

// precisionColor gives each precision of hw's list a fixed colour.
func precisionColor(name string) color.RGBA {
	for i, p := range hw.Precisions() {
		if p.Name == name {
			return palette()[i%len(palette())]
		}
	}
	return palette()[len(palette())-1]
}

// SweepFrontFigure draws, for each workload (at most four), latency against
// DSPs and against on-chip memory: every ok row as a ring in the colour of
// its precision, the rows of the Pareto front as ringed dots labelled with
// their index. format is "png" or "svg".
func SweepFrontFigure(format string, rows []sweep.Row) ([]byte, error) {
	good, wls, err := plotWorkloads(rows)
	if err != nil {
		return nil, err
	}
	var grid [][]*plot.Plot
	for _, wl := range wls {
		in := sweep.Filter(good, func(r sweep.Record) bool { return r.Workload == wl })
		front := sweep.ParetoFront(in)
		var panels []*plot.Plot
		for _, ax := range []struct {
			label string
			x     func(sweep.Record) float64
		}{
			{"DSP48E2 slices", func(r sweep.Record) float64 { return float64(r.DSPs) }},
			{"on-chip memory (MiB)", func(r sweep.Record) float64 { return mib(r.OnChipBytes) }},
		} {
			p, err := scatterPanel(fmt.Sprintf("%s: latency vs %s", wl, ax.label), ax.label, in, front, ax.x)
			if err != nil {
				return nil, err
			}
			panels = append(panels, p)
		}
		grid = append(grid, panels)
	}
	return RenderFigure(format, 30*vg.Centimeter, vg.Length(len(grid))*11*vg.Centimeter, grid)
}

// scatterPanel draws all rows and the front, by precision.
func scatterPanel(title, xLabel string, all, front []sweep.Record, x func(sweep.Record) float64) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font.Size = vg.Points(9)
	p.X.Label.Text = xLabel
	p.Y.Label.Text = "latency (ms)"
	p.Add(plotter.NewGrid())
	p.Legend.Top = true
	p.Legend.TextStyle.Font.Size = vg.Points(7)
	// From 0, with room above the points for the legend.
	var xMax, yMax float64
	for _, r := range all {
		xMax, yMax = max(xMax, x(r)), max(yMax, r.LatencyMs)
	}
	p.X.Min, p.X.Max = 0, xMax*1.1
	p.Y.Min, p.Y.Max = 0, yMax*1.25

	xys := func(rs []sweep.Record) plotter.XYs {
		out := make(plotter.XYs, len(rs))
		for i, r := range rs {
			out[i] = plotter.XY{X: x(r), Y: r.LatencyMs}
		}
		return out
	}
	for _, prec := range sweep.PrecisionOrder(all) {
		sc, err := plotter.NewScatter(xys(sweep.Filter(all, func(r sweep.Record) bool { return r.Precision == prec })))
		if err != nil {
			return nil, fmt.Errorf("plot: %w", err)
		}
		sc.GlyphStyle.Color = precisionColor(prec)
		sc.GlyphStyle.Shape = draw.RingGlyph{}
		sc.GlyphStyle.Radius = vg.Points(2.5)
		p.Add(sc)
		p.Legend.Add(prec, sc)
	}
	for _, prec := range sweep.PrecisionOrder(front) {
		sc, err := plotter.NewScatter(xys(sweep.Filter(front, func(r sweep.Record) bool { return r.Precision == prec })))
		if err != nil {
			return nil, fmt.Errorf("plot: %w", err)
		}
		sc.GlyphStyle.Color = precisionColor(prec)
		sc.GlyphStyle.Shape = draw.CircleGlyph{}
		sc.GlyphStyle.Radius = vg.Points(4.5)
		p.Add(sc)
	}
	if len(front) > 0 {
		mark, err := plotter.NewScatter(xys(front))
		if err != nil {
			return nil, fmt.Errorf("plot: %w", err)
		}
		mark.GlyphStyle.Color = color.Black
		mark.GlyphStyle.Shape = draw.RingGlyph{}
		mark.GlyphStyle.Radius = vg.Points(5)
		p.Add(mark)
		p.Legend.Add("Pareto front", mark)
	}
	// One label per spot: front rows drawn on top of each other (within 1%
	// of the axes) share it.
	var labels plotter.XYLabels
	for _, r := range front {
		xy := plotter.XY{X: x(r), Y: r.LatencyMs}
		at := -1
		for i, o := range labels.XYs {
			if math.Abs(o.X-xy.X) <= 0.01*p.X.Max && math.Abs(o.Y-xy.Y) <= 0.01*p.Y.Max {
				at = i
			}
		}
		if at >= 0 {
			labels.Labels[at] += fmt.Sprintf(" #%d", r.Index)
			continue
		}
		labels.XYs = append(labels.XYs, xy)
		labels.Labels = append(labels.Labels, fmt.Sprintf(" #%d", r.Index))
	}
	if err := addPointLabels(p, labels); err != nil {
		return nil, err
	}
	return p, nil
}

// SweepPrecisionFigure draws, for each workload (at most four), the latency of
// the fastest baseline row and of the fastest row with ideas of each
// precision, as bars. format is "png" or "svg".
func SweepPrecisionFigure(format string, rows []sweep.Row) ([]byte, error) {
	good, wls, err := plotWorkloads(rows)
	if err != nil {
		return nil, err
	}
	var grid [][]*plot.Plot
	for _, wl := range wls {
		in := sweep.Filter(good, func(r sweep.Record) bool { return r.Workload == wl })
		precs := sweep.PrecisionOrder(in)
		baseVals := make(plotter.Values, len(precs))
		ideaVals := make(plotter.Values, len(precs))
		anyIdeas := false
		for i, prec := range precs {
			if r, found := sweep.Fastest(sweep.Filter(in, func(r sweep.Record) bool { return r.Precision == prec && r.Ideas == "" })); found {
				baseVals[i] = r.LatencyMs
			}
			if r, found := sweep.Fastest(sweep.Filter(in, func(r sweep.Record) bool { return r.Precision == prec })); found {
				ideaVals[i] = r.LatencyMs
				anyIdeas = anyIdeas || r.Ideas != ""
			}
		}
		p := plot.New()
		p.Title.Text = wl + ": latency per precision"
		p.Title.TextStyle.Font.Size = vg.Points(9)
		p.Y.Label.Text = "latency (ms)"
		p.Add(plotter.NewGrid())
		p.Legend.Top = true
		p.Legend.TextStyle.Font.Size = vg.Points(7)
		w := vg.Points(18)
		series := []struct {
			name string
			vals plotter.Values
			col  color.RGBA
		}{{"fastest baseline (no ideas)", baseVals, color.RGBA{31, 119, 180, 255}}}
		if anyIdeas {
			series = append(series, struct {
				name string
				vals plotter.Values
				col  color.RGBA
			}{"fastest with ideas", ideaVals, color.RGBA{230, 126, 34, 255}})
		}
		for i, s := range series {
			bars, err := plotter.NewBarChart(s.vals, w)
			if err != nil {
				return nil, fmt.Errorf("plot: %w", err)
			}
			bars.Color = s.col
			bars.LineStyle.Width = 0
			bars.Offset = vg.Length(float64(i)-float64(len(series)-1)/2) * w
			p.Add(bars)
			p.Legend.Add(s.name, bars)
			var labels plotter.XYLabels
			for j, v := range s.vals {
				if v > 0 {
					labels.XYs = append(labels.XYs, plotter.XY{X: float64(j), Y: v})
					labels.Labels = append(labels.Labels, fmt.Sprintf("%.1f", v))
				}
			}
			if len(labels.Labels) > 0 {
				l, err := plotter.NewLabels(labels)
				if err != nil {
					return nil, fmt.Errorf("plot: %w", err)
				}
				for k := range l.TextStyle {
					l.TextStyle[k].Font.Size = vg.Points(6)
					l.TextStyle[k].XAlign = draw.XCenter
				}
				l.Offset = vg.Point{X: bars.Offset, Y: vg.Points(2)}
				p.Add(l)
			}
		}
		p.NominalX(precs...)
		// Room for the outer bars and, above the bars, for the legend.
		top := 0.0
		for i := range precs {
			top = max(top, baseVals[i], ideaVals[i])
		}
		p.X.Min, p.X.Max = -0.7, float64(len(precs))-0.3
		p.Y.Min, p.Y.Max = 0, top*1.25
		grid = append(grid, []*plot.Plot{p})
	}
	return RenderFigure(format, 20*vg.Centimeter, vg.Length(len(grid))*10*vg.Centimeter, grid)
}

// plotWorkloads is the ok records of rows and their workloads, at most
// maxPlotWorkloads of them: the panels of a sweep figure.
func plotWorkloads(rows []sweep.Row) ([]sweep.Record, []string, error) {
	good := sweep.OK(sweep.Records(rows))
	wls := sweep.Workloads(good)
	if len(wls) == 0 {
		return nil, nil, fmt.Errorf("plot: no ok rows to draw")
	}
	return good, wls[:min(len(wls), maxPlotWorkloads)], nil
}

// addPointLabels adds labels (the trial or row numbers beside the points)
// to p in a small font; no labels add nothing.
func addPointLabels(p *plot.Plot, labels plotter.XYLabels) error {
	if len(labels.Labels) == 0 {
		return nil
	}
	l, err := plotter.NewLabels(labels)
	if err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	for i := range l.TextStyle {
		l.TextStyle[i].Font.Size = vg.Points(6)
	}
	p.Add(l)
	return nil
}
