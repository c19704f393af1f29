package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/roofsim/roofsim/sweep"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// spaceFlags build a design space: --space FILE.json and the flags for
// simple cases, which replace the file's axes, base fields and ideas of
// the same name.
type spaceFlags struct {
	file     string
	axes     map[string]*string // axis name -> comma-separated values
	ideas    string
	platform string
	scenario string
	memory   string
}

// axisFlag is the flag name of an axis: its name with dashes.
func axisFlag(axis string) string { return strings.ReplaceAll(axis, "_", "-") }

// axisUsage documents the flag of axis a.
func axisUsage(a string) string {
	return map[string]string{
		"design":            "designs to start from: presets (fp32|bf16|int8|int4|w4a8) or .json files (default: each point's precision's preset)",
		"precision":         "precisions: fp32|bf16|int8|int4|w4a8",
		"array":             "array shapes, RxC PEs (e.g. 64x64,128x64)",
		"arrays":            "numbers of arrays",
		"dataflow":          "dataflows: os|ws",
		"weight_buffer":     "weight buffers per array (bytes, or with KiB/MiB)",
		"input_buffer":      "input buffers per array",
		"output_buffer":     "output buffers per array",
		"activation_buffer": "shared activation stores (0 keeps activations in HBM)",
		"hbm_ports":         "numbers of HBM ports (one per pseudo-channel)",
		"port_bits":         "port widths: 256|512",
		"hbm_pcs":           "pseudo-channels the data is spread over",
		"cameras":           "camera images per frame",
		"frames":            "frames run together as one batch",
	}[a]
}

func addSpaceFlags(cmd *cobra.Command, s *spaceFlags) {
	fl := cmd.Flags()
	fl.StringVar(&s.file, "space", "", "the design space: a JSON file (base, axes, ideas); the flags below replace its fields")
	s.axes = map[string]*string{}
	for _, a := range sweep.AxisNames() {
		v := new(string)
		s.axes[a] = v
		fl.StringVar(v, axisFlag(a), "", "axis: "+axisUsage(a)+", comma-separated")
	}
	fl.StringVar(&s.ideas, "ideas", "", "idea sets run besides the baseline, comma-separated, ideas of a set joined by '+' ("+sweep.IdeaNames()+")")
	fl.StringVar(&s.platform, "platform", "", "base platform: u280 or a platform .json file")
	fl.StringVar(&s.scenario, "scenario", "", "base scenario: smolvla|seed or a Hugging Face config.json")
	fl.StringVar(&s.memory, "memory", "", "off-chip memory model: hbm (default) or ideal")
}

// given reports whether any space flag was given.
func (s *spaceFlags) given(cmd *cobra.Command) bool {
	for _, f := range append([]string{"space", "ideas", "platform", "scenario", "memory"}, axisFlagNames()...) {
		if cmd.Flags().Changed(f) {
			return true
		}
	}
	return false
}

func axisFlagNames() []string {
	var names []string
	for _, a := range sweep.AxisNames() {
		names = append(names, axisFlag(a))
	}
	return names
}

// load builds the space and its points.
func (s *spaceFlags) load(cmd *cobra.Command) (*sweep.Space, []sweep.Point, error) {
	fl := cmd.Flags()
	sp := &sweep.Space{}
	if s.file != "" {
		var err error
		if sp, err = sweep.LoadSpace(s.file); err != nil {
			return nil, nil, fmt.Errorf("--space: %w", err)
		}
	}
	for _, a := range sweep.AxisNames() {
		name := axisFlag(a)
		if fl.Changed(name) {
			if err := sp.SetAxis(a, "--"+name, strings.Split(*s.axes[a], ",")); err != nil {
				return nil, nil, err
			}
		}
	}
	if fl.Changed("ideas") {
		sets, err := sweep.ParseIdeaSets(strings.Split(s.ideas, ","), "--ideas")
		if err != nil {
			return nil, nil, err
		}
		sp.Ideas = sets
	}
	for _, b := range []struct {
		flag string
		val  string
		dst  *string
	}{{"platform", s.platform, &sp.Base.Platform}, {"scenario", s.scenario, &sp.Base.Scenario}, {"memory", s.memory, &sp.Base.Memory}} {
		if fl.Changed(b.flag) {
			*b.dst = b.val
		}
	}
	if err := sp.Validate(); err != nil {
		return nil, nil, err
	}
	pts, err := sp.Points()
	if err != nil {
		return nil, nil, err
	}
	return sp, pts, nil
}

// sweepFlags are the flags of roofsim sweep besides the space.
type sweepFlags struct {
	space   spaceFlags
	workers int
	shard   string
	resume  bool
	list    bool
	format  string
	out     string
}

func newSweepCmd() *cobra.Command {
	var f sweepFlags
	cmd := &cobra.Command{
		Use:   "sweep",
		Short: "Simulate every point of a design space and write one row per point",
		Long: `Simulate the cartesian product of design and scenario parameters (a space
file, or the axis flags for simple cases), each point with and without the
space's acceleration ideas, in parallel, and write one row per point (CSV
or JSON lines) in point order as the points finish.

Every simulated point is checked against the roofline: its row's status is
ok, or fail with the failed checks. A design the board cannot hold is a
does_not_fit row with the reason, and a point the simulation refuses an
error row; none is dropped.

--resume reads the rows already in -o FILE (a partly written last line is
dropped), checks they belong to this space and shard, and runs the rest:
the file ends byte-identical to an uninterrupted run, whatever -j is.
--shard I/N runs the points whose index mod N is I; roofsim merge joins the
shards' files into the whole run's file.

Exit codes: 0 every simulated point passed; 1 some point failed its roofline
checks (its row says which); 2 bad input.`,
		Example: `  roofsim sweep --space examples/sweep-precisions.json -o sweep.csv
  roofsim sweep --precision int8,int4 --port-bits 256,512 --cameras 1,3 --ideas batch_cameras -o s.csv
  roofsim sweep --space big.json --shard 3/16 --resume -o shard-3.csv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return f.run(cmd) },
	}
	addSpaceFlags(cmd, &f.space)
	fl := cmd.Flags()
	fl.IntVarP(&f.workers, "jobs", "j", runtime.NumCPU(), "points simulated at once, each on its own engine")
	fl.StringVar(&f.shard, "shard", "", "run only slice I of N (points whose index mod N is I, I from 0), e.g. 3/16")
	fl.BoolVar(&f.resume, "resume", false, "keep the rows already in -o FILE and run the rest (a missing file starts afresh)")
	fl.BoolVar(&f.list, "list", false, "print the points (index and key) of the space, or of the shard, and stop")
	fl.StringVar(&f.format, "format", "", "row format: csv or json (JSON lines); default: json for an -o ending in .json or .jsonl, else csv")
	fl.StringVarP(&f.out, "output", "o", "", "write the rows to FILE (streamed, one line per point) instead of standard output")
	return cmd
}

// rowFormat is the format of the rows: --format, or the -o file's
// extension.
func (f *sweepFlags) rowFormat(cmd *cobra.Command) (sweep.Format, error) {
	if cmd.Flags().Changed("format") {
		rf, err := sweep.ParseFormat(f.format)
		if err != nil {
			return "", fmt.Errorf("--format %q: the sweep streams rows as they finish (accepted: csv|json, json being JSON lines; roofsim report prints tables)", f.format)
		}
		return rf, nil
	}
	switch strings.ToLower(filepath.Ext(f.out)) {
	case ".json", ".jsonl":
		return sweep.FormatJSONL, nil
	}
	return sweep.FormatCSV, nil
}

func (f *sweepFlags) run(cmd *cobra.Command) error {
	rf, err := f.rowFormat(cmd)
	if err != nil {
		return err
	}
	if f.workers < 1 {
		return fmt.Errorf("-j must be >= 1, got %d", f.workers)
	}
	var shard sweep.Shard
	if f.shard != "" {
		if shard, err = sweep.ParseShard(f.shard); err != nil {
			return fmt.Errorf("--shard %v", err)
		}
	}
	if f.resume && f.out == "" {
		return fmt.Errorf("--resume needs -o FILE: it continues the rows in that file")
	}
	if !f.space.given(cmd) {
		return fmt.Errorf("--space FILE.json or an axis flag (--%s ...) is required", strings.Join(axisFlagNames()[:3], ", --"))
	}
	_, all, err := f.space.load(cmd)
	if err != nil {
		return err
	}
	pts := shard.Select(all)
	if f.list {
		w := cmd.OutOrStdout()
		for _, p := range pts {
			if _, err := fmt.Fprintf(w, "%d\t%s\n", p.Index, p.Key); err != nil {
				return err
			}
		}
		return nil
	}

	var w io.Writer
	var done []sweep.Row
	todo := pts
	if f.out != "" {
		o, err := sweep.OpenOutput(f.out, pts, rf, f.resume)
		if err != nil {
			return err
		}
		defer o.File.Close()
		w, done, todo = o.File, o.Done, o.Todo
		if o.Dropped {
			fmt.Fprintf(cmd.ErrOrStderr(), "roofsim sweep: %s ended in a partly written line; it was dropped and its point runs again\n", f.out)
		}
	} else {
		w = cmd.OutOrStdout()
		if _, err := w.Write(sweep.FileHeader(rf)); err != nil {
			return err
		}
	}
	start := time.Now()
	runner := sweep.Runner{Evaluator: sweep.Simulation{}, Workers: f.workers}
	if bar := newProgressBar(cmd.ErrOrStderr()); bar != nil {
		runner.Progress = bar
	}
	rows, err := runner.Run(context.Background(), todo, w, rf)
	if err != nil {
		return err
	}
	if f.out != "" {
		if c, ok := w.(*os.File); ok {
			if err := c.Close(); err != nil {
				return fmt.Errorf("-o: %w", err)
			}
		}
	}
	all2 := append(done, rows...)
	sum := sweep.Summarize(all2)
	secs := time.Since(start).Seconds()
	resumed := ""
	if len(done) > 0 {
		resumed = fmt.Sprintf(" (%d resumed)", len(done))
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "roofsim sweep: %s%s; %s run in %.1f s with %s (%.2f points/s)\n",
		sum, resumed, sweep.Plural(len(rows), "point"), secs, sweep.Plural(f.workers, "worker"), float64(len(rows))/max(secs, 1e-9))
	if n := sum.ByStatus[sweep.StatusFail]; n > 0 {
		return checkError{fmt.Errorf("%d of %d points failed their roofline checks (their rows have status fail and the reason)", n, sum.Points)}
	}
	return nil
}

// progressBar shows the sweep's progress with an ETA on a terminal.
type progressBar struct {
	w   io.Writer
	bar *progressbar.ProgressBar
}

// newProgressBar returns a progress bar writing to w when w is a terminal,
// else nil (the run is quiet but for its summary line).
func newProgressBar(w io.Writer) *progressBar {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return &progressBar{w: w}
}

// Start implements sweep.Progress.
func (p *progressBar) Start(points int) {
	p.bar = progressbar.NewOptions(points,
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionSetDescription("sweep"),
		progressbar.OptionShowCount(),
		progressbar.OptionSetItsString("points"),
		progressbar.OptionShowIts(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)
}

// Done implements sweep.Progress.
func (p *progressBar) Done(sweep.Row) { _ = p.bar.Add(1) }

// Finish implements sweep.Progress.
func (p *progressBar) Finish() { _ = p.bar.Finish() }
