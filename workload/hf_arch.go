package workload

import "fmt"

// NormKind is the normalisation of a transformer stack.
type NormKind string

// Normalisations.
const (
	// NormLayer is LayerNorm with a scale and a shift (2 x hidden
	// parameters).
	NormLayer NormKind = "layernorm"
	// NormRMS is RMSNorm with a scale (hidden parameters); Gemma's
	// (1 + scale) form has the same parameters.
	NormRMS NormKind = "rmsnorm"
)

// MLPKind is the feed-forward block of a layer.
type MLPKind string

// Feed-forward blocks.
const (
	// MLPGELU is fc1 -> GELU -> fc2 (BERT, GPT-2, ViT, CLIP, SigLIP).
	MLPGELU MLPKind = "gelu"
	// MLPSwiGLU is down(silu(gate(x)) x up(x)) (Llama, Mistral, Qwen2,
	// Phi-3).
	MLPSwiGLU MLPKind = "swiglu"
	// MLPGeGLU is down(gelu(gate(x)) x up(x)) (Gemma, Gemma 2).
	MLPGeGLU MLPKind = "geglu"
)

// HeadKind is what runs after a stack's last layer (and final norm).
type HeadKind string

// Heads.
const (
	// HeadNone: the stack's output is the model's.
	HeadNone HeadKind = ""
	// HeadLM is the LM head over the last token of each sequence (the
	// logits generation needs); tied, it reads the token embedding table.
	HeadLM HeadKind = "lm_head"
	// HeadPooler is BERT's pooler: dense + tanh over the first token.
	HeadPooler HeadKind = "pooler"
	// HeadClassifier is a linear classifier (with bias) over the first
	// token (ViTForImageClassification).
	HeadClassifier HeadKind = "classifier"
	// HeadProjection is a linear projection without bias of the first
	// token (CLIPVisionModelWithProjection's visual_projection).
	HeadProjection HeadKind = "projection"
	// HeadLastLinear is a linear layer with bias over the last token
	// (SigLIP's text head).
	HeadLastLinear HeadKind = "last_linear"
	// HeadAttentionPool is SigLIP's vision head: a learned probe attends
	// over the tokens (multi-head attention with biased in and out
	// projections), then LayerNorm and a residual GELU MLP.
	HeadAttentionPool HeadKind = "attention_pool"
)

// Tower is one transformer stack of a Hugging Face model with its
// embeddings and head: a text encoder or decoder, or a vision encoder.
// Lengths are in tokens, widths in elements.
type Tower struct {
	// Stage is StageText or StageVision; kernel and tensor names start
	// with it ("text.l3.q").
	Stage Stage `json:"stage"`
	// Hidden, FFN, Layers, Heads, KVHeads and HeadDim size the layers
	// (hidden_size, intermediate_size, num_hidden_layers,
	// num_attention_heads, num_key_value_heads, head_dim).
	Hidden  int `json:"hidden_size"`
	FFN     int `json:"intermediate_size"`
	Layers  int `json:"num_hidden_layers"`
	Heads   int `json:"num_attention_heads"`
	KVHeads int `json:"num_key_value_heads"`
	HeadDim int `json:"head_dim"`
	// Norm is LayerNorm or RMSNorm; PostNorm normalises after each
	// residual add (BERT) instead of before each block; SandwichNorm adds
	// a norm after the attention and after the MLP, before their residual
	// adds (Gemma 2).
	Norm         NormKind `json:"norm"`
	PostNorm     bool     `json:"post_norm"`
	SandwichNorm bool     `json:"sandwich_norm"`
	// QKNorm normalises every query and key head (head_dim wide, its own
	// weights) after the projections, before the rotary positions (Qwen 3's
	// q_norm and k_norm).
	QKNorm bool `json:"qk_norm,omitempty"`
	// QKVBias, OutBias and MLPBias say which projections have biases.
	QKVBias bool `json:"qkv_bias"`
	OutBias bool `json:"out_bias"`
	MLPBias bool `json:"mlp_bias"`
	// MLP is the feed-forward block.
	MLP MLPKind `json:"mlp"`
	// Causal makes the stack a decoder that can generate over a KV cache.
	Causal bool `json:"causal"`
	// Rotary applies rotary position embeddings to q and k in every layer.
	Rotary bool `json:"rotary"`
	// SlidingWindow, when > 0, bounds the positions a query attends to
	// (Mistral's sliding_window).
	SlidingWindow int `json:"sliding_window"`
	// MaxPositions is the longest sequence: the learned position table's
	// rows, or max_position_embeddings for rotary positions (0: no bound).
	MaxPositions int `json:"max_positions"`
	// Vocab is the token vocabulary (0 for a vision tower); LearnedPositions
	// says the position table (MaxPositions x Hidden) is a parameter;
	// TokenTypes is BERT's token-type table rows. The embedding lookups are
	// not kernels: their tables count as parameters.
	Vocab            int  `json:"vocab_size"`
	LearnedPositions bool `json:"learned_positions"`
	TokenTypes       int  `json:"type_vocab_size"`
	// EmbedNorm normalises the embeddings (BERT); PreNorm normalises them
	// before the first layer (CLIP's pre_layrnorm); FinalNorm normalises
	// the last layer's output.
	// PooledNorm normalises only the first token, before the head (CLIP's
	// post_layernorm).
	EmbedNorm  bool `json:"embed_norm"`
	PreNorm    bool `json:"pre_norm"`
	FinalNorm  bool `json:"final_norm"`
	PooledNorm bool `json:"pooled_norm"`
	// Channels, ImageSize and Patch size a vision tower's patch embedding
	// (a convolution run as a GEMM over im2col'd patches, with a bias when
	// PatchBias); ClassToken prepends a learned class token; its position
	// table has one row per token.
	Channels   int  `json:"num_channels"`
	ImageSize  int  `json:"image_size"`
	Patch      int  `json:"patch_size"`
	PatchBias  bool `json:"patch_bias"`
	ClassToken bool `json:"class_token"`
	// Head is what runs after the stack; HeadOut its output width (vocab,
	// labels, projection); TiedHead makes the LM head read the token
	// embedding table.
	Head     HeadKind `json:"head"`
	HeadOut  int      `json:"head_out"`
	TiedHead bool     `json:"tie_word_embeddings"`
}

// QDim is the query width, Heads x HeadDim.
func (t Tower) QDim() int { return t.Heads * t.HeadDim }

// KVDim is the key (and value) width, KVHeads x HeadDim.
func (t Tower) KVDim() int { return t.KVHeads * t.HeadDim }

// ImageTokens is the number of tokens of a vision tower over a square
// image of side size pixels: (size / Patch)^2 rounded down as the
// patch-embedding convolution (stride Patch) does, plus the class token.
func (t Tower) ImageTokens(size int) int {
	if t.Patch <= 0 {
		return 0
	}
	side := size / t.Patch
	n := side * side
	if t.ClassToken {
		n++
	}
	return n
}

// Transformer is a model read from a Hugging Face config.json of one of
// the supported families (see ParseTransformerConfig): its towers in
// execution order (SigLIP's vision, then text tower) and the parameters no
// kernel reads besides the embedding tables (SigLIP's logit scale and
// bias).
type Transformer struct {
	// Family is the config's model_type.
	Family string `json:"model_type"`
	// Towers are the stacks, in execution order.
	Towers []Tower `json:"towers"`
	// ExtraParams are parameters outside the towers (elements).
	ExtraParams int64 `json:"extra_params"`
}

// Decoder returns the tower that generates (Causal), if any.
func (m Transformer) Decoder() (Tower, bool) {
	for _, t := range m.Towers {
		if t.Causal {
			return t, true
		}
	}
	return Tower{}, false
}

// Tower returns the tower of stage st, if any.
func (m Transformer) Tower(st Stage) (Tower, bool) {
	for _, t := range m.Towers {
		if t.Stage == st {
			return t, true
		}
	}
	return Tower{}, false
}

// validate checks tower t's sizes; pre is the field prefix of its config
// ("", "text_config.", "vision_config.").
func (t Tower) validate(pre string) error {
	if err := checkRanges(pre, []fieldRange{
		{"hidden_size", t.Hidden, 1, MaxHidden},
		{"intermediate_size", t.FFN, 1, MaxFFN},
		{"num_hidden_layers", t.Layers, 1, MaxLayers},
		{"num_attention_heads", t.Heads, 1, MaxHidden},
		{"num_key_value_heads", t.KVHeads, 1, MaxHidden},
		{"head_dim", t.HeadDim, 1, MaxHidden},
		{"max_position_embeddings", t.MaxPositions, 0, 1 << 24},
		{"vocab_size", t.Vocab, 0, MaxVocab},
		{"type_vocab_size", t.TokenTypes, 0, MaxVocab},
		{"sliding_window", t.SlidingWindow, 0, 1 << 24},
	}); err != nil {
		return err
	}
	if t.Heads*t.HeadDim != t.Hidden && t.Hidden%t.Heads != 0 {
		return fmt.Errorf("%snum_attention_heads %d must divide %shidden_size %d", pre, t.Heads, pre, t.Hidden)
	}
	if t.Heads%t.KVHeads != 0 {
		return fmt.Errorf("%snum_key_value_heads %d must divide %snum_attention_heads %d", pre, t.KVHeads, pre, t.Heads)
	}
	if t.QDim() > MaxHidden {
		return fmt.Errorf("%snum_attention_heads x head_dim must be at most %d, got %d", pre, MaxHidden, t.QDim())
	}
	if t.Stage == StageVision {
		if err := checkRanges(pre, []fieldRange{
			{"num_channels", t.Channels, 1, MaxChannels},
			{"image_size", t.ImageSize, 1, MaxImageSize},
			{"patch_size", t.Patch, 1, MaxImageSize},
		}); err != nil {
			return err
		}
		if n := t.ImageTokens(t.ImageSize); n > MaxTokensPerImage {
			return fmt.Errorf("%simage_size / patch_size must give at most %d patches, got %d", pre, MaxTokensPerImage, n)
		}
		if t.Channels*t.Patch*t.Patch > MaxFFN {
			return fmt.Errorf("%snum_channels x patch_size^2 must be at most %d, got %d", pre, MaxFFN, t.Channels*t.Patch*t.Patch)
		}
	} else if t.Vocab < 1 {
		return fmt.Errorf("%svocab_size must be in 1..%d, got %d", pre, MaxVocab, t.Vocab)
	}
	if t.Head != HeadNone && t.Head != HeadPooler && t.Head != HeadAttentionPool {
		if err := checkRange(pre+"head output size", t.HeadOut, 1, MaxVocab); err != nil {
			return err
		}
	}
	return nil
}

// Validate checks the model's towers. Errors are one line naming the field
// by its Hugging Face name.
func (m Transformer) Validate() error {
	if len(m.Towers) == 0 {
		return fmt.Errorf("model %s has no towers", m.Family)
	}
	for _, t := range m.Towers {
		pre := ""
		if len(m.Towers) > 1 {
			pre = string(t.Stage) + "_config."
		}
		if err := t.validate(pre); err != nil {
			return err
		}
	}
	return nil
}
