package workload

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestScenarioByName(t *testing.T) {
	if got := ScenarioNames(); !reflect.DeepEqual(got, []string{"smolvla", "seed", "smolvla-policy"}) {
		t.Errorf("ScenarioNames = %v", got)
	}
	for _, n := range ScenarioNames() {
		s, err := ScenarioByName(n)
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		if s.Name != n {
			t.Errorf("ScenarioByName(%q).Name = %q", n, s.Name)
		}
		if err := s.Validate(); err != nil {
			t.Errorf("%s: %v", n, err)
		}
	}
	s := smolvla(t)
	if s.Cameras != 3 || s.ImageSize != 512 || s.Patch != 16 || s.LangTokens != 48 || s.StateTokens != 1 ||
		s.TextLayers != 16 || s.IncludeLMHead || s.Frames != 1 || s.Seed != nil {
		t.Errorf("smolvla defaults %+v", s)
	}
	if s.VisionTokens() != 1024 || s.ImageTokens() != 64 || s.TextTokens() != 241 {
		t.Errorf("smolvla tokens %d, %d, %d, want 1024, 64, 241", s.VisionTokens(), s.ImageTokens(), s.TextTokens())
	}
	seed := SeedScenario()
	if seed.VisionTokens() != 256 || seed.TextTokens() != 50 {
		t.Errorf("seed tokens %d, %d, want 256, 50", seed.VisionTokens(), seed.TextTokens())
	}
	_, err := ScenarioByName("pi0")
	if err == nil || err.Error() != `scenario "pi0" is not known (accepted: smolvla|seed|smolvla-policy)` {
		t.Errorf("ScenarioByName(pi0) err = %v", err)
	}
}

func TestScenarioValidate(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(*Scenario)
		substr string // "" for a valid scenario
	}{
		{"default", func(*Scenario) {}, ""},
		{"zero cameras", func(s *Scenario) { s.Cameras = 0 }, "cameras must be in 1..16, got 0"},
		{"too many cameras", func(s *Scenario) { s.Cameras = 17 }, "cameras must be in 1..16, got 17"},
		{"zero frames", func(s *Scenario) { s.Frames = 0 }, "frames must be in 1..64, got 0"},
		{"negative lang tokens", func(s *Scenario) { s.LangTokens = -1 }, "lang_tokens must be in 0..16384, got -1"},
		{"no lang tokens", func(s *Scenario) { s.LangTokens = 0 }, ""},
		{"negative state tokens", func(s *Scenario) { s.StateTokens = -2 }, "state_tokens must be in 0..16384"},
		{"too many text layers", func(s *Scenario) { s.TextLayers = 33 }, "text_layers must be in 1..32, got 33"},
		{"zero text layers", func(s *Scenario) { s.TextLayers = 0 }, "text_layers must be in 1..32, got 0"},
		{"all 32 text layers", func(s *Scenario) { s.TextLayers = 32 }, ""},
		{"image not a multiple of patch", func(s *Scenario) { s.ImageSize = 500 }, "image_size 500 must be a multiple of patch 16"},
		{"image larger than the model's", func(s *Scenario) { s.ImageSize = 1024 }, "image_size must be in 16..512, got 1024"},
		{"smaller image", func(s *Scenario) { s.ImageSize = 256 }, ""},
		{"grid side not divisible by scale", func(s *Scenario) { s.ImageSize = 16 * 6 }, "scale_factor 4 does not divide"},
		{"patch differs from the model's", func(s *Scenario) { s.Patch = 32 }, "patch must equal the vision model's patch_size 16, got 32"},
		{"zero vision hidden", func(s *Scenario) { s.Model.Vision.Hidden = 0 }, "vision_config.hidden_size must be in 1..16384, got 0"},
		{"negative text hidden", func(s *Scenario) { s.Model.Text.Hidden = -960 }, "text_config.hidden_size must be in 1..16384, got -960"},
		{"vision heads not dividing hidden", func(s *Scenario) { s.Model.Vision.Heads = 10 }, "vision_config.num_attention_heads 10 must divide vision_config.hidden_size 768"},
		{"text heads not dividing hidden", func(s *Scenario) { s.Model.Text.Heads = 7 }, "text_config.num_attention_heads 7 must divide text_config.hidden_size 960"},
		{"kv heads not dividing heads", func(s *Scenario) { s.Model.Text.KVHeads = 4 }, "text_config.num_key_value_heads 4 must divide text_config.num_attention_heads 15"},
		{"zero scale factor", func(s *Scenario) { s.Model.Connector.ScaleFactor = 0 }, "scale_factor must be in 1..64, got 0"},
		{"scale not dividing the grid", func(s *Scenario) { s.Model.Connector.ScaleFactor = 3 }, "scale_factor 3 must divide the 32-patch side"},
		{"model image not a multiple of patch", func(s *Scenario) { s.Model.Vision.ImageSize = 520 }, "vision_config.image_size 520 must be a multiple of vision_config.patch_size 16"},
		{"zero vocab", func(s *Scenario) { s.Model.Text.Vocab = 0 }, "text_config.vocab_size must be in 1..1048576, got 0"},
		{"zero head dim", func(s *Scenario) { s.Model.Text.HeadDim = 0 }, "text_config.head_dim must be in 1..16384, got 0"},
		{"seed with zero text tokens", func(s *Scenario) { *s = SeedScenario(); s.Seed.TextTokens = 0 }, "seed.text_tokens must be in 1..16384, got 0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := smolvla(t)
			tc.edit(&s)
			err := s.Validate()
			if tc.substr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error, want one containing %q", tc.substr)
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.substr) || strings.Contains(msg, "\n") || !strings.HasPrefix(msg, "scenario ") {
				t.Errorf("error %q, want one line starting with \"scenario \" and containing %q", msg, tc.substr)
			}
		})
	}
}

func TestLoadScenario(t *testing.T) {
	preset, err := ScenarioByName("smolvla")
	if err != nil {
		t.Fatal(err)
	}
	want := mustKernels(t, preset)
	path := filepath.Join("testdata", "smolvlm2-500m-config.json")
	for _, arg := range []string{path, "./" + path} {
		s, err := LoadScenario(arg)
		if err != nil {
			t.Fatalf("LoadScenario(%s): %v", arg, err)
		}
		if s.Name != "smolvla" || s.Model.Name != arg {
			t.Errorf("LoadScenario(%s): scenario %q model %q", arg, s.Name, s.Model.Name)
		}
		if got := mustKernels(t, s); !reflect.DeepEqual(got, want) {
			t.Errorf("LoadScenario(%s): kernels differ from the smolvla preset", arg)
		}
	}
	for _, n := range ScenarioNames() {
		if s, err := LoadScenario(n); err != nil || s.Name != n {
			t.Errorf("LoadScenario(%s) = %q, %v", n, s.Name, err)
		}
	}
	errs := []struct{ arg, substr string }{
		{"nope", `scenario "nope" is not known (accepted: smolvla|seed|smolvla-policy)`},
		{"missing.json", "scenario file: "},
		{filepath.Join("testdata", "nope", "config"), "scenario file: "},
		{filepath.Join("testdata", "smolvla_kernels.golden") + "/x.json", "scenario file: "},
	}
	for _, e := range errs {
		_, err := LoadScenario(e.arg)
		if err == nil || !strings.Contains(err.Error(), e.substr) || strings.Contains(err.Error(), "\n") {
			t.Errorf("LoadScenario(%s) err = %v, want one line containing %q", e.arg, err, e.substr)
		}
	}
}
