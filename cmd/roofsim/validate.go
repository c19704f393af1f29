package main

import (
	"fmt"
	"runtime"
	"strings"

	"github.com/roofsim/roofsim/calib"
	"github.com/roofsim/roofsim/report"
	"github.com/spf13/cobra"
)

func newValidateCmd() *cobra.Command {
	var out outputFlags
	var only string
	var maxMAPE float64
	var explain bool
	var jobs int
	cmd := &cobra.Command{
		Use:   "validate",
		Short: "Run the suite of published hardware measurements and report roofsim's error against them",
		Long: `Run roofsim's built-in suite of published, measured results on real HBM boards
(HBM micro-benchmarks from papers and AMD's example and tutorial logs, and
GEMV kernels timed on the device, run on a roofsim design as roofsim gemm
runs them), each mapped onto the simulator: per case the measured and simulated figures, their
ratio and the error; then the mean absolute percentage error (MAPE), the
geometric-mean ratio and the worst case over the measured cases. Pending
cases (not expressible yet) and estimates are listed but not counted.
Sources and mappings: docs/measured.md. -j runs that many cases at once, each
on its own simulators; the output is the same whatever -j is.

Exit 1 when the MAPE is above --max-mape.`,
		Example: `  roofsim validate
  roofsim validate --case vitis-hbm-bandwidth-u280 --format md
  roofsim validate --max-mape 25
  roofsim validate -j 1
  roofsim validate --case tutorial-random-4pc-256 --explain`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f, err := out.parse()
			if err != nil {
				return err
			}
			if !(maxMAPE >= 0) {
				return fmt.Errorf("--max-mape must be >= 0 percent, got %g", maxMAPE)
			}
			if err := checkJobs(jobs); err != nil {
				return err
			}
			suite, err := calib.Suite()
			if err != nil {
				return internalError{err}
			}
			cases, err := pickCases(suite, only)
			if err != nil {
				return err
			}
			rs, err := calib.RunAll(cases, jobs)
			if err != nil {
				return checkError{fmt.Errorf("validate: the simulation failed its checks: %w", err)}
			}
			s := calib.Summarize(rs)
			tables := report.MeasuredTables(rs, s, maxMAPE)
			if explain {
				tables = append(tables, report.MeasuredMappingTable(rs))
			}
			if err := out.emitTables(cmd, f, tables...); err != nil {
				return err
			}
			if s.MAPEPct > maxMAPE {
				return checkError{fmt.Errorf("validate: MAPE %.1f%% over %d measured cases is above --max-mape %g%% (worst: %s, %.1f%%)",
					s.MAPEPct, s.Cases, maxMAPE, s.Worst, s.WorstPct)}
			}
			return nil
		},
	}
	addOutputFlags(cmd, &out)
	cmd.Flags().StringVar(&only, "case", "", "run only these cases (comma-separated names; see the table for them)")
	cmd.Flags().BoolVar(&explain, "explain", false, "also print each case's citation, workload, mapping and approximations")
	cmd.Flags().Float64Var(&maxMAPE, "max-mape", 15, "exit 1 when the MAPE over the measured cases is above this, in percent")
	addJobsFlag(cmd.Flags(), &jobs, runtime.GOMAXPROCS(0), "cases simulated at once, each on its own simulators (1: one after the other)")
	return cmd
}

// pickCases returns the cases named in the comma-separated list only, in
// its order (all of suite when only is empty).
func pickCases(suite []calib.Case, only string) ([]calib.Case, error) {
	if only == "" {
		return suite, nil
	}
	var out []calib.Case
	for _, name := range strings.Split(only, ",") {
		found := false
		for _, c := range suite {
			if c.Name == strings.TrimSpace(name) {
				out, found = append(out, c), true
				break
			}
		}
		if !found {
			var names []string
			for _, c := range suite {
				names = append(names, c.Name)
			}
			return nil, fmt.Errorf("--case %q is not in the suite (accepted: %s)", name, strings.Join(names, "|"))
		}
	}
	return out, nil
}
