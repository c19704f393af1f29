package report

import (
	"fmt"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// SearchPoint is one simulated candidate of an optimizer's study, for its
// plots.
type SearchPoint struct {
	// Number is the trial's number.
	Number int
	// Value is the objective's value.
	Value float64
	// DSPs and OnChipBytes are what the design takes of the board.
	DSPs, OnChipBytes int64
	// Front marks a candidate of the Pareto front.
	Front bool
	// Best marks the best candidate.
	Best bool
}

// ConvergencePoint is the best value after one more simulated candidate.
type ConvergencePoint struct {
	// Evaluations is the number of candidates simulated so far.
	Evaluations int
	// Seconds is the wall time since the study started.
	Seconds float64
	// Value is this candidate's value (0 for one that did not pass), Best
	// the best value so far (0 while none has passed).
	Value, Best float64
}

// OptimizeFrontFigure draws the objective (yLabel) of every passing
// candidate against its DSPs and its on-chip memory: all as rings, the
// Pareto front as dots labelled with their trial number, the best ringed
// in red. format is "png" or "svg".
func OptimizeFrontFigure(format, title, yLabel string, pts []SearchPoint) ([]byte, error) {
	if len(pts) == 0 {
		return nil, fmt.Errorf("plot: no candidate passed: no front to draw")
	}
	var panels []*plot.Plot
	for _, ax := range []struct {
		label string
		x     func(SearchPoint) float64
	}{
		{"DSP48E2 slices", func(s SearchPoint) float64 { return float64(s.DSPs) }},
		{"on-chip memory (MiB)", func(s SearchPoint) float64 { return mib(s.OnChipBytes) }},
	} {
		p := plot.New()
		p.Title.Text = fmt.Sprintf("%s: %s vs %s", title, yLabel, ax.label)
		p.Title.TextStyle.Font.Size = vg.Points(9)
		p.X.Label.Text, p.Y.Label.Text = ax.label, yLabel
		p.Add(plotter.NewGrid())
		p.Legend.Top = true
		p.Legend.TextStyle.Font.Size = vg.Points(7)
		var all, front, best plotter.XYs
		var labels plotter.XYLabels
		yMax := 0.0
		for _, s := range pts {
			xy := plotter.XY{X: ax.x(s), Y: s.Value}
			yMax = max(yMax, s.Value)
			all = append(all, xy)
			if s.Front {
				front = append(front, xy)
				labels.XYs = append(labels.XYs, xy)
				labels.Labels = append(labels.Labels, fmt.Sprintf(" #%d", s.Number))
			}
			if s.Best {
				best = append(best, xy)
			}
		}
		p.Y.Min, p.Y.Max = 0, yMax*1.25
		for _, layer := range []struct {
			xys    plotter.XYs
			name   string
			shape  draw.GlyphDrawer
			col    color.Color
			radius vg.Length
		}{
			{all, "simulated, passed", draw.RingGlyph{}, palette()[1], 2.5},
			{front, "Pareto front", draw.CircleGlyph{}, palette()[0], 4},
			{best, "best", draw.RingGlyph{}, palette()[3], 6},
		} {
			if len(layer.xys) == 0 {
				continue
			}
			sc, err := plotter.NewScatter(layer.xys)
			if err != nil {
				return nil, fmt.Errorf("plot: %w", err)
			}
			sc.GlyphStyle.Shape, sc.GlyphStyle.Color, sc.GlyphStyle.Radius = layer.shape, layer.col, vg.Points(float64(layer.radius))
			p.Add(sc)
			p.Legend.Add(layer.name, sc)
		}
		if err := addPointLabels(p, labels); err != nil {
			return nil, err
		}
		panels = append(panels, p)
	}
	return RenderFigure(format, 30*vg.Centimeter, 11*vg.Centimeter, [][]*plot.Plot{panels})
}

// OptimizeConvergenceFigure draws the best value so far against the
// candidates simulated and against the wall time, each candidate's own
// value as a ring. format is "png" or "svg".
func OptimizeConvergenceFigure(format, title, yLabel string, pts []ConvergencePoint) ([]byte, error) {
	if len(pts) == 0 {
		return nil, fmt.Errorf("plot: no candidate was simulated: no convergence to draw")
	}
	var panels []*plot.Plot
	for _, ax := range []struct {
		label string
		x     func(ConvergencePoint) float64
	}{
		{"candidates simulated", func(c ConvergencePoint) float64 { return float64(c.Evaluations) }},
		{"wall time (s)", func(c ConvergencePoint) float64 { return c.Seconds }},
	} {
		p := plot.New()
		p.Title.Text = fmt.Sprintf("%s: best %s vs %s", title, yLabel, ax.label)
		p.Title.TextStyle.Font.Size = vg.Points(9)
		p.X.Label.Text, p.Y.Label.Text = ax.label, yLabel
		p.Add(plotter.NewGrid())
		p.Legend.Top = true
		p.Legend.TextStyle.Font.Size = vg.Points(7)
		var each, best plotter.XYs
		yMax := 0.0
		for _, c := range pts {
			if c.Value > 0 {
				each = append(each, plotter.XY{X: ax.x(c), Y: c.Value})
				yMax = max(yMax, c.Value)
			}
			if c.Best > 0 {
				best = append(best, plotter.XY{X: ax.x(c), Y: c.Best})
			}
		}
		p.Y.Min, p.Y.Max = 0, yMax*1.25
		if len(each) > 0 {
			sc, err := plotter.NewScatter(each)
			if err != nil {
				return nil, fmt.Errorf("plot: %w", err)
			}
			sc.GlyphStyle.Shape, sc.GlyphStyle.Color, sc.GlyphStyle.Radius = draw.RingGlyph{}, palette()[1], vg.Points(2)
			p.Add(sc)
			p.Legend.Add("candidate", sc)
		}
		if len(best) > 0 {
			l, err := plotter.NewLine(best)
			if err != nil {
				return nil, fmt.Errorf("plot: %w", err)
			}
			l.StepStyle = plotter.PostStep
			l.LineStyle.Color, l.LineStyle.Width = palette()[3], vg.Points(1.5)
			p.Add(l)
			p.Legend.Add("best so far", l)
		}
		panels = append(panels, p)
	}
	return RenderFigure(format, 30*vg.Centimeter, 11*vg.Centimeter, [][]*plot.Plot{panels})
}
