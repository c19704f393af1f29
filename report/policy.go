package report

import (
	"fmt"
	"math"

	"github.com/roofsim/roofsim/sim/accel"
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
	LatencyMs float64
	// VisionMs, ConnectorMs and TextMs split the prefix (PrefixMs) by
	// stage; TextMs includes the state projection.
	VisionMs, ConnectorMs, TextMs, PrefixMs float64
	// StepMs is the mean flow-matching step, StepsMs all Steps of them.
	StepMs, StepsMs float64
	// Steps is num_steps, Chunk chunk_size, NActionSteps n_action_steps.
	Steps, Chunk, NActionSteps int
	// ActionsPerSec is the chunk's actions over the call: Chunk / latency.
	ActionsPerSec float64
	// SyncHz is the synchronous control rate: the robot waits for every
	// chunk, NActionSteps actions per call, so at most NActionSteps /
	// latency (reached only if executing took no time).
	SyncHz float64
	// AsyncHz is the asynchronous control rate: the highest frequency F at
	// which the next call, started when AsyncChunkThreshold x NActionSteps
	// actions are left, finishes before they run out:
	// AsyncChunkThreshold x NActionSteps / latency.
	AsyncHz float64
	// ControlHz is the control frequency asked for (0: none); the fields
	// below are set only with it.
	ControlHz float64
	// KeepsUp says whether asynchronous inference sustains ControlHz:
	// ControlHz <= AsyncHz.
	KeepsUp bool
	// MarginMs is the slack of each call at ControlHz: the time the
	// remaining actions last (AsyncChunkThreshold x NActionSteps /
	// ControlHz) minus the latency; negative when it does not keep up.
	MarginMs float64
	// SyncEffectiveHz is the rate a synchronous loop at ControlHz
	// achieves: NActionSteps actions per latency + NActionSteps /
	// ControlHz (the robot idles while the policy runs).
	SyncEffectiveHz float64
}

// Policy summarises res, the simulated pass of policy scenario sc's graph
// g, at control frequency controlHz (0: none).
func Policy(res *accel.Result, g *workload.Graph, sc workload.Scenario, controlHz float64) (PolicySummary, error) {
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
	return s, nil
}
