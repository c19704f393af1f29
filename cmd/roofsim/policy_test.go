package main

import (
	"encoding/json"
	"math"
	"path/filepath"
	"strings"
	"testing"
)

// TestPolicyParams checks `roofsim params --scenario smolvla-policy`
// against lerobot/smolvla_base's checkpoint.
func TestPolicyParams(t *testing.T) {
	for _, scen := range []string{"smolvla-policy", filepath.Join("..", "..", "workload", "testdata", "lerobot", "smolvla_base_config.json")} {
		code, out, errs := runCLI(t, "params", "--scenario", scen, "--format", "json")
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", scen, code, errs)
		}
		var doc struct {
			Params []struct {
				Name  string `json:"name"`
				Count int64  `json:"count"`
			} `json:"params"`
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatal(err)
		}
		got := map[string]int64{}
		for _, r := range doc.Params {
			got[r.Name] = r.Count
		}
		for name, want := range map[string]int64{"expert": 98245840, "projections": 1635152, "total": 450046176} {
			if got[name] != want {
				t.Errorf("%s: %s = %d, want %d", scen, name, got[name], want)
			}
		}
	}
	_, out, _ := runCLI(t, "params", "--scenario", "smolvla-policy")
	if !strings.Contains(out, "the VLM (vision, connector, text, LM head) 350165184") {
		t.Error("the params table does not give the VLM's 350165184")
	}
}

// TestPolicyRun runs a small policy call (one camera, 2 steps of a
// 20-action chunk) and checks the policy section: it passes validation,
// its latency is the prefix's plus the steps', and --control-hz decides.
func TestPolicyRun(t *testing.T) {
	code, out, errs := runCLI(t, "run", "--scenario", "smolvla-policy", "--cameras", "1", "--steps", "2", "--chunk", "20",
		"--control-hz", "30", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var doc struct {
		LatencyMs  float64 `json:"latency_ms"`
		Validation string  `json:"validation"`
		Policy     struct {
			LatencyMs    float64 `json:"latency_ms"`
			PrefixMs     float64 `json:"prefix_ms"`
			StepsMs      float64 `json:"steps_ms"`
			StepMs       float64 `json:"step_ms"`
			VisionMs     float64 `json:"vision_ms"`
			ConnectorMs  float64 `json:"connector_ms"`
			TextMs       float64 `json:"text_ms"`
			SyncHz       float64 `json:"sync_hz"`
			AsyncHz      float64 `json:"async_hz"`
			KeepsUp      bool    `json:"keeps_up"`
			MarginMs     float64 `json:"margin_ms"`
			Steps        int     `json:"num_steps"`
			Chunk        int     `json:"chunk_size"`
			NActionSteps int     `json:"n_action_steps"`
		} `json:"policy"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	p := doc.Policy
	if doc.Validation != "pass" || p.Steps != 2 || p.Chunk != 20 || p.NActionSteps != 20 {
		t.Fatalf("validation %s, policy %+v", doc.Validation, p)
	}
	near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-6*b }
	if !near(p.LatencyMs, doc.LatencyMs) || !near(p.PrefixMs+p.StepsMs, doc.LatencyMs) || !near(2*p.StepMs, p.StepsMs) ||
		!near(p.VisionMs+p.ConnectorMs+p.TextMs, p.PrefixMs) {
		t.Errorf("latency %g ms, policy %+v", doc.LatencyMs, p)
	}
	if !near(p.SyncHz, 20/(doc.LatencyMs/1e3)) || !near(p.AsyncHz, p.SyncHz/2) || p.KeepsUp != (30 <= p.AsyncHz) ||
		!near(p.MarginMs, 10.0/30*1e3-doc.LatencyMs) {
		t.Errorf("rates %+v", p)
	}
}
