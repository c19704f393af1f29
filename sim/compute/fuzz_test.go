package compute_test

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sim/compute"
	"github.com/roofsim/roofsim/workload"
)

// fuzzCase is a small random design, platform and GEMM built from the
// fuzzer's numbers, every value inside the accepted ranges (hw.Ranges).
type fuzzCase struct {
	d   hw.Design
	p   hw.Platform
	k   workload.Kernel
	hbm bool
}

// pick maps an arbitrary integer onto lo..hi.
func pick(v uint64, lo, hi int64) int64 { return lo + int64(v%uint64(hi-lo+1)) }

// pickF maps an arbitrary integer onto lo..hi, spread logarithmically.
func pickF(v uint64, lo, hi float64) float64 {
	f := float64(v%1000001) / 1e6
	return min(hi, max(lo, math.Exp(math.Log(lo)+f*(math.Log(hi)-math.Log(lo)))))
}

func newFuzzCase(shape, arr, buf, clk, timing uint64, flags uint8) fuzzCase {
	ps := hw.Precisions()
	d := hw.Design{
		Name:      "fuzz",
		Precision: ps[int(flags)%len(ps)],
		ArrayRows: int(pick(arr, 1, 24)), ArrayCols: int(pick(arr>>8, 1, 24)), Arrays: int(pick(arr>>16, 1, 3)),
		Dataflow:          []hw.Dataflow{hw.OutputStationary, hw.WeightStationary}[(flags>>3)&1],
		WeightBufferBytes: pick(buf, 64, 64<<10), InputBufferBytes: pick(buf>>16, 64, 64<<10),
		OutputBufferBytes: pick(buf>>32, 64, 64<<10),
		VectorLanes:       int(pick(arr>>24, 1, 64)), HBMPorts: int(pick(arr>>32, 1, 8)),
		PortBits: []int{256, 512}[(flags>>4)&1],
		HBMPCs:   int(pick(arr>>40, 0, 8)),
	}
	p := hw.U280()
	p.KernelFreqHz = pickF(clk, hw.MinClockHz, hw.MaxKernelClockHz)
	p.HBM.ClockHz = pickF(clk>>20, hw.MinHBMClockHz, hw.MaxHBMClockHz)
	p.HBM.AXIMaxFreqHz = hw.MaxKernelClockHz
	t := &p.HBM.Timing
	for i, ns := range []*float64{&t.CLNs, &t.CWLNs, &t.TRCDNs, &t.TRPNs, &t.TRASNs, &t.TRRDSNs, &t.TRRDLNs, &t.TFAWNs, &t.TWRNs, &t.TWTRSNs, &t.TWTRLNs} {
		*ns = float64(pick(timing>>(5*i), 0, 40))
	}
	t.TRFCNs = float64(pick(timing>>55, 0, 500))
	t.TREFINs = 2*t.TRFCNs + float64(pick(timing>>40, 100, 8000))
	k := workload.NewGEMM("fuzz", workload.StageVision, -1, -1, pick(shape, 1, 96), pick(shape>>16, 1, 96), pick(shape>>32, 1, 96))
	if b := pick(shape>>48, 1, 3); b > 1 {
		k = compute.NewBatchedGEMM("fuzz", k.M, k.K, k.N, b)
	}
	return fuzzCase{d: d, p: p, k: k, hbm: flags&0x80 != 0}
}

// rooflineCycles is the lower bound of the kernel's cycles from the closed
// forms: its MACs on all PEs, and each operand read or written once at the
// design's memory bandwidth.
func rooflineCycles(c fuzzCase) float64 {
	k, d := c.k, c.d
	compute := float64(k.MACs()) / float64(d.PEs())
	bits := float64(k.InputElems)*float64(d.Precision.ActBits) + float64(k.WeightElems)*float64(d.Precision.WeightBits) +
		float64(k.OutputElems)*float64(d.Precision.ActBits)
	memory := bits / 8 / (d.MemBytesPerSec(c.p) / d.ClockHz(c.p))
	return math.Max(compute, memory)
}

// FuzzGEMM simulates random small GEMMs on random designs and platforms
// inside the accepted ranges, with the ideal memory or the HBM model, and
// checks the invariants of every run: no panic, no internal error, at least
// the roofline bound, every MAC executed, every requested byte delivered
// and every request answered (the simulator also checks its queues empty),
// and the same result on a rerun.
func FuzzGEMM(f *testing.F) {
	f.Add(uint64(0x0020_0040_0040), uint64(0x04_0008_0202_1010), uint64(0x0000_4000_4000_4000), uint64(0x8000_0008_0000), uint64(0x0123_4567_89ab_cdef), uint8(2))
	f.Add(uint64(0x0002_0005_0003_0007), uint64(0x08_0020_0117_0f0f), uint64(0x0000_0100_0200_0400), uint64(0xffff_ffff), uint64(0), uint8(0x8b))
	f.Add(uint64(0x0001_005f_0001_005f), uint64(0x00_0001_0000_0000), uint64(0), uint64(1<<40), uint64(0xffff_ffff_ffff_ffff), uint8(0x91))
	f.Add(uint64(0x0003_0010_0060_0001), uint64(0x03_0005_0302_0a0b), uint64(0x0000_ffff_0800_1234), uint64(0x7777_7777), uint64(0x5555_5555_5555_5555), uint8(0x9c))
	f.Fuzz(func(t *testing.T, shape, arr, buf, clk, timing uint64, flags uint8) {
		c := newFuzzCase(shape, arr, buf, clk, timing, flags)
		if err := c.p.Validate(); err != nil {
			t.Fatalf("the fuzz platform is outside the ranges: %v", err)
		}
		if err := c.d.Fit(c.p); err != nil {
			t.Skip(err) // a design the board cannot hold is bad input
		}
		run := func() compute.KernelStats {
			opts := compute.DefaultOptions(c.d, c.p)
			if c.hbm {
				opts.Memory = compute.HBMMemory
			}
			st, err := compute.RunKernel(c.d, c.p, c.k, opts)
			if err != nil {
				msg := err.Error()
				if strings.Contains(msg, "too small") || strings.Contains(msg, "no tiling fits") || strings.Contains(msg, "more than the") {
					t.Skip(err) // buffers or memory too small for the kernel: bad input, refused
				}
				t.Fatalf("%+v\n%+v\n%v", c.d, c.k, err)
			}
			return st
		}
		st := run()
		if st.MACs != c.k.MACs() {
			t.Errorf("%d MACs executed, %d asked", st.MACs, c.k.MACs())
		}
		if bound := rooflineCycles(c); float64(st.Cycles) < bound*(1-1e-9) {
			t.Errorf("%d cycles beat the roofline bound %.1f", st.Cycles, bound)
		}
		for _, op := range compute.Operands() {
			if got := st.BytesRead[op] + st.BytesWritten[op]; got != st.Plan.PredictedBytes[op] {
				t.Errorf("%s: %d bytes delivered, %d requested", op, got, st.Plan.PredictedBytes[op])
			}
		}
		if st.DMARequestsIssued != st.DMARequestsCompleted {
			t.Errorf("%d requests issued, %d answered", st.DMARequestsIssued, st.DMARequestsCompleted)
		}
		again := run()
		st.Plan, again.Plan = nil, nil
		if !reflect.DeepEqual(st, again) {
			t.Errorf("a rerun differs:\n%+v\n%+v", st, again)
		}
	})
}
