package main

import (
	"fmt"
	"io"

	"github.com/roofsim/roofsim/decode"
	"github.com/roofsim/roofsim/ideas"
	"github.com/roofsim/roofsim/report"
	"github.com/roofsim/roofsim/report/format"
	"github.com/roofsim/roofsim/workload"
	"github.com/spf13/cobra"
)

// runDecode is `roofsim run --generate T`: the prefill and the sampled
// decode steps, the generation's tables, then the prefill's and the last
// step's run tables (each kernel against its bound).
func runDecode(cmd *cobra.Command, out *outputFlags, f format.Format, kernels int, sc workload.Scenario, cfg ideas.Config, sample int) error {
	progress, done := progressFor(cmd.ErrOrStderr(), "simulating "+sc.Name)
	r, err := decode.Run(cfg.Design, cfg.Platform, sc, cfg.Options, decode.Options{Sample: sample}, progress)
	done()
	if err != nil {
		return err
	}
	_, _, last := r.At()
	err = out.emit(cmd, func(w io.Writer) error {
		tables := report.DecodeTables(sc.Name, r)
		pre := report.RunTables(sc.Name+" prefill", r.Prefill, kernels)
		pre[0].Name, pre[1].Name, pre[2].Name = "prefill_summary", "prefill_stages", "prefill_kernels"
		tables = append(tables, pre...)
		if last.Check != nil {
			st := report.RunTables(fmt.Sprintf("%s decode step %d", sc.Name, last.Step), *last.Check, kernels)
			st[0].Name, st[1].Name, st[2].Name = "step_summary", "step_stages", "step_kernels"
			tables = append(tables, st...)
		}
		return report.WriteTables(w, f, tables...)
	})
	if err != nil {
		return err
	}
	if n := r.Failed(); n > 0 {
		return checkError{fmt.Errorf("validation failed: %d kernels of the prefill and the simulated decode steps broke their checks", n)}
	}
	return nil
}
