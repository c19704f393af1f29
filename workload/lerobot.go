package workload

import (
	"encoding/json"
	"fmt"
	"math"
)

// LeRobotType is the "type" of a lerobot SmolVLA policy config.json.
const LeRobotType = "smolvla"

// SmolVLAVLMID is the Hugging Face id of SmolVLA's VLM, the one built in
// (SmolVLAModel): a config.json naming another VLM must carry its config
// as "vlm_config".
const SmolVLAVLMID = "HuggingFaceTB/SmolVLM2-500M-Video-Instruct"

// lerobotConfig is the part of a lerobot SmolVLA config.json (SmolVLAConfig
// serialised by lerobot's PreTrainedConfig) that shapes the policy call.
// Pointers tell an absent field from a zero one.
type lerobotConfig struct {
	Type                  *string                   `json:"type"`
	ChunkSize             *int                      `json:"chunk_size"`
	NActionSteps          *int                      `json:"n_action_steps"`
	NumSteps              *int                      `json:"num_steps"`
	NumVLMLayers          *int                      `json:"num_vlm_layers"`
	NumExpertLayers       *int                      `json:"num_expert_layers"`
	SelfAttnEveryNLayers  *int                      `json:"self_attn_every_n_layers"`
	ExpertWidthMultiplier *float64                  `json:"expert_width_multiplier"`
	AttentionMode         *string                   `json:"attention_mode"`
	MaxStateDim           *int                      `json:"max_state_dim"`
	MaxActionDim          *int                      `json:"max_action_dim"`
	TokenizerMaxLength    *int                      `json:"tokenizer_max_length"`
	ResizeImgsWithPadding *[]int                    `json:"resize_imgs_with_padding"`
	EmptyCameras          *int                      `json:"empty_cameras"`
	InputFeatures         map[string]lerobotFeature `json:"input_features"`
	AddImageSpecialTokens *bool                     `json:"add_image_special_tokens"`
	PrefixLength          *int                      `json:"prefix_length"`
	UseCache              *bool                     `json:"use_cache"`
	VLMModelName          *string                   `json:"vlm_model_name"`
	VLMConfig             json.RawMessage           `json:"vlm_config"`
}

type lerobotFeature struct {
	Type string `json:"type"`
}

// IsLeRobotConfig reports whether b is a JSON object whose "type" is
// "smolvla" (a lerobot policy config, not a Hugging Face model config).
func IsLeRobotConfig(b []byte) bool {
	var probe struct {
		Type string `json:"type"`
	}
	return json.Unmarshal(b, &probe) == nil && probe.Type == LeRobotType
}

// ParseLeRobotConfig reads a lerobot SmolVLA policy config.json (as
// lerobot/smolvla_base's) into a policy scenario. The fields that shape the
// graph are required: chunk_size, n_action_steps, num_steps,
// num_vlm_layers, self_attn_every_n_layers, expert_width_multiplier,
// attention_mode, max_state_dim, max_action_dim. Optional ones take
// SmolVLAConfig's defaults: tokenizer_max_length 48 (the language tokens),
// resize_imgs_with_padding [512, 512] (square, the image size), the
// cameras (the VISUAL input_features plus empty_cameras; 3 without
// input_features), num_expert_layers -1 (as many as num_vlm_layers, the
// only count accepted), add_image_special_tokens false, prefix_length -1
// (no padding), use_cache true (the only value accepted). The VLM is the
// built-in SmolVLM2-500M when vlm_model_name is absent or names it, else
// the "vlm_config" object (a Hugging Face SmolVLM config, see
// ParseHFConfig) is required. Unknown fields are ignored; errors are one
// line naming the field.
func ParseLeRobotConfig(b []byte) (Scenario, error) {
	s, err := parseLeRobotConfig(b)
	if err != nil {
		return Scenario{}, fmt.Errorf("lerobot config: %w", err)
	}
	return s, nil
}

func parseLeRobotConfig(b []byte) (Scenario, error) {
	var c lerobotConfig
	if err := decodeJSON(b, &c); err != nil {
		return Scenario{}, err
	}
	if c.Type == nil || *c.Type != LeRobotType {
		return Scenario{}, fmt.Errorf("type must be %q", LeRobotType)
	}
	ints := []struct {
		field string
		p     *int
	}{
		{"chunk_size", c.ChunkSize}, {"n_action_steps", c.NActionSteps}, {"num_steps", c.NumSteps},
		{"num_vlm_layers", c.NumVLMLayers}, {"self_attn_every_n_layers", c.SelfAttnEveryNLayers},
		{"max_state_dim", c.MaxStateDim}, {"max_action_dim", c.MaxActionDim},
	}
	for _, f := range ints {
		if f.p == nil {
			return Scenario{}, fmt.Errorf("%s is missing: it must be an integer", f.field)
		}
	}
	if c.ExpertWidthMultiplier == nil {
		return Scenario{}, fmt.Errorf("expert_width_multiplier is missing: it must be a number")
	}
	if c.AttentionMode == nil {
		return Scenario{}, fmt.Errorf("attention_mode is missing (accepted: %s|%s)", AttentionCross, AttentionSelf)
	}
	if n := or(c.NumExpertLayers, -1); n > 0 && n != *c.NumVLMLayers {
		return Scenario{}, fmt.Errorf("num_expert_layers %d is not supported (accepted: <= 0 or num_vlm_layers %d)", n, *c.NumVLMLayers)
	}
	if or(c.AddImageSpecialTokens, false) {
		return Scenario{}, fmt.Errorf("add_image_special_tokens true is not supported (accepted: false)")
	}
	if !or(c.UseCache, true) {
		return Scenario{}, fmt.Errorf("use_cache false is not supported (accepted: true: the steps read the prefix's key/value cache)")
	}
	m := SmolVLAModel()
	switch {
	case len(c.VLMConfig) > 0 && string(c.VLMConfig) != "null":
		vm, err := parseHFConfig(c.VLMConfig)
		if err != nil {
			return Scenario{}, fmt.Errorf("vlm_config: %w", err)
		}
		m = vm
		m.Name = or(c.VLMModelName, vm.Name)
	case c.VLMModelName != nil && *c.VLMModelName != SmolVLAVLMID:
		return Scenario{}, fmt.Errorf("vlm_model_name %q is not built in (accepted: %s, or give the VLM's config as \"vlm_config\")", *c.VLMModelName, SmolVLAVLMID)
	}
	if math.IsNaN(*c.ExpertWidthMultiplier) {
		return Scenario{}, fmt.Errorf("expert_width_multiplier must be a number")
	}
	p := Policy{
		ChunkSize: *c.ChunkSize, NActionSteps: *c.NActionSteps, NumSteps: *c.NumSteps,
		ExpertWidthMultiplier: *c.ExpertWidthMultiplier, SelfAttnEveryNLayers: *c.SelfAttnEveryNLayers,
		AttentionMode: AttentionMode(*c.AttentionMode), MaxStateDim: *c.MaxStateDim, MaxActionDim: *c.MaxActionDim,
	}
	s := SmolVLAPolicyScenario(m, p)
	if err := checkRange("num_vlm_layers", *c.NumVLMLayers, 1, m.Text.Layers); err != nil {
		return Scenario{}, err
	}
	s.TextLayers = *c.NumVLMLayers
	s.LangTokens = or(c.TokenizerMaxLength, SmolVLALangTokens)
	if err := checkRange("tokenizer_max_length", s.LangTokens, 0, MaxPrefixTokens); err != nil {
		return Scenario{}, err
	}
	if c.ResizeImgsWithPadding != nil {
		r := *c.ResizeImgsWithPadding
		if len(r) != 2 || r[0] != r[1] {
			return Scenario{}, fmt.Errorf("resize_imgs_with_padding must be a square [size, size], got %v", r)
		}
		s.ImageSize = r[0]
	}
	if c.InputFeatures != nil {
		s.Cameras = 0
		for _, f := range c.InputFeatures {
			if f.Type == "VISUAL" {
				s.Cameras++
			}
		}
	}
	empty := or(c.EmptyCameras, 0)
	if err := checkRange("empty_cameras", empty, 0, MaxCameras); err != nil {
		return Scenario{}, err
	}
	s.Cameras += empty
	if s.Cameras == 0 {
		return Scenario{}, fmt.Errorf("input_features has no VISUAL feature and empty_cameras is 0: the policy needs at least one camera")
	}
	if pl := or(c.PrefixLength, -1); pl > s.TextTokens() {
		return Scenario{}, fmt.Errorf("prefix_length %d pads the %d-token prefix, which is not supported (accepted: at most the prefix length)", pl, s.TextTokens())
	}
	if err := s.Validate(); err != nil {
		return Scenario{}, err
	}
	return s, nil
}
