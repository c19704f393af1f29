package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/report"
	"github.com/roofsim/roofsim/sim/compute"
	"github.com/roofsim/roofsim/validation"
	"github.com/roofsim/roofsim/workload"
	"github.com/spf13/cobra"
)

// maxTopologyFileBytes bounds the size of a --topology file.
const maxTopologyFileBytes = 16 << 20

// gemmFlags are the flags of roofsim gemm.
type gemmFlags struct {
	m, k, n, batch int64
	name           string
	topology       string

	platform, design, precision string
	array                       string
	arrays                      int
	dataflow                    string
	foldOverlap                 bool
	weightBuf, inputBuf, outBuf string
	bufferReadBW                int
	hbmPorts, portBits          int
	memory                      string
	memLatency                  int64
}

func newGEMMCmd() *cobra.Command {
	var out outputFlags
	var g gemmFlags
	cmd := &cobra.Command{
		Use:   "gemm",
		Short: "Simulate one GEMM (or a SCALE-Sim topology of GEMMs) on the compute arrays",
		Long: `Simulate GEMMs cycle by cycle on a design's systolic arrays, on-chip buffers
and DMA, with an ideal off-chip memory (fixed latency, the design's port
bandwidth) or the HBM2 model (--memory hbm), and compare each with its
roofline lower bound.

A fold (an R x C block the array holds) costs fill F + stream T + drain D:
output-stationary F = R+C-2, D = R, T = K; weight-stationary F = R,
D = R+C-2, T = M; 2R + C + T - 2 in both. n folds take n(F+D) + sum T with
--fold-overlap=false and F + D + (n-1) max(F,D) + sum T with --fold-overlap.

The design starts from --design (default: the --precision's preset) and the
other design flags override its fields. --topology reads SCALE-Sim's GEMM
topology format (a header row, then "Layer, M, N, K," per GEMM).`,
		Example: `  roofsim gemm --m 1024 --k 768 --n 3072
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
	fl.StringVar(&g.platform, "platform", "u280", "platform: u280 or a platform .json file")
	fl.StringVar(&g.design, "design", "", "design to start from: "+hw.DesignNames()+" or a design .json file (default: the --precision's preset)")
	fl.StringVar(&g.precision, "precision", hw.DefaultDesignName, "precision: "+hw.PrecisionNames())
	fl.StringVar(&g.array, "array", "", "shape of one array, RxC PEs (e.g. 64x64)")
	fl.IntVar(&g.arrays, "arrays", 0, "number of arrays (a GEMM's column blocks are spread over them)")
	fl.StringVar(&g.dataflow, "dataflow", "", "dataflow: os (output-stationary) or ws (weight-stationary)")
	fl.BoolVar(&g.foldOverlap, "fold-overlap", true, "let a fold's fill overlap the previous fold's drain")
	fl.StringVar(&g.weightBuf, "weight-buffer", "", "weight buffer per array, both halves (bytes, or with KiB/MiB)")
	fl.StringVar(&g.inputBuf, "input-buffer", "", "input buffer per array, both halves (bytes, or with KiB/MiB)")
	fl.StringVar(&g.outBuf, "output-buffer", "", "output buffer per array, both halves (bytes, or with KiB/MiB)")
	fl.IntVar(&g.bufferReadBW, "buffer-read-bw", -1, "bytes per cycle each buffer feeds its array; 0 is the array's full edge")
	fl.IntVar(&g.hbmPorts, "hbm-ports", 0, "HBM ports the design uses (one per pseudo-channel)")
	fl.IntVar(&g.portBits, "port-bits", 0, "width of each HBM port: 256 or 512")
	fl.StringVar(&g.memory, "memory", "ideal", "off-chip memory model: ideal (fixed latency, the design's port bandwidth) or hbm (the HBM2 model of roofsim hbm)")
	fl.Int64Var(&g.memLatency, "mem-latency", -1, "ideal memory latency in kernel cycles (default: an HBM2 row miss, tRCD + CL)")
	return cmd
}

// kernels returns the GEMMs to simulate.
func (g *gemmFlags) kernels(cmd *cobra.Command) ([]workload.Kernel, error) {
	fl := cmd.Flags()
	if err := compute.CheckGEMM([4]string{"--m", "--k", "--n", "--batch"}, max(g.m, 1), max(g.k, 1), max(g.n, 1), g.batch); err != nil {
		return nil, err
	}
	if g.topology != "" {
		for _, f := range []string{"m", "k", "n", "name"} {
			if fl.Changed(f) {
				return nil, fmt.Errorf("--topology and --%s do not go together: the topology names its GEMMs", f)
			}
		}
		fh, err := os.Open(g.topology)
		if err != nil {
			return nil, fmt.Errorf("--topology: %w", err)
		}
		defer fh.Close()
		st, err := fh.Stat()
		if err != nil {
			return nil, fmt.Errorf("--topology: %w", err)
		}
		if st.Size() > maxTopologyFileBytes {
			return nil, fmt.Errorf("--topology %s: %d bytes is larger than the %d accepted", g.topology, st.Size(), maxTopologyFileBytes)
		}
		return compute.ParseTopology(fh, g.topology, g.batch)
	}
	if err := compute.CheckGEMM([4]string{"--m", "--k", "--n", "--batch"}, g.m, g.k, g.n, g.batch); err != nil {
		return nil, err
	}
	if g.name == "" {
		return nil, fmt.Errorf("--name must not be empty")
	}
	return []workload.Kernel{compute.NewBatchedGEMM(g.name, g.m, g.k, g.n, g.batch)}, nil
}

// board returns the platform and the design with the flags' overrides,
// checked to fit the platform.
func (g *gemmFlags) board(cmd *cobra.Command) (hw.Platform, hw.Design, error) {
	fl := cmd.Flags()
	p, err := hw.LoadPlatform(g.platform)
	if err != nil {
		return hw.Platform{}, hw.Design{}, fmt.Errorf("--platform: %w", err)
	}
	prec, err := hw.PrecisionByName(g.precision)
	if err != nil {
		return hw.Platform{}, hw.Design{}, fmt.Errorf("--precision: %w", err)
	}
	var d hw.Design
	if g.design != "" {
		if d, err = hw.LoadDesign(g.design); err != nil {
			return hw.Platform{}, hw.Design{}, fmt.Errorf("--design: %w", err)
		}
		if fl.Changed("precision") {
			d.Precision = prec
		}
	} else if d, err = hw.DesignForPrecision(prec); err != nil {
		return hw.Platform{}, hw.Design{}, fmt.Errorf("--precision: %w", err)
	}
	if fl.Changed("array") {
		r, c, err := parseArray(g.array)
		if err != nil {
			return hw.Platform{}, hw.Design{}, err
		}
		d.ArrayRows, d.ArrayCols = r, c
	}
	if fl.Changed("arrays") {
		if g.arrays <= 0 {
			return hw.Platform{}, hw.Design{}, fmt.Errorf("--arrays must be > 0, got %d", g.arrays)
		}
		d.Arrays = g.arrays
	}
	if fl.Changed("dataflow") {
		df, err := hw.ParseDataflow(g.dataflow)
		if err != nil {
			return hw.Platform{}, hw.Design{}, fmt.Errorf("--dataflow %q is not known (accepted: os|ws)", g.dataflow)
		}
		d.Dataflow = df
	}
	for _, b := range []struct {
		flag string
		val  string
		dst  *int64
	}{
		{"weight-buffer", g.weightBuf, &d.WeightBufferBytes},
		{"input-buffer", g.inputBuf, &d.InputBufferBytes},
		{"output-buffer", g.outBuf, &d.OutputBufferBytes},
	} {
		if fl.Changed(b.flag) {
			v, err := parseSize("--"+b.flag, b.val, maxBufferFlag)
			if err != nil {
				return hw.Platform{}, hw.Design{}, err
			}
			*b.dst = v
		}
	}
	if fl.Changed("buffer-read-bw") {
		if g.bufferReadBW < 0 {
			return hw.Platform{}, hw.Design{}, fmt.Errorf("--buffer-read-bw must be >= 0 bytes per cycle, got %d", g.bufferReadBW)
		}
		d.BufferReadBytesPerCycle = g.bufferReadBW
	}
	if fl.Changed("hbm-ports") {
		if g.hbmPorts <= 0 {
			return hw.Platform{}, hw.Design{}, fmt.Errorf("--hbm-ports must be > 0, got %d", g.hbmPorts)
		}
		d.HBMPorts = g.hbmPorts
		if d.HBMPCs > 0 && d.HBMPCs < g.hbmPorts {
			d.HBMPCs = 0
		}
	}
	if fl.Changed("port-bits") {
		if g.portBits != 256 && g.portBits != 512 {
			return hw.Platform{}, hw.Design{}, fmt.Errorf("--port-bits must be 256 or 512, got %d", g.portBits)
		}
		d.PortBits = g.portBits
	}
	if err := d.Fit(p); err != nil {
		return hw.Platform{}, hw.Design{}, err
	}
	return p, d, nil
}

// options returns the simulation options of the flags.
func (g *gemmFlags) options(cmd *cobra.Command, d hw.Design, p hw.Platform) (compute.Options, error) {
	opts := compute.DefaultOptions(d, p)
	opts.FoldOverlap = g.foldOverlap
	switch strings.ToLower(g.memory) {
	case "ideal":
	case "hbm":
		opts.Memory = compute.HBMMemory
		if cmd.Flags().Changed("mem-latency") {
			return compute.Options{}, fmt.Errorf("--mem-latency goes with --memory ideal (the HBM model times its own accesses)")
		}
	default:
		return compute.Options{}, fmt.Errorf("--memory %q is not known (accepted: ideal|hbm)", g.memory)
	}
	if cmd.Flags().Changed("mem-latency") {
		if g.memLatency < 0 {
			return compute.Options{}, fmt.Errorf("--mem-latency must be >= 0 cycles, got %d", g.memLatency)
		}
		opts.IdealMemory.LatencyCycles = uint64(g.memLatency)
	}
	return opts, nil
}

// parseArray reads "RxC".
func parseArray(s string) (int, int, error) {
	rs, cs, ok := strings.Cut(strings.ToLower(strings.TrimSpace(s)), "x")
	r, err1 := strconv.Atoi(rs)
	c, err2 := strconv.Atoi(cs)
	if !ok || err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("--array %q is not RxC (e.g. 64x64)", s)
	}
	if r <= 0 || c <= 0 {
		return 0, 0, fmt.Errorf("--array %q: rows and columns must be > 0", s)
	}
	return r, c, nil
}
