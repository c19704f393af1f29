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

	"github.com/roofsim/roofsim/report/format"
	"github.com/roofsim/roofsim/sweep"
	"github.com/spf13/cobra"
)

// sweepFlags are the flags of roofsim sweep besides the space.
type sweepFlags struct {
	space   spaceFlags
	workers int
	shard   string
	resume  bool
	list    bool
	format  string
	out     string
	limits  limitFlags
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
checks (its row says which); 2 bad input; 3 an internal error.`,
		Example: `  roofsim sweep --space examples/sweep-precisions.json -o sweep.csv
  roofsim sweep --precision int8,int4 --port-bits 256,512 --cameras 1,3 --ideas batch_cameras -o s.csv
  roofsim sweep --space big.json --shard 3/16 --resume -o shard-3.csv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return f.run(cmd) },
	}
	addSpaceFlags(cmd, &f.space)
	fl := cmd.Flags()
	addJobsFlag(fl, &f.workers, runtime.NumCPU(), "points simulated at once, each on its own engine")
	fl.StringVar(&f.shard, "shard", "", "run only slice I of N (points whose index mod N is I, I from 0), e.g. 3/16")
	fl.BoolVar(&f.resume, "resume", false, "keep the rows already in -o FILE and run the rest (a missing file starts afresh)")
	fl.BoolVar(&f.list, "list", false, "print the points (index and key) of the space, or of the shard, to standard output or -o FILE, and stop")
	fl.StringVar(&f.format, "format", "", "row format: csv or json (JSON lines); default: json for an -o ending in .json or .jsonl, else csv")
	addLimitFlags(cmd, &f.limits)
	fl.StringVarP(&f.out, "output", "o", "", "write the rows to FILE (streamed, one line per point) instead of standard output")
	return cmd
}

// rowFormat is the format of the rows: --format, or the -o file's
// extension.
func (f *sweepFlags) rowFormat(cmd *cobra.Command) (format.Format, error) {
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
	if err := checkJobs(f.workers); err != nil {
		return err
	}
	limits, err := f.limits.limits()
	if err != nil {
		return err
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
	if err := checkWritable("-o", f.out); err != nil {
		return err
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
		o := outputFlags{out: f.out}
		return o.emit(cmd, func(w io.Writer) error {
			for _, p := range pts {
				if _, err := fmt.Fprintf(w, "%d\t%s\n", p.Index, p.Key); err != nil {
					return err
				}
			}
			return nil
		})
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
	runner := sweep.Runner{Evaluator: sweep.Simulation{Limits: limits}, Workers: f.workers}
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
