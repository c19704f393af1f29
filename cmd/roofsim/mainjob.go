package main

import (
	"fmt"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/validation"
	"github.com/spf13/cobra"
)

// mainJob is what `roofsim` does with no subcommand: the default design
// and scenario's roofline summary, the design's own ceilings next to the
// seed notebook's.
type mainJob struct {
	out   outputFlags
	scen  scenarioFlags
	board boardFlags
}

func newMainJob() *mainJob { return &mainJob{} }

// attach makes the job the root command's action and adds its flags.
func (j *mainJob) attach(root *cobra.Command) {
	addOutputFlags(root, &j.out)
	addScenarioFlags(root, &j.scen)
	addBoardFlags(root, &j.board)
	root.RunE = j.run
}

func (j *mainJob) run(cmd *cobra.Command, _ []string) error {
	f, err := j.out.parse()
	if err != nil {
		return err
	}
	sc, ks, err := j.scen.kernels(cmd)
	if err != nil {
		return err
	}
	p, d, err := j.board.load()
	if err != nil {
		return err
	}
	as := []validation.Analysis{validation.AnalyzeAll(ks, d.Precision, d.Ceilings(p))}
	if seed, err := hw.SeedCeilings(d.Precision); err == nil {
		as = append(as, validation.AnalyzeAll(ks, d.Precision, seed))
	}
	summary := validation.SummaryTable(fmt.Sprintf("Scenario %s (%d kernels) on design %s: roofline lower bound", sc.Name, len(ks), d.Name), as)
	stages := validation.RooflineTables(as, validation.ByShape)[1]
	return j.out.emitTables(cmd, f, summary, stages)
}
