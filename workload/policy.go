package workload

import (
	"fmt"
	"math"
	"strings"
)

// StageExpert is the stage of the action expert's kernels: every kernel of
// a flow-matching step (the action and time projections, the expert
// layers, its final norm, the action output projection and the Euler
// update). Only a policy scenario has kernels of it.
const StageExpert Stage = "expert"

// StageProjections is the stage of the policy's projections in the
// parameter counts (state_proj, action_in_proj, action_out_proj and the
// time MLP). No kernel has it: state_proj runs in the text prefix, the
// others in every step (StageExpert).
const StageProjections Stage = "projections"

// ScenarioSmolVLAPolicy is the whole SmolVLA policy call: the VLM prefix
// once, then the action expert num_steps times.
const ScenarioSmolVLAPolicy = "smolvla-policy"

// AttentionMode is how the action expert's layers attend to the prefix
// (lerobot's SmolVLAConfig.attention_mode).
type AttentionMode string

// Attention modes.
const (
	// AttentionCross interleaves self-attention layers (every
	// SelfAttnEveryNLayers-th, from layer 0: the expert's queries over
	// [prefix cache; chunk]) with cross-attention layers (over the prefix
	// cache only, re-projected by the expert's k_proj and v_proj).
	AttentionCross AttentionMode = "cross_attn"
	// AttentionSelf makes every expert layer a self-attention layer.
	AttentionSelf AttentionMode = "self_attn"
)

// Bounds of the policy configuration.
const (
	// MaxChunk bounds chunk_size, the actions of one policy call.
	MaxChunk = 4096
	// MaxFlowSteps bounds num_steps, the flow-matching steps of one call.
	MaxFlowSteps = 1000
	// MaxRobotDim bounds max_state_dim and max_action_dim.
	MaxRobotDim = 4096
)

// SmolVLA's policy defaults (lerobot's SmolVLAConfig, as released in
// lerobot/smolvla_base's config.json).
const (
	// SmolVLAChunk is chunk_size: the actions one call predicts.
	SmolVLAChunk = 50
	// SmolVLAFlowSteps is num_steps: the Euler steps of flow matching.
	SmolVLAFlowSteps = 10
	// SmolVLAExpertWidth is expert_width_multiplier: the expert's width
	// over the text model's.
	SmolVLAExpertWidth = 0.75
	// SmolVLASelfAttnEvery is self_attn_every_n_layers.
	SmolVLASelfAttnEvery = 2
	// SmolVLARobotDim is max_state_dim and max_action_dim.
	SmolVLARobotDim = 32
)

// Policy is the action side of a SmolVLA policy (lerobot's SmolVLAConfig):
// an action expert, a smaller copy of the text model, runs NumSteps
// flow-matching steps over a chunk of ChunkSize actions, attending to the
// key/value cache the prefix's text layers leave. JSON names are
// lerobot's.
type Policy struct {
	// ChunkSize is the actions one call predicts (chunk_size): the expert's
	// tokens.
	ChunkSize int `json:"chunk_size"`
	// NActionSteps is the actions of a chunk the robot executes before the
	// next call (n_action_steps), at most ChunkSize.
	NActionSteps int `json:"n_action_steps"`
	// NumSteps is the number of Euler steps (num_steps): expert passes per
	// call.
	NumSteps int `json:"num_steps"`
	// ExpertWidthMultiplier is the expert's hidden size over the text
	// model's (expert_width_multiplier).
	ExpertWidthMultiplier float64 `json:"expert_width_multiplier"`
	// SelfAttnEveryNLayers makes expert layer i a self-attention layer when
	// i % SelfAttnEveryNLayers == 0 (self_attn_every_n_layers; <= 0: none
	// in cross_attn mode).
	SelfAttnEveryNLayers int `json:"self_attn_every_n_layers"`
	// AttentionMode is cross_attn or self_attn (attention_mode).
	AttentionMode AttentionMode `json:"attention_mode"`
	// MaxStateDim is the padded robot-state width (max_state_dim), the
	// input of state_proj.
	MaxStateDim int `json:"max_state_dim"`
	// MaxActionDim is the padded action width (max_action_dim).
	MaxActionDim int `json:"max_action_dim"`
}

// SmolVLAPolicy returns the policy of lerobot/smolvla_base.
func SmolVLAPolicy() Policy {
	return Policy{
		ChunkSize: SmolVLAChunk, NActionSteps: SmolVLAChunk, NumSteps: SmolVLAFlowSteps,
		ExpertWidthMultiplier: SmolVLAExpertWidth, SelfAttnEveryNLayers: SmolVLASelfAttnEvery,
		AttentionMode: AttentionCross, MaxStateDim: SmolVLARobotDim, MaxActionDim: SmolVLARobotDim,
	}
}

// SmolVLAPolicyScenario returns the whole policy call of lerobot's
// smolvla_base over model m: SmolVLAScenario's prefix and policy p.
func SmolVLAPolicyScenario(m Model, p Policy) Scenario {
	s := SmolVLAScenario(m)
	s.Name = ScenarioSmolVLAPolicy
	s.Policy = &p
	return s
}

// ExpertHidden is the expert's width: int(text hidden x
// ExpertWidthMultiplier), as SmolVLMWithExpertModel computes it.
func (p Policy) ExpertHidden(t TextConfig) int {
	return int(float64(t.Hidden) * p.ExpertWidthMultiplier)
}

// ExpertFFN is the expert's SwiGLU width: lerobot's get_intermediate_size
// of the expert's width, 4 x int(2 h / 3) rounded up to a multiple of 256
// (2048 for h = 720).
func (p Policy) ExpertFFN(t TextConfig) int {
	h := 4 * (2 * p.ExpertHidden(t) / 3)
	return 256 * ((h + 255) / 256)
}

// SelfAttention reports whether expert layer i attends over [prefix
// cache; chunk] (true) or over the prefix cache only (false).
func (p Policy) SelfAttention(i int) bool {
	return p.AttentionMode != AttentionCross || (p.SelfAttnEveryNLayers > 0 && i%p.SelfAttnEveryNLayers == 0)
}

// validate checks the policy over text model t.
func (p Policy) validate(t TextConfig) error {
	checks := []struct {
		field       string
		val, lo, hi int
	}{
		{"chunk_size", p.ChunkSize, 1, MaxChunk},
		{"n_action_steps", p.NActionSteps, 1, p.ChunkSize},
		{"num_steps", p.NumSteps, 1, MaxFlowSteps},
		{"max_state_dim", p.MaxStateDim, 1, MaxRobotDim},
		{"max_action_dim", p.MaxActionDim, 1, MaxRobotDim},
		{"self_attn_every_n_layers", p.SelfAttnEveryNLayers, -1, MaxLayers},
	}
	for _, c := range checks {
		if err := checkRange(c.field, c.val, c.lo, c.hi); err != nil {
			return err
		}
	}
	switch p.AttentionMode {
	case AttentionCross, AttentionSelf:
	default:
		return fmt.Errorf("attention_mode %q is not supported (accepted: %s|%s)", p.AttentionMode, AttentionCross, AttentionSelf)
	}
	if m := p.ExpertWidthMultiplier; math.IsNaN(m) || m <= 0 || m > 4 {
		return fmt.Errorf("expert_width_multiplier must be in (0, 4], got %g", m)
	}
	h := p.ExpertHidden(t)
	if h < t.Heads || h%t.Heads != 0 {
		return fmt.Errorf("expert_width_multiplier %g gives an expert width of %d, which the %d heads of text_config.num_attention_heads must divide", p.ExpertWidthMultiplier, h, t.Heads)
	}
	return nil
}

// policyKernels appends the policy's NumSteps flow-matching steps: each
// reads the noisy chunk (the model input "policy.noise" for the first, the
// previous step's Euler update after), embeds it (action_in_proj),
// concatenates the step's sinusoidal time embedding (an input, one row per
// frame), runs the time MLP (action_time_mlp_in, SiLU,
// action_time_mlp_out), the expert layers, the final norm and
// action_out_proj, and updates the chunk (x + dt v). Expert layer i pairs
// with text layer i: a self-attention layer attends over [text layer i's
// keys and values; the chunk's own], a cross-attention layer over text
// layer i's keys and values projected by its k_proj and v_proj. The text
// layers' keys and values are the prefix's "text.l<i>.k.out" and
// "text.l<i>.v.out": the steps read them as the cache.
func (s Scenario) policyKernels(b *builder) {
	p, t := *s.Policy, s.Model.Text
	c, pre := int64(p.ChunkSize), int64(s.TextTokens())
	h, ffn := int64(p.ExpertHidden(t)), int64(p.ExpertFFN(t))
	heads, kv, hd := int64(t.Heads), int64(t.KVHeads), int64(t.HeadDim)
	qd, kvd := int64(t.QDim()), int64(t.KVDim())
	act := int64(p.MaxActionDim)
	attnBias, mlpBias := t.biases()
	const st = StageExpert
	norm := func(name string) []string { return []string{b.tensor(name+".params", RoleParameter, 1, h)} }
	x := b.tensor("policy.noise", RoleInput, b.frames*c, act)
	for step := range p.NumSteps {
		n := func(op string) string { return fmt.Sprintf("expert.s%d.%s", step, op) }
		a := b.gemm(n("action_in"), st, -1, -1, x, "policy.action_in_proj", c, act, h, h)
		// cat([action_emb, time_emb]): the time embedding is one row per
		// frame, broadcast over the chunk; the concatenation moves data.
		temb := b.tensor(n("time_emb"), RoleInput, b.frames, h)
		rows := b.frames * c
		cat := b.add(Kernel{
			Name: n("time_concat"), Stage: st, Camera: -1, Layer: -1, Kind: KindShuffle,
			M: rows, K: 1, N: 2 * h, Batch: 1,
			InputElems: rows*h + b.frames*h, OutputElems: rows * 2 * h, Ops: OpsPerElemShuffle,
		}, RoleActivation, rows, []string{a, temb}, nil)
		e := b.gemm(n("time_mlp_in"), st, -1, -1, cat, "policy.action_time_mlp_in", c, 2*h, h, h)
		e = b.elementwise(n("time_silu"), st, -1, -1, KindActivation, RoleActivation, c, h, []string{e}, nil, 0, 0, OpsPerElemSiLU)
		e = b.gemm(n("time_mlp_out"), st, -1, -1, e, "policy.action_time_mlp_out", c, h, h, h)
		for l := range s.TextLayers {
			q := func(op string) string { return n(fmt.Sprintf("l%d.%s", l, op)) }
			w := func(op string) string { return fmt.Sprintf("expert.l%d.%s", l, op) }
			cacheK, cacheV := fmt.Sprintf("text.l%d.k.out", l), fmt.Sprintf("text.l%d.v.out", l)
			n1 := b.elementwise(q("norm1"), st, -1, l, KindNorm, RoleActivation, c, h, []string{e}, norm(w("norm1")), 0, h, OpsPerElemRMSNorm)
			qo := b.gemm(q("q"), st, -1, l, n1, w("q"), c, h, qd, attnBias*qd)
			var keys, vals string
			keyRows := pre
			if p.SelfAttention(l) {
				ko := b.gemm(q("k"), st, -1, l, n1, w("k"), c, h, kvd, attnBias*kvd)
				vo := b.gemm(q("v"), st, -1, l, n1, w("v"), c, h, kvd, attnBias*kvd)
				keyRows = pre + c
				keys, vals = q("keys"), q("values")
				b.ts = append(b.ts,
					Tensor{Name: keys, Role: RoleActivation, Rows: b.frames * keyRows, Cols: kvd, Concat: []string{cacheK, ko}},
					Tensor{Name: vals, Role: RoleActivation, Rows: b.frames * keyRows, Cols: kvd, Concat: []string{cacheV, vo}})
			} else {
				keys = b.gemm(q("k"), st, -1, l, cacheK, w("k"), pre, kvd, kvd, attnBias*kvd)
				vals = b.gemm(q("v"), st, -1, l, cacheV, w("v"), pre, kvd, kvd, attnBias*kvd)
			}
			sc := b.attention(q("qk"), st, -1, l, qo, keys, RoleScores, heads, kv, c, hd, keyRows)
			sc = b.elementwise(q("softmax"), st, -1, l, KindSoftmax, RoleScores, heads*c, keyRows, []string{sc}, nil, 0, 0, OpsPerElemSoftmax)
			o := b.attention(q("av"), st, -1, l, sc, vals, RoleActivation, heads, kv, c, keyRows, hd)
			o = b.gemm(q("o"), st, -1, l, o, w("o"), c, qd, h, attnBias*h)
			e = b.elementwise(q("res1"), st, -1, l, KindResidual, RoleActivation, c, h, []string{o, e}, nil, 0, 0, OpsPerElemAdd)
			n2 := b.elementwise(q("norm2"), st, -1, l, KindNorm, RoleActivation, c, h, []string{e}, norm(w("norm2")), 0, h, OpsPerElemRMSNorm)
			gt := b.gemm(q("gate"), st, -1, l, n2, w("gate"), c, h, ffn, mlpBias*ffn)
			up := b.gemm(q("up"), st, -1, l, n2, w("up"), c, h, ffn, mlpBias*ffn)
			f := b.elementwise(q("silu_mul"), st, -1, l, KindActivation, RoleActivation, c, ffn, []string{gt, up}, nil, 0, 0, OpsPerElemSiLUMul)
			f = b.gemm(q("down"), st, -1, l, f, w("down"), c, ffn, h, mlpBias*h)
			e = b.elementwise(q("res2"), st, -1, l, KindResidual, RoleActivation, c, h, []string{f, e}, nil, 0, 0, OpsPerElemAdd)
		}
		e = b.elementwise(n("final_norm"), st, -1, -1, KindNorm, RoleActivation, c, h, []string{e}, norm("expert.final_norm"), 0, h, OpsPerElemRMSNorm)
		v := b.gemm(n("action_out"), st, -1, -1, e, "policy.action_out_proj", c, h, act, act)
		x = b.elementwise(n("euler"), st, -1, -1, KindResidual, RoleActivation, c, act, []string{v, x}, nil, 0, 0, OpsPerElemEuler)
	}
}

// policyParams returns the policy's parameter rows: the expert's layers and
// final norm (stage expert), then the projections (stage projections), as
// lerobot builds them: a self-attention layer's k_proj and v_proj map the
// expert width to the key/value width, a cross-attention layer's the text
// model's key/value width to it.
func (s Scenario) policyParams() (expert, proj []ParamCount) {
	p, t := *s.Policy, s.Model.Text
	h, ffn := int64(p.ExpertHidden(t)), int64(p.ExpertFFN(t))
	qd, kvd := int64(t.QDim()), int64(t.KVDim())
	var layers int64
	for l := range s.TextLayers {
		kin := h
		if !p.SelfAttention(l) {
			kin = kvd
		}
		n := h*qd + 2*kin*kvd + qd*h + 3*h*ffn + 2*h
		if t.AttentionBias {
			n += qd + 2*kvd + h
		}
		if t.MLPBias {
			n += 2*ffn + h
		}
		layers += n
	}
	th, st, act := int64(t.Hidden), int64(p.MaxStateDim), int64(p.MaxActionDim)
	expert = []ParamCount{
		{Name: "expert.layers", Count: layers},
		{Name: "expert.final_norm", Count: h},
	}
	proj = []ParamCount{
		{Name: "policy.state_proj", Count: st*th + th},
		{Name: "policy.action_in_proj", Count: act*h + h},
		{Name: "policy.action_out_proj", Count: h*act + act},
		{Name: "policy.action_time_mlp_in", Count: 2*h*h + h},
		{Name: "policy.action_time_mlp_out", Count: h*h + h},
	}
	return expert, proj
}

// PolicySplit returns, for the graph of a policy scenario with steps
// flow-matching steps, the number of prefix ops (they come first) and of
// ops per step (the steps follow, each the same count). It is an error
// when g has no expert ops or they do not split into steps equal parts.
func PolicySplit(g *Graph, steps int) (prefixOps, stepOps int, err error) {
	if g == nil || steps <= 0 {
		return 0, 0, fmt.Errorf("policy: a graph and a positive step count are required")
	}
	prefixOps = len(g.Ops)
	for i, k := range g.Ops {
		if k.Stage == StageExpert {
			prefixOps = i
			break
		}
	}
	n := len(g.Ops) - prefixOps
	if n == 0 || n%steps != 0 {
		return 0, 0, fmt.Errorf("policy: %d expert ops do not split into %d steps", n, steps)
	}
	for _, k := range g.Ops[prefixOps:] {
		if k.Stage != StageExpert {
			return 0, 0, fmt.Errorf("policy: op %s of stage %s runs among the expert's", k.Name, k.Stage)
		}
	}
	stepOps = n / steps
	for i := range steps {
		if name := g.Ops[prefixOps+i*stepOps].Name; !strings.HasPrefix(name, fmt.Sprintf("expert.s%d.", i)) {
			return 0, 0, fmt.Errorf("policy: step %d starts with op %s", i, name)
		}
	}
	return prefixOps, stepOps, nil
}
