package workload

import (
	"fmt"
	"strings"
)

// TransformerFamilies lists the model_type values ParseTransformerConfig
// reads (idefics3 and smolvlm are read by ParseHFConfig).
func TransformerFamilies() []string {
	return []string{"llama", "mistral", "qwen2", "qwen3", "gemma", "gemma2", "phi3", "gpt2", "bert", "roberta",
		"vit", "siglip", "siglip_vision_model", "clip_vision_model"}
}

// supportedModelTypes is every model_type a scenario file may have.
func supportedModelTypes() string {
	return strings.Join(append(TransformerFamilies(), "idefics3", "smolvlm"), "|")
}

// ParseTransformerConfig reads the model of a Hugging Face config.json of
// one of TransformerFamilies, as the transformers library builds it (the
// sources of each family's structure are in docs/models.md):
//   - llama, mistral, qwen2, qwen3, gemma, gemma2, phi3: a decoder (the
//     *ForCausalLM class) with RMSNorm before attention and MLP, rotary
//     positions, grouped-query attention (num_key_value_heads, default
//     num_attention_heads), head_dim (default hidden_size /
//     num_attention_heads), a SwiGLU MLP (GeGLU for gemma and gemma2),
//     biases on q, k, v for qwen2 and on all projections per llama's
//     attention_bias and mlp_bias, Qwen 3's per-head q and k RMSNorms (and
//     its attention_bias on q, k, v, o), Gemma 2's extra norms after attention
//     and MLP, Mistral's and Phi-3's sliding_window (Qwen2's when
//     use_sliding_window), and an LM head tied per tie_word_embeddings
//     (default true for gemma and gemma2, false otherwise).
//   - gpt2: a decoder with LayerNorm before each block, biases, GELU MLP
//     of n_inner (default 4 n_embd), learned positions (n_positions), final
//     LayerNorm, LM head tied to the token embeddings (GPT2LMHeadModel).
//   - bert, roberta: an encoder (BertModel/RobertaModel, what AutoModel
//     loads) with token, position and token-type embeddings, an embedding
//     LayerNorm, post-LayerNorm layers with biases and a GELU MLP, and the
//     pooler (dense + tanh over the first token).
//   - vit: pre-LayerNorm layers (qkv_bias, default true), class token,
//     learned positions, final LayerNorm, and the classifier of
//     ViTForImageClassification (len(id2label) labels) when architectures
//     names it, else ViTModel's pooler.
//   - clip_vision_model: class token, positions, pre_layrnorm, pre-LayerNorm
//     layers with biases, post_layernorm over the class token, and the
//     projection (projection_dim, no bias) when architectures names
//     CLIPVisionModelWithProjection.
//   - siglip_vision_model, and siglip's vision_config and text_config
//     (SiglipModel: both towers and logit_scale, logit_bias): the vision
//     tower has a biased patch embedding, positions, pre-LayerNorm layers,
//     post_layernorm and, with vision_use_head (default true), the
//     attention-pooling head; the text tower has token and position
//     embeddings (max_position_embeddings, default 64), pre-LayerNorm
//     layers, final LayerNorm and a biased linear head (projection_size,
//     default hidden_size) over the last token. Absent siglip fields take
//     SiglipTextConfig's and SiglipVisionConfig's defaults (768 wide, 12
//     layers and heads, 3072 MLP, vocab 32000, 224-pixel images of 16-pixel
//     patches, 3 channels), as the published configs rely on them.
//
// The fields that size a model are required for every family but siglip;
// a missing one, a zero, a head count that does not divide the hidden size
// or a key/value head count that does not divide the head count is an
// error naming the field. Unknown fields are ignored.
func ParseTransformerConfig(b []byte) (Transformer, error) {
	m, err := parseTransformer(b)
	if err != nil {
		return Transformer{}, fmt.Errorf("hf config: %w", err)
	}
	return m, nil
}

func parseTransformer(b []byte) (Transformer, error) {
	f, err := newHFFields(b)
	if err != nil {
		return Transformer{}, err
	}
	if !f.has("model_type") {
		return Transformer{}, fmt.Errorf("model_type is missing (accepted: %s)", supportedModelTypes())
	}
	mt := f.strOr("model_type", "")
	var m Transformer
	switch mt {
	case "llama", "mistral", "qwen2", "qwen3", "gemma", "gemma2", "phi3":
		m.Towers = []Tower{parseDecoder(f, mt)}
	case "gpt2":
		m.Towers = []Tower{parseGPT2(f)}
	case "bert", "roberta":
		m.Towers = []Tower{parseBERT(f)}
	case "vit":
		m.Towers = []Tower{parseViT(f)}
	case "clip_vision_model":
		m.Towers = []Tower{parseCLIPVision(f)}
	case "siglip_vision_model":
		m.Towers = []Tower{parseSiglipVision(f)}
	case "siglip":
		m.Towers = []Tower{parseSiglipVision(f.sub("vision_config", true)), parseSiglipText(f.sub("text_config", true))}
		// SiglipModel's logit_scale and logit_bias, one element each.
		m.ExtraParams = 2
	default:
		return Transformer{}, fmt.Errorf("model_type %q is not supported (accepted: %s)", mt, supportedModelTypes())
	}
	if *f.err != nil {
		return Transformer{}, *f.err
	}
	m.Family = mt
	if err := m.Validate(); err != nil {
		return Transformer{}, err
	}
	return m, nil
}

// attention reads the attention sizes shared by the decoders: heads,
// key/value heads (default heads) and head_dim (default hidden / heads).
func attention(f hfFields, t *Tower) {
	t.Heads = f.int("num_attention_heads")
	t.KVHeads = f.intOr("num_key_value_heads", t.Heads)
	t.HeadDim = f.intOr("head_dim", 0)
	if !f.has("head_dim") && t.Heads > 0 {
		t.HeadDim = t.Hidden / t.Heads
	}
}

// parseDecoder reads a Llama-style decoder of family mt.
func parseDecoder(f hfFields, mt string) Tower {
	t := Tower{
		Stage: StageText, Hidden: f.int("hidden_size"), FFN: f.int("intermediate_size"), Layers: f.int("num_hidden_layers"),
		Norm: NormRMS, MLP: MLPSwiGLU, Causal: true, Rotary: true, FinalNorm: true,
		Vocab: f.int("vocab_size"), MaxPositions: f.intOr("max_position_embeddings", 0), Head: HeadLM,
	}
	attention(f, &t)
	t.HeadOut = t.Vocab
	t.TiedHead = f.boolOr("tie_word_embeddings", mt == "gemma" || mt == "gemma2")
	switch mt {
	case "llama":
		t.QKVBias = f.boolOr("attention_bias", false)
		t.OutBias = t.QKVBias
		t.MLPBias = f.boolOr("mlp_bias", false)
	case "mistral", "phi3":
		t.SlidingWindow = f.intOr("sliding_window", 0)
	case "qwen3":
		// Qwen3Attention (transformers, models/qwen3/modeling_qwen3.py):
		// q, k, v and o with bias attention_bias, q_norm and k_norm
		// (RMSNorm over head_dim) on every head before the rotary
		// positions; Qwen3MLP has no biases.
		t.QKVBias = f.boolOr("attention_bias", false)
		t.OutBias, t.QKNorm = t.QKVBias, true
	case "qwen2":
		// Qwen2Attention: q, k and v with biases, o without.
		t.QKVBias = true
	case "gemma":
		t.MLP = MLPGeGLU
	case "gemma2":
		t.MLP, t.SandwichNorm = MLPGeGLU, true
	}
	if (mt == "qwen2" || mt == "qwen3") && f.boolOr("use_sliding_window", false) {
		t.SlidingWindow = f.intOr("sliding_window", 0)
	}
	return t
}

// parseGPT2 reads GPT2LMHeadModel.
func parseGPT2(f hfFields) Tower {
	t := Tower{
		Stage: StageText, Hidden: f.int("n_embd"), Layers: f.int("n_layer"), Heads: f.int("n_head"),
		Norm: NormLayer, MLP: MLPGELU, QKVBias: true, OutBias: true, MLPBias: true, Causal: true, FinalNorm: true,
		Vocab: f.int("vocab_size"), MaxPositions: f.int("n_positions"), LearnedPositions: true,
		Head: HeadLM, TiedHead: f.boolOr("tie_word_embeddings", true),
	}
	t.FFN = f.intOr("n_inner", 4*t.Hidden)
	t.KVHeads = t.Heads
	if t.Heads > 0 {
		t.HeadDim = t.Hidden / t.Heads
	}
	t.HeadOut = t.Vocab
	return t
}

// encoderLayers reads the sizes of a BERT-style layer stack (hidden_size,
// intermediate_size, num_hidden_layers, num_attention_heads) into t.
func encoderLayers(f hfFields, t *Tower) {
	t.Hidden, t.FFN, t.Layers = f.int("hidden_size"), f.int("intermediate_size"), f.int("num_hidden_layers")
	t.Heads = f.int("num_attention_heads")
	t.KVHeads = t.Heads
	if t.Heads > 0 {
		t.HeadDim = t.Hidden / t.Heads
	}
	t.Norm, t.MLP, t.QKVBias, t.OutBias, t.MLPBias = NormLayer, MLPGELU, true, true, true
}

// parseBERT reads BertModel or RobertaModel with its pooler.
func parseBERT(f hfFields) Tower {
	t := Tower{Stage: StageText, PostNorm: true, EmbedNorm: true, LearnedPositions: true, Head: HeadPooler}
	encoderLayers(f, &t)
	t.Vocab, t.MaxPositions, t.TokenTypes = f.int("vocab_size"), f.int("max_position_embeddings"), f.int("type_vocab_size")
	return t
}

// visionEmbeddings reads image_size, patch_size and num_channels (default
// 3) into t.
func visionEmbeddings(f hfFields, t *Tower) {
	t.Stage = StageVision
	t.ImageSize, t.Patch, t.Channels = f.int("image_size"), f.int("patch_size"), f.intOr("num_channels", 3)
	t.LearnedPositions = true
}

// parseViT reads ViTForImageClassification or ViTModel.
func parseViT(f hfFields) Tower {
	var t Tower
	encoderLayers(f, &t)
	visionEmbeddings(f, &t)
	t.QKVBias = f.boolOr("qkv_bias", true)
	t.PatchBias, t.ClassToken, t.FinalNorm = true, true, true
	t.Head = HeadPooler
	if f.architecture("ViTForImageClassification") {
		t.Head, t.HeadOut = HeadClassifier, f.objectLen("id2label")
		if t.HeadOut == 0 {
			t.HeadOut = f.intOr("num_labels", 2)
		}
	}
	return t
}

// parseCLIPVision reads CLIPVisionModel or CLIPVisionModelWithProjection.
func parseCLIPVision(f hfFields) Tower {
	var t Tower
	encoderLayers(f, &t)
	visionEmbeddings(f, &t)
	t.ClassToken, t.PreNorm, t.PooledNorm = true, true, true
	if f.architecture("CLIPVisionModelWithProjection") {
		t.Head, t.HeadOut = HeadProjection, f.int("projection_dim")
	}
	return t
}

// SigLIP's config defaults (transformers SiglipTextConfig and
// SiglipVisionConfig, models/siglip/configuration_siglip.py).
const (
	siglipHidden     = 768
	siglipFFN        = 3072
	siglipLayers     = 12
	siglipHeads      = 12
	siglipVocab      = 32000
	siglipTextLength = 64
	siglipImageSize  = 224
	siglipPatch      = 16
)

// siglipLayers reads a SigLIP tower's layer sizes with their defaults.
func siglipStack(f hfFields, t *Tower) {
	t.Hidden, t.FFN = f.intOr("hidden_size", siglipHidden), f.intOr("intermediate_size", siglipFFN)
	t.Layers, t.Heads = f.intOr("num_hidden_layers", siglipLayers), f.intOr("num_attention_heads", siglipHeads)
	t.KVHeads = t.Heads
	if t.Heads > 0 {
		t.HeadDim = t.Hidden / t.Heads
	}
	t.Norm, t.MLP, t.QKVBias, t.OutBias, t.MLPBias, t.FinalNorm = NormLayer, MLPGELU, true, true, true, true
	t.LearnedPositions = true
}

// parseSiglipVision reads SiglipVisionModel (or SiglipModel's vision
// tower).
func parseSiglipVision(f hfFields) Tower {
	t := Tower{Stage: StageVision, PatchBias: true}
	siglipStack(f, &t)
	t.ImageSize, t.Patch = f.intOr("image_size", siglipImageSize), f.intOr("patch_size", siglipPatch)
	t.Channels = f.intOr("num_channels", 3)
	if f.boolOr("vision_use_head", true) {
		t.Head = HeadAttentionPool
	}
	return t
}

// parseSiglipText reads SiglipModel's text tower.
func parseSiglipText(f hfFields) Tower {
	t := Tower{Stage: StageText, Head: HeadLastLinear}
	siglipStack(f, &t)
	t.Vocab, t.MaxPositions = f.intOr("vocab_size", siglipVocab), f.intOr("max_position_embeddings", siglipTextLength)
	t.HeadOut = f.intOr("projection_size", t.Hidden)
	return t
}
