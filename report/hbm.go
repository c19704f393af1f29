package report

import (
	"fmt"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sim/hbm"
)

// hbmCeilingsGBps are a benchmark's two ceilings in GB/s: its ports'
// (twice the width for mixed traffic, on the separate read and write data
// channels) and its PCs'.
func hbmCeilingsGBps(r *hbm.BenchResult) (portGBps, pcGBps float64) {
	n := float64(r.Config.PCs)
	portGBps = n * r.PortPeakGBps
	if r.Config.Op == hbm.OpMixed {
		portGBps *= 2
	}
	return portGBps, n * r.PCPeakGBps
}

// hbmPatternNote describes a benchmark's access pattern beyond one port
// per PC at full rate: its span over several PCs and its issue interval
// ("" for neither).
func hbmPatternNote(c hbm.BenchConfig) string {
	note := ""
	if c.SpanPCs > 1 {
		note += fmt.Sprintf(", each port over %d PCs", c.SpanPCs)
	}
	if c.SingleID {
		note += ", one AXI ID per port"
	}
	if c.IssueIntervalCycles > 1 {
		note += fmt.Sprintf(", one request per %d cycles", c.IssueIntervalCycles)
	}
	return note
}

// HBMTables builds the summary, the loss breakdown and the per-PC table.
func HBMTables(r *hbm.BenchResult) []*Table {
	c := r.Config
	portCeil, pcCeil := hbmCeilingsGBps(r)
	sum := &Table{
		Name: "hbm",
		Title: fmt.Sprintf("HBM benchmark: %s %s of %d B on %d PCs, %d-bit ports at %g MHz, %d outstanding, %s page (%.1f MiB)",
			c.Pattern, c.Op, c.SizeBytes, c.PCs, c.Params.PortBits, c.Params.KernelFreqHz/1e6, c.Params.Outstanding,
			c.Params.PagePolicy, float64(r.Bytes)/float64(hw.MiB)) + hbmPatternNote(c),
		Columns: []Column{
			{Key: "pattern"}, {Key: "op"}, {Key: "size_bytes", Header: "size"}, {Key: "pcs"},
			{Key: "port_bits", Header: "port bits"}, {Key: "outstanding", Header: "outst."}, {Key: "cross_switch", Header: "cross"},
			{Key: "gbps", Header: "GB/s", Fmt: "%.1f"}, {Key: "gbps_per_pc", Header: "GB/s/PC", Fmt: "%.2f"},
			{Key: "port_ceiling_gbps", Header: "port ceil", Fmt: "%.1f"}, {Key: "hbm_ceiling_gbps", Header: "HBM ceil", Fmt: "%.1f"},
			{Key: "bound"},
			{Key: "lat_avg_ns", Header: "lat avg", Fmt: "%.1f"}, {Key: "lat_p50_ns", Header: "p50", Fmt: "%.1f"},
			{Key: "lat_p99_ns", Header: "p99", Fmt: "%.1f"}, {Key: "lat_min_ns", Header: "min", Fmt: "%.1f"},
			{Key: "lat_max_ns", Header: "max", Fmt: "%.1f"},
			{Key: "row_hit_rate", Header: "row hits", Fmt: "%.3f"}, {Key: "refresh_share", Header: "refresh", Fmt: "%.3f"},
		},
		Notes: hbmNotes(r, portCeil, pcCeil),
	}
	sum.Add(string(c.Pattern), string(c.Op), c.SizeBytes, c.PCs, c.Params.PortBits, c.Params.Outstanding, c.CrossSwitch,
		r.GBps, r.GBpsPerPC, portCeil, pcCeil, r.Bound,
		r.LatAvgNs, r.LatP50Ns, r.LatP99Ns, r.LatMinNs, r.LatMaxNs, r.RowHitRate, r.RefreshShare)

	t := r.Total
	losses := &Table{
		Name:  "hbm_time",
		Title: fmt.Sprintf("Where the %d PCs' time goes (%.1f GB/s in all when the data bus never rests)", c.PCs, pcCeil),
		Columns: []Column{
			{Key: "cause"}, {Key: "share", Fmt: "%.3f"}, {Key: "gbps", Header: "GB/s", Fmt: "%.1f"}, {Key: "meaning"},
		},
	}
	timing := c.HBM.Timing
	rows := []struct {
		cause   string
		cycles  uint64
		meaning string
	}{
		{"data", t.BusyCycles, "the data bus carries data: the bandwidth delivered"},
		{"idle", t.LossIdleCycles, "no request waiting: the ports, the switch or too few requests in flight starve the PC"},
		{"refresh", t.LossRefreshCycles, fmt.Sprintf("all-bank refresh (tRFC %g ns every tREFI %g ns) and closing the rows for it", timing.TRFCNs, timing.TREFINs)},
		{"row", t.LossRowCycles, "activate/precharge timing not hidden (tRCD, tRP, tRAS, tRRD, tFAW): row misses and conflicts"},
		{"turnaround", t.LossTurnaroundCycles, "read/write turnaround of the data bus (tWTR, tRTW)"},
		{"other", t.LossOtherCycles, "column timing (tCCD) and command order"},
	}
	for _, row := range rows {
		share := 0.0
		if t.ElapsedCycles > 0 {
			share = float64(row.cycles) / float64(t.ElapsedCycles)
		}
		losses.Add(row.cause, share, share*pcCeil, row.meaning)
	}

	per := &Table{
		Name:  "hbm_per_pc",
		Title: "Per pseudo-channel",
		Columns: []Column{
			{Key: "pc"}, {Key: "port"}, {Key: "gbps", Header: "GB/s", Fmt: "%.2f"},
			{Key: "read_gbps", Header: "read", Fmt: "%.2f"}, {Key: "write_gbps", Header: "write", Fmt: "%.2f"},
			{Key: "lat_avg_ns", Header: "lat avg", Fmt: "%.1f"}, {Key: "lat_p99_ns", Header: "p99", Fmt: "%.1f"},
			{Key: "queue_ns", Header: "queue", Fmt: "%.1f"}, {Key: "service_ns", Header: "service", Fmt: "%.1f"},
			{Key: "row_hit_rate", Header: "row hits", Fmt: "%.3f"}, {Key: "activates"}, {Key: "refreshes"},
			{Key: "turnarounds"}, {Key: "bus_util", Header: "bus util", Fmt: "%.3f"},
		},
		Notes: []string{"queue: average time a burst waits in its controller before its first column command; service: from there to its last data beat (ns)"},
	}
	for _, pc := range r.PerPC {
		s := pc.Stats
		hit, util := 0.0, 0.0
		if s.Columns() > 0 {
			hit = float64(s.RowHits) / float64(s.Columns())
		}
		if s.ElapsedCycles > 0 {
			util = float64(s.BusyCycles) / float64(s.ElapsedCycles)
		}
		per.Add(pc.PC, pc.Port, pc.GBps, pc.ReadGBps, pc.WriteGBps, pc.LatAvgNs, pc.LatP99Ns, pc.QueueNs, pc.ServiceNs,
			hit, int64(s.Activates), int64(s.Refreshes), int64(s.Turnarounds), util)
	}
	return []*Table{sum, losses, per}
}

// hbmNotes explains the run's bound: why it stays below 460.8 GB/s.
func hbmNotes(r *hbm.BenchResult, portCeil, pcCeil float64) []string {
	c := r.Config
	h := c.HBM
	notes := []string{fmt.Sprintf("HBM peak %.1f GB/s = %d PCs x %.1f GB/s (64 bits x 2 transfers x %g MHz); this run uses %d PCs: %.1f GB/s.",
		h.PeakBytesPerSec()/1e9, h.PseudoChannels, r.PCPeakGBps, h.ClockHz/1e6, c.PCs, pcCeil)}
	switch r.Bound {
	case "port":
		notes = append(notes, fmt.Sprintf("Bound by the ports: %d x %d bits x %g MHz = %.1f GB/s (busiest data channel %.0f%% busy); the PCs' data buses rest %.0f%% of the time. That rest is slack, not a loss: requests reach a PC one at a time as the port drains, so its activates cannot hide behind queued data (the idle and row rows below). Wider ports (--port-bits 512) lift the bound.",
			c.PCs, c.Params.PortBits, c.Params.KernelFreqHz/1e6, float64(c.PCs)*r.PortPeakGBps, 100*r.PortUtil, 100*(1-r.BusUtil)))
	case "switch":
		notes = append(notes, fmt.Sprintf("Bound by the switch: crossing traffic shares lateral links that each carry %.0f%% of a %d-bit switch port at %g MHz (busiest link %.0f%% busy).",
			100*h.LateralBWFraction, h.AXIPortBits, c.Params.SwitchFreqHz/1e6, 100*r.LateralUtil))
	case "hbm":
		notes = append(notes, fmt.Sprintf("Bound by the HBM: the PCs always had requests, and their data buses carried data %.1f%% of the time; refresh took %.1f%%, row timing %.1f%%, turnaround %.1f%% (table below).",
			100*r.BusUtil, 100*r.LossRefresh, 100*r.LossRow, 100*r.LossTurnaround))
	default:
		notes = append(notes, fmt.Sprintf("Bound by latency: %d bursts in flight per port do not cover the %.0f ns latency at the PC's pace (Little's law); the PCs idle %.0f%% of the time. Raise --outstanding.",
			c.Params.Outstanding, r.LatAvgNs, 100*r.LossIdle))
	}
	notes = append(notes, "Latency: from a request's arrival at its AXI port to its response leaving the port (ns); row hits: share of 32 B column commands that found their row open; refresh: share of time the PCs spent refreshing.")
	return notes
}

// HBMSweepTable lists a request-size sweep of HBM benchmarks.
func HBMSweepTable(rs []*hbm.BenchResult) *Table {
	t := &Table{
		Name:  "hbm_sweep",
		Title: "Request size sweep (--plot)",
		Columns: []Column{
			{Key: "pattern"}, {Key: "op"}, {Key: "size_bytes", Header: "size"}, {Key: "pcs"}, {Key: "port_bits", Header: "port bits"},
			{Key: "gbps", Header: "GB/s", Fmt: "%.1f"}, {Key: "gbps_per_pc", Header: "GB/s/PC", Fmt: "%.2f"},
			{Key: "lat_avg_ns", Header: "lat avg", Fmt: "%.1f"}, {Key: "lat_p99_ns", Header: "p99", Fmt: "%.1f"},
			{Key: "row_hit_rate", Header: "row hits", Fmt: "%.3f"}, {Key: "bound"},
		},
	}
	for _, r := range rs {
		c := r.Config
		t.Add(string(c.Pattern), string(c.Op), c.SizeBytes, c.PCs, c.Params.PortBits, r.GBps, r.GBpsPerPC, r.LatAvgNs, r.LatP99Ns, r.RowHitRate, r.Bound)
	}
	return t
}

// HBMFigure draws bandwidth against request size, one line per pattern,
// with the ports' and the PCs' ceilings over the sizes of the runs.
// format is "png" or "svg".
func HBMFigure(format string, rs []*hbm.BenchResult) ([]byte, error) {
	if len(rs) == 0 {
		return nil, fmt.Errorf("plot: no runs to draw")
	}
	c := rs[0].Config
	p := plot.New()
	p.Title.Text = fmt.Sprintf("HBM bandwidth: %s, %d PCs, %d-bit ports at %g MHz, %d outstanding", c.Op, c.PCs, c.Params.PortBits,
		c.Params.KernelFreqHz/1e6, c.Params.Outstanding)
	p.X.Label.Text = "request size (bytes)"
	p.Y.Label.Text = "bandwidth (GB/s)"
	p.Y.Tick.Marker = plainTicks{}
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = sizeTicks{}
	p.Legend.Top = false
	p.Legend.Left = false
	p.Add(plotter.NewGrid())
	ymax := 0.0
	lo, hi := rs[0].Config.SizeBytes, rs[0].Config.SizeBytes
	for _, r := range rs {
		lo, hi = min(lo, r.Config.SizeBytes), max(hi, r.Config.SizeBytes)
	}
	for i, pat := range hbm.Patterns {
		var pts plotter.XYs
		for _, r := range rs {
			if r.Config.Pattern == pat {
				pts = append(pts, plotter.XY{X: float64(r.Config.SizeBytes), Y: r.GBps})
				ymax = max(ymax, r.GBps)
			}
		}
		if len(pts) == 0 {
			continue
		}
		line, points, err := plotter.NewLinePoints(pts)
		if err != nil {
			return nil, fmt.Errorf("plot: %w", err)
		}
		col := hbmColors()[i%len(hbmColors())]
		line.Color, points.Color = col, col
		points.Shape = draw.CircleGlyph{}
		line.Width = vg.Points(1.5)
		p.Add(line, points)
		p.Legend.Add(string(pat), line, points)
	}
	portCeil, pcCeil := hbmCeilingsGBps(rs[0])
	for _, ref := range []struct {
		label string
		y     float64
		dash  []vg.Length
	}{
		{fmt.Sprintf("ports %.1f GB/s", portCeil), portCeil, []vg.Length{vg.Points(6), vg.Points(3)}},
		{fmt.Sprintf("PCs %.1f GB/s", pcCeil), pcCeil, []vg.Length{vg.Points(2), vg.Points(2)}},
	} {
		l, err := plotter.NewLine(plotter.XYs{{X: float64(lo), Y: ref.y}, {X: float64(hi), Y: ref.y}})
		if err != nil {
			return nil, fmt.Errorf("plot: %w", err)
		}
		l.Dashes = ref.dash
		l.Width = vg.Points(1)
		p.Add(l)
		p.Legend.Add(ref.label, l)
		ymax = max(ymax, ref.y)
	}
	p.Y.Min, p.Y.Max = 0, ymax*1.1
	return RenderFigure(format, 22*vg.Centimeter, 13*vg.Centimeter, [][]*plot.Plot{{p}})
}

// hbmColors are the pattern lines' colours.
func hbmColors() []color.RGBA {
	return []color.RGBA{{31, 119, 180, 255}, {230, 126, 34, 255}, {44, 160, 44, 255}}
}

// plainTicks are gonum's default ticks labelled without trailing zeros.
type plainTicks struct{}

// Ticks returns the default ticks with %g labels.
func (plainTicks) Ticks(lo, hi float64) []plot.Tick {
	ts := plot.DefaultTicks{}.Ticks(lo, hi)
	for i := range ts {
		if ts[i].Label != "" {
			ts[i].Label = strconv.FormatFloat(ts[i].Value, 'g', -1, 64)
		}
	}
	return ts
}

// sizeTicks puts a tick at every power of two on the size axis.
type sizeTicks struct{}

// Ticks returns the powers of two from min to max.
func (sizeTicks) Ticks(lo, hi float64) []plot.Tick {
	var ts []plot.Tick
	for v := math.Pow(2, math.Ceil(math.Log2(lo))); v <= hi*(1+1e-9); v *= 2 {
		label := strconv.Itoa(int(v))
		if v >= 1024 {
			label = fmt.Sprintf("%gK", v/1024)
		}
		ts = append(ts, plot.Tick{Value: v, Label: label})
	}
	return ts
}
