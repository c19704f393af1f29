package hbm

import (
	"fmt"
	"reflect"
	"testing"
)

// TestFastPathMatchesReference runs the benchmark over patterns, sizes, PC
// counts, port widths, page policies and the switch crossing on the fast
// path and on the reference path (Params.Reference) and requires the same
// results, cycle for cycle and counter for counter.
func TestFastPathMatchesReference(t *testing.T) {
	type run struct {
		pattern   Pattern
		op        Op
		size, pcs int
		portBits  int
		cross     bool
		closed    bool
		total     int64
	}
	runs := []run{
		{PatternSeq, OpRead, 512, 32, 256, false, false, 8 << 20},
		{PatternSeq, OpRead, 4096, 32, 512, false, false, 8 << 20},
		{PatternSeq, OpWrite, 1024, 8, 512, false, false, 2 << 20},
		{PatternSeq, OpMixed, 256, 32, 256, true, false, 4 << 20},
		{PatternSeq, OpRead, 32, 4, 256, false, false, 1 << 20},
		{PatternRandom, OpRead, 64, 1, 256, false, false, 1 << 20},
		{PatternRandom, OpMixed, 128, 8, 512, false, false, 2 << 20},
		{PatternRandom, OpWrite, 64, 32, 256, true, false, 2 << 20},
		{PatternStrided, OpRead, 256, 16, 256, false, false, 2 << 20},
		{PatternStrided, OpMixed, 96, 8, 512, true, true, 1 << 20},
		{PatternSeq, OpMixed, 2048, 32, 512, false, true, 4 << 20},
	}
	for _, r := range runs {
		name := fmt.Sprintf("%s-%s-%dB-%dpc-%dbit-cross=%v-closed=%v", r.pattern, r.op, r.size, r.pcs, r.portBits, r.cross, r.closed)
		t.Run(name, func(t *testing.T) {
			cfg := DefaultBenchConfig()
			cfg.Pattern, cfg.Op, cfg.SizeBytes, cfg.PCs = r.pattern, r.op, r.size, r.pcs
			cfg.Params.PortBits, cfg.CrossSwitch, cfg.TotalBytes = r.portBits, r.cross, r.total
			if r.closed {
				cfg.Params.PagePolicy = ClosedPage
			}
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
