package hbm

import (
	"fmt"
	"strings"
	"testing"
	"unsafe"

	"github.com/roofsim/roofsim/hw"
)

// The hand-computed cases below use the default U280 timing at 900 MHz:
// CL 13, CWL 4, tRCD 13, tRP 13, tRAS 31, tCCD_S 1, tCCD_L 2, tRRD_S 4,
// tRRD_L 6, tFAW 27, tWR 15, tWTR_S 6, tWTR_L 8, tRTW 2 (cycles); a 32 B
// burst holds the bus 2 cycles. TestTimingCycles pins these values.
//
// A read sent at kernel cycle k reaches controller 0 at HBM cycle
// 3k + 3x6 (port) + 18 (switch) = 3k + 36; a 32 B write at 3k + 39 (its
// one data beat crosses the port first). The port's address channel takes
// one request per kernel cycle, so requests sent in the same cycle arrive
// 3 HBM cycles apart.

func TestTimingCycles(t *testing.T) {
	h := hw.U280HBM()
	got := makeTiming(h.Timing.Cycles(h.ClockHz))
	want := timing{CL: 13, CWL: 4, RCD: 13, RP: 13, RAS: 31, CCDS: 1, CCDL: 2, RRDS: 4, RRDL: 6, FAW: 27, WR: 15, WTRS: 6, WTRL: 8, RTW: 2, RFC: 234, REFI: 3510}
	if got != want {
		t.Fatalf("timing = %+v, want %+v", got, want)
	}
	if h.BurstCycles() != 2 {
		t.Fatalf("burst cycles = %d, want 2", h.BurstCycles())
	}
}

// cmds formats a trace as "cycle KIND bank row" lines.
func cmds(tr []Command) string {
	var b strings.Builder
	for _, c := range tr {
		if c.Kind == CmdPREA || c.Kind == CmdREF {
			fmt.Fprintf(&b, "%d %s\n", c.Cycle, c.Kind)
			continue
		}
		if c.Kind == CmdPRE {
			fmt.Fprintf(&b, "%d PRE b%d\n", c.Cycle, c.Bank)
			continue
		}
		fmt.Fprintf(&b, "%d %s b%d r%d\n", c.Cycle, c.Kind, c.Bank, c.Row)
	}
	return b.String()
}

func TestTimingRules(t *testing.T) {
	noRefresh := MakeBuilder().WithRefresh(false)
	ccd6 := func() Builder {
		h := hw.U280HBM()
		h.Timing.TCCDLCycles = 6
		return noRefresh.WithConfig(h)
	}
	refresh1us := func() Builder {
		h := hw.U280HBM()
		h.Timing.TREFINs = 1000 // 900 cycles; PC 0's first refresh is due at 900
		return MakeBuilder().WithConfig(h)
	}
	cases := []struct {
		name string
		b    Builder
		reqs func(t *testing.T) []scriptReq
		want string
	}{
		{
			name: "closed bank: ACT then RD after tRCD",
			b:    noRefresh,
			reqs: func(t *testing.T) []scriptReq { return []scriptReq{{0, addr(t, 0, 0, 5, 0), 32, false}} },
			want: "36 ACT b0 r5\n49 RD b0 r5\n",
		},
		{
			name: "same bank, two rows: tRCD, tRAS before PRE, tRP before ACT",
			b:    noRefresh,
			reqs: func(t *testing.T) []scriptReq {
				return []scriptReq{{0, addr(t, 0, 0, 1, 0), 32, false}, {0, addr(t, 0, 0, 2, 0), 32, false}}
			},
			// PRE at max(ACT+tRAS = 67, RD+burst = 51); ACT at PRE+tRP.
			want: "36 ACT b0 r1\n49 RD b0 r1\n67 PRE b0\n80 ACT b0 r2\n93 RD b0 r2\n",
		},
		{
			name: "tRRD_S between bank groups",
			b:    noRefresh,
			reqs: func(t *testing.T) []scriptReq {
				return []scriptReq{{0, addr(t, 0, 0, 1, 0), 32, false}, {0, addr(t, 0, 4, 1, 0), 32, false}}
			},
			want: "36 ACT b0 r1\n40 ACT b4 r1\n49 RD b0 r1\n53 RD b4 r1\n",
		},
		{
			name: "tRRD_L inside a bank group",
			b:    noRefresh,
			reqs: func(t *testing.T) []scriptReq {
				return []scriptReq{{0, addr(t, 0, 0, 1, 0), 32, false}, {0, addr(t, 0, 1, 1, 0), 32, false}}
			},
			want: "36 ACT b0 r1\n42 ACT b1 r1\n49 RD b0 r1\n55 RD b1 r1\n",
		},
		{
			name: "tRRD with tRRD_L below tRRD_S (custom timing)",
			b: func() Builder {
				h := hw.U280HBM()
				h.Timing.TRRDSNs, h.Timing.TRRDLNs = 10, 4 // 9 and 4 cycles
				return noRefresh.WithConfig(h)
			}(),
			reqs: func(t *testing.T) []scriptReq {
				return []scriptReq{{0, addr(t, 0, 0, 1, 0), 32, false}, {1, addr(t, 0, 1, 1, 0), 32, false}, {2, addr(t, 0, 4, 1, 0), 32, false}}
			},
			// b1 (same group as b0) 4 after b0; b4 (other group) 9 after b1.
			want: "36 ACT b0 r1\n40 ACT b1 r1\n49 RD b0 r1\n49 ACT b4 r1\n53 RD b1 r1\n62 RD b4 r1\n",
		},
		{
			name: "tFAW: the fifth ACT waits for the window of four",
			b:    noRefresh,
			reqs: func(t *testing.T) []scriptReq {
				var r []scriptReq
				for _, b := range []int{0, 4, 8, 12, 1} {
					r = append(r, scriptReq{0, addr(t, 0, b, 1, 0), 32, false})
				}
				return r
			},
			// ACTs at 36, 40, 44, 48 (tRRD_S); the fifth at 36 + tFAW = 63.
			want: "36 ACT b0 r1\n40 ACT b4 r1\n44 ACT b8 r1\n48 ACT b12 r1\n49 RD b0 r1\n" +
				"53 RD b4 r1\n57 RD b8 r1\n61 RD b12 r1\n63 ACT b1 r1\n76 RD b1 r1\n",
		},
		{
			name: "read to write turnaround (tRTW)",
			b:    noRefresh,
			reqs: func(t *testing.T) []scriptReq {
				return []scriptReq{
					{0, addr(t, 0, 1, 1, 0), 32, false},  // opens b1, RD at 49
					{20, addr(t, 0, 0, 1, 0), 32, true},  // arrives 99: ACT b0 at 99, WR ready at 112
					{25, addr(t, 0, 1, 1, 1), 32, false}, // arrives 111, hits b1: RD at 111, data [124, 126)
				}
			},
			// The write's data must start tRTW after the read's: 126 + 2 = 128, so WR at 128 - CWL = 124.
			want: "36 ACT b1 r1\n49 RD b1 r1\n99 ACT b0 r1\n111 RD b1 r1\n124 WR b0 r1\n",
		},
		{
			name: "write to read in the same bank group (tWTR_L)",
			b:    noRefresh,
			reqs: func(t *testing.T) []scriptReq {
				return []scriptReq{
					{0, addr(t, 0, 1, 1, 0), 32, false},  // opens b1 (bank group 0)
					{20, addr(t, 0, 0, 1, 0), 32, true},  // WR b0 at 112, data [116, 118)
					{28, addr(t, 0, 1, 1, 1), 32, false}, // arrives 120, hit: RD at 118 + tWTR_L = 126
				}
			},
			want: "36 ACT b1 r1\n49 RD b1 r1\n99 ACT b0 r1\n112 WR b0 r1\n126 RD b1 r1\n",
		},
		{
			name: "write to read across bank groups (tWTR_S)",
			b:    noRefresh,
			reqs: func(t *testing.T) []scriptReq {
				return []scriptReq{
					{0, addr(t, 0, 4, 1, 0), 32, false},  // opens b4 (bank group 1)
					{20, addr(t, 0, 0, 1, 0), 32, true},  // WR b0 at 112, data [116, 118)
					{28, addr(t, 0, 4, 1, 1), 32, false}, // arrives 120, hit: RD at 118 + tWTR_S = 124
				}
			},
			want: "36 ACT b4 r1\n49 RD b4 r1\n99 ACT b0 r1\n112 WR b0 r1\n124 RD b4 r1\n",
		},
		{
			name: "write recovery before precharge (tWR)",
			b:    noRefresh,
			reqs: func(t *testing.T) []scriptReq {
				return []scriptReq{{0, addr(t, 0, 0, 1, 0), 32, true}, {1, addr(t, 0, 0, 2, 0), 32, false}}
			},
			// Both arrive at 39; WR at 52, data [56, 58); PRE at max(39+tRAS = 70, 58+tWR = 73).
			want: "39 ACT b0 r1\n52 WR b0 r1\n73 PRE b0\n86 ACT b0 r2\n99 RD b0 r2\n",
		},
		{
			name: "data bus: a 512 B read is 16 bursts of 2 cycles",
			b:    noRefresh,
			reqs: func(t *testing.T) []scriptReq { return []scriptReq{{0, addr(t, 0, 0, 1, 0), 512, false}} },
			want: func() string {
				s := "36 ACT b0 r1\n"
				for i := 0; i < 16; i++ {
					s += fmt.Sprintf("%d RD b0 r1\n", 49+2*i)
				}
				return s
			}(),
		},
		{
			name: "tCCD_L (6 here) after the last command of the bank group, tCCD_S after any",
			b:    ccd6(),
			reqs: func(t *testing.T) []scriptReq {
				return []scriptReq{
					// Open b0, b4 (bank group 1) and b1 (bank group 0).
					{0, addr(t, 0, 0, 1, 0), 32, false}, {0, addr(t, 0, 4, 1, 0), 32, false}, {0, addr(t, 0, 1, 1, 0), 32, false},
					// A write to b8 (bank group 2): WR at 112, data [116, 118).
					{20, addr(t, 0, 8, 1, 0), 32, true},
					// Three hits arriving at 114, 117, 120, all held by tWTR_S until 124.
					{26, addr(t, 0, 0, 1, 1), 32, false}, {26, addr(t, 0, 4, 1, 1), 32, false}, {26, addr(t, 0, 1, 1, 1), 32, false},
				}
			},
			// b0 at 124, b4 (other group) at 126 (the bus), b1 at 124 + tCCD_L = 130 although
			// b4 went last.
			want: "36 ACT b0 r1\n40 ACT b4 r1\n44 ACT b1 r1\n49 RD b0 r1\n53 RD b4 r1\n57 RD b1 r1\n" +
				"99 ACT b8 r1\n112 WR b8 r1\n124 RD b0 r1\n126 RD b4 r1\n130 RD b1 r1\n",
		},
		{
			name: "FR-FCFS: a younger row hit goes before an older conflict",
			b:    noRefresh,
			reqs: func(t *testing.T) []scriptReq {
				return []scriptReq{
					{0, addr(t, 0, 0, 1, 0), 32, false}, // RD at 49
					{5, addr(t, 0, 0, 2, 0), 32, false}, // arrives 51: conflict, must wait
					{6, addr(t, 0, 0, 1, 1), 32, false}, // arrives 54: hit, goes first
				}
			},
			want: "36 ACT b0 r1\n49 RD b0 r1\n54 RD b0 r1\n67 PRE b0\n80 ACT b0 r2\n93 RD b0 r2\n",
		},
		{
			name: "open page: a later access to the open row is a hit",
			b:    noRefresh,
			reqs: func(t *testing.T) []scriptReq {
				return []scriptReq{{0, addr(t, 0, 0, 1, 0), 32, false}, {30, addr(t, 0, 0, 1, 1), 32, false}}
			},
			want: "36 ACT b0 r1\n49 RD b0 r1\n126 RD b0 r1\n",
		},
		{
			name: "closed page: the row closes, a later access activates again",
			b:    noRefresh.WithPagePolicy(ClosedPage),
			reqs: func(t *testing.T) []scriptReq {
				return []scriptReq{{0, addr(t, 0, 0, 1, 0), 32, false}, {30, addr(t, 0, 0, 1, 1), 32, false}}
			},
			want: "36 ACT b0 r1\n49 RD b0 r1\n126 ACT b0 r1\n139 RD b0 r1\n",
		},
		{
			name: "refresh: PREA, REF after tRP, banks busy for tRFC",
			b:    refresh1us(),
			reqs: func(t *testing.T) []scriptReq {
				return []scriptReq{{0, addr(t, 0, 0, 1, 0), 32, false}, {300, addr(t, 0, 0, 1, 1), 32, false}}
			},
			// Due at 900 with b0 open: PREA at 900, REF at 913, busy until 913 + tRFC = 1147;
			// the read arriving at 936 activates at 1147.
			want: "36 ACT b0 r1\n49 RD b0 r1\n900 PREA\n913 REF\n1147 ACT b0 r1\n1160 RD b0 r1\n",
		},
		{
			name: "refresh of idle time is caught up when work arrives",
			b:    refresh1us(),
			reqs: func(t *testing.T) []scriptReq { return []scriptReq{{3000, addr(t, 0, 0, 1, 0), 32, false}} },
			// Refreshes due at 900, 1800, ..., 9000; the read arrives at 9036, during the last.
			want: func() string {
				s := ""
				for c := 900; c <= 9000; c += 900 {
					s += fmt.Sprintf("%d REF\n", c)
				}
				return s + "9234 ACT b0 r1\n9247 RD b0 r1\n"
			}(),
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rig := runScript(t, c.b, 0, c.reqs(t))
			if got := cmds(rig.ctrl.Trace()); got != c.want {
				t.Errorf("trace:\n%s\nwant:\n%s", got, c.want)
			}
		})
	}
}

func TestRowClassification(t *testing.T) {
	rig := runScript(t, MakeBuilder().WithRefresh(false), 0, []scriptReq{
		{0, addr(t, 0, 0, 1, 0), 64, false},   // miss (closed bank) + hit
		{30, addr(t, 0, 0, 1, 4), 32, false},  // hit
		{60, addr(t, 0, 0, 2, 0), 32, false},  // conflict
		{90, addr(t, 0, 5, 3, 0), 128, false}, // miss + 3 hits
	})
	s := rig.ctrl.Stats()
	if s.RowHits != 5 || s.RowMisses != 2 || s.RowConflicts != 1 {
		t.Errorf("hits/misses/conflicts = %d/%d/%d, want 5/2/1", s.RowHits, s.RowMisses, s.RowConflicts)
	}
	if s.Activates != 3 || s.Precharges != 1 {
		t.Errorf("activates/precharges = %d/%d, want 3/1", s.Activates, s.Precharges)
	}
	if s.ReadBursts != 4 || s.ReadBytes != 256 || s.BusyCycles != 16 {
		t.Errorf("bursts/bytes/busy = %d/%d/%d, want 4/256/16", s.ReadBursts, s.ReadBytes, s.BusyCycles)
	}
}

// TestLossBreakdownSums checks that busy time and the loss causes add up to
// the elapsed time of every PC, in runs with each kind of loss.
func TestLossBreakdownSums(t *testing.T) {
	for _, c := range []struct {
		pat  Pattern
		op   Op
		size int
		bits int
	}{
		{PatternSeq, OpRead, 512, 256}, {PatternSeq, OpMixed, 512, 512}, {PatternRandom, OpRead, 64, 512}, {PatternStrided, OpWrite, 256, 256},
	} {
		cfg := DefaultBenchConfig()
		cfg.Pattern, cfg.Op, cfg.SizeBytes, cfg.PCs, cfg.TotalBytes = c.pat, c.op, c.size, 4, 1<<20
		cfg.Params.PortBits = c.bits
		r, err := RunBenchmark(cfg)
		if err != nil {
			t.Fatal(err)
		}
		for _, pc := range r.PerPC {
			s := pc.Stats
			sum := s.BusyCycles + s.LossIdleCycles + s.LossRefreshCycles + s.LossRowCycles + s.LossTurnaroundCycles + s.LossOtherCycles
			if sum != s.ElapsedCycles {
				t.Errorf("%v PC %d: busy + losses = %d, elapsed %d (%+v)", c, pc.PC, sum, s.ElapsedCycles, s)
			}
			if s.BusyCycles != s.Columns()*2 {
				t.Errorf("%v PC %d: busy %d cycles for %d bursts", c, pc.PC, s.BusyCycles, s.Columns())
			}
		}
	}
}

// TestBankStateFitsCacheLine pins bankState to one 64-byte cache line: the
// scheduler's loops visit several banks per step, and a field added beyond
// it costs a second cache miss per bank (docs/speed.md, fourth round).
func TestBankStateFitsCacheLine(t *testing.T) {
	if n := unsafe.Sizeof(bankState{}); n != 64 {
		t.Fatalf("bankState is %d bytes, want 64 (one cache line)", n)
	}
}
