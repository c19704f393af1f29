package calib

import (
	"fmt"
	"math"
	"sync"
	"sync/atomic"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sim/hbm"
)

// Result is one case run: the simulated figure next to the measured one.
type Result struct {
	// Case is the case.
	Case Case
	// Simulated is roofsim's figure in the case's unit (0 when pending).
	Simulated float64
	// Ratio is Simulated / Measured.
	Ratio float64
	// ErrorPct is |Simulated - Measured| / Measured x 100.
	ErrorPct float64
	// PortGBps is the simulated bandwidth of one port of each group of a
	// Kernel case. Bound is what bounds each group (hbm.BenchResult.Bound)
	// or, for a GEMM case, what sets the kernel's time: BoundMatmul or the
	// name of a restart stream; for a Model case, its metric.
	PortGBps []float64
	Bound    []string
	// MatmulCycles is a GEMM case's matmul time in kernel cycles
	// (compute.KernelStats.Cycles), and StreamRepeatCycles the cycles of
	// one repeat of each of its restart streams.
	MatmulCycles       int64
	StreamRepeatCycles []int64
}

// Pending reports whether the case was not simulated.
func (r Result) Pending() bool { return r.Case.Pending != "" }

// Run simulates case c. A pending case returns a Result with no figures.
func Run(c Case) (Result, error) {
	r := Result{Case: c}
	if c.Pending != "" {
		return r, nil
	}
	p, err := hw.PlatformByName(c.Board)
	if err != nil {
		return r, fmt.Errorf("calib: case %s: %w", c.Name, err)
	}
	if c.GEMM != nil {
		return runGEMM(c, p)
	}
	if c.Model != nil {
		return runModel(c, p)
	}
	k := c.Kernel
	var sum, slowest float64
	ports := 0
	for i, g := range k.Ports {
		cfg, err := g.bench(p, k)
		if err != nil {
			return r, fmt.Errorf("calib: case %s: port group %d: %w", c.Name, i, err)
		}
		br, err := hbm.RunBenchmark(cfg)
		if err != nil {
			return r, fmt.Errorf("calib: case %s: port group %d: %w", c.Name, i, err)
		}
		r.PortGBps = append(r.PortGBps, br.GBps)
		r.Bound = append(r.Bound, br.Bound)
		sum += float64(g.Count) * br.GBps
		if i == 0 || br.GBps < slowest {
			slowest = br.GBps
		}
		ports += g.Count
	}
	r.Simulated = sum
	if k.Lockstep {
		if k.CountedPorts > 0 {
			ports = k.CountedPorts
		}
		r.Simulated = float64(ports) * slowest
	}
	r.Ratio = r.Simulated / c.Measured
	r.ErrorPct = math.Abs(r.Simulated-c.Measured) / c.Measured * 100
	return r, nil
}

// RunAll simulates cases, up to jobs of them at once, and returns their
// results in the order of cases: the same results as Run on each in turn,
// whatever jobs is (each case builds its own simulators and engine, so
// cases share no mutable state). On a failure it starts no further case
// and returns the error of the first case, in the order of cases, that
// failed, as running them one after the other would.
func RunAll(cases []Case, jobs int) ([]Result, error) {
	if jobs < 1 {
		return nil, fmt.Errorf("calib: jobs must be >= 1, got %d", jobs)
	}
	rs := make([]Result, len(cases))
	errs := make([]error, len(cases))
	// Cases are handed out in order, so every case before a failed one has
	// been handed out and runs to its end.
	var next atomic.Int64
	var failed atomic.Bool
	var wg sync.WaitGroup
	for range min(jobs, len(cases)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !failed.Load() {
				i := int(next.Add(1) - 1)
				if i >= len(cases) {
					return
				}
				if rs[i], errs[i] = Run(cases[i]); errs[i] != nil {
					failed.Store(true)
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return rs, nil
}

// bench is the benchmark of one port of group g: the board's HBM with the
// kernel's port width and clock, one port from PC 0 (spanning g.SpanPCs
// PCs), g's requests and window. Every case runs with the HBM's own
// 256-bit AXI port behind the kernel port (hbm.Params.HBMPortLimit), as
// on the real boards.
func (g PortGroup) bench(p hw.Platform, k *Kernel) (hbm.BenchConfig, error) {
	cfg := hbm.DefaultBenchConfig()
	cfg.HBM, cfg.Params = p.HBM, hbm.DefaultParams(p.HBM)
	cfg.Params.HBMPortLimit = true
	cfg.Params.PortBits, cfg.Params.KernelFreqHz = k.PortBits, k.KernelMHz*1e6
	cfg.Params.Outstanding = g.Outstanding
	var err error
	if cfg.Op, err = hbm.ParseOp(g.Op); err != nil {
		return cfg, err
	}
	if cfg.Pattern, err = hbm.ParsePattern(g.Pattern); err != nil {
		return cfg, err
	}
	cfg.PCs, cfg.SizeBytes, cfg.TotalBytes = 1, g.SizeBytes, g.BytesPerPort
	cfg.SpanPCs, cfg.SingleID, cfg.IssueIntervalCycles = g.SpanPCs, g.SingleID, g.II
	cfg.IDs = g.AXIIDs
	return cfg, cfg.Validate()
}

// Summary is the error figures over the measured cases that ran.
type Summary struct {
	// Cases counts the measured cases in the figures; Pending the cases
	// not simulated; Estimates the estimates (simulated, not counted).
	Cases, Pending, Estimates int
	// Sources counts the independent sources of the counted cases.
	Sources int
	// MAPEPct is the mean absolute percentage error, in percent.
	MAPEPct float64
	// SourceMAPEPct is the mean over the sources of each source's MAPE, in
	// percent: every source weighs the same however many cases it has.
	SourceMAPEPct float64
	// Over25 counts the cases off by more than 25%.
	Over25 int
	// GeoMeanRatio is the geometric mean of simulated / measured.
	GeoMeanRatio float64
	// Worst is the counted case with the largest error ("" without cases)
	// and WorstPct its error.
	Worst    string
	WorstPct float64
}

// Summarize computes the error figures over the measured, simulated
// results.
func Summarize(rs []Result) Summary {
	var s Summary
	var logSum float64
	sources := map[string]bool{}
	srcSum, srcN := map[string]float64{}, map[string]int{}
	for _, r := range rs {
		switch {
		case r.Pending():
			s.Pending++
		case r.Case.Kind == KindEstimate:
			s.Estimates++
		default:
			s.Cases++
			sources[r.Case.Source] = true
			srcSum[r.Case.Source] += r.ErrorPct
			srcN[r.Case.Source]++
			if r.ErrorPct > 25 {
				s.Over25++
			}
			s.MAPEPct += r.ErrorPct
			logSum += math.Log(r.Ratio)
			if r.ErrorPct > s.WorstPct || s.Worst == "" {
				s.Worst, s.WorstPct = r.Case.Name, r.ErrorPct
			}
		}
	}
	s.Sources = len(sources)
	if s.Cases > 0 {
		s.MAPEPct /= float64(s.Cases)
		s.GeoMeanRatio = math.Exp(logSum / float64(s.Cases))
		for src, sum := range srcSum {
			s.SourceMAPEPct += sum / float64(srcN[src])
		}
		s.SourceMAPEPct /= float64(len(srcSum))
	}
	return s
}
