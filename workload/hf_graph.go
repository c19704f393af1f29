package workload

import "fmt"

// towerPass is one pass of a tower's layers: rows new tokens per sequence,
// attending to ctx positions, cache of which come from the KV cache.
type towerPass struct {
	b     *builder
	t     Tower
	rows  int64
	ctx   int64
	cache int64
	// attn is the engine's decode attention (used when cache > 0).
	attn DecodeAttention
}

// attnCtx is the positions the pass's attention runs over: ctx, rounded
// up to whole blocks of attn.BlockTokens when the pass reads a cache.
func (p towerPass) attnCtx() int64 {
	bt := int64(p.attn.BlockTokens)
	if p.cache == 0 || bt <= 0 {
		return p.ctx
	}
	return (p.ctx + bt - 1) / bt * bt
}

// name is "<stage>.<rest>".
func (p towerPass) name(rest string) string { return string(p.t.Stage) + "." + rest }

// norm appends the tower's norm over x (frames x rows rows) with its
// parameters "<name>.params" and returns its output.
func (p towerPass) norm(name string, layer int, x string, rows int64) string {
	return p.normOf(name, layer, x, rows, int64(p.t.Hidden))
}

// normOf appends the tower's norm over x as frames x rows rows of h
// elements (a hidden vector, or one head of head_dim for Qwen 3's q and k
// norms) with its parameters "<name>.params" and returns its output.
func (p towerPass) normOf(name string, layer int, x string, rows, h int64) string {
	ops, params := int64(OpsPerElemRMSNorm), int64(1)
	if p.t.Norm == NormLayer {
		ops, params = OpsPerElemLayerNorm, 2
	}
	w := p.b.tensor(name+".params", RoleParameter, params, h)
	return p.b.elementwise(name, p.t.Stage, -1, layer, KindNorm, RoleActivation, rows, h, []string{x}, []string{w}, 0, params*h, ops)
}

// bias returns n when on, else 0: a projection's bias elements.
func bias(on bool, n int64) int64 {
	if on {
		return n
	}
	return 0
}

// kv returns the keys or values attention reads: the new ones x, after
// the cached ones ("<layer>.<what>_cache", role kv_cache) when the pass
// reads a cache, and before the cache rows past the context that a
// block-aligned attention reads ("<layer>.<what>_pad", role kv_cache).
func (p towerPass) kv(layer, what, x string) string {
	if p.cache == 0 {
		return x
	}
	b := p.b
	kvd := int64(p.t.KVDim())
	parts := []string{b.tensor(layer+"."+what+"_cache", RoleKVCache, b.frames*p.cache, kvd), x}
	if pad := p.attnCtx() - p.ctx; pad > 0 {
		parts = append(parts, b.tensor(layer+"."+what+"_pad", RoleKVCache, b.frames*pad, kvd))
	}
	v := layer + "." + what + "_ctx"
	b.ts = append(b.ts, Tensor{Name: v, Role: RoleActivation, Rows: b.frames * p.attnCtx(), Cols: kvd, Concat: parts})
	b.declared[v] = true
	return v
}

// layer appends layer l over x and returns its output.
func (p towerPass) layer(l int, x string) string {
	b, t, st, m := p.b, p.t, p.t.Stage, p.rows
	h, ffn := int64(t.Hidden), int64(t.FFN)
	heads, kvh, hd := int64(t.Heads), int64(t.KVHeads), int64(t.HeadDim)
	qd, kvd := int64(t.QDim()), int64(t.KVDim())
	q := func(op string) string { return p.name(fmt.Sprintf("l%d.%s", l, op)) }
	gemm := func(op, in string, k, n int64, withBias bool) string {
		return b.gemm(q(op), st, -1, l, in, q(op), m, k, n, bias(withBias, n))
	}
	in := x
	if !t.PostNorm {
		in = p.norm(q("norm1"), l, x, m)
	}
	qo := gemm("q", in, h, qd, t.QKVBias)
	ko := gemm("k", in, h, kvd, t.QKVBias)
	vo := gemm("v", in, h, kvd, t.QKVBias)
	if t.QKNorm {
		qo = p.normOf(q("q_norm"), l, qo, m*heads, hd)
		ko = p.normOf(q("k_norm"), l, ko, m*kvh, hd)
	}
	if t.Rotary {
		qo = b.elementwise(q("rope_q"), st, -1, l, KindRotary, RoleActivation, m, qd, []string{qo}, nil, 0, 0, OpsPerElemRotary)
		ko = b.elementwise(q("rope_k"), st, -1, l, KindRotary, RoleActivation, m, kvd, []string{ko}, nil, 0, 0, OpsPerElemRotary)
	}
	lp, ctx := p.name(fmt.Sprintf("l%d", l)), p.attnCtx()
	sc := b.attention(q("qk"), st, -1, l, qo, p.kv(lp, "k", ko), RoleScores, heads, kvh, m, hd, ctx)
	sc = b.elementwise(q("softmax"), st, -1, l, KindSoftmax, RoleScores, heads*m, ctx, []string{sc}, nil, 0, 0, OpsPerElemSoftmax)
	v := p.kv(lp, "v", vo)
	if w := int64(p.attn.TransposeWidth); w > 0 && p.cache > 0 {
		v = b.gemm(q("v_t"), st, -1, l, v, q("v_t"), ctx*kvd/w, w, w, 0)
	}
	a := b.attention(q("av"), st, -1, l, sc, v, RoleActivation, heads, kvh, m, ctx, hd)
	a = gemm("o", a, qd, h, t.OutBias)
	if t.SandwichNorm {
		a = p.norm(q("post_attn_norm"), l, a, m)
	}
	x = b.elementwise(q("res1"), st, -1, l, KindResidual, RoleActivation, m, h, []string{a, x}, nil, 0, 0, OpsPerElemAdd)
	in = x
	if t.PostNorm {
		x = p.norm(q("norm1"), l, x, m)
		in = x
	} else {
		in = p.norm(q("norm2"), l, x, m)
	}
	var f string
	switch t.MLP {
	case MLPGELU:
		f = gemm("fc1", in, h, ffn, t.MLPBias)
		f = b.elementwise(q("gelu"), st, -1, l, KindActivation, RoleActivation, m, ffn, []string{f}, nil, 0, 0, OpsPerElemGELU)
		f = gemm("fc2", f, ffn, h, t.MLPBias)
	default:
		ops, name := int64(OpsPerElemSiLUMul), "silu_mul"
		if t.MLP == MLPGeGLU {
			ops, name = OpsPerElemGELUMul, "gelu_mul"
		}
		gt := gemm("gate", in, h, ffn, t.MLPBias)
		up := gemm("up", in, h, ffn, t.MLPBias)
		f = b.elementwise(q(name), st, -1, l, KindActivation, RoleActivation, m, ffn, []string{gt, up}, nil, 0, 0, ops)
		f = gemm("down", f, ffn, h, t.MLPBias)
	}
	if t.SandwichNorm {
		f = p.norm(q("post_mlp_norm"), l, f, m)
	}
	x = b.elementwise(q("res2"), st, -1, l, KindResidual, RoleActivation, m, h, []string{f, x}, nil, 0, 0, OpsPerElemAdd)
	if t.PostNorm {
		x = p.norm(q("norm2"), l, x, m)
	}
	return x
}

// embed appends the tower's embedding kernels and returns the first
// layer's input. A text tower's input is the looked-up embeddings (token,
// learned position and token type rows summed by the lookup, which is not
// a kernel); a vision tower embeds its patches (a GEMM over im2col'd
// patches), prepends the class token and adds the position table.
func (p towerPass) embed() string {
	b, t, st := p.b, p.t, p.t.Stage
	h := int64(t.Hidden)
	if st != StageVision {
		x := b.tensor(p.name("embeddings"), RoleInput, b.frames*p.rows, h)
		if t.EmbedNorm {
			x = p.norm(p.name("embed_norm"), -1, x, p.rows)
		}
		return x
	}
	pe := int64(t.Channels * t.Patch * t.Patch)
	patches := p.rows
	if t.ClassToken {
		patches--
	}
	x := b.tensor(p.name("patches"), RoleInput, b.frames*patches, pe)
	x = b.gemm(p.name("patch_embed"), st, -1, -1, x, p.name("patch_embed"), patches, pe, h, bias(t.PatchBias, h))
	if t.ClassToken {
		cls := b.tensor(p.name("class_token"), RoleInput, b.frames, h)
		v := p.name("tokens")
		b.ts = append(b.ts, Tensor{Name: v, Role: RoleActivation, Rows: b.frames * p.rows, Cols: h, Concat: []string{cls, x}})
		b.declared[v] = true
		x = v
	}
	table := b.tensor(p.name("pos_embed.weight"), RoleWeight, p.rows, h)
	x = b.elementwise(p.name("pos_embed"), st, -1, -1, KindResidual, RoleActivation, p.rows, h, []string{x}, []string{table}, p.rows*h, 0, OpsPerElemAdd)
	if t.PreNorm {
		x = p.norm(p.name("pre_norm"), -1, x, p.rows)
	}
	return x
}

// head appends the tower's final norm and head over the layers' output x
// and returns the model's output of the tower. A head over one token per
// sequence (first or last) reads it through a selection kernel (a data
// movement of no ops that reads x and keeps one row per sequence).
func (p towerPass) head(x string) string {
	b, t := p.b, p.t
	h := int64(t.Hidden)
	if t.FinalNorm {
		x = p.norm(p.name("final_norm"), -1, x, p.rows)
	}
	if t.Head == HeadNone && !t.PooledNorm {
		return x
	}
	if t.Head == HeadAttentionPool {
		return p.attentionPool(x)
	}
	if p.rows > 1 {
		x = b.add(Kernel{
			Name: p.name("select"), Stage: StageHead, Camera: -1, Layer: -1, Kind: KindShuffle,
			M: b.frames, K: 1, N: h, Batch: 1, InputElems: b.frames * p.rows * h, OutputElems: b.frames * h,
		}, RoleActivation, b.frames, []string{x}, nil)
	}
	if t.PooledNorm {
		x = p.norm(p.name("post_norm"), -1, x, 1)
	}
	out := int64(t.HeadOut)
	switch t.Head {
	case HeadLM:
		w := "head.lm_head"
		if t.TiedHead {
			// The head reads the token embedding table (vocab x hidden) as
			// its hidden x vocab operand.
			w = p.name("embed_tokens")
		}
		return b.gemm("head.lm_head", StageHead, -1, -1, x, w, 1, h, out, 0)
	case HeadPooler:
		x = b.gemm("head.pooler", StageHead, -1, -1, x, "head.pooler", 1, h, h, h)
		return b.elementwise("head.pooler_tanh", StageHead, -1, -1, KindActivation, RoleActivation, 1, h, []string{x}, nil, 0, 0, OpsPerElemTanh)
	case HeadClassifier:
		return b.gemm("head.classifier", StageHead, -1, -1, x, "head.classifier", 1, h, out, out)
	case HeadProjection:
		return b.gemm(p.name("projection"), StageHead, -1, -1, x, p.name("projection"), 1, h, out, 0)
	case HeadLastLinear:
		return b.gemm(p.name("head"), StageHead, -1, -1, x, p.name("head"), 1, h, out, out)
	}
	return x
}

// attentionPool appends SigLIP's attention-pooling head over the tokens x:
// a learned probe (one query per image, a model input here, its elements a
// parameter) attends over them, then LayerNorm and a residual GELU MLP.
func (p towerPass) attentionPool(x string) string {
	b, t := p.b, p.t
	h, ffn := int64(t.Hidden), int64(t.FFN)
	heads, hd := int64(t.Heads), int64(t.HeadDim)
	n := func(op string) string { return p.name("head." + op) }
	gemm := func(op, in string, m, k, nn int64) string {
		return b.gemm(n(op), StageHead, -1, -1, in, n(op), m, k, nn, nn)
	}
	probe := b.tensor(n("probe"), RoleInput, b.frames, h)
	q := gemm("q", probe, 1, h, h)
	k := gemm("k", x, p.rows, h, h)
	v := gemm("v", x, p.rows, h, h)
	sc := b.attention(n("qk"), StageHead, -1, -1, q, k, RoleScores, heads, heads, 1, hd, p.rows)
	sc = b.elementwise(n("softmax"), StageHead, -1, -1, KindSoftmax, RoleScores, heads, p.rows, []string{sc}, nil, 0, 0, OpsPerElemSoftmax)
	a := b.attention(n("av"), StageHead, -1, -1, sc, v, RoleActivation, heads, heads, 1, p.rows, hd)
	a = gemm("out", a, 1, h, h)
	w := b.tensor(n("norm.params"), RoleParameter, 2, h)
	f := b.elementwise(n("norm"), StageHead, -1, -1, KindNorm, RoleActivation, 1, h, []string{a}, []string{w}, 0, 2*h, OpsPerElemLayerNorm)
	f = gemm("fc1", f, 1, h, ffn)
	f = b.elementwise(n("gelu"), StageHead, -1, -1, KindActivation, RoleActivation, 1, ffn, []string{f}, nil, 0, 0, OpsPerElemGELU)
	f = gemm("fc2", f, 1, ffn, h)
	return b.elementwise(n("res"), StageHead, -1, -1, KindResidual, RoleActivation, 1, h, []string{f, a}, nil, 0, 0, OpsPerElemAdd)
}

// hfTokens is the number of tokens per sequence tower t runs in the
// scenario's prefill: the image's patches (and class token) for a vision
// tower, Seq for a text tower.
func (s Scenario) hfTokens(t Tower) int64 {
	if t.Stage == StageVision {
		return int64(t.ImageTokens(s.ImageSize))
	}
	return int64(s.Seq)
}

// hfGraph appends the prefill of every tower of the scenario's model.
func (s Scenario) hfGraph(b *builder) {
	for _, t := range s.HF.Towers {
		n := s.hfTokens(t)
		p := towerPass{b: b, t: t, rows: n, ctx: n}
		x := p.embed()
		for l := range t.Layers {
			x = p.layer(l, x)
		}
		p.head(x)
	}
}

// hfDecodeStep appends decode step step (1..Generate) of the scenario's
// decoder: one new token per sequence through every layer, attending to
// Seq + step positions (at most the sliding window), of which all but the
// new one come from the KV cache, then the final norm and the LM head.
func (s Scenario) hfDecodeStep(b *builder, step int) error {
	t, ok := s.HF.Decoder()
	if !ok {
		return fmt.Errorf("scenario %s: %s is not a decoder: it has no decode steps", s.Name, s.HF.Family)
	}
	if step < 1 || step > s.Generate {
		return fmt.Errorf("scenario %s: decode step %d is outside 1..%d", s.Name, step, s.Generate)
	}
	if a := s.DecodeAttention; a.BlockTokens < 0 || a.TransposeWidth < 0 || (a.TransposeWidth > 0 && t.HeadDim%a.TransposeWidth != 0) {
		return fmt.Errorf("scenario %s: decode attention: block %d and transpose width %d must be >= 0, the width dividing head_dim %d",
			s.Name, a.BlockTokens, a.TransposeWidth, t.HeadDim)
	}
	ctx := int64(s.DecodeContext(step))
	p := towerPass{b: b, t: t, rows: 1, ctx: ctx, cache: ctx - 1, attn: s.DecodeAttention}
	x := p.embed()
	for l := range t.Layers {
		x = p.layer(l, x)
	}
	p.head(x)
	return nil
}

// DecodeContext is the number of positions decode step step (1..Generate)
// attends to: Seq + step, at most the decoder's sliding window.
func (s Scenario) DecodeContext(step int) int {
	n := s.Seq + step
	if t, ok := s.HF.Decoder(); ok && t.SlidingWindow > 0 {
		n = min(n, t.SlidingWindow)
	}
	return n
}
