package report

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/roofsim/roofsim/roofline"
	"github.com/roofsim/roofsim/sim/accel"
	"github.com/roofsim/roofsim/validation"
	"github.com/roofsim/roofsim/workload"
)

// AsyncChunkThreshold is lerobot's asynchronous inference default
// chunk_size_threshold (RobotClientConfig in
// src/lerobot/async_inference/configs.py): the robot client sends the next
// observation when its queue holds at most this share of a chunk's
// actions (RobotClient._ready_to_send_observation in robot_client.py), and
// executes the queued actions while the policy server computes the next
// chunk.
const AsyncChunkThreshold = 0.5

// PolicySummary is one simulated policy call and the control rates it
// sustains. Times are in milliseconds, rates in actions per second (Hz).
type PolicySummary struct {
	// LatencyMs is the call: PrefixMs + StepsMs.
	LatencyMs float64 `json:"latency_ms"`
	// VisionMs, ConnectorMs and TextMs split the prefix (PrefixMs) by
	// stage; TextMs includes the state projection.
	VisionMs    float64 `json:"vision_ms"`
	ConnectorMs float64 `json:"connector_ms"`
	TextMs      float64 `json:"text_ms"`
	PrefixMs    float64 `json:"prefix_ms"`
	// StepMs is the mean flow-matching step, StepsMs all Steps of them.
	StepMs  float64 `json:"step_ms"`
	StepsMs float64 `json:"steps_ms"`
	// Steps is num_steps, Chunk chunk_size, NActionSteps n_action_steps.
	Steps        int `json:"num_steps"`
	Chunk        int `json:"chunk_size"`
	NActionSteps int `json:"n_action_steps"`
	// ActionsPerSec is the chunk's actions over the call: Chunk / latency.
	ActionsPerSec float64 `json:"actions_per_s"`
	// SyncHz is the synchronous control rate: the robot waits for every
	// chunk, NActionSteps actions per call, so at most NActionSteps /
	// latency (reached only if executing took no time).
	SyncHz float64 `json:"sync_hz"`
	// AsyncHz is the asynchronous control rate: the highest frequency F at
	// which the next call, started when AsyncChunkThreshold x NActionSteps
	// actions are left, finishes before they run out:
	// AsyncChunkThreshold x NActionSteps / latency.
	AsyncHz float64 `json:"async_hz"`
	// ControlHz is the control frequency asked for (0: none); the fields
	// below are set only with it.
	ControlHz float64 `json:"control_hz"`
	// KeepsUp says whether asynchronous inference sustains ControlHz:
	// ControlHz <= AsyncHz.
	KeepsUp bool `json:"keeps_up"`
	// MarginMs is the slack of each call at ControlHz: the time the
	// remaining actions last (AsyncChunkThreshold x NActionSteps /
	// ControlHz) minus the latency; negative when it does not keep up.
	MarginMs float64 `json:"margin_ms"`
	// SyncEffectiveHz is the rate a synchronous loop at ControlHz
	// achieves: NActionSteps actions per latency + NActionSteps /
	// ControlHz (the robot idles while the policy runs).
	SyncEffectiveHz float64 `json:"sync_effective_hz"`
	// ExpertBoundMs is the lower bound of all steps' kernels on the design
	// (the sum of their bounds); ExpertMemoryShare the share of the steps'
	// simulated time spent in kernels whose bound is memory.
	ExpertBoundMs     float64 `json:"expert_bound_ms"`
	ExpertMemoryShare float64 `json:"expert_memory_share"`
	// ExpertLosses are the steps' losses against their bounds, largest
	// first, in milliseconds summed over the steps' kernels.
	ExpertLosses []PolicyLoss `json:"expert_losses"`
}

// PolicyLoss is one reason the expert's steps are slower than their bound.
type PolicyLoss struct {
	Loss validation.Loss `json:"loss"`
	Ms   float64         `json:"ms"`
}

// Policy summarises c, the checked pass of policy scenario sc's graph g,
// at control frequency controlHz (0: none).
func Policy(c validation.Comparison, g *workload.Graph, sc workload.Scenario, controlHz float64) (PolicySummary, error) {
	res := c.Result
	if sc.Policy == nil {
		return PolicySummary{}, fmt.Errorf("report: policy: scenario %s has no policy", sc.Name)
	}
	if controlHz < 0 || math.IsNaN(controlHz) || math.IsInf(controlHz, 0) {
		return PolicySummary{}, fmt.Errorf("report: policy: the control frequency must be a finite number >= 0 Hz, got %g", controlHz)
	}
	p := *sc.Policy
	pt, err := accel.Policy(res, g, p.NumSteps)
	if err != nil {
		return PolicySummary{}, fmt.Errorf("report: %w", err)
	}
	ms := func(c int64) float64 { return float64(c) / res.FreqHz * 1e3 }
	s := PolicySummary{
		LatencyMs: ms(pt.TotalCycles), PrefixMs: ms(pt.PrefixCycles),
		VisionMs: ms(pt.VisionCycles), ConnectorMs: ms(pt.ConnectorCycles), TextMs: ms(pt.TextCycles),
		StepsMs: ms(pt.StepsCycles), StepMs: ms(pt.StepsCycles) / float64(p.NumSteps),
		Steps: p.NumSteps, Chunk: p.ChunkSize, NActionSteps: p.NActionSteps,
		ControlHz: controlHz,
	}
	sec := s.LatencyMs / 1e3
	s.ActionsPerSec = float64(p.ChunkSize) / sec
	s.SyncHz = float64(p.NActionSteps) / sec
	s.AsyncHz = AsyncChunkThreshold * float64(p.NActionSteps) / sec
	if controlHz > 0 {
		s.KeepsUp = controlHz <= s.AsyncHz
		s.MarginMs = AsyncChunkThreshold*float64(p.NActionSteps)/controlHz*1e3 - s.LatencyMs
		s.SyncEffectiveHz = float64(p.NActionSteps) / (sec + float64(p.NActionSteps)/controlHz)
	}
	prefix, _, err := workload.PolicySplit(g, p.NumSteps)
	if err != nil {
		return PolicySummary{}, fmt.Errorf("report: %w", err)
	}
	if len(c.Kernels) != len(g.Ops) {
		return PolicySummary{}, fmt.Errorf("report: policy: the comparison has %d kernels, the graph %d", len(c.Kernels), len(g.Ops))
	}
	var bound, memCycles, cycles int64
	loss := map[validation.Loss]int64{}
	for _, k := range c.Kernels[prefix:] {
		bound += k.BoundCycles
		cycles += k.Cycles
		if k.Bound == roofline.BoundMemory {
			memCycles += k.Cycles
		}
		for _, l := range k.Losses {
			loss[l.Loss] += l.Cycles
		}
	}
	s.ExpertBoundMs = ms(bound)
	if cycles > 0 {
		s.ExpertMemoryShare = float64(memCycles) / float64(cycles)
	}
	for l, n := range loss {
		if n > 0 {
			s.ExpertLosses = append(s.ExpertLosses, PolicyLoss{Loss: l, Ms: ms(n)})
		}
	}
	sort.Slice(s.ExpertLosses, func(i, j int) bool {
		a, b := s.ExpertLosses[i], s.ExpertLosses[j]
		return a.Ms > b.Ms || (a.Ms == b.Ms && a.Loss < b.Loss)
	})
	return s, nil
}

// PolicyTables prints a policy call: its parts (the prefix's stages, a
// flow-matching step, all steps) with their share of the call, and the
// control rates it sustains (with s.ControlHz, whether asynchronous
// inference keeps up and with what margin).
func PolicyTables(s PolicySummary) []*Table {
	parts := &Table{Name: "policy",
		Title:   fmt.Sprintf("Policy call: the prefix once, then %d flow-matching steps over a %d-action chunk", s.Steps, s.Chunk),
		Columns: Cols("part", "ms:%.3f", "share:%.1f%%", "bound_ms:%.3f")}
	share := func(v float64) float64 { return 100 * v / s.LatencyMs }
	parts.Add("vision", s.VisionMs, share(s.VisionMs), nil)
	parts.Add("connector", s.ConnectorMs, share(s.ConnectorMs), nil)
	parts.Add("text prefix", s.TextMs, share(s.TextMs), nil)
	parts.Add("prefix", s.PrefixMs, share(s.PrefixMs), nil)
	parts.Add("expert step (mean)", s.StepMs, share(s.StepMs), s.ExpertBoundMs/float64(s.Steps))
	parts.Add(fmt.Sprintf("expert, %d steps", s.Steps), s.StepsMs, share(s.StepsMs), s.ExpertBoundMs)
	parts.Add("policy call", s.LatencyMs, 100.0, nil)
	parts.Notes = []string{
		"text prefix: the state projection, the text layers over the prefix (their keys and values are the cache every step reads) and the final norm",
		fmt.Sprintf("expert: %.0f%% of its time in memory-bound kernels; %s", 100*s.ExpertMemoryShare, lossesText(s.ExpertLosses)),
	}
	cols := []string{"latency_ms:%.3f", "chunk", "n_action_steps", "actions_per_s:%.1f", "sync_hz:%.1f", "async_hz:%.1f"}
	vals := []any{s.LatencyMs, int64(s.Chunk), int64(s.NActionSteps), s.ActionsPerSec, s.SyncHz, s.AsyncHz}
	if s.ControlHz > 0 {
		keeps := "no"
		if s.KeepsUp {
			keeps = "yes"
		}
		cols = append(cols, "control_hz:%.1f", "keeps_up", "margin_ms:%.3f", "sync_effective_hz:%.1f")
		vals = append(vals, s.ControlHz, keeps, s.MarginMs, s.SyncEffectiveHz)
	}
	rates := &Table{Name: "control", Title: "Control rate", Columns: Cols(cols...)}
	rates.Add(vals...)
	rates.Notes = []string{
		"actions_per_s: the chunk's actions per call latency; sync_hz: n_action_steps per call latency, the robot waiting for every chunk (an upper bound: it idles while the policy runs)",
		fmt.Sprintf("async_hz: lerobot's asynchronous inference sends the next observation when %.0f%% of n_action_steps are left (chunk_size_threshold %.1f) and runs them while the call computes: it keeps up while latency <= %.1f x n_action_steps / control_hz",
			100*AsyncChunkThreshold, AsyncChunkThreshold, AsyncChunkThreshold),
	}
	if s.ControlHz > 0 {
		rates.Notes = append(rates.Notes, "margin_ms: how long the remaining actions last at control_hz minus the latency; sync_effective_hz: the rate a synchronous loop at control_hz achieves")
	}
	return []*Table{parts, rates}
}

// lossesText names the three largest losses.
func lossesText(ls []PolicyLoss) string {
	if len(ls) == 0 {
		return "no loss against the bound"
	}
	return "losses against the bound: " + lossList(ls[:min(3, len(ls))])
}

// lossList lists losses as "name ms, name ms".
func lossList(ls []PolicyLoss) string {
	parts := make([]string, len(ls))
	for i, l := range ls {
		parts[i] = fmt.Sprintf("%s %.3f ms", l.Loss, l.Ms)
	}
	return strings.Join(parts, ", ")
}

// PolicyCompareRow is one design's policy call in a comparison.
type PolicyCompareRow struct {
	// Design names the design.
	Design string
	// Summary is its policy call.
	Summary PolicySummary
}

// PolicyCompareTable puts several designs' policy calls side by side: the
// call's latency and parts, the control rates, and what limits the
// expert's steps.
func PolicyCompareTable(rows []PolicyCompareRow) *Table {
	t := &Table{Name: "policy_compare", Title: "Policy call per design",
		Columns: Cols("design", "latency_ms:%.3f", "prefix_ms:%.3f", "step_ms:%.3f", "steps_ms:%.3f", "expert_bound_ms:%.3f",
			"actions_per_s:%.1f", "sync_hz:%.1f", "async_hz:%.1f", "expert_memory_share:%.0f%%", "expert_limit")}
	for _, r := range rows {
		s := r.Summary
		limit := "none"
		if len(s.ExpertLosses) > 0 {
			limit = lossList(s.ExpertLosses[:min(2, len(s.ExpertLosses))])
		}
		t.Add(r.Design, s.LatencyMs, s.PrefixMs, s.StepMs, s.StepsMs, s.ExpertBoundMs, s.ActionsPerSec, s.SyncHz, s.AsyncHz,
			100*s.ExpertMemoryShare, limit)
	}
	t.Notes = []string{
		"step_ms: one flow-matching step (the mean); expert_bound_ms: the steps' kernels' lower bound on the design",
		fmt.Sprintf("sync_hz: n_action_steps per call latency; async_hz: lerobot's asynchronous inference at chunk_size_threshold %.1f", AsyncChunkThreshold),
		"expert_limit: the expert's two largest losses against its bound, summed over its steps",
	}
	return t
}
