package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"time"

	"github.com/roofsim/roofsim/optimize"
	"github.com/roofsim/roofsim/sweep"
	"github.com/spf13/cobra"
)

// optimizeFlags are the flags of roofsim optimize.
type optimizeFlags struct {
	scenario, objective, space, sampler, storage, study, dir string
	budget, maxTrials, jobs, workers                         int
	seed                                                     int64
	limit                                                    time.Duration
	resume                                                   bool
	limits                                                   limitFlags
	output                                                   outputFlags
}

func newOptimizeCmd() *cobra.Command {
	var f optimizeFlags
	cmd := &cobra.Command{
		Use:   "optimize",
		Short: "Search a design space for the best design that fits the board",
		Long: `Search the ranges of a space file (arrays, array shape, dataflow, precision,
buffers and stores, vector lanes, HBM ports and width, clock, the ideas as
switches) for the design that optimizes the objective on the scenario,
with goptuna's TPE sampler (or random search), seeded.

Each candidate first meets cheap filters: a design the board cannot hold
(DSPs, BRAM/URAM blocks, LUTs, FFs per SLR; roofsim hw --require-fit) or
whose analytical bound is no better than the best simulated candidate is
discarded without simulating. Every other candidate is simulated on the HBM
model and checked like a sweep's point; --budget counts these.

--dir gets best.json (a design file for roofsim run --design), trials.csv
(every simulated candidate as a sweep row: roofsim report reads it),
front.png and convergence.png. --storage sqlite://PATH keeps the study in
a database that several processes share (each stops when the study has
--budget simulations); a stopped study continues from its stored trials,
and --resume first retakes the candidates a stopped run left unfinished.

Exit codes: 0 a design passed; 1 no candidate passed; 2 bad input; 3 an
internal error.`,
		Example: `  roofsim optimize --scenario smolvla --objective latency --budget 200 -j 2
  roofsim optimize --space examples/optimize-space.json --objective fps_per_watt --seed 7 --dir out
  roofsim optimize --storage sqlite:///shared/study.db --study smolvla --workers 2 --budget 400`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return f.run(cmd) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.scenario, "scenario", "smolvla", "scenario: a preset name or a Hugging Face config.json (as roofsim run)")
	fl.StringVar(&f.objective, "objective", "latency", "what to optimize: latency|fps|energy|fps_per_watt")
	fl.StringVar(&f.space, "space", "", "space file of ranges (default: the built-in space, examples/optimize-space.json)")
	fl.IntVar(&f.budget, "budget", 200, "candidates to simulate (those the cheap filters discard do not count)")
	fl.IntVar(&f.maxTrials, "max-trials", 0, "stop after this many trials, filtered ones included (default 20 x --budget)")
	fl.DurationVar(&f.limit, "time", 0, "stop asking for candidates after this wall time, e.g. 10m (default: no limit)")
	fl.Int64Var(&f.seed, "seed", 1, "seed of the sampler: the same seed, budget and -j give the same study")
	addJobsFlag(fl, &f.jobs, runtime.NumCPU(), "candidates simulated at once by each worker (asked together from the same history)")
	fl.IntVar(&f.workers, "workers", 1, "independent workers in this process, each asking for its next candidates when done (as processes sharing --storage do)")
	fl.StringVar(&f.sampler, "sampler", "tpe", "search algorithm: "+optimize.Samplers)
	fl.StringVar(&f.storage, "storage", "", "keep the study in "+optimize.StorageSchemes+" (default: in memory)")
	fl.StringVar(&f.study, "study", "roofsim", "name of the study in --storage")
	fl.BoolVar(&f.resume, "resume", false, "first simulate again the candidates a stopped run left unfinished in --storage (when no other worker runs)")
	fl.StringVar(&f.dir, "dir", "optimize-out", "directory for best.json, trials.csv, front.png and convergence.png")
	addLimitFlags(cmd, &f.limits)
	addOutputFlags(cmd, &f.output)
	return cmd
}

func (f *optimizeFlags) run(cmd *cobra.Command) error {
	tf, err := f.output.parse()
	if err != nil {
		return err
	}
	obj, err := optimize.ParseObjective(f.objective)
	if err != nil {
		return fmt.Errorf("--objective: %w", err)
	}
	if err := checkJobs(f.jobs); err != nil {
		return err
	}
	switch {
	case f.budget < 1:
		return fmt.Errorf("--budget must be >= 1, got %d", f.budget)
	case f.maxTrials < 0:
		return fmt.Errorf("--max-trials must be >= 0, got %d", f.maxTrials)
	case f.workers < 1:
		return fmt.Errorf("--workers must be >= 1, got %d", f.workers)
	case f.limit < 0:
		return fmt.Errorf("--time must be >= 0, got %s", f.limit)
	case f.resume && f.storage == "":
		return fmt.Errorf("--resume needs --storage: an in-memory study has nothing to resume")
	case f.dir == "":
		return fmt.Errorf("--dir must name a directory")
	}
	if st, err := os.Stat(f.dir); err == nil && !st.IsDir() {
		return fmt.Errorf("--dir %s: is not a directory", f.dir)
	}
	limits, err := f.limits.limits()
	if err != nil {
		return err
	}
	space, err := optimize.DefaultSpace()
	if f.space != "" {
		if space, err = optimize.LoadSpace(f.space); err != nil {
			return fmt.Errorf("--space: %w", err)
		}
	}
	if err != nil {
		return err
	}
	setup, err := optimize.NewSetup(space, f.scenario)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	o := optimize.Options{Objective: obj, Budget: f.budget, MaxTrials: f.maxTrials, Time: f.limit, Seed: f.seed,
		Jobs: f.jobs, Workers: f.workers, Sampler: f.sampler, Storage: f.storage, Study: f.study, Resume: f.resume,
		Evaluator: sweep.Simulation{Limits: limits}}
	if bar := newSearchBar(cmd.ErrOrStderr(), obj); bar != nil {
		o.Progress = bar
	}
	start, cpu0 := time.Now(), cpuSeconds()
	res, err := optimize.Run(ctx, setup, o)
	if err != nil {
		return err
	}
	wall, cpu := time.Since(start).Seconds(), cpuSeconds()-cpu0
	paths, err := res.WriteFiles(f.dir)
	if err != nil {
		return err
	}
	if err := f.output.emitTables(cmd, tf, res.Tables()...); err != nil {
		return err
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "roofsim optimize: %d trials, %d simulated, %d discarded by the cheap filters; %.1f s wall, %.1f s CPU in this run; wrote %v\n",
		len(res.Trials), res.Simulated(), res.Filtered(), wall, cpu, paths)
	if res.Best < 0 {
		return checkError{fmt.Errorf("no candidate passed (see %s/trials.csv)", f.dir)}
	}
	return nil
}
