package main

import (
	"fmt"
	"strings"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/report"
	htmlreport "github.com/roofsim/roofsim/report/html"
	"github.com/roofsim/roofsim/sim/accel"
	"github.com/spf13/cobra"
)

func newCompareCmd() *cobra.Command {
	var (
		out     outputFlags
		sf      simFlags
		designs string
		html    string
	)
	cmd := &cobra.Command{
		Use:   "compare",
		Short: "Simulate the same scenario on several designs or precisions, one row each",
		Long: `Simulate the scenario on each design and print one row per design: latency,
frames per second, achieved TOP/s and GB/s against the ceilings, DSPs and
on-chip memory used, efficiency against the roofline and the verdict: the
table a design review wants. A policy scenario adds a table of each design's
policy call: its parts, control rates and what limits the action expert.
Exits 1 if any design fails its validation.`,
		Example: `  roofsim compare
  roofsim compare --designs int8,int4 --ideas fuse
  roofsim compare --designs int8,examples/design-int8-wide.json --memory ideal --format md`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f, err := out.parse()
			if err != nil {
				return err
			}
			if err := checkHTML(html); err != nil {
				return err
			}
			if cmd.Flags().Changed("design") || cmd.Flags().Changed("precision") {
				return fmt.Errorf("--design and --precision name one design; compare takes --designs (accepted: a comma-separated list of %s or .json files)", hw.DesignNames())
			}
			sc, g, err := sf.scen.graph(cmd)
			if err != nil {
				return err
			}
			// Every design is loaded and checked before the first one runs.
			type job struct {
				p hw.Platform
				d hw.Design
				o accel.Options
			}
			var jobs []job
			for _, name := range strings.Split(designs, ",") {
				name = strings.TrimSpace(name)
				if name == "" {
					return fmt.Errorf("--designs %q has an empty entry (accepted: a comma-separated list of %s or .json files)", designs, hw.DesignNames())
				}
				cfg, err := sf.configure(cmd, "--designs", name, sc)
				if err != nil {
					return fmt.Errorf("design %s: %w", name, err)
				}
				jobs = append(jobs, job{cfg.Platform, cfg.Design, cfg.Options})
			}
			var rows []report.CompareRow
			var policy []report.PolicyCompareRow
			failed := 0
			for _, j := range jobs {
				progress, done := progressFor(cmd.ErrOrStderr(), "simulating "+j.d.Name)
				j.o.Progress = progress
				c, _, err := simulate(j.d, j.p, g, j.o)
				done()
				if err != nil {
					return fmt.Errorf("design %s: %w", j.d.Name, err)
				}
				if !c.Passed() {
					failed++
				}
				rows = append(rows, report.CompareRow{Scenario: sc.Name, Comparison: c})
				if sc.Policy != nil {
					s, err := report.Policy(c, g, sc, 0)
					if err != nil {
						return fmt.Errorf("design %s: %w", j.d.Name, err)
					}
					policy = append(policy, report.PolicyCompareRow{Design: j.d.Name, Summary: s})
				}
			}
			tables := []*report.Table{report.CompareTable(rows)}
			if policy != nil {
				tables = append(tables, report.PolicyCompareTable(policy))
			}
			if err := writeHTML(html, func() ([]byte, error) { return htmlreport.Compare(rows, tables[1:]) }); err != nil {
				return err
			}
			if err := out.emitTables(cmd, f, tables...); err != nil {
				return err
			}
			if failed > 0 {
				return checkError{fmt.Errorf("validation failed on %d of %d designs", failed, len(rows))}
			}
			return nil
		},
	}
	addOutputFlags(cmd, &out)
	addSimFlags(cmd, &sf)
	addHTMLFlag(cmd, &html, "compare page (the designs side by side in charts and tables)")
	cmd.Flags().StringVar(&designs, "designs", "fp32,bf16,int8,int4,w4a8", "designs to compare: a comma-separated list of "+hw.DesignNames()+" or .json files")
	return cmd
}
