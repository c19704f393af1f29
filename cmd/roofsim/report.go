package main

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/roofsim/roofsim/report"
	htmlreport "github.com/roofsim/roofsim/report/html"
	"github.com/roofsim/roofsim/sweep"
	"github.com/spf13/cobra"
)

func newReportCmd() *cobra.Command {
	var out outputFlags
	var title, plotFront, plotPrec, html string
	cmd := &cobra.Command{
		Use:   "report SWEEP_FILE...",
		Short: "Summarize a sweep: Pareto front, best per precision, ideas' speed-ups, quantization",
		Long: `Read the rows of one or more sweep files (roofsim sweep's CSV or JSON lines)
and print:

  summary             rows per status
  not_ok              every row that is not ok, with its reason
  pareto              per workload, the ok rows no other ok row beats in
                      latency, DSPs and on-chip memory at once
  best_per_precision  the fastest ok row of each precision
  ideas               each idea set's speed-up over the same point without
                      it (min, geometric mean, max) and why it helps: the
                      stage, the roofline floor (memory or compute) and the
                      memory-bound share that moved
  idea_pairs          every idea row next to its baseline
  quantization        the fastest baseline (no ideas) of each precision:
                      weight memory, latency, fps, TOP/s, bound

--plot-front draws latency against DSPs and on-chip memory with the front;
--plot-precision the fastest latency of each precision, with and without
ideas (PNG or SVG by extension).`,
		Example: `  roofsim report sweep.csv --format md --plot-front docs/front.png --plot-precision docs/precision.png`,
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := out.parse()
			if err != nil {
				return err
			}
			if err := checkHTML(html); err != nil {
				return err
			}
			var plotFmts [2]string
			for i, p := range []string{plotFront, plotPrec} {
				if p == "" {
					continue
				}
				if plotFmts[i], err = checkPlot([]string{"--plot-front", "--plot-precision"}[i], p); err != nil {
					return err
				}
			}
			var rows []sweep.Row
			seen := map[int]string{}
			for _, name := range args {
				b, err := readSweepFile(name)
				if err != nil {
					return err
				}
				file, err := sweep.ReadFile(name, b)
				if err != nil {
					return err
				}
				if file.Partial {
					fmt.Fprintf(cmd.ErrOrStderr(), "roofsim report: %s ends in a partly written line (a sweep still running?); it is skipped\n", name)
				}
				for _, r := range file.Rows {
					if prev, dup := seen[r.Index()]; dup {
						return fmt.Errorf("point %d %q is in %s and %s: report one sweep (merge shards with roofsim merge)", r.Index(), r.Key(), prev, name)
					}
					seen[r.Index()] = name
					rows = append(rows, r)
				}
			}
			if len(rows) == 0 {
				return fmt.Errorf("%s: no rows to report", strings.Join(args, ", "))
			}
			slices.SortStableFunc(rows, func(a, b sweep.Row) int { return a.Index() - b.Index() })
			if title == "" {
				var bases []string
				for _, a := range args {
					bases = append(bases, filepath.Base(a))
				}
				title = strings.Join(bases, ", ")
			}
			for i, p := range []string{plotFront, plotPrec} {
				if p == "" {
					continue
				}
				draw := []func(string, []sweep.Row) ([]byte, error){report.SweepFrontFigure, report.SweepPrecisionFigure}[i]
				img, err := draw(plotFmts[i], rows)
				if err != nil {
					return fmt.Errorf("%s: %w", []string{"--plot-front", "--plot-precision"}[i], err)
				}
				if err := writeFileAtomic(p, img); err != nil {
					return fmt.Errorf("%s: %w", []string{"--plot-front", "--plot-precision"}[i], err)
				}
			}
			if err := writeHTML(html, func() ([]byte, error) { return htmlreport.Sweep(title, rows) }); err != nil {
				return err
			}
			return out.emitTables(cmd, f, report.SweepTables(title, rows)...)
		},
	}
	addOutputFlags(cmd, &out)
	cmd.Flags().StringVar(&title, "title", "", "the sweep's name in the report (default: the files' names)")
	addHTMLFlag(cmd, &html, "sweep page (the Pareto front and the ideas' speed-ups, hover for a point's parameters)")
	cmd.Flags().StringVar(&plotFront, "plot-front", "", "draw latency against DSPs and on-chip memory, with the Pareto front, into FILE.png|FILE.svg")
	cmd.Flags().StringVar(&plotPrec, "plot-precision", "", "draw the fastest latency of each precision into FILE.png|FILE.svg")
	return cmd
}
