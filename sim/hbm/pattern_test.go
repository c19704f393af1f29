package hbm

import (
	"reflect"
	"testing"
)

// TestSpanAndIssueInterval checks the two access patterns of real kernels:
// a port whose address range spans several PCs through the switch, and a
// port that may send only one request every few cycles.
func TestSpanAndIssueInterval(t *testing.T) {
	base := DefaultBenchConfig()
	base.TotalBytes = 1 << 20
	run := func(t *testing.T, c BenchConfig) *BenchResult {
		t.Helper()
		r, err := RunBenchmark(c)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	t.Run("random over 8 PCs", func(t *testing.T) {
		one := base
		one.PCs, one.Pattern, one.SizeBytes = 1, PatternRandom, 64
		own := run(t, one)
		one.SpanPCs = 8
		spread := run(t, one)
		// One PC serves 64 B random reads at about half its peak (tRRD,
		// tFAW and row misses); spread over 8 PCs the port's own width is
		// the bound.
		if !(spread.GBps > own.GBps) || spread.Bound != "port" {
			t.Errorf("own PC %.2f GB/s, over 8 PCs %.2f GB/s bound by %s; want faster and port-bound", own.GBps, spread.GBps, spread.Bound)
		}
		used := 0
		for _, pc := range one.usedPCs() {
			used++
			if pc >= 8 {
				t.Errorf("PC %d used; the range is PCs 0..7", pc)
			}
		}
		if used != 8 || spread.Total.Bytes() != spread.Bytes {
			t.Errorf("%d PCs used, %d B at the PCs for %d B delivered", used, spread.Total.Bytes(), spread.Bytes)
		}
	})
	t.Run("8 ports share 8 PCs through the switch", func(t *testing.T) {
		c := base
		c.PCs, c.Pattern, c.SizeBytes, c.SpanPCs = 8, PatternRandom, 64, 8
		r := run(t, c)
		c.SpanPCs = 1
		own := run(t, c)
		if !(r.GBps < own.GBps) || r.LateralUtil == 0 {
			t.Errorf("shared %.2f GB/s (lateral %.2f), own PCs %.2f GB/s; want slower, through lateral links", r.GBps, r.LateralUtil, own.GBps)
		}
	})
	t.Run("single AXI ID over 4 PCs", func(t *testing.T) {
		c := base
		c.PCs, c.Pattern, c.SizeBytes, c.SpanPCs = 1, PatternRandom, 64, 4
		free := run(t, c)
		c.SingleID = true
		ordered := run(t, c)
		// Three requests in four change PC and wait for the port to drain:
		// about one request per idle latency (~110-140 ns), 64 B each.
		if !(ordered.GBps < free.GBps/5) || ordered.GBps > 64/100e-9/1e9 {
			t.Errorf("one ID %.3f GB/s, free %.3f GB/s; want latency-bound, below 0.64 GB/s", ordered.GBps, free.GBps)
		}
		c.SpanPCs = 1
		if own := run(t, c); own.GBps < free.GBps/2 {
			t.Errorf("one ID on one PC: %.3f GB/s; the rule must not slow a port that stays in its PC", own.GBps)
		}
	})
	t.Run("AXI IDs in turn over 4 PCs", func(t *testing.T) {
		c := base
		c.PCs, c.Pattern, c.SizeBytes, c.SpanPCs = 1, PatternRandom, 64, 4
		free := run(t, c)
		c.SingleID = true
		single := run(t, c)
		c.SingleID, c.IDs = false, 1
		one := run(t, c)
		// One ID in turn is the single ID, request for request.
		one.Config, single.Config = BenchConfig{}, BenchConfig{}
		if !reflect.DeepEqual(one, single) {
			t.Errorf("IDs 1: %.4f GB/s, single ID %.4f GB/s; want the same run", one.GBps, single.GBps)
		}
		// A request now waits only for its own ID's reads to another PC:
		// with 64 IDs it is much faster than one ID, and never faster than
		// no ordering at all.
		c.IDs = 64
		pool := run(t, c)
		if !(pool.GBps > 5*single.GBps) || pool.GBps > free.GBps*1.0001 {
			t.Errorf("64 IDs %.3f GB/s, one ID %.3f, no ordering %.3f; want between, far above one ID", pool.GBps, single.GBps, free.GBps)
		}
		c.SpanPCs = 1
		c.IDs = 64
		own := run(t, c)
		c.IDs = 0
		if nofree := run(t, c); own.GBps != nofree.GBps {
			t.Errorf("64 IDs on one PC: %.4f GB/s, %.4f without; the rule must not slow a port that stays in its PC", own.GBps, nofree.GBps)
		}
	})
	t.Run("issue interval", func(t *testing.T) {
		for _, ii := range []int{2, 4, 8} {
			c := base
			c.PCs, c.SizeBytes, c.IssueIntervalCycles = 1, 64, ii
			r := run(t, c)
			ceil := 64 * c.Params.KernelFreqHz / float64(ii) / 1e9
			if r.GBps > ceil*1.001 || r.GBps < ceil*0.9 {
				t.Errorf("ii %d: %.3f GB/s, want at most and near %.3f GB/s (64 B per %d cycles)", ii, r.GBps, ceil, ii)
			}
		}
	})
	t.Run("bad input", func(t *testing.T) {
		for _, c := range []BenchConfig{
			func() BenchConfig { c := base; c.SpanPCs = 3; return c }(),
			func() BenchConfig { c := base; c.SpanPCs = 64; return c }(),
			func() BenchConfig { c := base; c.SpanPCs, c.CrossSwitch = 2, true; return c }(),
			func() BenchConfig { c := base; c.IssueIntervalCycles = -1; return c }(),
			func() BenchConfig { c := base; c.IDs = -1; return c }(),
			func() BenchConfig { c := base; c.IDs = MaxAXIIDs + 1; return c }(),
			func() BenchConfig { c := base; c.IDs, c.SingleID = 4, true; return c }(),
		} {
			if err := c.Validate(); err == nil {
				t.Errorf("span %d, cross %v, ii %d, IDs %d (single %v) accepted", c.SpanPCs, c.CrossSwitch, c.IssueIntervalCycles, c.IDs, c.SingleID)
			}
		}
	})
}

// TestHBMPortLimit checks Params.HBMPortLimit: a 512-bit kernel port at
// 300 MHz (19.2 GB/s) reading over 4 PCs passes at most the HBM's own
// 256-bit port at 450 MHz (14.4 GB/s) in each direction, and a port that
// stays on its own PC, or a 256-bit port, is as fast as without it.
func TestHBMPortLimit(t *testing.T) {
	for _, tc := range []struct {
		name      string
		bits      int
		span      int
		op        Op
		wantBound bool // the limit must bind
	}{
		{"512-bit reads over 4 PCs", 512, 4, OpRead, true},
		{"512-bit writes over 4 PCs", 512, 4, OpWrite, true},
		{"512-bit reads on one PC", 512, 1, OpRead, false},
		{"256-bit reads over 4 PCs", 256, 4, OpRead, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultBenchConfig()
			c.TotalBytes = 2 << 20
			c.PCs, c.SpanPCs, c.Op, c.Pattern, c.SizeBytes = 1, tc.span, tc.op, PatternRandom, 1024
			c.Params.PortBits = tc.bits
			free, err := RunBenchmark(c)
			if err != nil {
				t.Fatal(err)
			}
			c.Params.HBMPortLimit = true
			limited, err := RunBenchmark(c)
			if err != nil {
				t.Fatal(err)
			}
			hport := 32 * c.Params.SwitchFreqHz / 1e9
			if limited.GBps > hport*1.001 || limited.Bytes != free.Bytes {
				t.Errorf("limited %.2f GB/s (%d B), free %.2f GB/s (%d B); want at most the HBM port's %.1f GB/s", limited.GBps, limited.Bytes, free.GBps, free.Bytes, hport)
			}
			if tc.wantBound && !(free.GBps > hport && limited.GBps < free.GBps*0.95) {
				t.Errorf("free %.2f GB/s, limited %.2f GB/s; want the limit to bind", free.GBps, limited.GBps)
			}
			if !tc.wantBound && limited.GBps < free.GBps*0.99 {
				t.Errorf("free %.2f GB/s, limited %.2f GB/s; want the limit not to slow this port", free.GBps, limited.GBps)
			}
		})
	}
}

// TestLateralLinksByAddress checks that a port spreading random reads over
// 16 PCs (4 switch groups) uses both lateral links of a hop: the links are
// chosen by the destination PC (address decode, PG059), so the port is not
// held to one link's half of a port's bandwidth (7.2 GB/s at 450 MHz) but
// runs at its own 256-bit x 450 MHz.
func TestLateralLinksByAddress(t *testing.T) {
	c := DefaultBenchConfig()
	c.TotalBytes = 2 << 20
	c.PCs, c.SpanPCs, c.Op, c.Pattern, c.SizeBytes = 1, 16, OpRead, PatternRandom, 128
	c.Params.KernelFreqHz = 450e6
	r, err := RunBenchmark(c)
	if err != nil {
		t.Fatal(err)
	}
	port := 32 * c.Params.KernelFreqHz / 1e9
	// 12 of the 16 PCs lie in other groups: with one link (7.2 GB/s) the
	// port would get at most 7.2 / 0.75 = 9.6 GB/s.
	if r.GBps < 0.9*port || r.GBps > port*1.001 {
		t.Errorf("one port over 16 PCs: %.2f GB/s; want about its %.1f GB/s (both lateral links)", r.GBps, port)
	}
}
