package hbm

import (
	"fmt"
	"reflect"
	"testing"
)

// patternRun is one benchmark configuration of the path-equality tests: a
// pattern, its sizes, PCs, port width and the options that change the
// model's paths.
type patternRun struct {
	pattern   Pattern
	op        Op
	size, pcs int
	portBits  int
	cross     bool
	closed    bool
	total     int64
	// slow runs the ports at 450 MHz with 16 bursts in flight.
	slow bool
	// ii is the ports' issue interval in kernel cycles (0: none); a
	// long one leaves the PCs idle across refreshes.
	ii int
}

// patternRuns are sequential, random, strided, mixed and cross-switch
// patterns, 32 B to 4 KiB requests, 1 to 32 PCs, 256- and 512-bit ports,
// both page policies, slow ports and issue intervals.
func patternRuns() []patternRun {
	return []patternRun{
		{PatternSeq, OpRead, 512, 32, 256, false, false, 8 << 20, false, 0},
		{PatternSeq, OpRead, 4096, 32, 512, false, false, 8 << 20, false, 0},
		{PatternSeq, OpWrite, 1024, 8, 512, false, false, 2 << 20, false, 0},
		{PatternSeq, OpMixed, 256, 32, 256, true, false, 4 << 20, false, 0},
		{PatternSeq, OpRead, 32, 4, 256, false, false, 1 << 20, false, 0},
		{PatternRandom, OpRead, 64, 1, 256, false, false, 1 << 20, false, 0},
		{PatternRandom, OpMixed, 128, 8, 512, false, false, 2 << 20, false, 0},
		{PatternRandom, OpWrite, 64, 32, 256, true, false, 2 << 20, false, 0},
		{PatternStrided, OpRead, 256, 16, 256, false, false, 2 << 20, false, 0},
		{PatternStrided, OpMixed, 96, 8, 512, true, true, 1 << 20, false, 0},
		{PatternSeq, OpMixed, 2048, 32, 512, false, true, 4 << 20, false, 0},
		{PatternSeq, OpRead, 64, 1, 512, false, false, 1 << 20, false, 0},
		{PatternSeq, OpMixed, 512, 2, 256, false, false, 1 << 20, true, 0},
		{PatternRandom, OpMixed, 4096, 2, 512, false, false, 4 << 20, false, 0},
		{PatternRandom, OpRead, 256, 32, 512, false, true, 2 << 20, true, 0},
		{PatternStrided, OpWrite, 4096, 4, 256, true, false, 2 << 20, false, 0},
		{PatternSeq, OpRead, 64, 1, 256, false, false, 32 << 10, false, 5000},
		{PatternRandom, OpMixed, 256, 4, 512, false, true, 64 << 10, false, 1500},
	}
}

func (r patternRun) String() string {
	return fmt.Sprintf("%s-%s-%dB-%dpc-%dbit-cross=%v-closed=%v-slow=%v-ii=%d", r.pattern, r.op, r.size, r.pcs, r.portBits, r.cross, r.closed, r.slow, r.ii)
}

// config is the run's benchmark configuration.
func (r patternRun) config() BenchConfig {
	cfg := DefaultBenchConfig()
	cfg.Pattern, cfg.Op, cfg.SizeBytes, cfg.PCs = r.pattern, r.op, r.size, r.pcs
	cfg.Params.PortBits, cfg.CrossSwitch, cfg.TotalBytes = r.portBits, r.cross, r.total
	cfg.IssueIntervalCycles = r.ii
	if r.closed {
		cfg.Params.PagePolicy = ClosedPage
	}
	if r.slow {
		cfg.Params.KernelFreqHz, cfg.Params.Outstanding = 450e6, 16
	}
	return cfg
}

// TestFastPathMatchesReference runs the benchmark over patterns, sizes, PC
// counts, port widths, page policies and the switch crossing on the fast
// path and on the reference path (Params.Reference) and requires the same
// results, cycle for cycle and counter for counter.
func TestFastPathMatchesReference(t *testing.T) {
	for _, r := range patternRuns() {
		t.Run(r.String(), func(t *testing.T) {
			cfg := r.config()
			ref := cfg
			ref.Params.Reference = true
			want, err := RunBenchmark(ref)
			if err != nil {
				t.Fatal(err)
			}
			got, err := RunBenchmark(cfg)
			if err != nil {
				t.Fatal(err)
			}
			// The configurations differ only in Reference.
			got.Config.Params.Reference = true
			if !reflect.DeepEqual(got, want) {
				t.Errorf("fast path: %+v\nreference: %+v", *got, *want)
			}
			if got.Total.Columns() == 0 {
				t.Error("the run issued no column command")
			}
		})
	}
}
