package workload

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func readLeRobotConfig(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "lerobot", "smolvla_base_config.json"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestLeRobotImportMatchesPreset checks that smolvla_base's config.json
// gives exactly the smolvla-policy preset: its graph and its parameters.
func TestLeRobotImportMatchesPreset(t *testing.T) {
	b := readLeRobotConfig(t)
	if !IsLeRobotConfig(b) || IsLeRobotConfig(readTestConfig(t)) {
		t.Fatal("IsLeRobotConfig does not tell the policy config from the VLM's")
	}
	s, err := ParseLeRobotConfig(b)
	if err != nil {
		t.Fatal(err)
	}
	want := policyScenario(t)
	if !reflect.DeepEqual(s, want) {
		t.Errorf("imported %+v (policy %+v), want %+v (policy %+v)", s, *s.Policy, want, *want.Policy)
	}
	got, err := s.Graph()
	if err != nil {
		t.Fatal(err)
	}
	wg, err := want.Graph()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Ops, wg.Ops) {
		t.Error("the imported graph differs from the preset's")
	}
	path := filepath.Join("testdata", "lerobot", "smolvla_base_config.json")
	ls, err := LoadScenario(path)
	if err != nil || ls.Name != path || ls.Policy == nil {
		t.Errorf("LoadScenario(%s) = %q, %v", path, ls.Name, err)
	}
}

// TestLeRobotImportFields checks that the config's fields reach the
// scenario, and a VLM given as vlm_config.
func TestLeRobotImportFields(t *testing.T) {
	edit := func(t *testing.T, from, to string) Scenario {
		t.Helper()
		b := strings.Replace(string(readLeRobotConfig(t)), from, to, 1)
		s, err := ParseLeRobotConfig([]byte(b))
		if err != nil {
			t.Fatalf("%s -> %s: %v", from, to, err)
		}
		return s
	}
	tests := []struct {
		from, to string
		check    func(s Scenario) bool
	}{
		{`"num_steps": 10`, `"num_steps": 4`, func(s Scenario) bool { return s.Policy.NumSteps == 4 }},
		{`"chunk_size": 50`, `"chunk_size": 60`, func(s Scenario) bool { return s.Policy.ChunkSize == 60 }},
		{`"n_action_steps": 50`, `"n_action_steps": 25`, func(s Scenario) bool { return s.Policy.NActionSteps == 25 }},
		{`"num_vlm_layers": 16`, `"num_vlm_layers": 8`, func(s Scenario) bool { return s.TextLayers == 8 }},
		{`"self_attn_every_n_layers": 2`, `"self_attn_every_n_layers": 3`, func(s Scenario) bool { return s.Policy.SelfAttnEveryNLayers == 3 }},
		{`"expert_width_multiplier": 0.75`, `"expert_width_multiplier": 0.5`, func(s Scenario) bool { return s.Policy.ExpertHidden(s.Model.Text) == 480 }},
		{`"attention_mode": "cross_attn"`, `"attention_mode": "self_attn"`, func(s Scenario) bool { return s.Policy.AttentionMode == AttentionSelf }},
		{`"max_state_dim": 32`, `"max_state_dim": 14`, func(s Scenario) bool { return s.Policy.MaxStateDim == 14 }},
		{`"max_action_dim": 32`, `"max_action_dim": 14`, func(s Scenario) bool { return s.Policy.MaxActionDim == 14 }},
		{`"tokenizer_max_length": 48`, `"tokenizer_max_length": 20`, func(s Scenario) bool { return s.LangTokens == 20 }},
		{`"empty_cameras": 0`, `"empty_cameras": 2`, func(s Scenario) bool { return s.Cameras == 5 }},
		{"512,\n        512", "256,\n        256", func(s Scenario) bool { return s.ImageSize == 256 }},
		{`"vlm_model_name": "HuggingFaceTB/SmolVLM2-500M-Video-Instruct"`, `"vlm_model_name": "mine", "vlm_config": ` + string(readTestConfig(t)),
			func(s Scenario) bool { return s.Model.Name == "mine" && s.Model.Text.Hidden == 960 }},
	}
	for _, tc := range tests {
		if s := edit(t, tc.from, tc.to); !tc.check(s) {
			t.Errorf("%s -> %s: scenario %+v, policy %+v", tc.from, tc.to, s, *s.Policy)
		}
	}
}

func TestLeRobotImportErrors(t *testing.T) {
	tests := []struct{ from, to, want string }{
		{`"num_steps": 10,`, ``, "num_steps is missing: it must be an integer"},
		{`"num_steps": 10`, `"num_steps": "ten"`, "num_steps must be a JSON integer"},
		{`"num_steps": 10`, `"num_steps": 0`, "num_steps must be in 1..1000, got 0"},
		{`"chunk_size": 50`, `"chunk_size": 40`, "n_action_steps must be in 1..40, got 50"},
		{`"attention_mode": "cross_attn"`, `"attention_mode": "sideways"`, `attention_mode "sideways" is not supported`},
		{`"expert_width_multiplier": 0.75`, `"expert_width_multiplier": -1`, "expert_width_multiplier must be in (0, 4], got -1"},
		{`"num_expert_layers": 0`, `"num_expert_layers": 8`, "num_expert_layers 8 is not supported"},
		{`"num_vlm_layers": 16`, `"num_vlm_layers": 40`, "num_vlm_layers must be in 1..32, got 40"},
		{`"use_cache": true`, `"use_cache": false`, "use_cache false is not supported"},
		{`"prefix_length": 0`, `"prefix_length": 300`, "prefix_length 300 pads the 241-token prefix"},
		{`"vlm_model_name": "HuggingFaceTB/SmolVLM2-500M-Video-Instruct"`, `"vlm_model_name": "other/vlm"`, `vlm_model_name "other/vlm" is not built in`},
		{"512,\n        512", "512,\n        256", "resize_imgs_with_padding must be a square"},
		{`"type": "smolvla"`, `"type": "pi0"`, `type must be "smolvla"`},
	}
	for _, tc := range tests {
		b := strings.Replace(string(readLeRobotConfig(t)), tc.from, tc.to, 1)
		_, err := ParseLeRobotConfig([]byte(b))
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s -> %s: err = %v, want one line containing %q", tc.from, tc.to, err, tc.want)
		}
	}
}
