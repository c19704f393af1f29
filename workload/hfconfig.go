package workload

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
)

// Hugging Face transformers defaults for absent fields (Idefics3Config and
// SmolVLMConfig, their VisionConfig classes, and LlamaConfig for
// text_config): src/transformers/models/idefics3/configuration_idefics3.py,
// models/smolvlm/configuration_smolvlm.py, models/llama/configuration_llama.py.
const (
	hfDefaultScaleFactor = 2

	hfDefaultVisionHidden    = 1152
	hfDefaultVisionFFN       = 3072
	hfDefaultVisionLayers    = 12
	hfDefaultVisionHeads     = 16
	hfDefaultVisionChannels  = 3
	hfDefaultVisionImageSize = 224
	hfDefaultVisionPatch     = 32

	hfDefaultTextHidden = 4096
	hfDefaultTextFFN    = 11008
	hfDefaultTextLayers = 32
	hfDefaultTextHeads  = 32
	hfDefaultTextVocab  = 32000
)

// hfModelTypes lists the accepted top-level model_type values.
const hfModelTypes = "idefics3|smolvlm"

// hfConfig is the part of a SmolVLM/Idefics3 config.json that sizes the
// model. Pointers tell an absent (or null) field from a zero one.
type hfConfig struct {
	ModelType         *string   `json:"model_type"`
	ScaleFactor       *int      `json:"scale_factor"`
	TieWordEmbeddings *bool     `json:"tie_word_embeddings"`
	VisionConfig      *hfVision `json:"vision_config"`
	TextConfig        *hfText   `json:"text_config"`
}

type hfVision struct {
	HiddenSize        *int `json:"hidden_size"`
	IntermediateSize  *int `json:"intermediate_size"`
	NumHiddenLayers   *int `json:"num_hidden_layers"`
	NumAttentionHeads *int `json:"num_attention_heads"`
	NumChannels       *int `json:"num_channels"`
	ImageSize         *int `json:"image_size"`
	PatchSize         *int `json:"patch_size"`
}

type hfText struct {
	ModelType         *string `json:"model_type"`
	HiddenSize        *int    `json:"hidden_size"`
	IntermediateSize  *int    `json:"intermediate_size"`
	NumHiddenLayers   *int    `json:"num_hidden_layers"`
	NumAttentionHeads *int    `json:"num_attention_heads"`
	NumKeyValueHeads  *int    `json:"num_key_value_heads"`
	HeadDim           *int    `json:"head_dim"`
	VocabSize         *int    `json:"vocab_size"`
	AttentionBias     *bool   `json:"attention_bias"`
	MLPBias           *bool   `json:"mlp_bias"`
}

// or returns *p, or def when p is nil.
func or[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

// ParseHFConfig reads the model of a Hugging Face SmolVLM or Idefics3
// config.json (model_type "smolvlm" or "idefics3"). vision_config and
// text_config are required; their absent fields, and an absent
// scale_factor, take the transformers library's defaults (Idefics3/SmolVLM
// vision config: hidden_size 1152, intermediate_size 3072,
// num_hidden_layers 12, num_attention_heads 16, num_channels 3, image_size
// 224, patch_size 32; scale_factor 2; text_config is a LlamaConfig:
// hidden_size 4096, intermediate_size 11008, num_hidden_layers 32,
// num_attention_heads 32, num_key_value_heads = num_attention_heads,
// head_dim = hidden_size / num_attention_heads, vocab_size 32000, no
// biases). The LM head is tied when the top-level tie_word_embeddings is
// true (default false, as Idefics3Config's). Unknown fields are ignored.
// Errors are one line naming the field. The model is named after its
// model_type.
func ParseHFConfig(b []byte) (Model, error) {
	m, err := parseHFConfig(b)
	if err != nil {
		return Model{}, fmt.Errorf("hf config: %w", err)
	}
	return m, nil
}

func parseHFConfig(b []byte) (Model, error) {
	var c hfConfig
	if err := decodeJSON(b, &c); err != nil {
		return Model{}, err
	}
	if c.ModelType == nil {
		return Model{}, fmt.Errorf("model_type is missing (accepted: %s)", hfModelTypes)
	}
	switch *c.ModelType {
	case "idefics3", "smolvlm":
	default:
		return Model{}, fmt.Errorf("model_type %q is not supported (accepted: %s)", *c.ModelType, hfModelTypes)
	}
	if c.VisionConfig == nil {
		return Model{}, fmt.Errorf("vision_config is missing: it must be an object with the vision encoder's sizes")
	}
	if c.TextConfig == nil {
		return Model{}, fmt.Errorf("text_config is missing: it must be an object with the text model's sizes")
	}
	if tt := or(c.TextConfig.ModelType, "llama"); tt != "llama" {
		return Model{}, fmt.Errorf("text_config.model_type %q is not supported (accepted: llama)", tt)
	}
	v, t := c.VisionConfig, c.TextConfig
	m := Model{
		Name: *c.ModelType,
		Vision: VisionConfig{
			Hidden:    or(v.HiddenSize, hfDefaultVisionHidden),
			FFN:       or(v.IntermediateSize, hfDefaultVisionFFN),
			Layers:    or(v.NumHiddenLayers, hfDefaultVisionLayers),
			Heads:     or(v.NumAttentionHeads, hfDefaultVisionHeads),
			Channels:  or(v.NumChannels, hfDefaultVisionChannels),
			ImageSize: or(v.ImageSize, hfDefaultVisionImageSize),
			Patch:     or(v.PatchSize, hfDefaultVisionPatch),
		},
		Connector: ConnectorConfig{ScaleFactor: or(c.ScaleFactor, hfDefaultScaleFactor)},
		Text: TextConfig{
			Hidden:         or(t.HiddenSize, hfDefaultTextHidden),
			FFN:            or(t.IntermediateSize, hfDefaultTextFFN),
			Layers:         or(t.NumHiddenLayers, hfDefaultTextLayers),
			Heads:          or(t.NumAttentionHeads, hfDefaultTextHeads),
			Vocab:          or(t.VocabSize, hfDefaultTextVocab),
			TiedEmbeddings: or(c.TieWordEmbeddings, false),
			AttentionBias:  or(t.AttentionBias, false),
			MLPBias:        or(t.MLPBias, false),
		},
	}
	// LlamaConfig derives these two from the others when absent.
	m.Text.KVHeads = or(t.NumKeyValueHeads, m.Text.Heads)
	if t.HeadDim != nil {
		m.Text.HeadDim = *t.HeadDim
	} else if m.Text.Heads > 0 {
		m.Text.HeadDim = m.Text.Hidden / m.Text.Heads
	}
	if err := m.Validate(); err != nil {
		return Model{}, err
	}
	return m, nil
}

// decodeJSON decodes one JSON object from b into v, ignoring unknown
// fields, refusing trailing data, and turning the decoder's errors into
// one-line messages that name the field or the byte offset.
func decodeJSON(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(v); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return fmt.Errorf("malformed JSON at byte %d: %v", se.Offset, se)
		case errors.As(err, &te):
			if te.Field == "" {
				return fmt.Errorf("the config must be a JSON object, got %s", te.Value)
			}
			return fmt.Errorf("%s must be a JSON %s, got %s", te.Field, jsonKind(te.Type), te.Value)
		case errors.Is(err, io.EOF):
			return fmt.Errorf("empty input: expected a JSON object")
		case errors.Is(err, io.ErrUnexpectedEOF):
			return fmt.Errorf("malformed JSON: unexpected end of input")
		}
		return fmt.Errorf("malformed JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("malformed JSON: data after the object at byte %d", dec.InputOffset())
	}
	return nil
}

// jsonKind names the JSON kind a Go type decodes from.
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "value"
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Bool:
		return "boolean"
	case reflect.String:
		return "string"
	case reflect.Struct, reflect.Map:
		return "object"
	case reflect.Slice, reflect.Array:
		return "array"
	}
	return t.String()
}
