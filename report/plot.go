package report

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/roofline"
)

// PlotFormat returns the image format of a plot file from its extension:
// "png" or "svg".
func PlotFormat(path string) (string, error) {
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".png":
		return "png", nil
	case ".svg":
		return "svg", nil
	default:
		return "", fmt.Errorf("--plot %q: unknown image type %q (accepted: .png|.svg)", path, ext)
	}
}

// RenderFigure draws a grid of plots (rows of panels, nil panels left empty)
// into an image of the given size and format ("png" or "svg") and returns
// its bytes.
func RenderFigure(format string, width, height vg.Length, panels [][]*plot.Plot) ([]byte, error) {
	var canvas vg.CanvasWriterTo
	switch format {
	case "png":
		canvas = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(144))}
	case "svg":
		canvas = vgsvg.New(width, height)
	default:
		return nil, fmt.Errorf("plot: unknown image format %q (accepted: png|svg)", format)
	}
	rows := len(panels)
	cols := 0
	for _, r := range panels {
		cols = max(cols, len(r))
	}
	if rows == 0 || cols == 0 {
		return nil, fmt.Errorf("plot: nothing to draw")
	}
	dc := draw.New(canvas)
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 4,
		PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2}
	grid := make([][]*plot.Plot, rows)
	for i := range grid {
		grid[i] = make([]*plot.Plot, cols)
		copy(grid[i], panels[i])
	}
	canvases := plot.Align(grid, tiles, dc)
	for i := range grid {
		for j := range grid[i] {
			if grid[i][j] != nil {
				grid[i][j].Draw(canvases[i][j])
			}
		}
	}
	var buf bytes.Buffer
	if _, err := canvas.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("plot: %w", err)
	}
	return buf.Bytes(), nil
}

// RoofLine is one compute ceiling drawn on a roofline chart.
type RoofLine struct {
	// Label names the ceiling in the legend.
	Label string
	// PeakOpsPerSec is the compute ceiling.
	PeakOpsPerSec float64
	// Series is the point series drawn in the same colour (e.g. a precision).
	Series string
}

// RoofPoint is one kernel on a roofline chart.
type RoofPoint struct {
	// Label is written next to the point (empty for none).
	Label string
	// Series groups points of one colour and marker (e.g. a precision).
	Series string
	// OI is the operational intensity in ops per byte.
	OI float64
	// OpsPerSec is the performance drawn (attainable or simulated).
	OpsPerSec float64
}

// seriesColor is the i-th colour of the charts' palette.
func seriesColor(i int) color.RGBA {
	palette := [...]color.RGBA{
		{0, 0, 0, 255}, {230, 126, 34, 255}, {31, 119, 180, 255}, {44, 160, 44, 255},
		{214, 39, 40, 255}, {148, 103, 189, 255}, {140, 86, 75, 255}, {23, 190, 207, 255},
	}
	return palette[i%len(palette)]
}

// RooflineChart draws the seed notebook's chart: a memory wall of bwBytesPerSec,
// one roof min(peak, bw x OI) per ceiling, and the points, on log-log axes
// from OI 0.1 to 1000 (widened to hold every point).
func RooflineChart(title string, bwBytesPerSec float64, roofs []RoofLine, points []RoofPoint) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "Operational intensity (ops/byte)"
	p.Y.Label.Text = "Performance (ops/s)"
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	p.X.Tick.Marker, p.Y.Tick.Marker = plot.LogTicks{Prec: -1}, plot.LogTicks{Prec: -1}
	p.Add(plotter.NewGrid())
	p.Legend.Top = true
	p.Legend.Left = true
	p.Legend.XOffs = vg.Millimeter * 2
	p.Legend.TextStyle.Font.Size = vg.Points(8)

	// One colour per series, shared by its ceiling and its points.
	colorOf := map[string]int{}
	addSeries := func(s string) {
		if _, ok := colorOf[s]; !ok {
			colorOf[s] = len(colorOf)
		}
	}
	for _, r := range roofs {
		addSeries(r.Series)
	}
	for _, pt := range points {
		addSeries(pt.Series)
	}

	xmin, xmax := 0.1, 1000.0
	for _, pt := range points {
		if pt.OI > 0 && !math.IsInf(pt.OI, 0) {
			xmin, xmax = math.Min(xmin, pt.OI/2), math.Max(xmax, pt.OI*2)
		}
	}
	xs := logspace(xmin, xmax, 100)

	wall := make(plotter.XYs, len(xs))
	for i, x := range xs {
		wall[i] = plotter.XY{X: x, Y: bwBytesPerSec * x}
	}
	wl, err := plotter.NewLine(wall)
	if err != nil {
		return nil, fmt.Errorf("plot: memory wall: %w", err)
	}
	wl.Color = color.RGBA{200, 0, 0, 255}
	wl.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	p.Add(wl)
	p.Legend.Add(fmt.Sprintf("memory wall (%.0f GB/s)", bwBytesPerSec/1e9), wl)

	for _, r := range roofs {
		pts := make(plotter.XYs, len(xs))
		for j, x := range xs {
			pts[j] = plotter.XY{X: x, Y: roofline.Attainable(x, hw.Ceilings{PeakOpsPerSec: r.PeakOpsPerSec, BWBytesPerSec: bwBytesPerSec})}
		}
		l, err := plotter.NewLine(pts)
		if err != nil {
			return nil, fmt.Errorf("plot: ceiling %s: %w", r.Label, err)
		}
		l.Color = seriesColor(colorOf[r.Series])
		l.Width = vg.Points(1.5)
		p.Add(l)
		p.Legend.Add(fmt.Sprintf("%s peak (%.2f TOP/s)", r.Label, r.PeakOpsPerSec/1e12), l)
	}

	var order []string
	bySeries := map[string]plotter.XYs{}
	var labels plotter.XYLabels
	for _, pt := range points {
		if pt.OI <= 0 || pt.OpsPerSec <= 0 || math.IsInf(pt.OI, 0) {
			continue
		}
		if _, ok := bySeries[pt.Series]; !ok {
			order = append(order, pt.Series)
		}
		bySeries[pt.Series] = append(bySeries[pt.Series], plotter.XY{X: pt.OI, Y: pt.OpsPerSec})
		if pt.Label != "" {
			labels.XYs = append(labels.XYs, plotter.XY{X: pt.OI, Y: pt.OpsPerSec * 1.3})
			labels.Labels = append(labels.Labels, pt.Label)
		}
	}
	shapes := []draw.GlyphDrawer{draw.CircleGlyph{}, draw.BoxGlyph{}, draw.TriangleGlyph{}, draw.PyramidGlyph{}, draw.CrossGlyph{}, draw.PlusGlyph{}, draw.RingGlyph{}, draw.SquareGlyph{}}
	for i, s := range order {
		sc, err := plotter.NewScatter(bySeries[s])
		if err != nil {
			return nil, fmt.Errorf("plot: points %s: %w", s, err)
		}
		sc.GlyphStyle.Shape = shapes[i%len(shapes)]
		sc.GlyphStyle.Color = seriesColor(colorOf[s])
		sc.GlyphStyle.Radius = vg.Points(3.5)
		p.Add(sc)
		p.Legend.Add(s, sc)
	}
	if len(labels.Labels) > 0 {
		l, err := plotter.NewLabels(labels)
		if err != nil {
			return nil, fmt.Errorf("plot: labels: %w", err)
		}
		for i := range l.TextStyle {
			l.TextStyle[i].Font.Size = vg.Points(7)
			l.TextStyle[i].XAlign = draw.XLeft
			l.TextStyle[i].Rotation = math.Pi / 4
		}
		p.Add(l)
	}
	p.X.Min, p.X.Max = xmin, xmax
	return p, nil
}

// logspace returns n points spread evenly in log scale from a to b.
func logspace(a, b float64, n int) []float64 {
	la, lb := math.Log10(a), math.Log10(b)
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = math.Pow(10, la+(lb-la)*float64(i)/float64(n-1))
	}
	return xs
}
