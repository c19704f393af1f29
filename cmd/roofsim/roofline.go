package main

import (
	"fmt"
	"strings"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/report"
	"github.com/roofsim/roofsim/roofline"
	"github.com/roofsim/roofsim/workload"
	"github.com/spf13/cobra"
)

// ceilingFlags choose the ceilings of a roofline: the seed notebook's or a
// design's, for one precision or all four of the notebook.
type ceilingFlags struct {
	precision string
	ceilings  string
	board     boardFlags
}

func addCeilingFlags(cmd *cobra.Command, c *ceilingFlags) {
	cmd.Flags().StringVar(&c.precision, "precision", "", "precision: all (the notebook's fp32|bf16|int8|int4; the default) or one of "+hw.PrecisionNames())
	cmd.Flags().StringVar(&c.ceilings, "ceilings", "seed", "ceilings: seed (the notebook's device peaks, 300 GB/s) or design (a buildable design's own)")
	addBoardFlags(cmd, &c.board)
}

// analyses returns one roofline analysis of ks per selected precision.
func (c *ceilingFlags) analyses(cmd *cobra.Command, ks []workload.Kernel) ([]roofline.Analysis, error) {
	var precs []hw.Precision
	if c.precision == "" || strings.EqualFold(c.precision, "all") {
		precs = hw.SeedPrecisions()
	} else {
		p, err := hw.PrecisionByName(c.precision)
		if err != nil {
			return nil, fmt.Errorf("--precision: %w", err)
		}
		precs = []hw.Precision{p}
	}
	designGiven := cmd.Flags().Changed("design")
	var designBoard hw.Design // the --design, whose board the ceilings use
	switch c.ceilings {
	case "seed":
		if designGiven {
			return nil, fmt.Errorf("--design goes with --ceilings design (the seed ceilings belong to no design)")
		}
	case "design":
		if designGiven {
			_, d, err := c.board.load(cmd)
			if err != nil {
				return nil, err
			}
			designBoard = d
			if cmd.Flags().Changed("precision") && !strings.EqualFold(c.precision, d.Precision.Name) {
				return nil, fmt.Errorf("--precision %s does not match design %s, which computes in %s", c.precision, d.Name, d.Precision.Name)
			}
			precs = []hw.Precision{d.Precision}
		}
	default:
		return nil, fmt.Errorf("--ceilings %q is not known (accepted: seed|design)", c.ceilings)
	}
	platform, err := loadPlatform(cmd, c.board.platform, designBoard)
	if err != nil {
		return nil, err
	}
	var out []roofline.Analysis
	for _, p := range precs {
		var ceil hw.Ceilings
		if c.ceilings == "seed" {
			ceil, err = hw.SeedCeilings(p)
			if err != nil {
				return nil, fmt.Errorf("--precision: %w", err)
			}
		} else {
			d, err := c.designFor(p)
			if err != nil {
				return nil, err
			}
			if err := d.Fit(platform); err != nil {
				return nil, fmt.Errorf("--design: %w", err)
			}
			ceil = d.Ceilings(platform)
		}
		out = append(out, roofline.AnalyzeAll(ks, p, ceil))
	}
	return out, nil
}

// designFor is the --design when given, else the built-in design of p.
func (c *ceilingFlags) designFor(p hw.Precision) (hw.Design, error) {
	if c.board.design != hw.DefaultDesignName {
		d, err := hw.LoadDesign(c.board.design)
		if err != nil {
			return hw.Design{}, fmt.Errorf("--design: %w", err)
		}
		return d, nil
	}
	return hw.DesignForPrecision(p)
}

func newRooflineCmd() *cobra.Command {
	var (
		out  outputFlags
		scen scenarioFlags
		ceil ceilingFlags
		by   string
		plot string
	)
	cmd := &cobra.Command{
		Use:   "roofline",
		Short: "The analytical roofline of every kernel (the seed notebook's section 4)",
		Long: `Print the analytical roofline of every kernel of a scenario: ops, ideal bytes,
operational intensity (OI), attainable performance min(peak, BW x OI), the
bound it is under, and the lower-bound time max(ops/peak, bytes/BW), with
totals per stage and for the whole scenario.

--ceilings seed uses the notebook's device peaks (FP32/BF16 5.41, INT8 18.6,
INT4 37.2 TOP/s) and its realistic 300 GB/s; --ceilings design uses a
buildable design's own peak (its DSPs x MACs per DSP x 2 x clock) and memory
ceiling (min(HBM peak, ports x width x clock)).`,
		Example: `  roofsim roofline
  roofsim roofline --scenario seed --precision int8 --by kernel
  roofsim roofline --ceilings design --design int4 --plot roofline.png`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f, err := out.parse()
			if err != nil {
				return err
			}
			g, err := report.ParseGrouping(by)
			if err != nil {
				return err
			}
			imgFormat, err := checkPlot("--plot", plot)
			if err != nil {
				return err
			}
			_, ks, err := scen.kernels(cmd)
			if err != nil {
				return err
			}
			as, err := ceil.analyses(cmd, ks)
			if err != nil {
				return err
			}
			if plot != "" {
				img, err := report.RooflineFigure(imgFormat, as)
				if err != nil {
					return err
				}
				if err := writeFileAtomic(plot, img); err != nil {
					return fmt.Errorf("--plot: %w", err)
				}
			}
			return out.emitTables(cmd, f, report.RooflineTables(as, g)...)
		},
	}
	addOutputFlags(cmd, &out)
	addScenarioFlags(cmd, &scen)
	addCeilingFlags(cmd, &ceil)
	cmd.Flags().StringVar(&by, "by", "shape", "list kernels by shape (each distinct kernel once, with its count) or by kernel (every kernel)")
	cmd.Flags().StringVar(&plot, "plot", "", "also draw the vision and text roofline charts to FILE.png or FILE.svg")
	return cmd
}
