package decode

import (
	"math"
	"path/filepath"
	"slices"
	"testing"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sim/accel"
	"github.com/roofsim/roofsim/workload"
)

func smolLM(t testing.TB, seq, gen int) workload.Scenario {
	t.Helper()
	s, err := workload.LoadScenario(filepath.Join("..", "workload", "testdata", "hf", "smollm2-135m.json"))
	if err != nil {
		t.Fatal(err)
	}
	s.Seq, s.Generate = seq, gen
	// Its first 4 of 30 layers: the same layer shapes, a quicker test.
	m := *s.HF
	m.Towers = append([]workload.Tower(nil), m.Towers...)
	m.Towers[0].Layers = 4
	s.HF = &m
	return s
}

func int8(t testing.TB) (hw.Design, hw.Platform, accel.Options) {
	t.Helper()
	d, err := hw.DesignByName("int8")
	if err != nil {
		t.Fatal(err)
	}
	p := hw.U280()
	return d, p, accel.DefaultOptions(d, p)
}

func TestSampleSteps(t *testing.T) {
	tests := []struct {
		n, k int
		want []int
	}{
		{5, 0, []int{1, 2, 3, 4, 5}},
		{5, 9, []int{1, 2, 3, 4, 5}},
		{128, 4, []int{1, 43, 86, 128}},
		{10, 2, []int{1, 10}},
		{10, 1, []int{1, 10}},
		{3, 2, []int{1, 3}},
	}
	for _, tc := range tests {
		got := SampleSteps(tc.n, tc.k)
		if len(got) != len(tc.want) {
			t.Errorf("SampleSteps(%d, %d) = %v, want %v", tc.n, tc.k, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("SampleSteps(%d, %d) = %v, want %v", tc.n, tc.k, got, tc.want)
				break
			}
		}
	}
}

// TestInterpolationError simulates every decode step of SmolLM2-135M (4
// of its layers) and a sample of 3, and checks that the interpolated steps
// are within 1% of the simulated ones and the total decode time within
// 0.5%. Contexts 61..69 cross a 64-wide tile edge, where the step time is
// not linear in the context: measured 0.65% worst step, 0.14% in total.
func TestInterpolationError(t *testing.T) {
	d, p, o := int8(t)
	sc := smolLM(t, 60, 9)
	full, err := Run(d, p, sc, o, Options{Sample: 0}, nil)
	if err != nil {
		t.Fatal(err)
	}
	sampled, err := Run(d, p, sc, o, Options{Sample: 3}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var worst float64
	for i, st := range sampled.Steps {
		if !full.Steps[i].Simulated {
			t.Fatalf("step %d not simulated in the full run", i+1)
		}
		e := math.Abs(st.Seconds-full.Steps[i].Seconds) / full.Steps[i].Seconds
		worst = math.Max(worst, e)
	}
	total := math.Abs(sampled.DecodeSec()-full.DecodeSec()) / full.DecodeSec()
	t.Logf("interpolation error: worst step %.4f%%, total %.4f%%", 100*worst, 100*total)
	if worst > 0.01 || total > 0.005 {
		t.Errorf("interpolation error: worst step %.4f%%, total %.4f%% (want <= 1%%, 0.5%%)", 100*worst, 100*total)
	}
	if full.Failed() != 0 {
		t.Errorf("%d kernels failed validation", full.Failed())
	}
}

// TestTPOTAtLeastHBMTime checks that every simulated decode step takes at
// least the HBM time of the weights and KV cache it reads, and that the
// steps grow with the context.
func TestTPOTAtLeastHBMTime(t *testing.T) {
	d, p, o := int8(t)
	r, err := Run(d, p, smolLM(t, 128, 4), o, Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range r.Steps {
		floor := st.HBMBytes() / d.MemBytesPerSec(p)
		if st.Seconds < floor || st.Seconds < st.Bound.LowerBoundSec {
			t.Errorf("step %d: %.6f s is below the HBM time %.6f s or the bound %.6f s", st.Step, st.Seconds, floor, st.Bound.LowerBoundSec)
		}
		if st.KVBytes <= 0 || st.WeightBytes <= 0 {
			t.Errorf("step %d reads %g weight and %g KV bytes", st.Step, st.WeightBytes, st.KVBytes)
		}
	}
	if r.Steps[0].KVOnChipBytes != r.Steps[0].KVBytes {
		t.Errorf("step 1: %g of %g KV cache bytes on chip; the cache fits the activation store", r.Steps[0].KVOnChipBytes, r.Steps[0].KVBytes)
	}
	o.Residency = false
	off, err := Run(d, p, smolLM(t, 128, 1), o, Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st := off.Steps[0]; st.KVOnChipBytes != 0 || st.Seconds < st.HBMBytes()/d.MemBytesPerSec(p) || st.Seconds <= r.Steps[0].Seconds {
		t.Errorf("without residency: %g KV bytes on chip, %.6f s for %g HBM bytes (with the cache on chip: %.6f s)", st.KVOnChipBytes, st.Seconds, st.HBMBytes(), r.Steps[0].Seconds)
	}
	if r.Steps[3].KVBytes <= r.Steps[0].KVBytes {
		t.Errorf("the KV cache does not grow: %g then %g bytes", r.Steps[0].KVBytes, r.Steps[3].KVBytes)
	}
	if r.TTFTSec() <= 0 || r.TokensPerSec() <= 0 {
		t.Errorf("TTFT %g s, %g tokens/s", r.TTFTSec(), r.TokensPerSec())
	}
}

// TestNoPrefill: skipping the prefill leaves the decode steps exactly as
// they are with it, an empty prefill (TTFT 0), and reports progress over
// the steps alone.
func TestNoPrefill(t *testing.T) {
	d, p, o := int8(t)
	sc := smolLM(t, 16, 5)
	with, err := Run(d, p, sc, o, Options{Sample: 3}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var calls, last int
	without, err := Run(d, p, sc, o, Options{Sample: 3, NoPrefill: true}, func(done, total int) { calls, last = done, total })
	if err != nil {
		t.Fatal(err)
	}
	if without.TTFTSec() != 0 || with.TTFTSec() <= 0 || calls != 3 || last != 3 {
		t.Errorf("TTFT %g s without the prefill (%g with); progress ended at %d of %d, want 3 of 3", without.TTFTSec(), with.TTFTSec(), calls, last)
	}
	if without.DecodeSec() != with.DecodeSec() || without.TokensPerSec() != with.TokensPerSec() || len(without.Steps) != 5 {
		t.Errorf("decode %g s / %g tokens/s without the prefill; %g s / %g tokens/s with it", without.DecodeSec(), without.TokensPerSec(),
			with.DecodeSec(), with.TokensPerSec())
	}
}

// TestBlockEdges checks that a design's attention block adds the first
// and the last step of every block to the sampled steps: Qwen3's case, 37
// prompt tokens and 128 steps over contexts 38..165, blocks of 64.
func TestBlockEdges(t *testing.T) {
	s := smolLM(t, 37, 128)
	if got := withBlockEdges([]int{1, 64, 128}, s); !slices.Equal(got, []int{1, 64, 128}) {
		t.Errorf("without a block: %v", got)
	}
	s.DecodeAttention.BlockTokens = 64
	want := []int{1, 27, 28, 64, 91, 92, 128}
	if got := withBlockEdges([]int{1, 64, 128}, s); !slices.Equal(got, want) {
		t.Errorf("blocks of 64: %v, want %v", got, want)
	}
}
