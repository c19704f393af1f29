package sweep

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/roofsim/roofsim/hw"
)

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
	if ws := pts[1].Config.Design.WeightStoreBytes; ws <= 0 || ws%(hw.URAMBits/8) != 0 ||
		pts[1].Config.Design.BufferBytes() > pts[1].Config.Platform.OnChipBytes() {
		t.Errorf("pin_max: weight store %d bytes, design %d of the board's %d", ws, pts[1].Config.Design.BufferBytes(), pts[1].Config.Platform.OnChipBytes())
	}
}

// Every example space parses and gives points (examples/sweep-policy.json
// among them, on the policy scenario).
func TestExampleSpaces(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "examples", "sweep-*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no example spaces: %v", err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		s, err := ParseSpace(b)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		pts, err := s.Points()
		if err != nil || len(pts) == 0 {
			t.Errorf("%s: %d points, %v", f, len(pts), err)
		}
		if filepath.Base(f) == "sweep-policy.json" && (len(pts) != 32 || pts[0].Config.Scenario.Policy == nil) {
			t.Errorf("%s: %d points, want 4 precisions x 8 (the baseline and 7 idea sets) on the policy scenario", f, len(pts))
		}
	}
}
