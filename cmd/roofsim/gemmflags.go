package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sim/accel"
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
	dflags                      designFlags
	foldOverlap                 bool
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
// checked to fit the platform: --design (default: the --precision's
// preset), then --precision as an override of a --design's precision,
// then the design flags.
func (g *gemmFlags) board(cmd *cobra.Command) (hw.Platform, hw.Design, error) {
	fl := cmd.Flags()
	name := g.precision
	if name == "" {
		name = hw.DefaultDesignName
	}
	prec, err := hw.PrecisionByName(name)
	if err != nil {
		return hw.Platform{}, hw.Design{}, fmt.Errorf("--precision: %w", err)
	}
	var d hw.Design
	var ovs []hw.Override
	if g.design != "" {
		if d, err = hw.LoadDesign(g.design); err != nil {
			return hw.Platform{}, hw.Design{}, fmt.Errorf("--design: %w", err)
		}
		if fl.Changed("precision") {
			ovs = append(ovs, hw.Override{Field: "precision", Value: prec.Name})
		}
	} else if d, err = hw.DesignForPrecision(prec); err != nil {
		return hw.Platform{}, hw.Design{}, fmt.Errorf("--precision: %w", err)
	}
	p, err := loadPlatform(cmd, g.platform, d)
	if err != nil {
		return hw.Platform{}, hw.Design{}, err
	}
	if d, err = g.dflags.apply(cmd, "--design", d, p, ovs...); err != nil {
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
	m, err := accel.ParseMemory(strings.ToLower(g.memory))
	if err != nil {
		return compute.Options{}, fmt.Errorf("--%w", err)
	}
	if m == accel.MemoryHBM {
		if err := compute.PlaceOnHBM(&opts, d, p); err != nil {
			return compute.Options{}, err
		}
		if cmd.Flags().Changed("mem-latency") {
			return compute.Options{}, fmt.Errorf("--mem-latency goes with --memory ideal (the HBM model times its own accesses)")
		}
	}
	if cmd.Flags().Changed("mem-latency") {
		if g.memLatency < 0 {
			return compute.Options{}, fmt.Errorf("--mem-latency must be >= 0 cycles, got %d", g.memLatency)
		}
		opts.IdealMemory.LatencyCycles = uint64(g.memLatency)
	}
	return opts, nil
}
