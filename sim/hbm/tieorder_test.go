package hbm

import (
	"reflect"
	"testing"
)

// TestSameTimeOrder runs the patterns of TestFastPathMatchesReference with
// events of equal time in three shuffled orders (Params.TieSeed). A result
// that changes depends on which of two same-time events the engine runs
// first, a choice the model leaves to the engine's heap (docs/speed.md,
// "Same-time order"). Today that holds only where bursts of several ports
// share a lateral link of the switch: the link serves them in the order
// their senders call the switch. Every other pattern must give the same
// result whatever the order; a crossing pattern that stops depending on it
// means the switch now arbitrates, and docs/speed.md must say so.
func TestSameTimeOrder(t *testing.T) {
	for _, r := range patternRuns() {
		t.Run(r.String(), func(t *testing.T) {
			cfg := r.config()
			want, err := RunBenchmark(cfg)
			if err != nil {
				t.Fatal(err)
			}
			changed := 0
			for seed := uint64(1); seed <= 3; seed++ {
				c := cfg
				c.Params.TieSeed = seed
				got, err := RunBenchmark(c)
				if err != nil {
					t.Fatal(err)
				}
				got.Config.Params.TieSeed = 0
				if !reflect.DeepEqual(got, want) {
					changed++
					if !r.cross {
						t.Errorf("seed %d: the result depends on the order of same-time events: %.9g s, %.6g ns mean latency against %.9g s, %.6g ns",
							seed, got.SimSeconds, got.LatAvgNs, want.SimSeconds, want.LatAvgNs)
					}
				}
			}
			if r.cross && changed == 0 {
				t.Error("a pattern over the lateral links no longer depends on the order of same-time events: update docs/speed.md")
			}
		})
	}
}
