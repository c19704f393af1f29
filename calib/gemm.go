package calib

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sim/compute"
	"github.com/roofsim/roofsim/sim/hbm"
	"github.com/roofsim/roofsim/workload"
)

// Units of a case's figure.
const (
	// UnitGBps is 10^9 bytes per second: the figure of a Kernel case.
	UnitGBps = "GB/s"
	// UnitCycles is kernel clock cycles as a timer on the device counted
	// them: the figure of a GEMM case.
	UnitCycles = "cycles"
)

// BoundMatmul is the Bound of a GEMM case whose matmul, not one of its
// restart streams, sets the kernel's time.
const BoundMatmul = "matmul"

// GEMM is a matmul measured on a board, run on a roofsim design through
// the compute simulator with the HBM model and per-port data placement,
// as roofsim gemm runs it (compute.PlaceOnHBM): an (M x K) x (K x N)
// product, a GEMV when M is 1 (then the weights, K x N, are the matrix
// and N its rows).
type GEMM struct {
	// M, K and N are the matmul's dimensions.
	M int64 `json:"m"`
	K int64 `json:"k"`
	N int64 `json:"n"`
	// Design is the roofsim design as a design file holds it
	// (hw.ParseDesign).
	Design json.RawMessage `json:"design"`
	// Streams are ports of the kernel outside the design's DMA that run
	// beside the matmul in the same dataflow region; none when empty.
	Streams []RestartStream `json:"streams,omitempty"`
}

// RestartStream is an HLS read loop on its own AXI port and PC that
// reads Bytes sequentially Repeats times, each time as a new run of
// bursts: a pipelined loop inside an outer loop it is not flattened into
// (both bounds are variables; UG1399, loop flattening), so each repeat
// waits a memory round trip for its first data and drains its pipeline
// before the next starts. Its time is Repeats times one run of Bytes on
// one idle port of the HBM model (hbm.RunBenchmark), at the design's port
// width and clock.
type RestartStream struct {
	// Name names the stream (the kernel argument it reads).
	Name string `json:"name"`
	// Repeats is how many times the loop reads the data.
	Repeats int64 `json:"repeats"`
	// Bytes is the data of one repeat, in bytes.
	Bytes int64 `json:"bytes"`
	// SizeBytes is one AXI burst, in bytes.
	SizeBytes int `json:"size_bytes"`
	// Outstanding is the most bursts the port keeps in flight.
	Outstanding int `json:"outstanding"`
}

// validate reports the first unusable field of the GEMM case named name
// on platform p.
func (g *GEMM) validate(name string, p hw.Platform) error {
	if err := compute.CheckGEMM([4]string{"gemm m", "gemm k", "gemm n", "batch"}, g.M, g.K, g.N, 1); err != nil {
		return fmt.Errorf("case %s: %w", name, err)
	}
	d, err := g.design(p)
	if err != nil {
		return fmt.Errorf("case %s: %w", name, err)
	}
	for i, s := range g.Streams {
		if s.Name == "" || s.Repeats < 1 || s.Bytes < int64(s.SizeBytes) || s.SizeBytes < 1 || s.Outstanding < 1 {
			return fmt.Errorf("case %s: stream %d: name, repeats, size_bytes, outstanding and bytes must be set and > 0 (bytes at least one burst)", name, i)
		}
		if _, err := s.bench(d, p); err != nil {
			return fmt.Errorf("case %s: stream %s: %w", name, s.Name, err)
		}
	}
	return nil
}

// design parses the case's design and checks that platform p holds it
// (and that it was built for p, when it names a board).
func (g *GEMM) design(p hw.Platform) (hw.Design, error) {
	return caseDesign("gemm", g.Design, p)
}

// bench is the benchmark of one repeat of stream s: one port of design d's
// width and clock on its own PC, sequential reads of s.SizeBytes with
// s.Outstanding in flight (the same construction as a Kernel case's port).
func (s RestartStream) bench(d hw.Design, p hw.Platform) (hbm.BenchConfig, error) {
	g := PortGroup{Count: 1, Op: string(hbm.OpRead), Pattern: string(hbm.PatternSeq), SizeBytes: s.SizeBytes,
		Outstanding: s.Outstanding, BytesPerPort: s.Bytes}
	return g.bench(p, &Kernel{KernelMHz: d.ClockHz(p) / 1e6, PortBits: d.PortBits})
}

// runGEMM simulates GEMM case c: the matmul on the design (its cycles
// from start to the last output written back, as roofsim gemm prints
// them) and each restart stream; the kernel takes the longest of them
// (a dataflow region runs its processes at once and ends with its
// slowest).
func runGEMM(c Case, p hw.Platform) (Result, error) {
	r := Result{Case: c}
	g := c.GEMM
	d, err := g.design(p)
	if err != nil {
		return r, fmt.Errorf("calib: case %s: %w", c.Name, err)
	}
	opts := compute.DefaultOptions(d, p)
	if err := compute.PlaceOnHBM(&opts, d, p); err != nil {
		return r, fmt.Errorf("calib: case %s: %w", c.Name, err)
	}
	sim, err := compute.NewSimulator(d, p, opts)
	if err != nil {
		return r, fmt.Errorf("calib: case %s: %w", c.Name, err)
	}
	sts, err := sim.RunAll([]workload.Kernel{compute.NewBatchedGEMM(c.Name, g.M, g.K, g.N, 1)})
	if err != nil {
		return r, fmt.Errorf("calib: case %s: %w", c.Name, err)
	}
	r.MatmulCycles = sts[0].Cycles
	r.Simulated, r.Bound = float64(r.MatmulCycles), []string{BoundMatmul}
	clk := d.ClockHz(p)
	for _, s := range g.Streams {
		cfg, err := s.bench(d, p)
		if err != nil {
			return r, fmt.Errorf("calib: case %s: stream %s: %w", c.Name, s.Name, err)
		}
		br, err := hbm.RunBenchmark(cfg)
		if err != nil {
			return r, fmt.Errorf("calib: case %s: stream %s: %w", c.Name, s.Name, err)
		}
		repeat := int64(math.Ceil(br.SimSeconds*clk - 1e-9))
		r.StreamRepeatCycles = append(r.StreamRepeatCycles, repeat)
		if total := float64(s.Repeats * repeat); total > r.Simulated {
			r.Simulated, r.Bound = total, []string{s.Name}
		}
	}
	r.Ratio = r.Simulated / c.Measured
	r.ErrorPct = math.Abs(r.Simulated-c.Measured) / c.Measured * 100
	return r, nil
}
