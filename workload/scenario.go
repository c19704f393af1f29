package workload

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Scenario bounds, besides the model's.
const (
	// MaxCameras bounds the number of camera images per frame.
	MaxCameras = 16
	// MaxFrames bounds the batch of frames run together.
	MaxFrames = 64
	// MaxPrefixTokens bounds the language tokens and the state tokens each.
	MaxPrefixTokens = 16384
)

// SmolVLA's defaults (lerobot's SmolVLAConfig): three cameras, 48 language
// tokens, one state token, the first 16 of the text model's layers.
const (
	// SmolVLACameras is the number of camera images SmolVLA encodes.
	SmolVLACameras = 3
	// SmolVLALangTokens is SmolVLA's tokenizer_max_length for the task text.
	SmolVLALangTokens = 48
	// SmolVLAStateTokens is the one token SmolVLA's state projection adds.
	SmolVLAStateTokens = 1
	// SmolVLATextLayers is SmolVLA's num_vlm_layers: the text layers it keeps.
	SmolVLATextLayers = 16
)

// Preset scenario names.
const (
	// ScenarioSmolVLA is the real SmolVLA VLM forward pass (the default).
	ScenarioSmolVLA = "smolvla"
	// ScenarioSeed is the seed notebook's analytical baseline, kept exact.
	ScenarioSeed = "seed"
)

// SeedShapes are the seed notebook's token counts, with its three known
// errors kept so that its numbers come out exactly. A Scenario with Seed set
// yields the notebook's six kernels and its parameter formulas.
type SeedShapes struct {
	// TextTokens is the notebook's S, a placeholder for the text prefix (50).
	TextTokens int `json:"text_tokens"`
	// VisionTokens is the notebook's S_V (256, where the model has 1024).
	VisionTokens int `json:"vision_tokens"`
	// ConnectorRows is the connector's M (1, where the model runs 64 per
	// camera).
	ConnectorRows int `json:"connector_rows"`
}

// Scenario is what one forward pass runs: a model, the inputs it sees and
// which parts run.
//
// Frames is a batch of frames run together: every GEMM and elementwise
// kernel gets Frames times the rows (M), and every attention kernel Frames
// times the batch (one set of heads per frame), so weights are read once
// per batch. Kernel names do not change with Frames.
//
// BatchCameras runs the cameras through the vision encoder and the
// connector together: each of their kernels appears once, over the rows of
// all cameras (Frames x Cameras x tokens), so its weights are read once for
// all cameras instead of once per camera; attention stays per image (its
// batch is Frames x Cameras x heads, one set of heads per image, as
// attention does not mix images). The batched kernels have no camera in
// their names ("vision.l3.fc1", "connector.proj") and Camera -1. The text
// kernels do not change. Off (the default), the kernel list is the
// per-camera one.
type Scenario struct {
	// Name is the scenario's name ("smolvla", "seed").
	Name string `json:"name"`
	// Model is the vision-language model.
	Model Model `json:"model"`
	// Cameras is the number of camera images per frame, each encoded
	// separately by the vision encoder and the connector.
	Cameras int `json:"cameras"`
	// ImageSize is the side in pixels of each (resized and padded) square
	// camera image; at most the model's image_size.
	ImageSize int `json:"image_size"`
	// Patch is the side in pixels of a patch; it must equal the model's
	// patch_size (the patch-embedding convolution's kernel).
	Patch int `json:"patch"`
	// LangTokens is the number of language tokens of the task text.
	LangTokens int `json:"lang_tokens"`
	// StateTokens is the number of robot-state tokens.
	StateTokens int `json:"state_tokens"`
	// TextLayers is the number of text layers run (the first ones).
	TextLayers int `json:"text_layers"`
	// IncludeLMHead runs the LM head over the prefix (SmolVLA does not).
	IncludeLMHead bool `json:"include_lm_head"`
	// Frames is the batch of frames run together (see the type's comment).
	Frames int `json:"frames"`
	// BatchCameras runs all cameras through the vision encoder and the
	// connector as one batch (see the type's comment).
	BatchCameras bool `json:"batch_cameras,omitempty"`
	// Seed, when set, makes this the seed notebook's scenario; Cameras,
	// LangTokens, StateTokens and IncludeLMHead are then not used.
	Seed *SeedShapes `json:"seed,omitempty"`
	// Policy, when set, makes this a whole policy call: the prefix with
	// its state token from state_proj, then the action expert's
	// flow-matching steps (see Policy). StateTokens must then be 1.
	Policy *Policy `json:"policy,omitempty"`
	// HF, when set, makes this a scenario of a Hugging Face transformer
	// (see ParseTransformerConfig and TransformerScenario): Frames is its
	// batch, ImageSize its vision tower's image side, Seq its prompt (or
	// sequence) length and Generate its decode steps; the SmolVLA fields
	// (cameras, tokens, text layers, LM head, seed, policy) are unset.
	HF *Transformer `json:"hf,omitempty"`
	// Seq is a transformer scenario's tokens per sequence in the prefill.
	Seq int `json:"seq,omitempty"`
	// Generate is a decoder scenario's decode steps after the prefill, each
	// one token per sequence (see DecodeGraph).
	Generate int `json:"generate,omitempty"`
	// DecodeAttention is how the engine runs a decode step's attention
	// (the design's, set by package decode from hw.Design); the zero value
	// runs the model's own arithmetic.
	DecodeAttention DecodeAttention `json:"-"`
}

// DecodeAttention is how an engine runs the attention of a decode step
// where it does more than the model's arithmetic: an attention kernel that
// takes a block-aligned context, and V transposed on the array before the
// AV product.
type DecodeAttention struct {
	// BlockTokens, when > 0, rounds the positions the step attends to up
	// to a whole number of blocks of BlockTokens: the positions past the
	// context are read from the cache and computed, then masked (their
	// reads are "text.l<i>.k_pad" and "v_pad", role kv_cache).
	BlockTokens int
	// TransposeWidth, when > 0, forms V^T on the array before the AV
	// product, as one-hot matvecs: each TransposeWidth-column block of V
	// (context x head_dim per KV head) times a TransposeWidth-square
	// identity, a GEMM "text.l<i>.v_t" of context x KV width /
	// TransposeWidth rows that reads V and writes V^T.
	TransposeWidth int
}

// SmolVLAScenario returns SmolVLA's forward pass over model m: 3 cameras at
// m's image size, 48 language tokens, 1 state token, the first 16 text
// layers (or all of them if m has fewer, as SmolVLA's layer truncation
// does), no LM head, one frame.
func SmolVLAScenario(m Model) Scenario {
	return Scenario{
		Name:        ScenarioSmolVLA,
		Model:       m,
		Cameras:     SmolVLACameras,
		ImageSize:   m.Vision.ImageSize,
		Patch:       m.Vision.Patch,
		LangTokens:  SmolVLALangTokens,
		StateTokens: SmolVLAStateTokens,
		TextLayers:  min(SmolVLATextLayers, m.Text.Layers),
		Frames:      1,
	}
}

// SeedScenario returns the seed notebook's scenario: SmolVLA's model with
// B=1, S=50, S_V=256 and a connector run with M=1.
func SeedScenario() Scenario {
	s := SmolVLAScenario(SmolVLAModel())
	s.Name = ScenarioSeed
	s.Cameras = 1
	s.Seed = &SeedShapes{TextTokens: 50, VisionTokens: 256, ConnectorRows: 1}
	return s
}

// ScenarioNames returns the preset scenario names, the default first.
func ScenarioNames() []string {
	return []string{ScenarioSmolVLA, ScenarioSeed, ScenarioSmolVLAPolicy}
}

// ScenarioByName returns a preset scenario.
func ScenarioByName(name string) (Scenario, error) {
	switch name {
	case ScenarioSmolVLA:
		return SmolVLAScenario(SmolVLAModel()), nil
	case ScenarioSeed:
		return SeedScenario(), nil
	case ScenarioSmolVLAPolicy:
		return SmolVLAPolicyScenario(SmolVLAModel(), SmolVLAPolicy()), nil
	}
	return Scenario{}, fmt.Errorf("scenario %q is not known (accepted: %s)", name, strings.Join(ScenarioNames(), "|"))
}

// maxHFConfigBytes bounds the size of a Hugging Face config.json (real ones
// are a few kB).
const maxHFConfigBytes = 4 << 20

// LoadScenario returns a preset scenario by name, or, when arg ends in
// ".json" or contains a path separator, the scenario of that Hugging Face
// config.json: for a model_type of TransformerFamilies the prefill of
// TransformerScenario (see ParseTransformerConfig); for idefics3 and
// smolvlm the smolvla scenario over its model (see ParseHFConfig; the model
// is then named after the file); or, when the file is a lerobot SmolVLA policy
// config.json ("type": "smolvla"), its policy scenario (see
// ParseLeRobotConfig) named after the file.
func LoadScenario(arg string) (Scenario, error) {
	if !strings.HasSuffix(arg, ".json") && !strings.ContainsRune(arg, '/') && !strings.ContainsRune(arg, filepath.Separator) {
		return ScenarioByName(arg)
	}
	st, err := os.Stat(arg)
	if err != nil {
		return Scenario{}, fmt.Errorf("scenario file: %w", err)
	}
	if st.Size() > maxHFConfigBytes {
		return Scenario{}, fmt.Errorf("scenario file %s: %d bytes is larger than the %d accepted", arg, st.Size(), maxHFConfigBytes)
	}
	b, err := os.ReadFile(arg)
	if err != nil {
		return Scenario{}, fmt.Errorf("scenario file: %w", err)
	}
	if mt := modelType(b); mt != "idefics3" && mt != "smolvlm" && !IsLeRobotConfig(b) {
		m, err := ParseTransformerConfig(b)
		if err != nil {
			return Scenario{}, fmt.Errorf("scenario file %s: %w", arg, err)
		}
		return TransformerScenario(arg, m), nil
	}
	if IsLeRobotConfig(b) {
		s, err := ParseLeRobotConfig(b)
		if err != nil {
			return Scenario{}, fmt.Errorf("scenario file %s: %w", arg, err)
		}
		s.Name = arg
		return s, nil
	}
	m, err := ParseHFConfig(b)
	if err != nil {
		return Scenario{}, fmt.Errorf("scenario file %s: %w", arg, err)
	}
	m.Name = arg
	s := SmolVLAScenario(m)
	if err := s.Validate(); err != nil {
		return Scenario{}, fmt.Errorf("scenario file %s: %w", arg, err)
	}
	return s, nil
}

// VisionTokens is the number of vision tokens (patches) of one image:
// (ImageSize / Patch)^2, or the seed's S_V.
func (s Scenario) VisionTokens() int {
	if s.Seed != nil {
		return s.Seed.VisionTokens
	}
	side := s.ImageSize / s.Patch
	return side * side
}

// ImageTokens is the number of text tokens one image becomes after the
// connector: VisionTokens / scale_factor^2.
func (s Scenario) ImageTokens() int {
	f := s.Model.Connector.ScaleFactor
	return s.VisionTokens() / (f * f)
}

// TextTokens is the text prefix length P of one frame: ImageTokens x
// Cameras + LangTokens + StateTokens (241 for SmolVLA), or the seed's S.
func (s Scenario) TextTokens() int {
	if s.Seed != nil {
		return s.Seed.TextTokens
	}
	return s.ImageTokens()*s.Cameras + s.LangTokens + s.StateTokens
}

// Validate checks the scenario and its model. Errors are one line naming
// the field and the accepted range.
func (s Scenario) Validate() error {
	if err := s.validate(); err != nil {
		return fmt.Errorf("scenario %s: %w", s.Name, err)
	}
	return nil
}

func (s Scenario) validate() error {
	if s.HF != nil {
		return s.validateHF()
	}
	if err := s.Model.Validate(); err != nil {
		return err
	}
	if err := checkRange("frames", s.Frames, 1, MaxFrames); err != nil {
		return err
	}
	if err := checkRange("text_layers", s.TextLayers, 1, s.Model.Text.Layers); err != nil {
		return err
	}
	if s.Seed != nil && s.Policy != nil {
		return fmt.Errorf("policy: the seed scenario has no policy (use the %s scenario)", ScenarioSmolVLAPolicy)
	}
	if s.Policy != nil {
		if err := s.Policy.validate(s.Model.Text); err != nil {
			return err
		}
		if s.StateTokens != 1 {
			return fmt.Errorf("state_tokens must be 1 in a policy scenario (state_proj makes one token), got %d", s.StateTokens)
		}
	}
	if s.Seed != nil {
		if s.BatchCameras {
			return fmt.Errorf("batch_cameras: the seed scenario has no per-camera kernels (use the smolvla scenario)")
		}
		return s.Seed.validate()
	}
	if s.Patch != s.Model.Vision.Patch {
		return fmt.Errorf("patch must equal the vision model's patch_size %d, got %d", s.Model.Vision.Patch, s.Patch)
	}
	if err := checkRange("image_size", s.ImageSize, s.Patch, s.Model.Vision.ImageSize); err != nil {
		return err
	}
	if s.ImageSize%s.Patch != 0 {
		return fmt.Errorf("image_size %d must be a multiple of patch %d", s.ImageSize, s.Patch)
	}
	if side := s.ImageSize / s.Patch; side%s.Model.Connector.ScaleFactor != 0 {
		return fmt.Errorf("image_size %d gives a %d-patch side that scale_factor %d does not divide", s.ImageSize, side, s.Model.Connector.ScaleFactor)
	}
	checks := []struct {
		field       string
		val, lo, hi int
	}{
		{"cameras", s.Cameras, 1, MaxCameras},
		{"lang_tokens", s.LangTokens, 0, MaxPrefixTokens},
		{"state_tokens", s.StateTokens, 0, MaxPrefixTokens},
	}
	for _, c := range checks {
		if err := checkRange(c.field, c.val, c.lo, c.hi); err != nil {
			return err
		}
	}
	return nil
}

func (sh SeedShapes) validate() error {
	checks := []struct {
		field       string
		val, lo, hi int
	}{
		{"seed.text_tokens", sh.TextTokens, 1, MaxTokensPerImage},
		{"seed.vision_tokens", sh.VisionTokens, 1, MaxTokensPerImage},
		{"seed.connector_rows", sh.ConnectorRows, 1, MaxTokensPerImage},
	}
	for _, c := range checks {
		if err := checkRange(c.field, c.val, c.lo, c.hi); err != nil {
			return err
		}
	}
	return nil
}
