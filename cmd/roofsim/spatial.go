package main

import (
	"fmt"
	"io"
	"path"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/report"
	"github.com/roofsim/roofsim/sim/spatial"
	"github.com/roofsim/roofsim/workload"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// spatialFlags are run's flags for spatial designs.
type spatialFlags struct {
	ops    string
	passes int
}

// addSpatialFlags registers --ops and --passes.
func addSpatialFlags(cmd *cobra.Command, s *spatialFlags) {
	cmd.Flags().StringVar(&s.ops, "ops", "", "spatial designs: run only the ops from the first to the last whose name matches this glob (e.g. 'vision.cam0.l0.*')")
	cmd.Flags().IntVar(&s.passes, "passes", 1, "spatial designs: inputs streamed through the design one after another (the pipeline overlaps them)")
}

// checkOverlay refuses the spatial flags with an overlay design.
func (s *spatialFlags) checkOverlay(cmd *cobra.Command) error {
	for _, f := range []string{"ops", "passes"} {
		if cmd.Flags().Changed(f) {
			return fmt.Errorf("--%s applies to spatial designs only (a design file with \"units\"); --design %s is an overlay design", f, cmd.Flag("design").Value)
		}
	}
	return nil
}

// selectOps returns the slice of g from the first to the last op whose
// name matches glob ("" keeps g).
func selectOps(g *workload.Graph, glob string) (*workload.Graph, error) {
	if glob == "" {
		return g, nil
	}
	if _, err := path.Match(glob, ""); err != nil {
		return nil, fmt.Errorf("--ops %q is not a valid glob: %v", glob, err)
	}
	first, last := -1, -1
	for i, k := range g.Ops {
		if ok, _ := path.Match(glob, k.Name); ok {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 {
		return nil, fmt.Errorf("--ops %q matches no op of the scenario (e.g. %s)", glob, g.Ops[0].Name)
	}
	sub, err := g.Slice(first, last+1)
	if err != nil {
		return nil, fmt.Errorf("--ops %q: %w", glob, err)
	}
	return sub, nil
}

// spatialRunFlag reports whether run's flag name applies to a spatial
// design.
func spatialRunFlag(name string) bool {
	switch name {
	case "design", "platform", "scenario", "cameras", "frames", "lm-head", "steps", "chunk", "batch", "seq",
		"image-size", "format", "output", "ops", "passes", "debug", "help":
		return true
	}
	return false
}

// runSpatial is `roofsim run` with a spatial design.
func runSpatial(cmd *cobra.Command, out *outputFlags, sf *simFlags, s *spatialFlags) error {
	var other []string
	cmd.Flags().Visit(func(fl *pflag.Flag) {
		if !spatialRunFlag(fl.Name) {
			other = append(other, "--"+fl.Name)
		}
	})
	if len(other) > 0 {
		return fmt.Errorf("%s does not apply to a spatial design (accepted with one: --scenario and its flags, --platform, --ops, --passes, --format, -o)", other[0])
	}
	f, err := out.parse()
	if err != nil {
		return err
	}
	if s.passes < 1 {
		return fmt.Errorf("--passes must be >= 1, got %d", s.passes)
	}
	d, err := hw.LoadSpatialDesign(sf.board.design)
	if err != nil {
		return fmt.Errorf("--design: %w", err)
	}
	p, err := hw.LoadPlatform(sf.board.platform)
	if err != nil {
		return fmt.Errorf("--platform: %w", err)
	}
	sc, g, err := sf.scen.graph(cmd)
	if err != nil {
		return err
	}
	if g, err = selectOps(g, s.ops); err != nil {
		return err
	}
	r, err := spatial.Run(d, p, g, spatial.Options{Passes: s.passes})
	if err != nil {
		return err
	}
	name := sc.Name
	if s.ops != "" {
		name = fmt.Sprintf("%s ops %s (%d)", sc.Name, s.ops, len(g.Ops))
	}
	return out.emit(cmd, func(w io.Writer) error {
		return report.WriteTables(w, f, report.SpatialTables(name, r)...)
	})
}
