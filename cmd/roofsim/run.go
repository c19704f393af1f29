package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/report"
	"github.com/roofsim/roofsim/sim/accel"
	"github.com/roofsim/roofsim/validation"
	"github.com/roofsim/roofsim/workload"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// simFlags are the flags of a simulated forward pass.
type simFlags struct {
	scen        scenarioFlags
	board       boardFlags
	precision   string
	memory      string
	foldOverlap bool
	residency   bool
	fuse        bool
	prefetch    bool
	pinWeights  string
	weightStore string
	actStore    string
	pipeline    bool
	layout      string
}

func addSimFlags(cmd *cobra.Command, s *simFlags) {
	addScenarioFlags(cmd, &s.scen)
	addBoardFlags(cmd, &s.board)
	cmd.Flags().StringVar(&s.precision, "precision", "", "precision: picks that precision's built-in design when --design is not given ("+hw.PrecisionNames()+")")
	cmd.Flags().StringVar(&s.memory, "memory", accel.MemoryHBM, "off-chip memory model: hbm (the cycle-level HBM2 model) or ideal (fixed latency behind the ports' bandwidth)")
	cmd.Flags().BoolVar(&s.foldOverlap, "fold-overlap", true, "let an array's next fold fill while the previous one drains")
	cmd.Flags().BoolVar(&s.residency, "residency", true, "keep activations in the design's on-chip activation store while they fit (off: every activation goes through HBM)")
	cmd.Flags().BoolVar(&s.fuse, "fuse", false, "idea: fuse each elementwise kernel into the matmul that feeds it (an epilogue on the vector units)")
	cmd.Flags().BoolVar(&s.prefetch, "prefetch", false, "idea: load the next kernel's first weight tiles while the current kernel runs")
	cmd.Flags().StringVar(&s.pinWeights, "pin-weights", accel.PinNone, "idea: keep weights in an on-chip weight store: none, order (in kernel order until full) or reuse (most reads per byte first); needs --weight-store")
	cmd.Flags().StringVar(&s.weightStore, "weight-store", "", "size of the design's on-chip weight store (e.g. 8MiB), taken from the board's BRAM+URAM")
	cmd.Flags().StringVar(&s.actStore, "activation-store", "", "size of the design's on-chip activation store (e.g. 8MiB; 0 sends every activation through HBM)")
	cmd.Flags().BoolVar(&s.pipeline, "pipeline", false, "idea: split the arrays across the SLRs to pipeline frames: vision on all arrays but one, text on the last")
	cmd.Flags().StringVar(&s.layout, "layout", accel.LayoutInterleave, "how weights and spilled activations spread over the PCs: interleave (4 KiB chunks in turn) or contiguous (one range per PC, a naive allocation)")
}

// design returns the platform and the design the flags name.
func (s *simFlags) design(cmd *cobra.Command) (hw.Platform, hw.Design, error) {
	if cmd.Flags().Changed("precision") && !cmd.Flags().Changed("design") {
		p, err := hw.PrecisionByName(s.precision)
		if err != nil {
			return hw.Platform{}, hw.Design{}, fmt.Errorf("--precision: %w", err)
		}
		s.board.design = p.Name
	}
	pl, d, err := s.board.load()
	if err != nil {
		return hw.Platform{}, hw.Design{}, err
	}
	if s.actStore != "" {
		d.ActivationBufferBytes = 0
		if s.actStore != "0" {
			if d.ActivationBufferBytes, err = parseSize("--activation-store", s.actStore, maxBufferFlag); err != nil {
				return hw.Platform{}, hw.Design{}, err
			}
		}
	}
	if s.weightStore != "" {
		if d.WeightStoreBytes, err = parseSize("--weight-store", s.weightStore, maxBufferFlag); err != nil {
			return hw.Platform{}, hw.Design{}, err
		}
	}
	if s.actStore != "" || s.weightStore != "" {
		if err := d.Fit(pl); err != nil {
			return hw.Platform{}, hw.Design{}, fmt.Errorf("--activation-store/--weight-store: %w", err)
		}
	}
	if cmd.Flags().Changed("precision") && !strings.EqualFold(s.precision, d.Precision.Name) {
		return hw.Platform{}, hw.Design{}, fmt.Errorf("--precision %s does not match design %s, which computes in %s", s.precision, d.Name, d.Precision.Name)
	}
	return pl, d, nil
}

// options returns the simulation options for design d.
func (s *simFlags) options(d hw.Design, p hw.Platform) (accel.Options, error) {
	o := accel.DefaultOptions(d, p)
	switch s.memory {
	case accel.MemoryHBM, accel.MemoryIdeal:
		o.Memory = s.memory
	default:
		return accel.Options{}, fmt.Errorf("--memory %q is not known (accepted: hbm|ideal)", s.memory)
	}
	o.FoldOverlap = s.foldOverlap
	o.Residency = s.residency
	o.Fuse = s.fuse
	o.PrefetchWeights = s.prefetch
	switch s.pinWeights {
	case accel.PinNone, accel.PinInOrder, accel.PinMostReused:
		o.PinWeights = s.pinWeights
	default:
		return accel.Options{}, fmt.Errorf("--pin-weights %q is not known (accepted: none|order|reuse)", s.pinWeights)
	}
	if s.pinWeights != accel.PinNone && d.WeightStoreBytes == 0 {
		return accel.Options{}, fmt.Errorf("--pin-weights %s needs a weight store: give --weight-store SIZE (or weight_store_bytes in the design file)", s.pinWeights)
	}
	switch s.layout {
	case accel.LayoutInterleave, accel.LayoutContiguous:
		o.Layout.Map = s.layout
	default:
		return accel.Options{}, fmt.Errorf("--layout %q is not known (accepted: interleave|contiguous)", s.layout)
	}
	if s.pipeline {
		o.Pipeline = &accel.Pipeline{}
	}
	return o, nil
}

// runStats are the figures `--stats` prints: the simulation's own cost.
type runStats struct {
	cycles, events int64
	wall           time.Duration
	peakHeapBytes  uint64
}

// simulate runs one forward pass and checks it.
func simulate(d hw.Design, p hw.Platform, ks []workload.Kernel, o accel.Options) (validation.Comparison, runStats, error) {
	start := time.Now()
	res, err := accel.Run(d, p, ks, o)
	if err != nil {
		return validation.Comparison{}, runStats{}, err
	}
	st := runStats{cycles: res.TotalCycles, events: res.Events, wall: time.Since(start)}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	st.peakHeapBytes = ms.HeapSys
	return validation.Compare(res), st, nil
}

// isTerminal reports whether w is a terminal (for the progress bar).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// progressFor returns a progress callback drawing a bar on w when w is a
// terminal, and nil otherwise.
func progressFor(w io.Writer, what string) (func(done, total int), func()) {
	if !isTerminal(w) {
		return nil, func() {}
	}
	var bar *progressbar.ProgressBar
	return func(done, total int) {
			if bar == nil {
				bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(w), progressbar.OptionSetDescription(what),
					progressbar.OptionShowCount(), progressbar.OptionSetPredictTime(true), progressbar.OptionClearOnFinish())
			}
			_ = bar.Set(done)
		}, func() {
			if bar != nil {
				_ = bar.Finish()
			}
		}
}

func newRunCmd() *cobra.Command {
	var (
		out   outputFlags
		sf    simFlags
		plot  string
		trace string
		stats bool
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
the stages and every kernel with its bound, efficiency and largest loss.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runPass(cmd, &out, &sf, plot, trace, stats)
		},
	}
	addOutputFlags(cmd, &out)
	addSimFlags(cmd, &sf)
	addRunExtras(cmd, &plot, &trace, &stats)
	return cmd
}

// addRunExtras registers --plot, --trace and --stats.
func addRunExtras(cmd *cobra.Command, plot, trace *string, stats *bool) {
	cmd.Flags().StringVar(plot, "plot", "", "also draw the vision and text roofline charts with each kernel's analytical and simulated point to FILE.png or FILE.svg")
	cmd.Flags().StringVar(trace, "trace", "", "also write an Akita task trace to FILE.csv (open it with Akita's Daisen viewer)")
	cmd.Flags().BoolVar(stats, "stats", false, "print the simulation's own cost to stderr: simulated cycles, events, wall seconds, peak heap")
}

// runPass is `roofsim run` and the main job.
func runPass(cmd *cobra.Command, out *outputFlags, sf *simFlags, plot, trace string, stats bool) error {
	f, err := out.parse()
	if err != nil {
		return err
	}
	var imgFormat string
	if plot != "" {
		if imgFormat, err = report.PlotFormat(plot); err != nil {
			return err
		}
	}
	if trace != "" && !strings.HasSuffix(strings.ToLower(trace), ".csv") {
		return fmt.Errorf("--trace %q: the trace is a CSV file (accepted: a name ending in .csv)", trace)
	}
	sc, ks, err := sf.scen.kernels(cmd)
	if err != nil {
		return err
	}
	p, d, err := sf.design(cmd)
	if err != nil {
		return err
	}
	o, err := sf.options(d, p)
	if err != nil {
		return err
	}
	var traceBuf bytes.Buffer
	var tracer *accel.CSVTracer
	if trace != "" {
		tracer = accel.NewCSVTracer(&traceBuf)
		o.Tracer = tracer
	}
	progress, done := progressFor(cmd.ErrOrStderr(), "simulating "+sc.Name)
	o.Progress = progress
	c, st, err := simulate(d, p, ks, o)
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
	err = out.emit(cmd, func(w io.Writer) error {
		if f == report.FormatJSON {
			return report.WriteRunJSON(w, sc.Name, c)
		}
		return report.WriteTables(w, f, report.RunTables(sc.Name, c)...)
	})
	if err != nil {
		return err
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
