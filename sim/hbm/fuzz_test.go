package hbm

import (
	"math"
	"reflect"
	"testing"

	"github.com/roofsim/roofsim/hw"
)

// pick maps an arbitrary integer onto lo..hi.
func pick(v uint64, lo, hi int64) int64 { return lo + int64(v%uint64(hi-lo+1)) }

// pickF maps an arbitrary integer onto lo..hi, spread logarithmically.
func pickF(v uint64, lo, hi float64) float64 {
	f := float64(v%1000001) / 1e6
	return min(hi, max(lo, math.Exp(math.Log(lo)+f*(math.Log(hi)-math.Log(lo)))))
}

// newFuzzBench builds a small benchmark from the fuzzer's numbers, every
// value inside the accepted ranges (hw.Ranges).
func newFuzzBench(traffic, clk, timing, params uint64, flags uint8) BenchConfig {
	h := hw.U280HBM()
	h.ClockHz = pickF(clk, hw.MinHBMClockHz, hw.MaxHBMClockHz)
	t := &h.Timing
	for i, ns := range []*float64{&t.CLNs, &t.CWLNs, &t.TRCDNs, &t.TRPNs, &t.TRASNs, &t.TRRDSNs, &t.TRRDLNs, &t.TFAWNs, &t.TWRNs, &t.TWTRSNs, &t.TWTRLNs} {
		*ns = float64(pick(timing>>(5*i), 0, 40))
	}
	t.TCCDSCycles, t.TCCDLCycles, t.TRTWCycles = int(pick(params>>40, 0, 4)), int(pick(params>>44, 0, 6)), int(pick(params>>48, 0, 4))
	t.TRFCNs = float64(pick(timing>>55, 0, 500))
	t.TREFINs = 2*t.TRFCNs + float64(pick(timing>>40, 100, 8000))
	p := DefaultParams(h)
	p.PortBits = []int{256, 512}[flags&1]
	p.KernelFreqHz = pickF(clk>>20, hw.MinClockHz, hw.MaxKernelClockHz)
	p.SwitchFreqHz = pickF(clk>>40, hw.MinClockHz, hw.MaxHBMClockHz)
	p.Outstanding = int(pick(params, 1, 64))
	p.QueueDepth = int(pick(params>>8, 1, 64))
	p.LateralLinks = int(pick(params>>16, 1, 4))
	p.PortReqLatencyCycles, p.PortRspLatencyCycles = int(pick(params>>20, 0, 40)), int(pick(params>>26, 0, 40))
	p.SwitchReqLatencyCycles, p.SwitchRspLatencyCycles = int(pick(params>>32, 0, 40)), int(pick(params>>52, 0, 40))
	if flags&2 != 0 {
		p.PagePolicy = ClosedPage
	}
	p.Refresh = flags&4 == 0
	size := int(pick(traffic, 1, MaxRequestBytes/32)) * 32
	return BenchConfig{
		HBM:         h,
		Params:      p,
		Pattern:     []Pattern{PatternSeq, PatternStrided, PatternRandom}[(flags>>3)%3],
		Op:          []Op{OpRead, OpWrite, OpMixed}[(flags>>5)%3],
		SizeBytes:   size,
		PCs:         int(pick(traffic>>12, 1, 8)),
		CrossSwitch: traffic&(1<<20) != 0,
		TotalBytes:  pick(traffic>>24, 1, 96<<10),
		StrideBytes: uint64(pick(traffic>>44, 1, 256)) * 32,
		Seed:        traffic >> 56,
		Window:      int(pick(params>>58, 0, 16)),
	}
}

// FuzzBench runs random small benchmarks on random HBM timings, clocks and
// model parameters inside the accepted ranges and checks the invariants of
// every run: no panic and no error (RunBenchmark itself checks that every
// byte was delivered exactly once and every queue is empty), the bytes
// delivered are the bytes requested, the time is at least the bursts at
// the used pseudo-channels' peak, and a rerun gives the same result.
func FuzzBench(f *testing.F) {
	f.Add(uint64(0x0000_0100_0000_2010), uint64(0x0003_0000_0009_0000), uint64(0x0123_4567_89ab_cdef), uint64(0x0404_1212_1820), uint8(0))
	f.Add(uint64(0xff00_0400_0010_3001), uint64(0xffff_ffff_ffff_ffff), uint64(0), uint64(0xffff_ffff_ffff_ffff), uint8(0x2b))
	f.Add(uint64(0x0100_0080_0140_7003), uint64(0x1234_5678), uint64(0xffff_ffff_ffff_ffff), uint64(0x0101_0101_0101), uint8(0x56))
	f.Add(uint64(0x0000_0000_0000_0000), uint64(1), uint64(1<<62), uint64(1), uint8(0x7f))
	f.Fuzz(func(t *testing.T, traffic, clk, timing, params uint64, flags uint8) {
		cfg := newFuzzBench(traffic, clk, timing, params, flags)
		if err := cfg.Validate(); err != nil {
			t.Skip(err) // e.g. crossing the switch with fewer than two groups of PCs
		}
		r, err := RunBenchmark(cfg)
		if err != nil {
			t.Fatalf("%+v: %v", cfg, err)
		}
		perGen := max(cfg.TotalBytes/int64(cfg.PCs)/int64(cfg.SizeBytes), 1)
		if want := uint64(perGen) * uint64(cfg.PCs) * uint64(cfg.SizeBytes); r.Bytes != want {
			t.Errorf("%d bytes delivered, %d requested", r.Bytes, want)
		}
		if bound := float64(r.Bytes) / (float64(cfg.PCs) * cfg.HBM.PCBytesPerSec()); r.SimSeconds < bound*(1-1e-9) {
			t.Errorf("%g s beat the pseudo-channels' peak bound %g s", r.SimSeconds, bound)
		}
		again, err := RunBenchmark(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(r, again) {
			t.Errorf("a rerun differs")
		}
	})
}
