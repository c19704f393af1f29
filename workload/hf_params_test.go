package workload

import (
	"os"
	"path/filepath"
	"testing"
)

func loadHF(t testing.TB, file string) Scenario {
	t.Helper()
	s, err := LoadScenario(filepath.Join("testdata", "hf", file))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestHFParamsPublished checks every family's parameter count on a real
// published config against the checkpoint's model.num_parameters() (see
// testdata/hf/SOURCES.md). Each count is re-derived by hand in the
// comment: h hidden, f FFN, L layers, V vocab, q/kv the q and k/v widths.
func TestHFParamsPublished(t *testing.T) {
	tests := []struct {
		file, family string
		want         int64
	}{
		// Llama 2 shape, untied: 2 x V h (32000 x 2048) = 131,072,000;
		// layer q 2048^2 + k,v 2 x 2048 x 256 + o 2048^2 + MLP 3 x 2048 x
		// 5632 + 2 norms 4096 = 44,044,288, x 22 = 968,974,336; final 2048.
		{"tinyllama-1.1b-chat-v1.0.json", "llama", 1_100_048_384},
		// tied: V h 49152 x 576 = 28,311,552; layer 576^2 x 2 + 2 x 576 x
		// 192 + 3 x 576 x 1536 + 1152 = 3,540,096, x 30; final 576.
		{"smollm2-135m.json", "llama", 134_515_008},
		// tied: 128256 x 2048 = 262,668,288; layer 2 x 2048^2 + 2 x 2048 x
		// 512 + 3 x 2048 x 8192 + 4096 = 60,821,504, x 16; final 2048.
		{"llama-3.2-1b.json", "llama", 1_235_814_400},
		// untied 2 x 32000 x 4096; layer 2 x 4096^2 + 2 x 4096 x 1024 + 3 x
		// 4096 x 14336 + 8192 = 218,112,000, x 32; final 4096.
		{"mistral-7b-v0.1.json", "mistral", 7_241_732_096},
		// tied 151936 x 896 = 136,134,656; layer q 896^2 + 896 (bias), k,v
		// 2 x (896 x 128 + 128), o 896^2, MLP 3 x 896 x 4864, norms 1792 =
		// 14,912,384, x 24; final 896.
		{"qwen2-0.5b.json", "qwen2", 494_032_768},
		// tied 151936 x 1024 = 155,582,464; layer q 1024 x 2048, k,v 2 x
		// 1024 x 1024, o 2048 x 1024, MLP 3 x 1024 x 3072, norms 2048 +
		// q_norm, k_norm 256 = 15,730,944, x 28; final 1024.
		{"qwen3-0.6b.json", "qwen3", 596_049_920},
		// tied 256000 x 2048 = 524,288,000; layer q,o 2 x 2048 x 2048, k,v
		// (MQA, head_dim 256) 2 x 2048 x 256, GeGLU 3 x 2048 x 16384, norms
		// 4096 = 110,104,576, x 18; final 2048.
		{"gemma-2b.json", "gemma", 2_506_172_416},
		// tied 256000 x 2304 = 589,824,000; layer q,o 2 x 2304 x 2048, k,v
		// 2 x 2304 x 1024, GeGLU 3 x 2304 x 9216, 4 norms 9216 =
		// 77,865,984, x 26; final 2304.
		{"gemma-2-2b.json", "gemma2", 2_614_341_888},
		// untied 2 x 32064 x 3072 = 197,001,216; layer qkv 3072 x 9216, o
		// 3072^2, gate_up 3072 x 16384, down 8192 x 3072, norms 6144 =
		// 113,252,352, x 32; final 3072.
		{"phi-3-mini-4k-instruct.json", "phi3", 3_821_079_552},
		// wte 50257 x 768 (tied) + wpe 1024 x 768; layer LN 1536 + c_attn
		// 768 x 2304 + 2304 + c_proj 590,592 + LN 1536 + fc 2,362,368 +
		// proj 2,360,064 = 7,087,872, x 12; ln_f 1536.
		{"gpt2.json", "gpt2", 124_439_808},
		// embeddings 30522 x 768 + 512 x 768 + 2 x 768 + LN 1536 =
		// 23,837,184; layers 12 x 7,087,872; pooler 768^2 + 768.
		{"bert-base-uncased.json", "bert", 109_482_240},
		// embeddings 50265 x 768 + 514 x 768 + 768 + 1536 = 39,000,576;
		// layers 85,054,464; pooler 590,592.
		{"roberta-base.json", "roberta", 124_645_632},
		// patch 768 x 768 + 768, class 768, positions 197 x 768 = 151,296,
		// layers 85,054,464, final LN 1536, classifier 768 x 1000 + 1000.
		{"vit-base-patch16-224.json", "vit", 86_567_656},
		// text: 32000 x 768 + 64 x 768 + 85,054,464 + 1536 + head 590,592 =
		// 110,271,744; vision: patch 590,592 + 196 x 768 + 85,054,464 +
		// 1536 + pooling head (probe 768, in 3 x 768^2 + 2304, out 590,592,
		// LN 1536, MLP 4,722,432) 7,087,104 = 92,884,224; logit scale, bias.
		{"siglip-base-patch16-224.json", "siglip", 203_155_970},
		// patch 1152 x 588 + 1152, positions 729 x 1152, layers 27 x
		// 15,239,504, post LN 2304, pooling head 15,238,352.
		{"siglip-so400m-patch14-384-vision.json", "siglip_vision_model", 428_225_600},
		// class 1280, patch 1280 x 588 (no bias), positions 257 x 1280,
		// pre LN 2560, layers 32 x 19,677,440, post LN 2560, projection
		// 1280 x 1024.
		{"ip-adapter-image-encoder.json", "clip_vision_model", 632_076_800},
	}
	seen := map[string]bool{}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			s := loadHF(t, tc.file)
			if s.HF.Family != tc.family {
				t.Errorf("family %s, want %s", s.HF.Family, tc.family)
			}
			if got := ParamTotalOf(s.Params()); got != tc.want {
				t.Errorf("parameters %d, want %d (%+d)", got, tc.want, got-tc.want)
			}
			if _, err := s.Graph(); err != nil {
				t.Errorf("prefill graph: %v", err)
			}
		})
		seen[tc.family] = true
	}
	for _, f := range TransformerFamilies() {
		if !seen[f] && f != "siglip_vision_model" {
			t.Errorf("family %s has no published config under test", f)
		}
	}
	if _, err := os.Stat(filepath.Join("testdata", "hf", "SOURCES.md")); err != nil {
		t.Error(err)
	}
}
