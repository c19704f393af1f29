package main

import (
	"fmt"
	"github.com/roofsim/roofsim/hw"
	"time"

	"github.com/roofsim/roofsim/report"
	"github.com/roofsim/roofsim/sim/hbm"
	"github.com/roofsim/roofsim/validation"
	"github.com/spf13/cobra"
)

// hbmSweepSizes are the request sizes of the --plot sweep (32 B to 4 KiB).
func hbmSweepSizes() []int { return []int{32, 64, 128, 256, 512, 1024, 2048, 4096} }

// hbmFlags are the flags of roofsim hbm.
type hbmFlags struct {
	platform      string
	pattern, op   string
	size          string
	pcs           int
	portBits      int
	outstanding   int
	cross         bool
	span          int
	ii            int
	singleID      bool
	ids           int
	hbmPortLimit  bool
	bytes         string
	stride        string
	seed          uint64
	page          string
	kernelMHz     float64
	plot          string
	plotBytes     string
	hideWallClock bool
	limits        limitFlags
}

func newHBMCmd() *cobra.Command {
	var out outputFlags
	var f hbmFlags
	cmd := &cobra.Command{
		Use:   "hbm",
		Short: "Benchmark the simulated HBM (the U280's, or --platform's): bandwidth per PC and in all, latency, row hits, refresh",
		Long: `Run a bandwidth/latency benchmark on the cycle-level model of the U280's HBM2
(32 pseudo-channels with FR-FCFS controllers and HBM2 timing, the segmented
switch, one kernel-side AXI port per PC). One traffic generator per used
port streams --bytes in all through its own pseudo-channel (or, with
--cross-switch, through the pseudo-channel one switch group over; with
--span N, through an address range spanning the N PCs of its aligned
group, as a kernel buffer spread over several PCs). --ii N lets a port
send one request every N kernel cycles, as an HLS loop of that initiation
interval does.

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
  roofsim hbm --platform examples/platform-slow-hbm.json
  roofsim hbm --op mixed --cross-switch --plot hbm.png
  roofsim hbm --pcs 1 --span 8 --pattern random --size 64
  roofsim hbm --pcs 1 --ii 4 --size 64`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			format, err := out.parse()
			if err != nil {
				return err
			}
			cfg, err := f.config(cmd.Flags().Changed("pcs"))
			if err != nil {
				return err
			}
			imgFormat, err := checkPlot("--plot", f.plot)
			if err != nil {
				return err
			}
			sweep := cfg
			if f.plot != "" {
				if sweep.TotalBytes, err = parseSize("--plot-bytes", f.plotBytes, maxHBMFlag); err != nil {
					return err
				}
				if err := sweep.Validate(); err != nil {
					return fmt.Errorf("--plot-bytes: %w", err)
				}
				for _, size := range hbmSweepSizes() {
					sweep.SizeBytes = size
					if err := sweep.Estimate().Check(sweep.TotalBytes, sweep.Limits); err != nil {
						return fmt.Errorf("--plot-bytes: %w", err)
					}
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
			if msg := validation.CheckHBMBench(r); msg != nil {
				return checkError{fmt.Errorf("hbm: %w", msg)}
			}
			tables := report.HBMTables(r)
			if f.plot != "" {
				rs, err := hbm.Sweep(sweep, hbm.Patterns, hbmSweepSizes())
				if err != nil {
					return checkError{fmt.Errorf("hbm: the sweep failed its checks: %w", err)}
				}
				img, err := report.HBMFigure(imgFormat, rs)
				if err != nil {
					return err
				}
				if err := writeFileAtomic(f.plot, img); err != nil {
					return fmt.Errorf("--plot: %w", err)
				}
				tables = append(tables, report.HBMSweepTable(rs))
			}
			return out.emitTables(cmd, format, tables...)
		},
	}
	addOutputFlags(cmd, &out)
	fl := cmd.Flags()
	addPlatformFlags(fl, &f.platform, "; its HBM is simulated")
	fl.StringVar(&f.pattern, "pattern", "seq", "address pattern: "+hbm.PatternNames)
	fl.StringVar(&f.op, "op", "read", "operations: "+hbm.OpNames+" (mixed alternates reads and writes)")
	fl.StringVar(&f.size, "size", "512", "bytes per request: a multiple of 32 from 32 to 4096 (or with KiB)")
	fl.IntVar(&f.pcs, "pcs", hw.U280HBM().PseudoChannels, "pseudo-channels (and ports) used, 1 to the platform's (default: all the platform's)")
	fl.IntVar(&f.portBits, "port-bits", 256, "width of the kernel-side AXI ports: 256 or 512")
	fl.IntVar(&f.outstanding, "outstanding", 64, "bursts a port keeps in flight per direction")
	fl.BoolVar(&f.cross, "cross-switch", false, "send port i's traffic to the PC one switch group over (i XOR 4), through a lateral link")
	fl.IntVar(&f.span, "span", 1, "each port reads one address range spanning this many PCs (its aligned group), all but its own through the switch; must divide the PCs")
	fl.IntVar(&f.ii, "ii", 1, "a port sends at most one request every this many kernel cycles (an HLS loop's initiation interval)")
	fl.BoolVar(&f.hbmPortLimit, "hbm-port-limit", false, "also bound each port by the HBM's own 256-bit AXI port behind it at the switch clock (14.4 GB/s per direction; PG276), as roofsim validate does")
	fl.BoolVar(&f.singleID, "single-id", false, "each port is one AXI master with a single ID (an HLS m_axi port without RAMA): a request to another PC waits for the port's requests in flight (AXI's single-slave-per-ID rule)")
	fl.IntVar(&f.ids, "ids", 0, "each port numbers its requests with this many AXI IDs in turn and applies the single-slave-per-ID rule per ID: a request waits while one of its ID is in flight to another PC (with --span; 1 is --single-id)")
	fl.StringVar(&f.bytes, "bytes", "64MiB", "bytes moved in all (split evenly over the PCs; B, KiB, MiB, GiB)")
	fl.StringVar(&f.stride, "stride", "4KiB", "distance between consecutive requests of --pattern strided")
	fl.Uint64Var(&f.seed, "seed", 1, "seed of --pattern random")
	fl.StringVar(&f.page, "page", "open", "row policy of the controllers: open or closed")
	fl.Float64Var(&f.kernelMHz, "kernel-mhz", 300, "clock of the kernel-side AXI ports in MHz")
	fl.StringVar(&f.plot, "plot", "", "also sweep 32 B..4 KiB for every pattern and draw GB/s against size to FILE.png or FILE.svg")
	fl.StringVar(&f.plotBytes, "plot-bytes", "4MiB", "bytes moved by each run of the --plot sweep")
	fl.BoolVar(&f.hideWallClock, "no-wall-clock", false, "do not print the simulated bytes and wall time to standard error")
	addLimitFlags(cmd, &f.limits)
	return cmd
}

// config checks the flags and builds the benchmark's configuration.
func (f *hbmFlags) config(pcsGiven bool) (hbm.BenchConfig, error) {
	cfg := hbm.DefaultBenchConfig()
	p, err := hw.LoadPlatform(f.platform)
	if err != nil {
		return cfg, fmt.Errorf("--platform: %w", err)
	}
	cfg.HBM, cfg.Params, cfg.PCs = p.HBM, hbm.DefaultParams(p.HBM), p.HBM.PseudoChannels
	h := cfg.HBM
	if cfg.Pattern, err = hbm.ParsePattern(f.pattern); err != nil {
		return cfg, fmt.Errorf("--pattern %q is not known (accepted: %s)", f.pattern, hbm.PatternNames)
	}
	if cfg.Op, err = hbm.ParseOp(f.op); err != nil {
		return cfg, fmt.Errorf("--op %q is not known (accepted: %s)", f.op, hbm.OpNames)
	}
	size, err := parseSizeIn("--size", f.size, 0, maxHBMFlag) // the range is checked below, quoted whole
	if err != nil {
		return cfg, err
	}
	if size < int64(h.BurstBytes) || size > hbm.MaxRequestBytes || size%int64(h.BurstBytes) != 0 {
		return cfg, fmt.Errorf("--size must be a multiple of %d from %d to %d bytes, got %d", h.BurstBytes, h.BurstBytes, hbm.MaxRequestBytes, size)
	}
	cfg.SizeBytes = int(size)
	if pcsGiven {
		if f.pcs < 1 || f.pcs > h.PseudoChannels {
			return cfg, fmt.Errorf("--pcs must be from 1 to %d, got %d", h.PseudoChannels, f.pcs)
		}
		cfg.PCs = f.pcs
	}
	if f.portBits != 256 && f.portBits != 512 {
		return cfg, fmt.Errorf("--port-bits must be 256 or 512, got %d", f.portBits)
	}
	cfg.Params.PortBits = f.portBits
	if f.outstanding < 1 {
		return cfg, fmt.Errorf("--outstanding must be > 0, got %d", f.outstanding)
	}
	cfg.Params.Outstanding = f.outstanding
	cfg.CrossSwitch = f.cross
	if f.span < 1 || f.span > h.PseudoChannels || h.PseudoChannels%f.span != 0 {
		return cfg, fmt.Errorf("--span must divide the %d pseudo-channels (1, 2, 4, ...), got %d", h.PseudoChannels, f.span)
	}
	if f.ids < 0 || f.ids > hbm.MaxAXIIDs {
		return cfg, fmt.Errorf("--ids must be from 0 to %d AXI IDs, got %d", hbm.MaxAXIIDs, f.ids)
	}
	if f.ids > 1 && f.singleID {
		return cfg, fmt.Errorf("--ids %d and --single-id exclude each other (--single-id is --ids 1)", f.ids)
	}
	if f.span > 1 && f.cross {
		return cfg, fmt.Errorf("--span and --cross-switch are two ways to leave a port's PC; give one")
	}
	if f.ii < 1 {
		return cfg, fmt.Errorf("--ii must be >= 1 kernel cycle, got %d", f.ii)
	}
	cfg.SpanPCs, cfg.IssueIntervalCycles, cfg.SingleID, cfg.IDs = f.span, f.ii, f.singleID, f.ids
	cfg.Params.HBMPortLimit = f.hbmPortLimit
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
	if cfg.Limits, err = f.limits.limits(); err != nil {
		return cfg, err
	}
	if err := cfg.Validate(); err != nil {
		return cfg, err
	}
	// A run over the limits is bad input, refused before it starts.
	if err := cfg.Estimate().Check(cfg.TotalBytes, cfg.Limits); err != nil {
		return cfg, err
	}
	return cfg, nil
}
