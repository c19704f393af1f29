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
		{`{"model_type": "mamba"}`, `model_type "mamba" is not supported (accepted: llama|mistral|qwen2|gemma|gemma2|phi3|gpt2|bert|roberta|vit|siglip|siglip_vision_model|clip_vision_model|idefics3|smolvlm)`},
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
