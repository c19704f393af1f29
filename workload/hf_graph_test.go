package workload

import (
	"strings"
	"testing"
)

// TestHFStructure checks each family's real structure in its prefill
// graph: the kernels (and stored tensors) it must have and must not have.
func TestHFStructure(t *testing.T) {
	tests := []struct {
		file      string
		has, lack []string
	}{
		// Pre-RMSNorm, rotary, SwiGLU, untied head; no biases.
		{"tinyllama-1.1b-chat-v1.0.json", []string{"text.l0.norm1", "text.l0.rope_q", "text.l0.rope_k", "text.l0.silu_mul", "text.final_norm", "text.select", "head.lm_head", "head.lm_head.weight"},
			[]string{"text.l0.q.bias", "text.l0.post_attn_norm", "text.embed_tokens.weight"}},
		// Tied head: the LM head reads the token table.
		{"smollm2-135m.json", []string{"text.embed_tokens.weight"}, []string{"head.lm_head.weight"}},
		// q, k, v biases, no o bias.
		{"qwen2-0.5b.json", []string{"text.l0.q.bias", "text.l0.k.bias", "text.l0.v.bias"}, []string{"text.l0.o.bias"}},
		// GeGLU; Gemma 2's norms after attention and MLP.
		{"gemma-2b.json", []string{"text.l0.gelu_mul"}, []string{"text.l0.post_attn_norm", "text.l0.silu_mul"}},
		{"gemma-2-2b.json", []string{"text.l0.gelu_mul", "text.l0.post_attn_norm", "text.l0.post_mlp_norm"}, nil},
		// Learned positions (in the lookup), pre-LayerNorm with biases, GELU, tied head.
		{"gpt2.json", []string{"text.l0.norm1", "text.l0.q.bias", "text.l0.gelu", "text.final_norm", "text.embed_tokens.weight"}, []string{"text.l0.rope_q"}},
		// Embedding LayerNorm, post-norm (no pre-norm kernel before q), pooler, no final norm.
		{"bert-base-uncased.json", []string{"text.embed_norm", "text.l0.norm1", "text.l0.norm2", "head.pooler", "head.pooler_tanh"}, []string{"text.final_norm", "head.lm_head"}},
		// Class token view, position add, classifier, no pooler.
		{"vit-base-patch16-224.json", []string{"vision.patch_embed", "vision.tokens", "vision.pos_embed", "vision.final_norm", "head.classifier"}, []string{"head.pooler"}},
		// CLIP: pre-norm of the embeddings, post-norm of the class token, projection.
		{"ip-adapter-image-encoder.json", []string{"vision.pre_norm", "vision.post_norm", "vision.projection"}, []string{"vision.patch_embed.bias", "vision.final_norm"}},
		// SigLIP: both towers, the attention-pooling head, the text head.
		{"siglip-base-patch16-224.json", []string{"vision.head.qk", "vision.head.fc2", "text.head", "text.final_norm"}, []string{"vision.tokens"}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			g, err := loadHF(t, tc.file).Graph()
			if err != nil {
				t.Fatal(err)
			}
			names := map[string]bool{}
			for _, k := range g.Ops {
				names[k.Name] = true
			}
			for _, tn := range g.Tensors {
				names[tn.Name] = true
			}
			for _, n := range tc.has {
				if !names[n] {
					t.Errorf("no kernel or tensor %s", n)
				}
			}
			for _, n := range tc.lack {
				if names[n] {
					t.Errorf("kernel or tensor %s should not be there", n)
				}
			}
		})
	}
}

// TestHFDecodeGraph checks a decode step: one token per sequence, a KV
// cache of context - 1 positions per layer, attention over the context,
// grouped-query sharing, and Mistral's sliding window capping the context.
func TestHFDecodeGraph(t *testing.T) {
	s := loadHF(t, "tinyllama-1.1b-chat-v1.0.json")
	s.Seq, s.Generate, s.Frames = 100, 8, 2
	g, err := s.DecodeGraph(5)
	if err != nil {
		t.Fatal(err)
	}
	kc, ok := g.Tensor("text.l3.k_cache")
	if !ok || kc.Role != RoleKVCache || kc.Rows != 2*104 || kc.Cols != 256 {
		t.Errorf("k cache %+v, want kv_cache 208 x 256", kc)
	}
	var caches int
	for _, tn := range g.Tensors {
		if tn.Role == RoleKVCache {
			caches++
		}
	}
	if caches != 2*22 {
		t.Errorf("%d KV cache tensors, want 44", caches)
	}
	for _, k := range g.Ops {
		switch {
		case strings.HasSuffix(k.Name, ".qk"):
			// 2 sequences x 32 heads, 1 query of 64 against 105 positions;
			// the keys read once per KV head (4).
			if k.M != 1 || k.N != 105 || k.Batch != 64 || k.InputElems != 2*(32*64+4*64*105) {
				t.Errorf("%s: %v", k.Name, k)
			}
		case k.Kind == KindGEMM && k.M != 2:
			t.Errorf("%s: %d rows, want one per sequence", k.Name, k.M)
		}
	}
	if _, err := s.DecodeGraph(9); err == nil {
		t.Error("step 9 of 8 accepted")
	}
	m := loadHF(t, "mistral-7b-v0.1.json")
	m.Seq, m.Generate = 4090, 20
	if c := m.DecodeContext(3); c != 4093 {
		t.Errorf("context %d, want 4093", c)
	}
	if c := m.DecodeContext(20); c != 4096 {
		t.Errorf("context %d, want the 4096 window", c)
	}
}

// TestTransformerConfigErrors checks that a bad config is one line naming the
// field.
func TestTransformerConfigErrors(t *testing.T) {
	tests := []struct{ json, want string }{
		{`{"model_type": "llama", "intermediate_size": 8, "num_hidden_layers": 1, "num_attention_heads": 1, "vocab_size": 8}`, "hidden_size is missing"},
		{`{"model_type": "llama", "hidden_size": 8, "intermediate_size": 8, "num_hidden_layers": 1, "num_attention_heads": 0, "vocab_size": 8}`, "num_attention_heads must be in 1.."},
		{`{"model_type": "llama", "hidden_size": 10, "intermediate_size": 8, "num_hidden_layers": 1, "num_attention_heads": 4, "vocab_size": 8}`, "num_attention_heads 4 must divide hidden_size 10"},
		{`{"model_type": "mistral", "hidden_size": 8, "intermediate_size": 8, "num_hidden_layers": 1, "num_attention_heads": 4, "num_key_value_heads": 3, "vocab_size": 8}`, "num_key_value_heads 3 must divide num_attention_heads 4"},
		{`{"model_type": "mamba"}`, `model_type "mamba" is not supported (accepted: llama|mistral|qwen2|qwen3|gemma|gemma2|phi3|gpt2|bert|roberta|vit|siglip|siglip_vision_model|clip_vision_model|idefics3|smolvlm)`},
		{`{"hidden_size": 8}`, "model_type is missing"},
		{`{"model_type": "gpt2", "n_embd": "wide"}`, "n_embd must be a JSON integer"},
		{`{"model_type": "siglip", "vision_config": {"patch_size": 0}}`, "vision_config.patch_size must be in 1.."},
		{`{"model_type": "bert", "hidden_size": 8, "intermediate_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2, "vocab_size": 8, "type_vocab_size": 2}`, "max_position_embeddings is missing"},
		{`[1]`, "must be a JSON object"},
	}
	for _, tc := range tests {
		_, err := ParseTransformerConfig([]byte(tc.json))
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error %v, want one line with %q", tc.json, err, tc.want)
		}
	}
}

// qwen3Config is Qwen3-0.6B's sizes (models/qwen3_0.6b/README.md of
// apex-compute/unified-engine: 28 layers, hidden 1024, FFN 3072, 16 query
// and 8 key/value heads of 128, vocabulary 151,936, tied embeddings).
const qwen3Config = `{"model_type": "qwen3", "hidden_size": 1024, "intermediate_size": 3072,
 "num_hidden_layers": 28, "num_attention_heads": 16, "num_key_value_heads": 8, "head_dim": 128,
 "vocab_size": 151936, "max_position_embeddings": 40960, "tie_word_embeddings": true}`

// TestQwen3QKNorm checks Qwen 3's per-head q and k RMSNorms: one norm row
// per head of head_dim, with head_dim parameters, between the projections
// and the rotary positions.
func TestQwen3QKNorm(t *testing.T) {
	m, err := ParseTransformerConfig([]byte(qwen3Config))
	if err != nil {
		t.Fatal(err)
	}
	s := TransformerScenario("qwen3", m)
	s.Seq = 10
	g, err := s.Graph()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][3]int64{"text.l0.q_norm": {10 * 16, 128, 128}, "text.l27.k_norm": {10 * 8, 128, 128}}
	order := map[string]int{}
	for i, k := range g.Ops {
		order[k.Name] = i
		if w, ok := want[k.Name]; ok && (k.M != w[0] || k.N != w[1] || k.BiasElems != w[2] || k.Kind != KindNorm) {
			t.Errorf("%s: %d x %d, %d parameters (%s), want %v", k.Name, k.M, k.N, k.BiasElems, k.Kind, w)
		}
	}
	if !(order["text.l0.q"] < order["text.l0.q_norm"] && order["text.l0.q_norm"] < order["text.l0.rope_q"]) {
		t.Errorf("q_norm is not between q and rope_q: %v", order)
	}
	if _, ok := order["text.l0.q.bias"]; ok {
		t.Error("qwen3 without attention_bias has a q bias")
	}
}

// TestDecodeAttention checks an engine's block-aligned decode attention
// with V transposed on the array: the positions rounded up to the block
// (the rows past the context read from the cache as "_pad"), and a v_t
// GEMM of context x KV width / width rows by a width-square identity.
func TestDecodeAttention(t *testing.T) {
	m, err := ParseTransformerConfig([]byte(qwen3Config))
	if err != nil {
		t.Fatal(err)
	}
	s := TransformerScenario("qwen3", m)
	s.Seq, s.Generate = 37, 40
	s.DecodeAttention = DecodeAttention{BlockTokens: 64, TransposeWidth: 64}
	for _, tc := range []struct{ step, ctx, aligned int64 }{{1, 38, 64}, {27, 64, 64}, {28, 65, 128}} {
		g, err := s.DecodeGraph(int(tc.step))
		if err != nil {
			t.Fatal(err)
		}
		pad, ok := g.Tensor("text.l0.v_pad")
		if tc.aligned > tc.ctx && (!ok || pad.Role != RoleKVCache || pad.Rows != tc.aligned-tc.ctx) {
			t.Errorf("step %d: v pad %+v, want kv_cache of %d rows", tc.step, pad, tc.aligned-tc.ctx)
		}
		if tc.aligned == tc.ctx && ok {
			t.Errorf("step %d: a pad at an aligned context", tc.step)
		}
		for _, k := range g.Ops {
			switch k.Name {
			case "text.l0.qk", "text.l0.av":
				if n := map[bool]int64{true: k.N, false: k.K}[k.Name == "text.l0.qk"]; n != tc.aligned {
					t.Errorf("step %d: %s over %d positions, want %d", tc.step, k.Name, n, tc.aligned)
				}
			case "text.l0.v_t":
				if k.M != tc.aligned*1024/64 || k.K != 64 || k.N != 64 || k.WeightElems != 64*64 {
					t.Errorf("step %d: v_t %v", tc.step, k)
				}
			}
		}
	}
	s.DecodeAttention.TransposeWidth = 48
	if _, err := s.DecodeGraph(1); err == nil {
		t.Error("a transpose width not dividing head_dim 128 accepted")
	}
}
