package main

import (
	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/report"
	"github.com/roofsim/roofsim/sim/accel"
	"github.com/roofsim/roofsim/sim/compute"
	"github.com/roofsim/roofsim/validation"
	"github.com/spf13/cobra"
)

func newGEMMCmd() *cobra.Command {
	var out outputFlags
	var g gemmFlags
	cmd := &cobra.Command{
		Use:   "gemm",
		Short: "Simulate one GEMM (or a SCALE-Sim topology of GEMMs) on the compute arrays",
		Long: `Simulate GEMMs cycle by cycle on a design's systolic arrays, on-chip buffers
and DMA, with the HBM2 model (the default, as in run) or an ideal off-chip
memory (--memory ideal: fixed latency, the design's port bandwidth), and
compare each with its roofline lower bound.

A fold (an R x C block the array holds) costs fill F + stream T + drain D:
output-stationary F = R+C-2, D = R, T = K; weight-stationary F = R,
D = R+C-2, T = M; 2R + C + T - 2 in both. n folds take n(F+D) + sum T with
--fold-overlap=false and F + D + (n-1) max(F,D) + sum T with --fold-overlap.

The design starts from --design (default: the --precision's preset) and the
other design flags override its fields. --topology reads SCALE-Sim's GEMM
topology format (a header row, then "Layer, M, N, K," per GEMM).`,
		Example: `  roofsim gemm --m 1024 --k 768 --n 3072
  roofsim gemm --m 1024 --k 768 --n 3072 --memory ideal --hbm-ports 2 --weight-buffer 64KiB
  roofsim gemm --m 241 --k 960 --n 2560 --dataflow ws --fold-overlap=false --format csv
  roofsim gemm --topology gpt2.csv --array 32x32 --weight-buffer 256KiB`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f, err := out.parse()
			if err != nil {
				return err
			}
			ks, err := g.kernels(cmd)
			if err != nil {
				return err
			}
			p, d, err := g.board(cmd)
			if err != nil {
				return err
			}
			opts, err := g.options(cmd, d, p)
			if err != nil {
				return err
			}
			s, err := compute.NewSimulator(d, p, opts)
			if err != nil {
				return err
			}
			sts, err := s.RunAll(ks)
			if err != nil {
				return err
			}
			checks, beaten := validation.CheckGEMMs(sts, d, p)
			if err := out.emitTables(cmd, f, report.GEMMTables(d, p, opts, checks)...); err != nil {
				return err
			}
			if beaten != nil {
				return checkError{beaten}
			}
			return nil
		},
	}
	addOutputFlags(cmd, &out)
	fl := cmd.Flags()
	fl.Int64Var(&g.m, "m", 0, "rows of the left operand (M of an (M x K) x (K x N) GEMM)")
	fl.Int64Var(&g.k, "k", 0, "inner dimension K")
	fl.Int64Var(&g.n, "n", 0, "columns of the right operand N")
	fl.Int64Var(&g.batch, "batch", 1, "independent GEMMs of this shape, each with its own weights")
	fl.StringVar(&g.name, "name", "gemm", "name of the GEMM in the output")
	fl.StringVar(&g.topology, "topology", "", "run every GEMM of a SCALE-Sim GEMM topology FILE.csv (Layer, M, N, K,) instead of --m/--k/--n")
	addPlatformFlags(fl, &g.platform, "")
	fl.StringVar(&g.design, "design", "", "design to start from: "+hw.DesignNames()+" or a design .json file (default: the --precision's preset)")
	fl.StringVar(&g.precision, "precision", "", "precision: "+hw.PrecisionNames()+"; without --design, picks that precision's built-in design (default "+hw.DefaultDesignName+"); with it, replaces the design's")
	fl.BoolVar(&g.foldOverlap, "fold-overlap", true, "let a fold's fill overlap the previous fold's drain")
	addDesignFlags(cmd, &g.dflags)
	fl.StringVar(&g.memory, "memory", string(accel.MemoryHBM), "off-chip memory model: hbm (the cycle-level HBM2 model of roofsim hbm) or ideal (fixed latency behind the ports' bandwidth)")
	fl.Int64Var(&g.memLatency, "mem-latency", -1, "ideal memory latency in kernel cycles (default: an HBM2 row miss, tRCD + CL)")
	addLimitFlags(cmd, &g.limits)
	return cmd
}
