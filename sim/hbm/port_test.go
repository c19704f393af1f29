package hbm

import (
	"strings"
	"testing"

	"github.com/roofsim/roofsim/hw"
	akita "github.com/sarchlab/akita/v3/sim"
)

func TestPortSplitsBursts(t *testing.T) {
	const pcBytes = 256 << 20
	cases := []struct {
		name   string
		bits   int
		req    scriptReq
		bursts uint64
		perPC  map[int]uint64 // bytes per PC
	}{
		{"4 KiB at 256 bits: 8 x 512 B", 256, scriptReq{0, 0, 4096, false}, 8, map[int]uint64{0: 4096}},
		{"4 KiB at 512 bits: 4 x 1 KiB", 512, scriptReq{0, 0, 4096, false}, 4, map[int]uint64{0: 4096}},
		{"across a 4 KiB boundary", 256, scriptReq{0, 4096 - 256, 512, false}, 2, map[int]uint64{0: 512}},
		{"unaligned to the beat: 17 beats at 512 bits", 512, scriptReq{0, 32, 1024, true}, 2, map[int]uint64{0: 1024}},
		{"across two PCs", 256, scriptReq{0, pcBytes - 64, 128, false}, 2, map[int]uint64{0: 64, 1: 64}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rig := runScript(t, MakeBuilder().WithRefresh(false).WithPortBits(c.bits), 0, []scriptReq{c.req})
			ps := rig.sys.PortStats(0)
			if got := ps.ReadBursts + ps.WriteBursts; got != c.bursts {
				t.Errorf("%d bursts, want %d", got, c.bursts)
			}
			end := rig.engine.CurrentTime()
			for pc := 0; pc < rig.sys.NumPorts(); pc++ {
				if got := rig.sys.PCStats(pc, end).Bytes(); got != c.perPC[pc] {
					t.Errorf("PC %d moved %d bytes, want %d", pc, got, c.perPC[pc])
				}
			}
		})
	}
}

func TestPortRefusesBadRequests(t *testing.T) {
	total := uint64(hw.U280HBM().TotalBytes())
	cases := []struct {
		req  scriptReq
		want string
	}{
		{scriptReq{0, 0, 48, false}, "must be a multiple of 32 B"},
		{scriptReq{0, 0, 8192, false}, "must be a multiple of 32 B from 32 to 4096"},
		{scriptReq{0, 16, 64, true}, "is not 32 B aligned"},
		{scriptReq{0, total - 32, 64, false}, "outside the"},
	}
	for _, c := range cases {
		engine := akita.NewSerialEngine()
		sys, err := MakeBuilder().WithEngine(engine).Build("T.HBM")
		if err != nil {
			t.Fatal(err)
		}
		s := newScript(t, engine, 300e6, []scriptReq{c.req})
		if err := sys.Connect(0, s.port); err != nil {
			t.Fatal(err)
		}
		s.dst = sys.Port(0)
		if err := engine.Run(); err != nil {
			t.Fatal(err)
		}
		if s.doneAt[0] < 0 {
			t.Errorf("%+v: a refused request must still be answered", c.req)
		}
		err = sys.Check()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: Check = %v, want %q", c.req, err, c.want)
		}
	}
}

func TestPortOutstandingLimit(t *testing.T) {
	for _, out := range []int{1, 2, 5} {
		cfg := DefaultBenchConfig()
		cfg.PCs, cfg.TotalBytes, cfg.Window, cfg.Params.Outstanding = 1, 64<<10, 64, out
		r, err := RunBenchmark(cfg)
		if err != nil {
			t.Fatal(err)
		}
		ps := r.PerPC[0].PortStats
		if ps.MaxReadsInFlight != out {
			t.Errorf("outstanding %d: at most %d bursts in flight", out, ps.MaxReadsInFlight)
		}
	}
}

// TestPortCeiling: the port's read channel moves one beat per kernel cycle.
// Reads answered at the HBM's pace pile up behind it: 16 x 512 B sent at
// once through a 256-bit port leave 16 beats (cycles) apart.
func TestPortCeiling(t *testing.T) {
	var reqs []scriptReq
	for i := 0; i < 16; i++ {
		reqs = append(reqs, scriptReq{0, uint64(i) * 512, 512, false})
	}
	rig := runScript(t, MakeBuilder().WithRefresh(false), 0, reqs)
	for i := 1; i < len(reqs); i++ {
		d := rig.script.kclk.Cycle(rig.script.doneAt[i]) - rig.script.kclk.Cycle(rig.script.doneAt[i-1])
		if d != 16 {
			t.Errorf("response %d came %d kernel cycles after the previous, want 16", i, d)
		}
	}
}

func TestHistogram(t *testing.T) {
	var h Histogram
	for _, v := range []int64{5, 1, 3, 3, 9, 2_000_000} {
		h.Add(v)
	}
	if h.Count() != 6 || h.Min() != 1 || h.Max() != 2_000_000 {
		t.Errorf("count/min/max = %d/%d/%d", h.Count(), h.Min(), h.Max())
	}
	if q := h.Quantile(0.5); q != 3 {
		t.Errorf("p50 = %d, want 3", q)
	}
	if q := h.Quantile(0.99); q != 2_000_000 {
		t.Errorf("p99 = %d, want the overflowed maximum", q)
	}
	var g Histogram
	g.Add(4)
	g.Merge(&h)
	if g.Count() != 7 || g.Quantile(0.5) != 4 || g.Mean() != (4+5+1+3+3+9+2_000_000)/7.0 {
		t.Errorf("merged: count %d p50 %d mean %g", g.Count(), g.Quantile(0.5), g.Mean())
	}
}

func TestTrafficOffsets(t *testing.T) {
	base := TrafficConfig{Op: OpRead, SizeBytes: 256, Requests: 1, Window: 1, RegionBytes: 4096, StrideBytes: 1024, Seed: 7}
	offsets := func(p Pattern) []uint64 {
		c := base
		c.Pattern = p
		g, err := NewTraffic("G", akita.NewSerialEngine(), c)
		if err != nil {
			t.Fatal(err)
		}
		var out []uint64
		for k := uint64(0); k < 20; k++ {
			out = append(out, g.offset(k))
		}
		return out
	}
	seq := offsets(PatternSeq)
	for k, o := range seq {
		if o != uint64(k)*256%4096 {
			t.Fatalf("seq offsets %v", seq)
		}
	}
	str := offsets(PatternStrided)
	for k, o := range str {
		if o != uint64(k)*1024%(4096-256+32) || o+256 > 4096 || o%32 != 0 {
			t.Fatalf("strided offsets %v", str)
		}
	}
	rnd, again := offsets(PatternRandom), offsets(PatternRandom)
	for k, o := range rnd {
		if o%256 != 0 || o+256 > 4096 || o != again[k] {
			t.Fatalf("random offsets %v / %v", rnd, again)
		}
	}
	for _, bad := range []TrafficConfig{
		{Pattern: PatternSeq, Op: OpRead, SizeBytes: 48, Window: 1, RegionBytes: 4096},
		{Pattern: PatternSeq, Op: OpRead, SizeBytes: 64, Window: 0, RegionBytes: 4096},
		{Pattern: PatternStrided, Op: OpRead, SizeBytes: 64, Window: 1, RegionBytes: 4096},
		{Pattern: "zigzag", Op: OpRead, SizeBytes: 64, Window: 1, RegionBytes: 4096},
		{Pattern: PatternSeq, Op: "copy", SizeBytes: 64, Window: 1, RegionBytes: 4096},
	} {
		if bad.Validate() == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

func TestBuildErrors(t *testing.T) {
	engine := akita.NewSerialEngine()
	cases := []struct {
		b    Builder
		want string
	}{
		{MakeBuilder(), "needs an engine"},
		{MakeBuilder().WithEngine(engine).WithPortBits(128), "port_bits must be 256 or 512"},
		{MakeBuilder().WithEngine(engine).WithOutstanding(0), "outstanding must be in 1..4096, got 0"},
		{MakeBuilder().WithEngine(engine).WithKernelFreqHz(0), "kernel_freq_hz must be in 1000000..2000000000, got 0 Hz"},
		{MakeBuilder().WithEngine(engine).WithInterleaveBytes(100), "power of two"},
		{MakeBuilder().WithEngine(engine).WithPagePolicy("lazy"), "page_policy"},
	}
	for _, c := range cases {
		if _, err := c.b.Build("T.HBM"); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want %q", err, c.want)
		}
	}
}
