package main

import (
	"fmt"
	"image/color"
	"math"
	"strconv"
	"time"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sim/hbm"
	"github.com/roofsim/roofsim/validation"
	"github.com/spf13/cobra"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// hbmSweepSizes are the request sizes of the --plot sweep (32 B to 4 KiB).
func hbmSweepSizes() []int { return []int{32, 64, 128, 256, 512, 1024, 2048, 4096} }

// hbmFlags are the flags of roofsim hbm.
type hbmFlags struct {
	pattern, op   string
	size          string
	pcs           int
	portBits      int
	outstanding   int
	cross         bool
	bytes         string
	stride        string
	seed          uint64
	page          string
	kernelMHz     float64
	plot          string
	plotBytes     string
	hideWallClock bool
}

func newHBMCmd() *cobra.Command {
	var out outputFlags
	var f hbmFlags
	cmd := &cobra.Command{
		Use:   "hbm",
		Short: "Benchmark the simulated U280 HBM: bandwidth per PC and in all, latency, row hits, refresh",
		Long: `Run a bandwidth/latency benchmark on the cycle-level model of the U280's HBM2
(32 pseudo-channels with FR-FCFS controllers and HBM2 timing, the segmented
switch, one kernel-side AXI port per PC). One traffic generator per used
port streams --bytes in all through its own pseudo-channel (or, with
--cross-switch, through the pseudo-channel one switch group over).

It prints the bandwidth in all and per PC (GB/s, 10^9 B/s), the request
latency at the port (ns), the row-hit rate, the share of time spent
refreshing, what bounds the run (the ports' width x clock, the switch, the
HBM's own timing, or too few requests in flight) and where each PC's time
goes. The simulated bytes and the wall time go to standard error.

--plot FILE.png|FILE.svg also sweeps the request size from 32 B to 4 KiB
for every pattern (each run moving --plot-bytes) and draws bandwidth
against size.`,
		Example: `  roofsim hbm
  roofsim hbm --port-bits 512 --size 4096
  roofsim hbm --pattern random --size 64 --pcs 1 --format csv
  roofsim hbm --op mixed --cross-switch --plot hbm.png`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			format, err := out.parse()
			if err != nil {
				return err
			}
			cfg, err := f.config()
			if err != nil {
				return err
			}
			var imgFormat string
			if f.plot != "" {
				if imgFormat, err = validation.PlotFormat(f.plot); err != nil {
					return err
				}
			}
			start := time.Now()
			r, err := hbm.RunBenchmark(cfg)
			if err != nil {
				return checkError{fmt.Errorf("hbm: the simulation failed its checks: %w", err)}
			}
			wall := time.Since(start).Seconds()
			if !f.hideWallClock {
				fmt.Fprintf(cmd.ErrOrStderr(), "roofsim hbm: simulated %d bytes (%.3f us of HBM time) in %.2f s of wall time (%.0f MB/s)\n",
					r.Bytes, r.SimSeconds*1e6, wall, float64(r.Bytes)/max(wall, 1e-9)/1e6)
			}
			if msg := hbmPhysics(r); msg != "" {
				return checkError{fmt.Errorf("hbm: %s", msg)}
			}
			tables := hbmTables(r)
			if f.plot != "" {
				sweep := cfg
				if sweep.TotalBytes, err = parseSize("--plot-bytes", f.plotBytes, maxHBMFlag); err != nil {
					return err
				}
				rs, err := hbm.Sweep(sweep, hbm.Patterns, hbmSweepSizes())
				if err != nil {
					return checkError{fmt.Errorf("hbm: the sweep failed its checks: %w", err)}
				}
				img, err := hbmFigure(imgFormat, rs)
				if err != nil {
					return err
				}
				if err := writeFileAtomic(f.plot, img); err != nil {
					return fmt.Errorf("--plot: %w", err)
				}
				tables = append(tables, hbmSweepTable(rs))
			}
			return out.emitTables(cmd, format, tables...)
		},
	}
	addOutputFlags(cmd, &out)
	fl := cmd.Flags()
	fl.StringVar(&f.pattern, "pattern", "seq", "address pattern: "+hbm.PatternNames)
	fl.StringVar(&f.op, "op", "read", "operations: "+hbm.OpNames+" (mixed alternates reads and writes)")
	fl.StringVar(&f.size, "size", "512", "bytes per request: a multiple of 32 from 32 to 4096 (or with KiB)")
	fl.IntVar(&f.pcs, "pcs", 32, "pseudo-channels (and ports) used, 1 to 32")
	fl.IntVar(&f.portBits, "port-bits", 256, "width of the kernel-side AXI ports: 256 or 512")
	fl.IntVar(&f.outstanding, "outstanding", 64, "bursts a port keeps in flight per direction")
	fl.BoolVar(&f.cross, "cross-switch", false, "send port i's traffic to the PC one switch group over (i XOR 4), through a lateral link")
	fl.StringVar(&f.bytes, "bytes", "64MiB", "bytes moved in all (split evenly over the PCs; B, KiB, MiB, GiB)")
	fl.StringVar(&f.stride, "stride", "4KiB", "distance between consecutive requests of --pattern strided")
	fl.Uint64Var(&f.seed, "seed", 1, "seed of --pattern random")
	fl.StringVar(&f.page, "page", "open", "row policy of the controllers: open or closed")
	fl.Float64Var(&f.kernelMHz, "kernel-mhz", 300, "clock of the kernel-side AXI ports in MHz")
	fl.StringVar(&f.plot, "plot", "", "also sweep 32 B..4 KiB for every pattern and draw GB/s against size to FILE.png or FILE.svg")
	fl.StringVar(&f.plotBytes, "plot-bytes", "4MiB", "bytes moved by each run of the --plot sweep")
	fl.BoolVar(&f.hideWallClock, "no-wall-clock", false, "do not print the simulated bytes and wall time to standard error")
	return cmd
}

// config checks the flags and builds the benchmark's configuration.
func (f *hbmFlags) config() (hbm.BenchConfig, error) {
	cfg := hbm.DefaultBenchConfig()
	h := cfg.HBM
	var err error
	if cfg.Pattern, err = hbm.ParsePattern(f.pattern); err != nil {
		return cfg, fmt.Errorf("--pattern %q is not known (accepted: %s)", f.pattern, hbm.PatternNames)
	}
	if cfg.Op, err = hbm.ParseOp(f.op); err != nil {
		return cfg, fmt.Errorf("--op %q is not known (accepted: %s)", f.op, hbm.OpNames)
	}
	size, err := parseSize("--size", f.size, maxHBMFlag)
	if err != nil {
		return cfg, err
	}
	if size < int64(h.BurstBytes) || size > hbm.MaxRequestBytes || size%int64(h.BurstBytes) != 0 {
		return cfg, fmt.Errorf("--size must be a multiple of %d from %d to %d bytes, got %d", h.BurstBytes, h.BurstBytes, hbm.MaxRequestBytes, size)
	}
	cfg.SizeBytes = int(size)
	if f.pcs < 1 || f.pcs > h.PseudoChannels {
		return cfg, fmt.Errorf("--pcs must be from 1 to %d, got %d", h.PseudoChannels, f.pcs)
	}
	cfg.PCs = f.pcs
	if f.portBits != 256 && f.portBits != 512 {
		return cfg, fmt.Errorf("--port-bits must be 256 or 512, got %d", f.portBits)
	}
	cfg.Params.PortBits = f.portBits
	if f.outstanding < 1 {
		return cfg, fmt.Errorf("--outstanding must be > 0, got %d", f.outstanding)
	}
	cfg.Params.Outstanding = f.outstanding
	cfg.CrossSwitch = f.cross
	if cfg.TotalBytes, err = parseSize("--bytes", f.bytes, maxHBMFlag); err != nil {
		return cfg, err
	}
	stride, err := parseSize("--stride", f.stride, maxHBMFlag)
	if err != nil {
		return cfg, err
	}
	if stride%int64(h.BurstBytes) != 0 {
		return cfg, fmt.Errorf("--stride must be a multiple of %d bytes, got %d", h.BurstBytes, stride)
	}
	cfg.StrideBytes = uint64(stride)
	cfg.Seed = f.seed
	if cfg.Params.PagePolicy, err = hbm.ParsePagePolicy(f.page); err != nil {
		return cfg, fmt.Errorf("--page %q is not known (accepted: open|closed)", f.page)
	}
	if !(f.kernelMHz > 0 && f.kernelMHz <= h.AXIMaxFreqHz/1e6) {
		return cfg, fmt.Errorf("--kernel-mhz must be > 0 and at most the AXI ports' %g MHz, got %g", h.AXIMaxFreqHz/1e6, f.kernelMHz)
	}
	cfg.Params.KernelFreqHz = f.kernelMHz * 1e6
	if err := cfg.Validate(); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// hbmPhysics reports a run that breaks a ceiling (a bug of the model).
func hbmPhysics(r *hbm.BenchResult) string {
	const slack = 1 + 1e-9
	if peak := r.Config.HBM.PeakBytesPerSec() / 1e9; r.GBps > peak*slack {
		return fmt.Sprintf("%.3f GB/s is above the HBM's %.1f GB/s", r.GBps, peak)
	}
	for _, pc := range r.PerPC {
		if pc.GBps > r.PCPeakGBps*slack {
			return fmt.Sprintf("PC %d: %.3f GB/s is above a PC's %.1f GB/s", pc.PC, pc.GBps, r.PCPeakGBps)
		}
		if pc.ReadGBps > r.PortPeakGBps*slack || pc.WriteGBps > r.PortPeakGBps*slack {
			return fmt.Sprintf("port %d: %.3f/%.3f GB/s is above its %.1f GB/s", pc.Port, pc.ReadGBps, pc.WriteGBps, r.PortPeakGBps)
		}
	}
	return ""
}

// hbmTables builds the summary, the loss breakdown and the per-PC table.
func hbmTables(r *hbm.BenchResult) []*validation.Table {
	c := r.Config
	n := float64(c.PCs)
	portCeil := n * r.PortPeakGBps
	if c.Op == hbm.OpMixed {
		portCeil *= 2 // separate read and write data channels
	}
	pcCeil := n * r.PCPeakGBps
	sum := &validation.Table{
		Name: "hbm",
		Title: fmt.Sprintf("HBM benchmark: %s %s of %d B on %d PCs, %d-bit ports at %g MHz, %d outstanding, %s page (%.1f MiB)",
			c.Pattern, c.Op, c.SizeBytes, c.PCs, c.Params.PortBits, c.Params.KernelFreqHz/1e6, c.Params.Outstanding,
			c.Params.PagePolicy, float64(r.Bytes)/float64(hw.MiB)),
		Columns: []validation.Column{
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
	losses := &validation.Table{
		Name:  "hbm_time",
		Title: fmt.Sprintf("Where the %d PCs' time goes (%.1f GB/s in all when the data bus never rests)", c.PCs, pcCeil),
		Columns: []validation.Column{
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

	per := &validation.Table{
		Name:  "hbm_per_pc",
		Title: "Per pseudo-channel",
		Columns: []validation.Column{
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
	return []*validation.Table{sum, losses, per}
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

// hbmSweepTable lists the --plot sweep.
func hbmSweepTable(rs []*hbm.BenchResult) *validation.Table {
	t := &validation.Table{
		Name:  "hbm_sweep",
		Title: "Request size sweep (--plot)",
		Columns: []validation.Column{
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

// hbmFigure draws bandwidth against request size, one line per pattern,
// with the ports' and the PCs' ceilings.
func hbmFigure(format string, rs []*hbm.BenchResult) ([]byte, error) {
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
	n := float64(c.PCs)
	portCeil := n * rs[0].PortPeakGBps
	if c.Op == hbm.OpMixed {
		portCeil *= 2
	}
	for _, ref := range []struct {
		label string
		y     float64
		dash  []vg.Length
	}{
		{fmt.Sprintf("ports %.1f GB/s", portCeil), portCeil, []vg.Length{vg.Points(6), vg.Points(3)}},
		{fmt.Sprintf("PCs %.1f GB/s", n*rs[0].PCPeakGBps), n * rs[0].PCPeakGBps, []vg.Length{vg.Points(2), vg.Points(2)}},
	} {
		l, err := plotter.NewLine(plotter.XYs{{X: float64(hbmSweepSizes()[0]), Y: ref.y}, {X: float64(hbmSweepSizes()[len(hbmSweepSizes())-1]), Y: ref.y}})
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
	return validation.RenderFigure(format, 22*vg.Centimeter, 13*vg.Centimeter, [][]*plot.Plot{{p}})
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
