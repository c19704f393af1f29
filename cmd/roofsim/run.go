package main

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"runtime"
	"strings"
	"time"

	"github.com/roofsim/roofsim/energy"
	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/report"
	"github.com/roofsim/roofsim/report/format"
	htmlreport "github.com/roofsim/roofsim/report/html"
	"github.com/roofsim/roofsim/sim/accel"
	"github.com/roofsim/roofsim/validation"
	"github.com/roofsim/roofsim/workload"
	"github.com/spf13/cobra"
)

// runStats are the figures `--stats` prints: the simulation's own cost.
type runStats struct {
	cycles, events int64
	wall           time.Duration
	peakHeapBytes  uint64
}

// simulate runs one forward pass and checks it.
func simulate(d hw.Design, p hw.Platform, g *workload.Graph, o accel.Options) (validation.Comparison, runStats, error) {
	start := time.Now()
	res, err := accel.Run(d, p, g, o)
	if err != nil {
		return validation.Comparison{}, runStats{}, err
	}
	st := runStats{cycles: res.TotalCycles, events: res.Events, wall: time.Since(start)}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	st.peakHeapBytes = ms.HeapSys
	return validation.Compare(res), st, nil
}

func newRunCmd() *cobra.Command {
	var (
		out outputFlags
		sf  simFlags
		x   runExtras
		sp  spatialFlags
	)
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Simulate a scenario's whole forward pass on a design and check every kernel against the roofline",
		Long: `Simulate the scenario's whole kernel list in order on one Akita engine: the
design's systolic arrays, buffers, vector units and DMA, through its AXI ports
and the HBM switch to the 32 HBM2 pseudo-channels, cycle by cycle. Every kernel
is then checked against its lower bound on the same design (max of ops / peak
and the bytes it keeps in HBM / memory ceiling), its traffic against its ideal
bytes and its MACs against the kernel's. A kernel that fails makes the command
exit 1 (after writing its output).

Prints a summary (latency, frames per second, achieved TOP/s and GB/s against
the ceilings, the seed notebook's estimate for the same kernels, the verdict),
the stages and the ten kernels that lose the most time against their bound,
with their efficiency and largest loss (--kernels N or all; csv and json
list every kernel unless --kernels is given). A policy scenario adds the policy
call's parts (prefix, flow-matching steps) and the control rates it sustains;
--control-hz F says whether it keeps up at F. A Hugging Face decoder with
--generate T adds T decode steps over the KV cache (docs/models.md): time to
first token, time per output token, tokens per second and each step's bound.`,
		Example: `  roofsim run
  roofsim run --kernels all
  roofsim run --design int4 --ideas fuse,prefetch
  roofsim run --ideas pin_weights --pin-policy order --weight-store 2560KiB
  roofsim run --scenario seed --memory ideal --format json -o seed.json
  roofsim run --scenario examples/tinyllama-1.1b.json --seq 512 --generate 128`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if hw.IsSpatialDesignFile(sf.board.design) {
				return runSpatial(cmd, &out, &sf, &sp)
			}
			if err := sp.checkOverlay(cmd); err != nil {
				return err
			}
			return runPass(cmd, &out, &sf, &x)
		},
	}
	addOutputFlags(cmd, &out)
	addSimFlags(cmd, &sf)
	addRunExtras(cmd, &x)
	addSpatialFlags(cmd, &sp)
	return cmd
}

// runExtras are the flags of run and the main job besides the pass's.
type runExtras struct {
	plot, trace, kernels, html string
	stats                      bool
	controlHz                  float64
}

// addRunExtras registers --plot, --trace, --html, --stats, --kernels and
// --control-hz.
func addRunExtras(cmd *cobra.Command, x *runExtras) {
	plot, trace, stats := &x.plot, &x.trace, &x.stats
	cmd.Flags().StringVar(&x.kernels, "kernels", "", "kernels in the per-kernel table: N (the N that lose the most time against their bound) or all (every kernel, every column); default 10 for table and md, all for csv and json")
	cmd.Flags().StringVar(plot, "plot", "", "also draw the vision and text roofline charts with each kernel's analytical and simulated point to FILE.png or FILE.svg")
	cmd.Flags().StringVar(trace, "trace", "", "also write an Akita task trace to FILE.csv (open it with Akita's Daisen viewer)")
	addHTMLFlag(cmd, &x.html, "run page (summary, checks, loss waterfall, roofline, timeline, HBM heat map, kernel table)")
	cmd.Flags().BoolVar(stats, "stats", false, "print the simulation's own cost to stderr: simulated cycles, events, wall seconds, peak heap")
	cmd.Flags().Float64Var(&x.controlHz, "control-hz", 0, "policy scenarios: the robot's control frequency in Hz; the report says whether the design keeps up and with what margin")
}

// runPass is `roofsim run` and the main job.
func runPass(cmd *cobra.Command, out *outputFlags, sf *simFlags, x *runExtras) error {
	plot, trace, stats := x.plot, x.trace, x.stats
	f, err := out.parse()
	if err != nil {
		return err
	}
	kernels, err := parseKernels(x.kernels, f)
	if err != nil {
		return err
	}
	imgFormat, err := checkPlot("--plot", plot)
	if err != nil {
		return err
	}
	if trace != "" && !strings.HasSuffix(strings.ToLower(trace), ".csv") {
		return fmt.Errorf("--trace %q: the trace is a CSV file (accepted: a name ending in .csv)", trace)
	}
	if err := checkWritable("--trace", trace); err != nil {
		return err
	}
	if err := checkHTML(x.html); err != nil {
		return err
	}
	sc, g, err := sf.scen.graph(cmd)
	if err != nil {
		return err
	}
	if cmd.Flags().Changed("control-hz") && (sc.Policy == nil || !(x.controlHz > 0) || math.IsInf(x.controlHz, 0)) {
		return fmt.Errorf("--control-hz must be a finite frequency > 0 Hz for a policy scenario, got %g on scenario %s", x.controlHz, sc.Name)
	}
	cfg, err := sf.configure(cmd, "--design", sf.board.design, sc)
	if err != nil {
		return err
	}
	if sc.Generate > 0 {
		if trace != "" || plot != "" || x.stats {
			return fmt.Errorf("--generate: --trace, --plot and --stats go with a single pass (run without --generate)")
		}
		return runDecode(cmd, out, f, kernels, sc, cfg, sf.scen.sample)
	}
	p, d, o := cfg.Platform, cfg.Design, cfg.Options
	var traceBuf bytes.Buffer
	var tracer *accel.CSVTracer
	if trace != "" {
		tracer = accel.NewCSVTracer(&traceBuf)
		o.Tracer = tracer
	}
	var timeline *htmlreport.Timeline
	if x.html != "" {
		timeline = htmlreport.NewTimeline(o.Tracer)
		o.Tracer = timeline
	}
	progress, done := progressFor(cmd.ErrOrStderr(), "simulating "+sc.Name)
	o.Progress = progress
	c, st, err := simulate(d, p, g, o)
	done()
	if err != nil {
		return err
	}
	if stats {
		fmt.Fprintf(cmd.ErrOrStderr(), "roofsim run: simulated %d cycles (%.3f ms) with %d events in %.2f s of wall time (%.0f events/s), peak heap %.0f MiB\n",
			st.cycles, c.Seconds()*1e3, st.events, st.wall.Seconds(), float64(st.events)/st.wall.Seconds(), float64(st.peakHeapBytes)/(1<<20))
	}
	if tracer != nil {
		if err := tracer.Flush(); err != nil {
			return fmt.Errorf("--trace: %w", err)
		}
		if err := writeFileAtomic(trace, traceBuf.Bytes()); err != nil {
			return fmt.Errorf("--trace: %w", err)
		}
	}
	if plot != "" {
		img, err := report.RunFigure(imgFormat, c)
		if err != nil {
			return err
		}
		if err := writeFileAtomic(plot, img); err != nil {
			return fmt.Errorf("--plot: %w", err)
		}
	}
	est, err := energy.Of(c.Result)
	if err != nil {
		return err
	}
	var pol *report.PolicySummary
	if sc.Policy != nil {
		ps, err := report.Policy(c, g, sc, x.controlHz)
		if err != nil {
			return err
		}
		pol = &ps
	}
	if err := writeRunHTML(x.html, sc.Name, c, timeline, pol); err != nil {
		return err
	}
	err = out.emit(cmd, func(w io.Writer) error {
		if f == format.JSON {
			return report.WriteRunJSONPolicy(w, sc.Name, c, kernels, pol)
		}
		tables := report.RunTables(sc.Name, c, kernels)
		if pol != nil {
			// The policy's parts and rates after the summary.
			tables = append(tables[:1], append(report.PolicyTables(*pol), tables[1:]...)...)
		}
		return report.WriteTables(w, f, append(tables, report.EnergyTables(est, kernels == report.AllKernels)...)...)
	})
	if err != nil {
		return err
	}
	if err := est.CheckPowerLimit(); err != nil {
		return checkError{err}
	}
	if !c.Passed() {
		first := ""
		for _, k := range c.Kernels {
			if len(k.Failures) > 0 {
				first = k.Kernel.Name + ": " + k.Failures[0]
				break
			}
		}
		return checkError{fmt.Errorf("validation failed: %d of %d kernels broke their checks (first: %s)", c.Failed, len(c.Kernels), first)}
	}
	return nil
}
