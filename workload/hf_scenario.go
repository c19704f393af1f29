package workload

import (
	"fmt"
	"regexp"
	"strings"
)

// Defaults of a Hugging Face transformer scenario.
const (
	// DefaultSeq is the default prompt (or sequence) length in tokens, at
	// most the model's positions.
	DefaultSeq = 128
	// MaxGenerate bounds the decode steps.
	MaxGenerate = 1 << 16
)

// TransformerScenario returns the prefill of model m: one sequence of
// DefaultSeq tokens (at most the model's positions; Seq is 0 without a text
// tower), images at the vision tower's image_size (ImageSize is 0 without
// one), no decode steps. Frames is the batch.
func TransformerScenario(name string, m Transformer) Scenario {
	s := Scenario{Name: name, HF: &m, Frames: 1}
	for _, t := range m.Towers {
		switch {
		case t.Stage == StageVision:
			s.ImageSize, s.Patch = t.ImageSize, t.Patch
		case t.MaxPositions > 0:
			s.Seq = min(DefaultSeq, t.MaxPositions)
		default:
			s.Seq = DefaultSeq
		}
	}
	return s
}

// validateHF checks a transformer scenario: the model, the batch, the
// sequence length against the text tower's positions, the image size
// against the vision tower's, decode steps only for a decoder, and none of
// the SmolVLA scenario's fields.
func (s Scenario) validateHF() error {
	m := s.HF
	if err := m.Validate(); err != nil {
		return err
	}
	if err := checkRange("frames (batch)", s.Frames, 1, MaxFrames); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		set  bool
	}{
		{"cameras", s.Cameras != 0}, {"lang_tokens", s.LangTokens != 0}, {"state_tokens", s.StateTokens != 0},
		{"text_layers", s.TextLayers != 0}, {"lm_head", s.IncludeLMHead}, {"batch_cameras", s.BatchCameras},
		{"seed", s.Seed != nil}, {"policy", s.Policy != nil},
	} {
		if f.set {
			return fmt.Errorf("%s: a %s model has no such setting (accepted: batch, seq, image_size, generate)", f.name, m.Family)
		}
	}
	text, hasText := m.Tower(StageText)
	if hasText {
		hi := MaxPrefixTokens
		if text.MaxPositions > 0 {
			hi = min(hi, text.MaxPositions)
		}
		if err := checkRange("seq", s.Seq, 1, hi); err != nil {
			return err
		}
	}
	if !hasText && s.Seq != 0 {
		return fmt.Errorf("seq: a %s model has no text tower (accepted: image_size, batch)", m.Family)
	}
	v, hasVision := m.Tower(StageVision)
	if !hasVision && s.ImageSize != 0 {
		return fmt.Errorf("image_size: a %s model has no vision tower (accepted: seq, batch, generate)", m.Family)
	}
	if hasVision {
		if err := checkRange("image_size", s.ImageSize, v.Patch, v.ImageSize); err != nil {
			return err
		}
	}
	if s.Generate != 0 {
		d, ok := m.Decoder()
		if !ok {
			return fmt.Errorf("generate: a %s model is not a decoder: it has no decode steps (accepted: 0)", m.Family)
		}
		hi := MaxGenerate
		if d.MaxPositions > 0 {
			hi = min(hi, d.MaxPositions-s.Seq)
		}
		if err := checkRange("generate", s.Generate, 0, hi); err != nil {
			return err
		}
	}
	return nil
}

// DecodeGraph returns decode step step (1..Generate) of a decoder
// scenario as a tensor graph: one token per sequence (Frames sequences)
// through every layer over a KV cache of DecodeContext(step) - 1 positions
// per sequence and layer ("text.l<i>.k_cache", role kv_cache), the final
// norm and the LM head.
func (s Scenario) DecodeGraph(step int) (*Graph, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if s.HF == nil {
		return nil, fmt.Errorf("scenario %s has no decode steps: only a Hugging Face decoder has", s.Name)
	}
	b := &builder{frames: int64(s.Frames), declared: map[string]bool{}}
	if err := s.hfDecodeStep(b, step); err != nil {
		return nil, err
	}
	g, err := NewGraph(b.ks, b.ts)
	if err != nil {
		return nil, fmt.Errorf("scenario %s: decode step %d: %w", s.Name, step, err)
	}
	return g, nil
}

// layerTensor matches the tensors of a layer: "text.l12.q.weight".
var layerTensor = regexp.MustCompile(`^([a-z]+)\.l[0-9]+\.`)

// hfParams counts a transformer's stored parameters as
// model.num_parameters() does (a tied table once): the weights and
// parameters the prefill graph reads (at the model's own image size), per
// part, plus the tables no kernel reads (token, learned text position and
// token-type embeddings, an untied head's token table, the class token,
// SigLIP's probe, logit scale and bias).
func (s Scenario) hfParams() []ParamCount {
	m := *s.HF
	native := TransformerScenario(s.Name, m)
	native.Frames = 1
	b := &builder{frames: 1, declared: map[string]bool{}}
	native.hfGraph(b)
	counts := map[string]int64{}
	var order []string
	add := func(part string, n int64) {
		if n == 0 {
			return
		}
		if _, ok := counts[part]; !ok {
			order = append(order, part)
		}
		counts[part] += n
	}
	for _, t := range m.Towers {
		st, h := string(t.Stage), int64(t.Hidden)
		if !t.TiedHead || t.Head != HeadLM {
			add(st+".embed_tokens", int64(t.Vocab)*h)
		}
		if t.LearnedPositions && t.Stage != StageVision {
			add(st+".embed_positions", int64(t.MaxPositions)*h)
		}
		add(st+".token_type_embeddings", int64(t.TokenTypes)*h)
		if t.ClassToken {
			add(st+".class_token", h)
		}
		if t.Head == HeadAttentionPool {
			add(st+".head", h)
		}
	}
	for _, t := range b.ts {
		if !t.Role.Stored() {
			continue
		}
		part := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(t.Name, ".weight"), ".bias"), ".params")
		if mm := layerTensor.FindStringSubmatch(t.Name); mm != nil {
			part = mm[1] + ".layers"
		}
		if i := strings.Index(part, ".head."); i >= 0 {
			part = part[:i+len(".head")]
		}
		add(part, t.Elems())
	}
	add("head.logit_scale_bias", m.ExtraParams)
	var rows []ParamCount
	var total int64
	for _, st := range Stages() {
		var sum int64
		for _, part := range order {
			if stageOf(part) == st {
				rows = append(rows, ParamCount{Name: part, Stage: st, Level: ParamPart, Count: counts[part]})
				sum += counts[part]
			}
		}
		if sum > 0 {
			rows = append(rows, ParamCount{Name: string(st), Stage: st, Level: ParamStage, Count: sum})
			total += sum
		}
	}
	return append(rows, ParamCount{Name: "total", Level: ParamTotal, Count: total})
}

// stageOf is the stage a parameter part's name starts with; the vision and
// text towers' heads count in their tower.
func stageOf(part string) Stage {
	st, _, _ := strings.Cut(part, ".")
	return Stage(st)
}
