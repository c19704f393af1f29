package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sim/compute"
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
	limits                      limitFlags
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
	var err error
	if opts.Limits, err = g.limits.limits(); err != nil {
		return compute.Options{}, err
	}
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
