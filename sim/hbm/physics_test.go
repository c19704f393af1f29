package hbm

import (
	"fmt"
	"reflect"
	"testing"
)

// physicsSlack absorbs the float rounding of GB/s figures.
const physicsSlack = 1e-9

// checkPhysics asserts the ceilings of a run: no PC above 14.4 GB/s, no
// port data channel above width x clock, the system below 460.8 GB/s, and
// every requested byte delivered exactly once.
func checkPhysics(t *testing.T, name string, cfg BenchConfig, r *BenchResult) {
	t.Helper()
	pcPeak := cfg.HBM.PCBytesPerSec() / 1e9
	portPeak := float64(cfg.Params.PortBits) / 8 * cfg.Params.KernelFreqHz / 1e9
	sysPeak := cfg.HBM.PeakBytesPerSec() / 1e9
	if r.GBps > sysPeak*(1+physicsSlack) {
		t.Errorf("%s: system %.3f GB/s above %.1f", name, r.GBps, sysPeak)
	}
	perGen := max(cfg.TotalBytes/int64(cfg.PCs)/int64(cfg.SizeBytes), 1)
	if want := uint64(perGen) * uint64(cfg.SizeBytes) * uint64(cfg.PCs); r.Bytes != want {
		t.Errorf("%s: %d bytes delivered, %d requested", name, r.Bytes, want)
	}
	var moved uint64
	for _, pc := range r.PerPC {
		if pc.GBps > pcPeak*(1+physicsSlack) {
			t.Errorf("%s: PC %d %.3f GB/s above %.1f", name, pc.PC, pc.GBps, pcPeak)
		}
		if pc.ReadGBps > portPeak*(1+physicsSlack) || pc.WriteGBps > portPeak*(1+physicsSlack) {
			t.Errorf("%s: port %d read %.3f / write %.3f GB/s above %.1f", name, pc.Port, pc.ReadGBps, pc.WriteGBps, portPeak)
		}
		ps := pc.PortStats
		if ps.ReadBytes+ps.WriteBytes != pc.Stats.Bytes() {
			t.Errorf("%s: port %d answered %d bytes, PC %d moved %d", name, pc.Port, ps.ReadBytes+ps.WriteBytes, pc.PC, pc.Stats.Bytes())
		}
		if ps.MaxReadsInFlight > cfg.Params.Outstanding || ps.MaxWritesInFlight > cfg.Params.Outstanding {
			t.Errorf("%s: port %d had %d/%d bursts in flight, limit %d", name, pc.Port, ps.MaxReadsInFlight, ps.MaxWritesInFlight, cfg.Params.Outstanding)
		}
		moved += pc.Stats.Bytes()
	}
	if moved != r.Bytes {
		t.Errorf("%s: PCs moved %d bytes, generators got %d", name, moved, r.Bytes)
	}
}

func TestPhysicsHolds(t *testing.T) {
	type run struct {
		pat   Pattern
		op    Op
		size  int
		pcs   int
		bits  int
		out   int
		cross bool
		page  PagePolicy
	}
	runs := []run{
		{PatternSeq, OpRead, 512, 32, 256, 64, false, OpenPage},
		{PatternSeq, OpRead, 4096, 32, 512, 64, false, OpenPage},
		{PatternSeq, OpWrite, 32, 8, 512, 64, false, OpenPage},
		{PatternSeq, OpMixed, 1024, 16, 512, 16, false, OpenPage},
		{PatternStrided, OpRead, 96, 4, 256, 64, false, OpenPage},
		{PatternStrided, OpMixed, 2048, 4, 512, 8, true, OpenPage},
		{PatternRandom, OpRead, 64, 2, 512, 64, false, OpenPage},
		{PatternRandom, OpWrite, 128, 3, 256, 32, true, ClosedPage},
		{PatternRandom, OpMixed, 32, 1, 512, 1, false, ClosedPage},
		{PatternSeq, OpRead, 512, 32, 512, 64, true, OpenPage},
	}
	for _, c := range runs {
		name := fmt.Sprintf("%+v", c)
		cfg := DefaultBenchConfig()
		cfg.Pattern, cfg.Op, cfg.SizeBytes, cfg.PCs, cfg.CrossSwitch = c.pat, c.op, c.size, c.pcs, c.cross
		cfg.Params.PortBits, cfg.Params.Outstanding, cfg.Params.PagePolicy = c.bits, c.out, c.page
		cfg.TotalBytes = int64(c.pcs) * 256 << 10
		r, err := RunBenchmark(cfg)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		checkPhysics(t, name, cfg, r)
	}
}

// TestSeqRead256 is the seed's "realistic 300 GB/s": 32 PCs behind 256-bit
// ports at 300 MHz reading sequentially in 512 B or larger requests reach
// 280-307 GB/s, bound by the ports (32 x 9.6 = 307.2 GB/s), not the HBM.
func TestSeqRead256(t *testing.T) {
	for _, size := range []int{512, 1024, 4096} {
		cfg := DefaultBenchConfig()
		cfg.SizeBytes, cfg.TotalBytes = size, 16<<20
		r, err := RunBenchmark(cfg)
		if err != nil {
			t.Fatal(err)
		}
		checkPhysics(t, fmt.Sprint(size), cfg, r)
		if r.GBps < 280 || r.GBps > 307.2 {
			t.Errorf("%d B: %.1f GB/s, want 280-307.2", size, r.GBps)
		}
		if r.Bound != "port" || r.PortUtil < 0.95 {
			t.Errorf("%d B: bound %q with ports %.0f%% busy, want the ports", size, r.Bound, 100*r.PortUtil)
		}
	}
}

// TestSeqRead512 widens the ports to 512 bits: the HBM becomes the limit,
// below 14.4 GB/s per PC because of refresh and row switches, and above
// what 256-bit ports allow.
func TestSeqRead512(t *testing.T) {
	cfg := DefaultBenchConfig()
	cfg.Params.PortBits, cfg.TotalBytes = 512, 16<<20
	r, err := RunBenchmark(cfg)
	if err != nil {
		t.Fatal(err)
	}
	checkPhysics(t, "512-bit", cfg, r)
	if r.Bound != "hbm" {
		t.Errorf("bound %q, want hbm", r.Bound)
	}
	if r.GBpsPerPC <= 9.6 || r.GBpsPerPC >= 14.4 {
		t.Errorf("%.2f GB/s per PC, want between the 256-bit port (9.6) and the PC (14.4)", r.GBpsPerPC)
	}
	// tRFC/tREFI = 234/3510 cycles: refresh takes 6.7% of the time.
	if r.RefreshShare < 0.06 || r.RefreshShare > 0.07 {
		t.Errorf("refresh share %.4f, want about 0.067", r.RefreshShare)
	}
	if r.LossRefresh < 0.04 {
		t.Errorf("refresh loss %.4f, want most of the refresh time lost", r.LossRefresh)
	}
	if lost := 1 - r.BusUtil; lost > 0.1 {
		t.Errorf("data bus idle %.1f%% of the time, want < 10%% for a stream", 100*lost)
	}
}

// TestRandomVsSeq: random 64 B reads on one PC need an activate every two
// bursts and are held by tFAW (4 activates in 27 cycles move 8 bursts in
// 16 of them) and tRRD, far below a sequential stream.
func TestRandomVsSeq(t *testing.T) {
	run := func(p Pattern, size int) *BenchResult {
		cfg := DefaultBenchConfig()
		cfg.Pattern, cfg.SizeBytes, cfg.PCs, cfg.TotalBytes = p, size, 1, 1<<20
		cfg.Params.PortBits = 512
		r, err := RunBenchmark(cfg)
		if err != nil {
			t.Fatal(err)
		}
		checkPhysics(t, string(p), cfg, r)
		return r
	}
	seq, rnd := run(PatternSeq, 512), run(PatternRandom, 64)
	if rnd.GBps > 0.7*seq.GBps {
		t.Errorf("random 64 B %.2f GB/s vs sequential %.2f: want far below", rnd.GBps, seq.GBps)
	}
	if rnd.RowHitRate > 0.51 || rnd.LossRow < 0.3 {
		t.Errorf("random: row hit rate %.3f, row loss %.3f: want misses on every request", rnd.RowHitRate, rnd.LossRow)
	}
	// tFAW bound: 4 x 64 B per 27 cycles of 1.11 ns = 8.53 GB/s.
	if rnd.GBps > 8.54 {
		t.Errorf("random 64 B %.3f GB/s above the tFAW bound 8.53", rnd.GBps)
	}
}

// TestIdleReadLatency: one read at a time, 64 B sequential (page hits) and
// 32 B random (closed banks and conflicts) take 100-150 ns from the port.
func TestIdleReadLatency(t *testing.T) {
	for _, c := range []struct {
		p    Pattern
		size int
	}{{PatternSeq, 64}, {PatternRandom, 32}} {
		cfg := DefaultBenchConfig()
		cfg.Pattern, cfg.SizeBytes, cfg.PCs, cfg.TotalBytes, cfg.Params.Outstanding = c.p, c.size, 1, 64<<10, 1
		r, err := RunBenchmark(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if r.LatMinNs < 100 || r.LatP50Ns > 150 {
			t.Errorf("%s %d B: latency min %.1f p50 %.1f ns, want 100-150", c.p, c.size, r.LatMinNs, r.LatP50Ns)
		}
	}
	// The three cases by hand (see Params): page hit, closed bank, conflict.
	rig := runScript(t, MakeBuilder().WithRefresh(false), 0, []scriptReq{
		{0, addr(t, 0, 0, 1, 0), 32, false},   // closed bank
		{100, addr(t, 0, 0, 1, 1), 32, false}, // page hit
		{200, addr(t, 0, 0, 2, 0), 32, false}, // row conflict
	})
	for i, want := range []float64{38, 33, 42} {
		if got := rig.script.latencyNs(i); fmt.Sprintf("%.2f", got) != fmt.Sprintf("%.2f", want/0.3) {
			t.Errorf("request %d: %.2f ns, want %.2f (%g kernel cycles)", i, got, want/0.3, want)
		}
	}
}

// TestCrossSwitch: one port reading through a lateral link gets at most
// half of the switch port's bandwidth (7.2 GB/s); four ports sharing two
// links get a quarter each.
func TestCrossSwitch(t *testing.T) {
	for _, c := range []struct {
		pcs  int
		max  float64
		min  float64
		bits int
	}{{1, 7.2, 6.5, 512}, {8, 3.6, 3.2, 256}} {
		cfg := DefaultBenchConfig()
		cfg.PCs, cfg.CrossSwitch, cfg.TotalBytes, cfg.Params.PortBits = c.pcs, true, int64(c.pcs)<<20, c.bits
		r, err := RunBenchmark(cfg)
		if err != nil {
			t.Fatal(err)
		}
		checkPhysics(t, "cross", cfg, r)
		if r.GBpsPerPC > c.max*(1+physicsSlack) || r.GBpsPerPC < c.min {
			t.Errorf("%d PCs across the switch: %.3f GB/s per PC, want %.1f-%.1f", c.pcs, r.GBpsPerPC, c.min, c.max)
		}
		if r.Bound != "switch" {
			t.Errorf("%d PCs across the switch: bound %q", c.pcs, r.Bound)
		}
	}
	// Latency: each crossing adds the lateral hop both ways.
	local := runScript(t, MakeBuilder().WithRefresh(false), 0, []scriptReq{{0, addr(t, 0, 0, 1, 0), 32, false}})
	cross := runScript(t, MakeBuilder().WithRefresh(false), 4, []scriptReq{{0, addr(t, 4, 0, 1, 0), 32, false}})
	if d := cross.script.latencyNs(0) - local.script.latencyNs(0); d <= 0 {
		t.Errorf("crossing adds %.2f ns", d)
	}
}

func TestDeterministic(t *testing.T) {
	cfg := DefaultBenchConfig()
	cfg.Pattern, cfg.Op, cfg.SizeBytes, cfg.PCs, cfg.TotalBytes = PatternRandom, OpMixed, 128, 8, 2<<20
	a, err := RunBenchmark(cfg)
	if err != nil {
		t.Fatal(err)
	}
	b, err := RunBenchmark(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Error("two identical runs differ")
	}
}
