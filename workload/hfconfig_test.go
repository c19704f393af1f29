package workload

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func readTestConfig(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "smolvlm2-500m-config.json"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestHFImportMatchesPreset checks that SmolVLM2-500M-Video-Instruct's
// config.json gives exactly the built-in model, kernel list and parameters.
func TestHFImportMatchesPreset(t *testing.T) {
	m, err := ParseHFConfig(readTestConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	want := SmolVLAModel()
	if m.Name != "smolvlm" {
		t.Errorf("model name %q, want the model_type smolvlm", m.Name)
	}
	m.Name = want.Name
	if m != want {
		t.Errorf("model\n got %+v\nwant %+v", m, want)
	}
	imported := SmolVLAScenario(m)
	preset := smolvla(t)
	if !reflect.DeepEqual(mustKernels(t, imported), mustKernels(t, preset)) {
		t.Error("kernel lists differ")
	}
	if !reflect.DeepEqual(imported.Params(), preset.Params()) {
		t.Error("parameter counts differ")
	}
}

// TestHFDefaults checks the transformers defaults of absent fields.
func TestHFDefaults(t *testing.T) {
	tests := []struct {
		name string
		json string
		want Model
	}{
		{
			name: "idefics3 defaults",
			// 224/32 = 7 patches per side, which scale 2 does not divide:
			// image_size is given so that the model is valid.
			json: `{"model_type": "idefics3", "vision_config": {"image_size": 256}, "text_config": {}}`,
			want: Model{
				Name:      "idefics3",
				Vision:    VisionConfig{Hidden: 1152, FFN: 3072, Layers: 12, Heads: 16, Channels: 3, ImageSize: 256, Patch: 32},
				Connector: ConnectorConfig{ScaleFactor: 2},
				Text:      TextConfig{Hidden: 4096, FFN: 11008, Layers: 32, Heads: 32, KVHeads: 32, HeadDim: 128, Vocab: 32000},
			},
		},
		{
			name: "kv heads and head dim derived, tied head, biases, nulls",
			json: `{"model_type": "smolvlm", "scale_factor": 2, "tie_word_embeddings": true,
				"vision_config": {"hidden_size": 768, "num_attention_heads": 12, "image_size": 384, "patch_size": 16, "intermediate_size": null},
				"text_config": {"model_type": "llama", "hidden_size": 576, "num_attention_heads": 9, "num_key_value_heads": null,
					"attention_bias": true, "mlp_bias": true, "vocab_size": 49280, "num_hidden_layers": 30, "intermediate_size": 1536}}`,
			want: Model{
				Name:      "smolvlm",
				Vision:    VisionConfig{Hidden: 768, FFN: 3072, Layers: 12, Heads: 12, Channels: 3, ImageSize: 384, Patch: 16},
				Connector: ConnectorConfig{ScaleFactor: 2},
				Text: TextConfig{Hidden: 576, FFN: 1536, Layers: 30, Heads: 9, KVHeads: 9, HeadDim: 64, Vocab: 49280,
					TiedEmbeddings: true, AttentionBias: true, MLPBias: true},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := ParseHFConfig([]byte(tc.json))
			if err != nil {
				t.Fatal(err)
			}
			if m != tc.want {
				t.Errorf("\n got %+v\nwant %+v", m, tc.want)
			}
		})
	}
}

func TestHFConfigErrors(t *testing.T) {
	valid := `{"model_type": "smolvlm", "scale_factor": 4, "vision_config": {"hidden_size": 768, "num_attention_heads": 12, "image_size": 512, "patch_size": 16},
		"text_config": {"hidden_size": 960, "num_attention_heads": 15, "num_key_value_heads": 5, "vocab_size": 49280}}`
	if _, err := ParseHFConfig([]byte(valid)); err != nil {
		t.Fatalf("the base config must parse: %v", err)
	}
	tests := []struct {
		name, json, substr string
	}{
		{"missing vision_config", `{"model_type": "smolvlm", "text_config": {}}`, "vision_config is missing"},
		{"null vision_config", `{"model_type": "smolvlm", "vision_config": null, "text_config": {}}`, "vision_config is missing"},
		{"missing text_config", `{"model_type": "idefics3", "vision_config": {}}`, "text_config is missing"},
		{"missing model_type", `{"vision_config": {}, "text_config": {}}`, "model_type is missing (accepted: idefics3|smolvlm)"},
		{"other model_type", `{"model_type": "llava", "vision_config": {}, "text_config": {}}`, `model_type "llava" is not supported (accepted: idefics3|smolvlm)`},
		{"other text model_type", strings.Replace(valid, `"hidden_size": 960`, `"model_type": "qwen2", "hidden_size": 960`, 1), `text_config.model_type "qwen2" is not supported (accepted: llama)`},
		{"bad JSON", `{"model_type": "smolvlm", "vision_config": {`, "malformed JSON"},
		{"bad JSON token", `{"model_type": smolvlm}`, "malformed JSON at byte"},
		{"empty", ``, "empty input"},
		{"not an object", `[1, 2]`, "the config must be a JSON object"},
		{"trailing data", valid + ` {}`, "data after the object"},
		{"string hidden size", strings.Replace(valid, `"hidden_size": 768`, `"hidden_size": "768"`, 1), "vision_config.hidden_size must be a JSON integer, got string"},
		{"fractional hidden size", strings.Replace(valid, `"hidden_size": 768`, `"hidden_size": 768.5`, 1), "vision_config.hidden_size must be a JSON integer, got number 768.5"},
		{"vision_config not an object", `{"model_type": "smolvlm", "vision_config": 3, "text_config": {}}`, "vision_config must be a JSON object, got number"},
		{"bool scale", strings.Replace(valid, `"scale_factor": 4`, `"scale_factor": true`, 1), "scale_factor must be a JSON integer, got bool"},
		{"zero hidden size", strings.Replace(valid, `"hidden_size": 768`, `"hidden_size": 0`, 1), "vision_config.hidden_size must be in 1..16384, got 0"},
		{"zero text hidden size", strings.Replace(valid, `"hidden_size": 960`, `"hidden_size": 0`, 1), "text_config.hidden_size must be in 1..16384, got 0"},
		{"negative layers", strings.Replace(valid, `"vocab_size": 49280`, `"vocab_size": 49280, "num_hidden_layers": -1`, 1), "text_config.num_hidden_layers must be in 1..256, got -1"},
		{"huge image", strings.Replace(valid, `"image_size": 512`, `"image_size": 1000000000000`, 1), "vision_config.image_size must be in 1..8192"},
		{"int overflow", strings.Replace(valid, `"image_size": 512`, `"image_size": 1e40`, 1), "vision_config.image_size must be a JSON integer"},
		{"heads not dividing hidden", strings.Replace(valid, `"num_attention_heads": 12`, `"num_attention_heads": 5`, 1), "vision_config.num_attention_heads 5 must divide vision_config.hidden_size 768"},
		{"kv heads not dividing heads", strings.Replace(valid, `"num_key_value_heads": 5`, `"num_key_value_heads": 4`, 1), "text_config.num_key_value_heads 4 must divide text_config.num_attention_heads 15"},
		{"scale not dividing the grid", strings.Replace(valid, `"scale_factor": 4`, `"scale_factor": 3`, 1), "scale_factor 3 must divide the 32-patch side"},
		{"image not a multiple of patch", strings.Replace(valid, `"image_size": 512`, `"image_size": 500`, 1), "vision_config.image_size 500 must be a multiple of vision_config.patch_size 16"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseHFConfig([]byte(tc.json))
			if err == nil {
				t.Fatalf("no error, want one containing %q", tc.substr)
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.substr) || strings.Contains(msg, "\n") || !strings.HasPrefix(msg, "hf config: ") {
				t.Errorf("error %q, want one line starting with \"hf config: \" and containing %q", msg, tc.substr)
			}
		})
	}
}

func TestLoadScenarioBadFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.json")
	if err := os.WriteFile(path, []byte(`{"model_type": "smolvlm", "text_config": {}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadScenario(path)
	if err == nil || !strings.Contains(err.Error(), "vision_config is missing") || !strings.Contains(err.Error(), path) {
		t.Errorf("err = %v, want one naming the file and vision_config", err)
	}
	// A valid model whose text model has fewer layers than SmolVLA keeps:
	// all of them run.
	small := `{"model_type": "idefics3", "vision_config": {"image_size": 256}, "text_config": {"num_hidden_layers": 4}}`
	if err := os.WriteFile(path, []byte(small), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := LoadScenario(path)
	if err != nil {
		t.Fatal(err)
	}
	if s.TextLayers != 4 {
		t.Errorf("TextLayers %d, want 4", s.TextLayers)
	}
}

func FuzzParseHFConfig(f *testing.F) {
	f.Add(readTestConfig(f))
	f.Add([]byte(`{"model_type": "idefics3", "vision_config": {"image_size": 256}, "text_config": {}}`))
	f.Add([]byte(`{"model_type": "smolvlm", "scale_factor": 1, "vision_config": {"hidden_size": 1, "num_attention_heads": 1, "image_size": 1, "patch_size": 1, "intermediate_size": 1, "num_hidden_layers": 1},
		"text_config": {"hidden_size": 1, "num_attention_heads": 1, "num_key_value_heads": 1, "head_dim": 1, "vocab_size": 1, "num_hidden_layers": 1, "intermediate_size": 1}}`))
	f.Add([]byte(`{"model_type": "smolvlm", "scale_factor": 64, "vision_config": {"hidden_size": 16, "num_attention_heads": 16, "image_size": 8192, "patch_size": 64, "num_channels": 16},
		"text_config": {"hidden_size": 16384, "num_attention_heads": 16384, "num_key_value_heads": 1, "head_dim": 1, "vocab_size": 1048576, "num_hidden_layers": 256, "intermediate_size": 65536}}`))
	f.Add([]byte(`{"model_type": "smolvlm", "vision_config": {"hidden_size": 0}, "text_config": {"num_attention_heads": 0}}`))
	f.Add([]byte(`{"model_type": "smolvlm", "vision_config": {"patch_size": 0}, "text_config": {"head_dim": -1}}`))
	f.Add([]byte(`{"vision_config": [], "text_config": "x"}`))
	f.Add([]byte(`{`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseHFConfig(b)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
			return
		}
		if err := m.Validate(); err != nil {
			t.Fatalf("ParseHFConfig returned an invalid model: %v", err)
		}
		s := SmolVLAScenario(m)
		checkParamSums(t, s.Params())
		ks, err := s.Kernels()
		if err != nil {
			return
		}
		var macs int64
		for _, k := range ks {
			if k.MACs() < 0 || k.Ops < 0 {
				t.Fatalf("%s: negative count %v", k.Name, k)
			}
			macs += k.MACs()
		}
		if macs != TotalMACs(ks) || TotalOps(ks) < 2*macs {
			t.Fatalf("totals inconsistent: MACs %d (sum %d), ops %d", TotalMACs(ks), macs, TotalOps(ks))
		}
	})
}
