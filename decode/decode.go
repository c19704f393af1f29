// Package decode simulates a Hugging Face decoder's generation: the
// prefill over the prompt (its time is the time to first token), then
// decode steps of one token per sequence over a KV cache that grows by one
// position per step (workload.Scenario.DecodeGraph). Each simulated step
// is a whole graph run on the cycle-level model (sim/accel) and checked
// kernel by kernel against its bound (validation); Options.Sample
// simulates evenly spaced steps, always the first and the last, and
// interpolates the others linearly in the step index (a step's work grows
// linearly with its context: only attention's reads and ops depend on it).
package decode

import (
	"fmt"
	"math"
	"slices"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/roofline"
	"github.com/roofsim/roofsim/sim/accel"
	"github.com/roofsim/roofsim/validation"
	"github.com/roofsim/roofsim/workload"
)

// DefaultSample is the number of decode steps simulated by default. A
// TinyLlama-1.1B step moves about 1.1 GB of int8 weights through the HBM
// model; four steps and the 512-token prefill stay under 30 s on one core
// (BenchmarkDecode1B, docs/models.md).
const DefaultSample = 4

// Options select the decode steps to simulate.
type Options struct {
	// Sample is the number of evenly spaced steps simulated (always the
	// first and the last); 0, or at least the scenario's Generate,
	// simulates every step.
	Sample int
	// NoPrefill skips the prefill's simulation when only the decode steps
	// are wanted (each step is its own run, independent of the prefill):
	// Result.Prefill is then empty and TTFTSec 0.
	NoPrefill bool
}

// Step is one decode step.
type Step struct {
	// Step is its index, 1..Generate; Context the positions its attention
	// reads (Seq + Step, at most the sliding window).
	Step    int `json:"step"`
	Context int `json:"context"`
	// Simulated says the step ran on the simulator; otherwise Seconds is
	// interpolated between the simulated steps around it.
	Simulated bool `json:"simulated"`
	// Seconds is the step's time, the time per output token of each
	// sequence at this step.
	Seconds float64 `json:"seconds"`
	// WeightBytes and KVBytes are the bytes the step reads: every weight
	// and parameter once, and the KV cache; KVOnChipBytes the part of the
	// cache the activation store holds (accel.Result.KVCacheOnChipBytes;
	// interpolated like Seconds for a step not simulated).
	// PinnedBytes are the weights pinned in the weight store
	// (accel.Result.PinnedWeightBytes, the same for every step).
	WeightBytes   float64 `json:"weight_bytes"`
	PinnedBytes   float64 `json:"pinned_bytes"`
	KVBytes       float64 `json:"kv_bytes"`
	KVOnChipBytes float64 `json:"kv_on_chip_bytes"`
	ops           float64
	// Bound is the step's roofline (roofline.DecodeStep) over the weights
	// and the KV cache in HBM (HBMBytes).
	Bound roofline.Roofline `json:"bound"`
	// Check is the simulated step's comparison (nil when interpolated).
	Check *validation.Comparison `json:"-"`
}

// Result is a simulated generation.
type Result struct {
	// Prefill is the prompt's pass; its time is the time to first token.
	Prefill validation.Comparison
	// Steps are the decode steps in order (Generate of them).
	Steps []Step
	// Batch is the sequences decoded together (the scenario's Frames).
	Batch int
}

// TTFTSec is the time to first token: the prefill, in seconds (0 when
// the prefill was not simulated, Options.NoPrefill).
func (r Result) TTFTSec() float64 {
	if r.Prefill.Result == nil {
		return 0
	}
	return r.Prefill.Seconds()
}

// DecodeSec is the time of all decode steps, in seconds.
func (r Result) DecodeSec() float64 {
	var s float64
	for _, st := range r.Steps {
		s += st.Seconds
	}
	return s
}

// TokensPerSec is the decode throughput: Batch x steps over DecodeSec, in
// tokens per second.
func (r Result) TokensPerSec() float64 {
	if len(r.Steps) == 0 {
		return 0
	}
	return float64(r.Batch*len(r.Steps)) / r.DecodeSec()
}

// At returns the first, middle and last decode steps.
func (r Result) At() (first, middle, last Step) {
	n := len(r.Steps)
	return r.Steps[0], r.Steps[(n-1)/2], r.Steps[n-1]
}

// Failed is the number of kernels that broke their checks, in the prefill
// and the simulated steps.
func (r Result) Failed() int {
	n := r.Prefill.Failed
	for _, st := range r.Steps {
		if st.Check != nil {
			n += st.Check.Failed
		}
	}
	return n
}

// attention is how design d runs a decode step's attention
// (hw.Design.AttentionBlockTokens and TransposeVWidth).
func attention(d hw.Design) workload.DecodeAttention {
	return workload.DecodeAttention{BlockTokens: d.AttentionBlockTokens, TransposeWidth: d.TransposeVWidth}
}

// SampleSteps returns the steps of 1..n that sample simulates: sample
// evenly spaced ones, the first and the last always among them, or all of
// them when sample is 0 or at least n.
func SampleSteps(n, sample int) []int {
	var out []int
	if sample <= 0 || sample >= n {
		for s := 1; s <= n; s++ {
			out = append(out, s)
		}
		return out
	}
	sample = max(sample, 2)
	for i := range sample {
		s := 1 + (i*(n-1)+(sample-1)/2)/(sample-1)
		if len(out) == 0 || out[len(out)-1] != s {
			out = append(out, s)
		}
	}
	return out
}

// withBlockEdges adds to the sampled steps picked (ascending) the first
// and the last step of every attention block of scenario sc's decode
// (workload.DecodeAttention.BlockTokens): a step's work jumps from one
// block to the next and is the same within one, so the interpolation
// between samples is then exact.
func withBlockEdges(picked []int, sc workload.Scenario) []int {
	bt := sc.DecodeAttention.BlockTokens
	if bt <= 0 {
		return picked
	}
	block := func(step int) int { return (sc.DecodeContext(step) + bt - 1) / bt }
	seen := map[int]bool{}
	for _, s := range picked {
		seen[s] = true
	}
	for s := 1; s <= sc.Generate; s++ {
		if s == 1 || s == sc.Generate || block(s) != block(s-1) || block(s) != block(s+1) {
			seen[s] = true
		}
	}
	out := make([]int, 0, len(seen))
	for s := range seen {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// Run simulates scenario sc's prefill and its Generate decode steps on
// design d of platform plat with the options o of accel.Run; progress,
// when set, is called after each graph with the graphs done and their
// number.
func Run(d hw.Design, plat hw.Platform, sc workload.Scenario, o accel.Options, opts Options, progress func(done, total int)) (Result, error) {
	if sc.HF == nil || sc.Generate < 1 {
		return Result{}, fmt.Errorf("decode: scenario %s has no decode steps (a Hugging Face decoder with generate >= 1 has)", sc.Name)
	}
	sc.DecodeAttention = attention(d)
	if opts.Sample < 0 {
		return Result{}, fmt.Errorf("decode: the sample must be >= 0 steps (0: all), got %d", opts.Sample)
	}
	g, err := sc.Graph()
	if err != nil {
		return Result{}, err
	}
	picked := withBlockEdges(SampleSteps(sc.Generate, opts.Sample), sc)
	total, done := 1+len(picked), 1
	r := Result{Batch: sc.Frames, Steps: make([]Step, sc.Generate)}
	if opts.NoPrefill {
		total, done = len(picked), 0
	} else {
		res, err := accel.Run(d, plat, g, o)
		if err != nil {
			return Result{}, fmt.Errorf("decode: prefill: %w", err)
		}
		r.Prefill = validation.Compare(res)
		if progress != nil {
			progress(1, total)
		}
	}
	for i := range r.Steps {
		step := i + 1
		sg, err := sc.DecodeGraph(step)
		if err != nil {
			return Result{}, err
		}
		st := &r.Steps[i]
		st.Step, st.Context = step, sc.DecodeContext(step)
		st.WeightBytes, st.KVBytes, st.ops = stepBytes(sg, d.Precision)
	}
	var pinned float64
	for n, step := range picked {
		sg, err := sc.DecodeGraph(step)
		if err != nil {
			return Result{}, err
		}
		res, err := accel.Run(d, plat, sg, o)
		if err != nil {
			return Result{}, fmt.Errorf("decode: step %d: %w", step, err)
		}
		c := validation.Compare(res)
		st := &r.Steps[step-1]
		st.Simulated, st.Seconds, st.Check = true, c.Seconds(), &c
		st.KVOnChipBytes = float64(res.KVCacheOnChipBytes)
		pinned = float64(res.PinnedWeightBytes)
		if progress != nil {
			progress(done+n+1, total)
		}
	}
	interpolate(r.Steps)
	for i := range r.Steps {
		st := &r.Steps[i]
		st.PinnedBytes = pinned
		st.Bound = roofline.DecodeStep(st.ops, st.WeightBytes-st.PinnedBytes, st.HBMKVBytes(), d, plat)
	}
	return r, nil
}

// HBMKVBytes is the KV cache the step reads from HBM: KVBytes but the part
// on chip.
func (s Step) HBMKVBytes() float64 { return math.Max(0, s.KVBytes-s.KVOnChipBytes) }

// HBMBytes is what the step must read from HBM: WeightBytes but the
// pinned ones, plus HBMKVBytes.
func (s Step) HBMBytes() float64 { return s.WeightBytes - s.PinnedBytes + s.HBMKVBytes() }

// stepBytes returns the bytes decode step graph g must read from HBM in
// precision p (every stored tensor once: weights at the weight width,
// biases and norm parameters at the activation width; the KV cache at the
// activation width) and its ops.
func stepBytes(g *workload.Graph, p hw.Precision) (weight, kv, ops float64) {
	var w, par, cache int64
	for _, t := range g.Tensors {
		switch t.Role {
		case workload.RoleWeight:
			w += t.Elems()
		case workload.RoleParameter:
			par += t.Elems()
		case workload.RoleKVCache:
			cache += t.Elems()
		}
	}
	for _, k := range g.Ops {
		ops += float64(k.Ops)
	}
	return p.WeightBytes(w) + p.ActBytes(par), p.ActBytes(cache), ops
}

// interpolate sets the time and the on-chip KV cache of every step not
// simulated linearly between the simulated steps before and after it.
func interpolate(steps []Step) {
	prev := -1
	for i := range steps {
		if !steps[i].Simulated {
			continue
		}
		if prev >= 0 {
			a, b := steps[prev], steps[i]
			for j := prev + 1; j < i; j++ {
				f := float64(j-prev) / float64(i-prev)
				steps[j].Seconds = a.Seconds + f*(b.Seconds-a.Seconds)
				steps[j].KVOnChipBytes = a.KVOnChipBytes + f*(b.KVOnChipBytes-a.KVOnChipBytes)
			}
		}
		prev = i
	}
}
