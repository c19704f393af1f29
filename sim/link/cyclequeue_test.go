package link

import (
	"math/rand/v2"
	"testing"

	"github.com/roofsim/roofsim/sim/clock"
)

// TestCycleQueueMatchesTimeQueue feeds a CycleQueue and a TimeQueue (with
// the cycles' times, through lanes as the HBM switch does) the same seeded
// mix of pushes and pops, with many equal cycles, pushes before the last
// pop, and pushes far beyond the ring's window, and requires the same
// values in the same order (popping with Pop or PopDue).
func TestCycleQueueMatchesTimeQueue(t *testing.T) {
	clk := clock.New(450e6)
	cases := []struct {
		name            string
		spread, farOdds int
		lateOdds        int
	}{
		{"dense", 4, 0, 0},
		{"sparse", 300, 0, 0},
		{"far", 50, 8, 0},
		{"late", 20, 0, 6},
		{"all", 100, 5, 5},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for seed := uint64(1); seed <= 20; seed++ {
				rng := rand.New(rand.NewPCG(seed, 7))
				var cq CycleQueue[int]
				var tq TimeQueue[int]
				now := int64(rng.IntN(1000))
				next := 0
				for step := 0; step < 4000; step++ {
					if rng.IntN(3) > 0 || cq.Len() == 0 {
						c := now + int64(rng.IntN(tc.spread))
						switch {
						case tc.farOdds > 0 && rng.IntN(tc.farOdds) == 0:
							c = now + cycleWindowCycles - 2 + int64(rng.IntN(3*cycleWindowCycles))
						case tc.lateOdds > 0 && rng.IntN(tc.lateOdds) == 0:
							c = max(now-int64(rng.IntN(30)), 0)
						}
						cq.Push(c, next)
						tq.PushLane(rng.IntN(8), clk.Time(uint64(c)), next)
						next++
						continue
					}
					wc, okc := cq.Next()
					wt, okt := tq.Next()
					if okc != okt || clk.Time(uint64(wc)) != wt {
						t.Fatalf("seed %d step %d: Next %d,%v vs %g,%v", seed, step, wc, okc, float64(wt), okt)
					}
					if _, _, ok := cq.PopDue(wc - 1); ok {
						t.Fatalf("seed %d step %d: PopDue(%d) popped with %d first", seed, step, wc-1, wc)
					}
					var c int64
					var v int
					if rng.IntN(2) == 0 {
						c, v = cq.Pop()
					} else {
						var ok bool
						if c, v, ok = cq.PopDue(wc + int64(rng.IntN(3))); !ok {
							t.Fatalf("seed %d step %d: PopDue refused %d", seed, step, wc)
						}
					}
					_, w := tq.Pop()
					if c != wc || v != w {
						t.Fatalf("seed %d step %d: popped %d@%d, want %d", seed, step, v, c, w)
					}
					now = max(now, c)
					if cq.Len() != tq.Len() {
						t.Fatalf("seed %d: Len %d vs %d", seed, cq.Len(), tq.Len())
					}
				}
				for cq.Len() > 0 {
					c, v := cq.Pop()
					wt, w := tq.Pop()
					if clk.Time(uint64(c)) != wt || v != w {
						t.Fatalf("seed %d drain: popped %d@%d, want %d", seed, v, c, w)
					}
				}
				if tq.Len() != 0 {
					t.Fatalf("seed %d: TimeQueue holds %d more", seed, tq.Len())
				}
			}
		})
	}
}
