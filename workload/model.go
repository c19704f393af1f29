package workload

import "fmt"

// Bounds on model and scenario dimensions. They are far above any public
// SmolVLM/Idefics3 checkpoint and keep every per-kernel count (M x K x N x
// Batch, ops, element counts) well inside int64; Scenario.Kernels
// additionally checks the forward pass's total op count.
const (
	// MaxHidden bounds a hidden size, and the attention width heads x
	// head_dim (q) and kv_heads x head_dim (k, v).
	MaxHidden = 16384
	// MaxFFN bounds an MLP intermediate size.
	MaxFFN = 65536
	// MaxLayers bounds the number of encoder or decoder layers.
	MaxLayers = 256
	// MaxVocab bounds the text vocabulary.
	MaxVocab = 1 << 20
	// MaxImageSize bounds the image side in pixels.
	MaxImageSize = 8192
	// MaxChannels bounds the number of image channels.
	MaxChannels = 16
	// MaxTokensPerImage bounds the number of patches of one image.
	MaxTokensPerImage = 16384
	// MaxScaleFactor bounds the pixel-shuffle scale factor.
	MaxScaleFactor = 64
)

// VisionConfig is a SigLIP-style vision encoder (Idefics3/SmolVLM vision
// tower): a patch-embedding convolution with bias, a learned position
// embedding of (image/patch)^2 x hidden, layers of pre-LayerNorm (with bias)
// attention with biased q, k, v and out projections and a biased fc1 -> GELU
// (tanh) -> fc2 MLP, and a final post-LayerNorm. JSON names are those of
// Hugging Face's vision_config.
type VisionConfig struct {
	// Hidden is the model width (hidden_size).
	Hidden int `json:"hidden_size"`
	// FFN is the MLP intermediate width (intermediate_size).
	FFN int `json:"intermediate_size"`
	// Layers is the number of encoder layers (num_hidden_layers).
	Layers int `json:"num_hidden_layers"`
	// Heads is the number of attention heads (num_attention_heads); the head
	// width is Hidden / Heads.
	Heads int `json:"num_attention_heads"`
	// Channels is the number of image channels (num_channels).
	Channels int `json:"num_channels"`
	// ImageSize is the side in pixels of the square image the position
	// embedding was trained for (image_size).
	ImageSize int `json:"image_size"`
	// Patch is the side in pixels of a square patch (patch_size).
	Patch int `json:"patch_size"`
}

// HeadDim is the width of one attention head (0 when Heads is not
// positive).
func (v VisionConfig) HeadDim() int {
	if v.Heads <= 0 {
		return 0
	}
	return v.Hidden / v.Heads
}

// Positions is the number of rows of the learned position embedding:
// (ImageSize / Patch)^2 (0 when Patch is not positive).
func (v VisionConfig) Positions() int {
	if v.Patch <= 0 {
		return 0
	}
	side := v.ImageSize / v.Patch
	return side * side
}

// PatchElems is the number of input elements of one patch, the inner
// dimension of the patch-embedding GEMM: Channels x Patch x Patch.
func (v VisionConfig) PatchElems() int { return v.Channels * v.Patch * v.Patch }

// ConnectorConfig is the Idefics3/SmolVLM connector: a pixel shuffle that
// folds ScaleFactor x ScaleFactor neighbouring vision tokens into one token
// of width vision hidden x ScaleFactor^2, followed by a Linear (without bias)
// to the text width.
type ConnectorConfig struct {
	// ScaleFactor is the pixel-shuffle factor (scale_factor).
	ScaleFactor int `json:"scale_factor"`
}

// TextConfig is a LLaMA-style decoder (SmolLM2): RMSNorm, grouped-query
// attention with rotary positions, a SwiGLU MLP (gate, up, down) and a
// final RMSNorm. JSON names are those of Hugging Face's text_config
// (LlamaConfig).
type TextConfig struct {
	// Hidden is the model width (hidden_size).
	Hidden int `json:"hidden_size"`
	// FFN is the SwiGLU intermediate width (intermediate_size).
	FFN int `json:"intermediate_size"`
	// Layers is the number of decoder layers in the checkpoint
	// (num_hidden_layers); a Scenario may run only the first few.
	Layers int `json:"num_hidden_layers"`
	// Heads is the number of query heads (num_attention_heads).
	Heads int `json:"num_attention_heads"`
	// KVHeads is the number of key/value heads (num_key_value_heads).
	KVHeads int `json:"num_key_value_heads"`
	// HeadDim is the width of one head (head_dim).
	HeadDim int `json:"head_dim"`
	// Vocab is the vocabulary size (vocab_size).
	Vocab int `json:"vocab_size"`
	// TiedEmbeddings says whether the LM head shares the token embedding
	// table (tie_word_embeddings); a tied head adds no parameters.
	TiedEmbeddings bool `json:"tie_word_embeddings"`
	// AttentionBias says whether q, k, v and o have biases (attention_bias).
	AttentionBias bool `json:"attention_bias"`
	// MLPBias says whether gate, up and down have biases (mlp_bias).
	MLPBias bool `json:"mlp_bias"`
}

// QDim is the width of the query projection: Heads x HeadDim.
func (t TextConfig) QDim() int { return t.Heads * t.HeadDim }

// biases returns 1 for each of the attention (q, k, v, o) and the MLP
// (gate, up, down) projections that have biases, 0 otherwise: a factor of
// their bias elements.
func (t TextConfig) biases() (attn, mlp int64) {
	if t.AttentionBias {
		attn = 1
	}
	if t.MLPBias {
		mlp = 1
	}
	return attn, mlp
}

// KVDim is the width of the key and of the value projection:
// KVHeads x HeadDim.
func (t TextConfig) KVDim() int { return t.KVHeads * t.HeadDim }

// Model is a SmolVLM/Idefics3 vision-language model: vision encoder,
// connector and text decoder with its LM head.
type Model struct {
	// Name identifies the model, e.g. "SmolVLM2-500M-Video-Instruct".
	Name string `json:"name"`
	// Vision is the vision encoder.
	Vision VisionConfig `json:"vision_config"`
	// Connector is the pixel shuffle and projection to the text width.
	Connector ConnectorConfig `json:"connector"`
	// Text is the text decoder.
	Text TextConfig `json:"text_config"`
}

// SmolVLAModelName is the name of SmolVLA's VLM backbone.
const SmolVLAModelName = "SmolVLM2-500M-Video-Instruct"

// SmolVLAModel returns SmolVLA's VLM, HuggingFaceTB/SmolVLM2-500M-Video-Instruct:
// a SigLIP-B/16 vision encoder at 512x512, a pixel shuffle of scale 4 with
// a 12288 -> 960 projection, and SmolLM2-360M (32 layers in the checkpoint,
// 15 query and 5 key/value heads of 64, untied LM head over 49,280 tokens).
func SmolVLAModel() Model {
	return Model{
		Name: SmolVLAModelName,
		Vision: VisionConfig{
			Hidden: 768, FFN: 3072, Layers: 12, Heads: 12,
			Channels: 3, ImageSize: 512, Patch: 16,
		},
		Connector: ConnectorConfig{ScaleFactor: 4},
		Text: TextConfig{
			Hidden: 960, FFN: 2560, Layers: 32, Heads: 15, KVHeads: 5, HeadDim: 64,
			Vocab: 49280,
		},
	}
}

// ConnectorIn is the width of a pixel-shuffled token: vision hidden x
// scale^2.
func (m Model) ConnectorIn() int {
	return m.Vision.Hidden * m.Connector.ScaleFactor * m.Connector.ScaleFactor
}

// ConnectorOut is the connector's output width, the text hidden size.
func (m Model) ConnectorOut() int { return m.Text.Hidden }

// checkRange returns an error naming field when v is outside lo..hi.
func checkRange(field string, v, lo, hi int) error {
	if v < lo || v > hi {
		return fmt.Errorf("%s must be in %d..%d, got %d", field, lo, hi, v)
	}
	return nil
}

// fieldRange is a config field's value and its accepted range lo..hi.
type fieldRange struct {
	field       string
	val, lo, hi int
}

// checkRanges checks every field of rs in order, naming it with the prefix
// pre ("", "text_config.", ...); the first out of its range is the error.
func checkRanges(pre string, rs []fieldRange) error {
	for _, r := range rs {
		if err := checkRange(pre+r.field, r.val, r.lo, r.hi); err != nil {
			return err
		}
	}
	return nil
}

// Validate checks the model's dimensions. Errors are one line naming the
// field by its Hugging Face name and the accepted range.
func (m Model) Validate() error {
	v, t := m.Vision, m.Text
	if err := checkRanges("", []fieldRange{
		{"vision_config.hidden_size", v.Hidden, 1, MaxHidden},
		{"vision_config.intermediate_size", v.FFN, 1, MaxFFN},
		{"vision_config.num_hidden_layers", v.Layers, 1, MaxLayers},
		{"vision_config.num_attention_heads", v.Heads, 1, MaxHidden},
		{"vision_config.num_channels", v.Channels, 1, MaxChannels},
		{"vision_config.image_size", v.ImageSize, 1, MaxImageSize},
		{"vision_config.patch_size", v.Patch, 1, MaxImageSize},
		{"scale_factor", m.Connector.ScaleFactor, 1, MaxScaleFactor},
		{"text_config.hidden_size", t.Hidden, 1, MaxHidden},
		{"text_config.intermediate_size", t.FFN, 1, MaxFFN},
		{"text_config.num_hidden_layers", t.Layers, 1, MaxLayers},
		{"text_config.num_attention_heads", t.Heads, 1, MaxHidden},
		{"text_config.num_key_value_heads", t.KVHeads, 1, MaxHidden},
		{"text_config.head_dim", t.HeadDim, 1, MaxHidden},
		{"text_config.vocab_size", t.Vocab, 1, MaxVocab},
	}); err != nil {
		return err
	}
	if v.Hidden%v.Heads != 0 {
		return fmt.Errorf("vision_config.num_attention_heads %d must divide vision_config.hidden_size %d", v.Heads, v.Hidden)
	}
	if v.ImageSize%v.Patch != 0 {
		return fmt.Errorf("vision_config.image_size %d must be a multiple of vision_config.patch_size %d", v.ImageSize, v.Patch)
	}
	if side := v.ImageSize / v.Patch; side*side > MaxTokensPerImage {
		return fmt.Errorf("vision_config.image_size / patch_size must give at most %d patches, got %d", MaxTokensPerImage, side*side)
	}
	if side := v.ImageSize / v.Patch; side%m.Connector.ScaleFactor != 0 {
		return fmt.Errorf("scale_factor %d must divide the %d-patch side of the vision grid (image_size / patch_size)", m.Connector.ScaleFactor, side)
	}
	if v.Channels*v.Patch*v.Patch > MaxFFN {
		return fmt.Errorf("vision_config.num_channels x patch_size^2 must be at most %d, got %d", MaxFFN, v.Channels*v.Patch*v.Patch)
	}
	if m.ConnectorIn() > MaxFFN {
		return fmt.Errorf("vision_config.hidden_size x scale_factor^2 must be at most %d, got %d", MaxFFN, m.ConnectorIn())
	}
	if t.Hidden%t.Heads != 0 {
		return fmt.Errorf("text_config.num_attention_heads %d must divide text_config.hidden_size %d", t.Heads, t.Hidden)
	}
	if t.Heads%t.KVHeads != 0 {
		return fmt.Errorf("text_config.num_key_value_heads %d must divide text_config.num_attention_heads %d", t.KVHeads, t.Heads)
	}
	if t.QDim() > MaxHidden {
		return fmt.Errorf("text_config.num_attention_heads x head_dim must be at most %d, got %d", MaxHidden, t.QDim())
	}
	return nil
}
