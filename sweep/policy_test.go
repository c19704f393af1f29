package sweep

import "testing"

// A sweep accepts the policy scenario: its rows carry the steps' time in
// expert_ms, and the stages add up to the call's latency.
func TestEvaluatePolicy(t *testing.T) {
	pts := mustPoints(t, `{"base": {"scenario": "smolvla-policy", "cameras": 1, "text_layers": 2, "image_size": 64, "memory": "ideal"}, "ideas": ["pin_max"]}`)
	if len(pts) != 2 || pts[0].Config.Scenario.Policy == nil {
		t.Fatalf("%d points; policy %v", len(pts), pts[0].Config.Scenario.Policy)
	}
	recs := Records([]Row{Evaluate(pts[0], fakeEvaluator{}), Evaluate(pts[1], fakeEvaluator{})})
	for i, r := range recs {
		if r.Status != StatusOK {
			t.Fatalf("point %d: %s: %s", i, r.Status, r.Row.Get(colReason))
		}
		var sum float64
		for _, ms := range r.StageMs {
			sum += ms
		}
		if r.StageMs[4] <= 0 || sum < r.LatencyMs*0.999 || sum > r.LatencyMs*1.001 {
			t.Errorf("point %d: stages %v add to %g ms, latency %g ms", i, r.StageMs, sum, r.LatencyMs)
		}
	}
	if ws := pts[1].Config.Design.WeightStoreBytes; ws <= 0 || ws%uramBlockBytes != 0 ||
		pts[1].Config.Design.BufferBytes() > pts[1].Config.Platform.OnChipBytes() {
		t.Errorf("pin_max: weight store %d bytes, design %d of the board's %d", ws, pts[1].Config.Design.BufferBytes(), pts[1].Config.Platform.OnChipBytes())
	}
}
