package workload

import "fmt"

// Arithmetic operations per output element of the elementwise kernels. Per-row
// work (a square root, a reciprocal, a row maximum's final compare) is not
// counted; a transcendental (exp, tanh) counts as one operation, as a vector
// unit with a lookup-table or CORDIC function issues it once per element.
const (
	// OpsPerElemLayerNorm: mean accumulate 1, subtract mean 1, square and
	// accumulate 2, multiply by 1/std 1, scale 1, shift 1.
	OpsPerElemLayerNorm = 7
	// OpsPerElemRMSNorm: square and accumulate 2, multiply by 1/rms 1,
	// scale 1.
	OpsPerElemRMSNorm = 4
	// OpsPerElemSoftmax: running max 1, subtract max 1, exp 1, sum 1,
	// multiply by 1/sum 1.
	OpsPerElemSoftmax = 5
	// OpsPerElemGELU (tanh form, 0.5x(1+tanh(sqrt(2/pi)(x+0.044715x^3)))):
	// x^3 2, times 0.044715 1, plus x 1, times sqrt(2/pi) 1, tanh 1, plus 1 1,
	// times x 1, times 0.5 1.
	OpsPerElemGELU = 9
	// OpsPerElemSiLUMul (SwiGLU, silu(gate) x up = gate/(1+exp(-gate)) x up):
	// exp 1, plus 1 1, divide 1, times up 1, negate 1.
	OpsPerElemSiLUMul = 5
	// OpsPerElemSiLU (silu(x) = x/(1+exp(-x)), the policy's time MLP):
	// negate 1, exp 1, plus 1 1, divide 1.
	OpsPerElemSiLU = 4
	// OpsPerElemGELUMul (GeGLU, gelu(gate) x up): GELU 9, times up 1.
	OpsPerElemGELUMul = 10
	// OpsPerElemTanh (BERT's pooler activation): tanh 1.
	OpsPerElemTanh = 1
	// OpsPerElemRotary (x cos(p theta) + rotate_half(x) sin(p theta)): cos
	// 1, sin 1, two multiplies 2, add 1; the sign of rotate_half is folded
	// into the sine.
	OpsPerElemRotary = 5
	// OpsPerElemEuler is a flow-matching Euler update x + dt v: times dt 1,
	// plus x 1.
	OpsPerElemEuler = 2
	// OpsPerElemAdd is a residual or position-embedding add.
	OpsPerElemAdd = 1
	// OpsPerElemShuffle: the pixel shuffle only moves data.
	OpsPerElemShuffle = 0
)

// maxTotalOps bounds a forward pass's total op count so that every sum over
// a kernel list stays inside int64.
const maxTotalOps = 1 << 62

// builder appends kernels in execution order and declares the tensors
// they name. frames multiplies the rows of GEMM and elementwise kernels and
// the batch of attention kernels: the scenario's Frames, or Frames x
// Cameras for the vision and connector kernels of all cameras batched
// (Scenario.BatchCameras).
type builder struct {
	ks       []Kernel
	ts       []Tensor
	declared map[string]bool
	frames   int64
}

// tensor declares a tensor (once: the weights of every camera are one
// tensor) and returns its name.
func (b *builder) tensor(name string, role Role, rows, cols int64) string {
	if !b.declared[name] {
		b.declared[name] = true
		b.ts = append(b.ts, Tensor{Name: name, Role: role, Rows: rows, Cols: cols})
	}
	return name
}

// add appends kernel k, which reads inputs and weights, and declares its
// output "<name>.out" of rows x (OutputElems / rows) with role role; it
// returns the output's name.
func (b *builder) add(k Kernel, role Role, rows int64, inputs, weights []string) string {
	k.Inputs, k.Weights = inputs, weights
	k.Outputs = []string{b.tensor(k.Name+".out", role, rows, k.OutputElems/rows)}
	b.ks = append(b.ks, k)
	return k.Outputs[0]
}

// gemm appends x (frames x m rows of k) times the weight w+".weight" (k x
// n), plus w+".bias" of bias elements when bias > 0, and returns its
// output.
func (b *builder) gemm(name string, st Stage, cam, layer int, x, w string, m, k, n, bias int64) string {
	kn := NewGEMM(name, st, cam, layer, b.frames*m, k, n)
	kn.BiasElems = bias
	ws := []string{b.tensor(w+".weight", RoleWeight, k, n)}
	if bias > 0 {
		ws = append(ws, b.tensor(w+".bias", RoleParameter, 1, bias))
	}
	return b.add(kn, RoleActivation, kn.M, []string{x}, ws)
}

// attention appends heads (per frame) products of left (m x k per head)
// by right (k x n), where left has one slab per query head and right is
// shared by each group of query heads: it is read once per KV head. role
// is the role of its output.
func (b *builder) attention(name string, st Stage, cam, layer int, left, right string, role Role, heads, kvHeads, m, k, n int64) string {
	batch := b.frames * heads
	return b.add(Kernel{
		Name: name, Stage: st, Camera: cam, Layer: layer, Kind: KindAttention,
		M: m, K: k, N: n, Batch: batch,
		InputElems:  b.frames * (heads*m*k + kvHeads*k*n),
		OutputElems: batch * m * n,
		Ops:         2 * batch * m * k * n,
	}, role, batch*m, []string{left, right}, nil)
}

// elementwise appends a kernel whose output is (frames x m) x n; it reads
// the activation operands inputs of that shape and the stored tensors
// weights (weight elements of weight role, independent of frames, and bias
// of parameters). role is the role of its output.
func (b *builder) elementwise(name string, st Stage, cam, layer int, kind Kind, role Role, m, n int64, inputs, weights []string, weight, bias, opsPerElem int64) string {
	rows := b.frames * m
	return b.add(Kernel{
		Name: name, Stage: st, Camera: cam, Layer: layer, Kind: kind,
		M: rows, K: 1, N: n, Batch: 1,
		WeightElems: weight, BiasElems: bias,
		InputElems: int64(len(inputs)) * rows * n, OutputElems: rows * n,
		Ops: opsPerElem * rows * n,
	}, role, rows, inputs, weights)
}

// Kernels returns the scenario's forward pass as an ordered kernel list:
// the ops of its graph (see Graph).
func (s Scenario) Kernels() ([]Kernel, error) {
	g, err := s.Graph()
	if err != nil {
		return nil, err
	}
	return g.Ops, nil
}

// Graph returns the scenario's forward pass as a tensor graph.
//
// smolvla (and any scenario without Seed): for each camera (or, with
// BatchCameras, once for all cameras together), the vision encoder (patch
// embedding as a GEMM over im2col'd patches, position embedding add, its
// layers, post-LayerNorm) and the connector (pixel shuffle, projection);
// then TextLayers text layers over the prefix of TextTokens tokens, the
// final RMSNorm and, with IncludeLMHead, the LM head. The prefix is a view:
// every camera's connector output, then the model input "text.tokens" (the
// language tokens' embeddings and the state token). The cameras read one
// copy of the vision and connector weights. Biases and norm parameters are
// tensors of role parameter, counted in BiasElems of the kernel that reads
// them, never in WeightElems (which stays the K x N operand of a GEMM, as
// the seed's roofline counts it); the position-embedding table is a weight
// of its add. The token embedding lookup is not a kernel.
//
// seed: the notebook's six kernels in its order: Vis_MLP, Vis_PatchEmbed,
// Txt_MLP, Txt_Attn_Q, Txt_Attn_K, Connector; the three text GEMMs read one
// input, the others each their own.
func (s Scenario) Graph() (*Graph, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	b := &builder{frames: int64(s.Frames), declared: map[string]bool{}}
	switch {
	case s.HF != nil:
		s.hfGraph(b)
	case s.Seed != nil:
		s.seedKernels(b)
	default:
		var image []string
		if s.BatchCameras {
			// One pass over all cameras' rows: the builder's row (and
			// attention batch) multiplier becomes frames x cameras.
			cams := &builder{ks: b.ks, ts: b.ts, declared: b.declared, frames: b.frames * int64(s.Cameras)}
			image = append(image, s.connectorKernels(cams, batchedCameras, s.visionKernels(cams, batchedCameras)))
			b.ks, b.ts = cams.ks, cams.ts
		} else {
			for cam := range s.Cameras {
				image = append(image, s.connectorKernels(b, cam, s.visionKernels(b, cam)))
			}
		}
		s.textKernels(b, image)
		if s.Policy != nil {
			s.policyKernels(b)
		}
	}
	var total float64
	for _, k := range b.ks {
		total += float64(k.Ops)
	}
	if total > maxTotalOps {
		return nil, fmt.Errorf("scenario %s: the forward pass has %.3g ops, more than the %.3g accepted", s.Name, total, float64(maxTotalOps))
	}
	g, err := NewGraph(b.ks, b.ts)
	if err != nil {
		return nil, fmt.Errorf("scenario %s: %w", s.Name, err)
	}
	return g, nil
}

// batchedCameras is the camera of the vision and connector kernels that
// run over all cameras at once (Scenario.BatchCameras): none (-1).
const batchedCameras = -1

// cameraPrefix is the name prefix of a per-camera kernel of stage st:
// "vision.cam2", or "vision" for the kernels of all cameras batched.
func cameraPrefix(st Stage, cam int) string {
	if cam == batchedCameras {
		return string(st)
	}
	return fmt.Sprintf("%s.cam%d", st, cam)
}

// visionKernels appends camera cam's vision encoder and returns its
// output.
func (s Scenario) visionKernels(b *builder, cam int) string {
	v := s.Model.Vision
	t := int64(s.VisionTokens())
	h, ffn := int64(v.Hidden), int64(v.FFN)
	heads, hd := int64(v.Heads), int64(v.HeadDim())
	pre := cameraPrefix(StageVision, cam)
	p := func(rest string) string { return pre + "." + rest }
	// The weights, one copy for every camera.
	w := func(rest string) string { return string(StageVision) + "." + rest }
	norm := func(name string) string { return b.tensor(name+".params", RoleParameter, 2, h) }

	x := b.tensor(p("patches"), RoleInput, b.frames*t, int64(v.PatchElems()))
	x = b.gemm(p("patch_embed"), StageVision, cam, -1, x, w("patch_embed"), t, int64(v.PatchElems()), h, h)
	// The add reads one table row per patch: all 1024 x 768 of it for a
	// full-size image, the bucketed rows for a smaller one (SmolVLM maps a
	// smaller grid's positions onto the table's).
	table := b.tensor(w("pos_embed.weight"), RoleWeight, t, h)
	x = b.elementwise(p("pos_embed"), StageVision, cam, -1, KindResidual, RoleActivation, t, h, []string{x}, []string{table}, t*h, 0, OpsPerElemAdd)
	for l := range v.Layers {
		q := func(op string) string { return p(fmt.Sprintf("l%d.%s", l, op)) }
		lw := func(op string) string { return w(fmt.Sprintf("l%d.%s", l, op)) }
		n1 := b.elementwise(q("ln1"), StageVision, cam, l, KindNorm, RoleActivation, t, h, []string{x}, []string{norm(lw("ln1"))}, 0, 2*h, OpsPerElemLayerNorm)
		qo := b.gemm(q("q"), StageVision, cam, l, n1, lw("q"), t, h, h, h)
		ko := b.gemm(q("k"), StageVision, cam, l, n1, lw("k"), t, h, h, h)
		vo := b.gemm(q("v"), StageVision, cam, l, n1, lw("v"), t, h, h, h)
		sc := b.attention(q("qk"), StageVision, cam, l, qo, ko, RoleScores, heads, heads, t, hd, t)
		sc = b.elementwise(q("softmax"), StageVision, cam, l, KindSoftmax, RoleScores, heads*t, t, []string{sc}, nil, 0, 0, OpsPerElemSoftmax)
		a := b.attention(q("av"), StageVision, cam, l, sc, vo, RoleActivation, heads, heads, t, t, hd)
		a = b.gemm(q("out"), StageVision, cam, l, a, lw("out"), t, h, h, h)
		x = b.elementwise(q("res1"), StageVision, cam, l, KindResidual, RoleActivation, t, h, []string{a, x}, nil, 0, 0, OpsPerElemAdd)
		n2 := b.elementwise(q("ln2"), StageVision, cam, l, KindNorm, RoleActivation, t, h, []string{x}, []string{norm(lw("ln2"))}, 0, 2*h, OpsPerElemLayerNorm)
		f := b.gemm(q("fc1"), StageVision, cam, l, n2, lw("fc1"), t, h, ffn, ffn)
		f = b.elementwise(q("gelu"), StageVision, cam, l, KindActivation, RoleActivation, t, ffn, []string{f}, nil, 0, 0, OpsPerElemGELU)
		f = b.gemm(q("fc2"), StageVision, cam, l, f, lw("fc2"), t, ffn, h, h)
		x = b.elementwise(q("res2"), StageVision, cam, l, KindResidual, RoleActivation, t, h, []string{f, x}, nil, 0, 0, OpsPerElemAdd)
	}
	return b.elementwise(p("post_ln"), StageVision, cam, -1, KindNorm, RoleActivation, t, h, []string{x}, []string{norm(w("post_ln"))}, 0, 2*h, OpsPerElemLayerNorm)
}

// connectorKernels appends camera cam's connector over the vision output x
// and returns its image tokens.
func (s Scenario) connectorKernels(b *builder, cam int, x string) string {
	rows := int64(s.ImageTokens())
	in := int64(s.Model.ConnectorIn())
	pre := cameraPrefix(StageConnector, cam)
	p := func(op string) string { return pre + "." + op }
	// [tokens, hidden] -> [tokens/scale^2, hidden*scale^2]: same element
	// count, one input operand.
	x = b.elementwise(p("shuffle"), StageConnector, cam, -1, KindShuffle, RoleActivation, rows, in, []string{x}, nil, 0, 0, OpsPerElemShuffle)
	return b.gemm(p("proj"), StageConnector, cam, -1, x, string(StageConnector)+".proj", rows, in, int64(s.Model.ConnectorOut()), 0)
}

// textKernels appends the text encoder over the prefix: the image tokens
// image (one tensor per camera), then the language and state tokens.
func (s Scenario) textKernels(b *builder, image []string) {
	t := s.Model.Text
	pre := int64(s.TextTokens())
	h, ffn := int64(t.Hidden), int64(t.FFN)
	heads, kv, hd := int64(t.Heads), int64(t.KVHeads), int64(t.HeadDim)
	qd, kvd := int64(t.QDim()), int64(t.KVDim())
	attnBias, mlpBias := t.biases()
	parts := image
	tokens := pre - int64(s.ImageTokens()*s.Cameras)
	if s.Policy != nil {
		// The policy's state token is state_proj of the padded robot state
		// (Validate makes StateTokens 1).
		tokens = int64(s.LangTokens)
	}
	if rows := b.frames * tokens; rows > 0 {
		parts = append(parts, b.tensor("text.tokens", RoleInput, rows, h))
	}
	if s.Policy != nil {
		sd := int64(s.Policy.MaxStateDim)
		state := b.tensor("policy.state", RoleInput, b.frames, sd)
		parts = append(parts, b.gemm("text.state_proj", StageText, -1, -1, state, "policy.state_proj", 1, sd, h, h))
	}
	x := "text.prefix"
	b.ts = append(b.ts, Tensor{Name: x, Role: RoleActivation, Rows: b.frames * pre, Cols: h, Concat: parts})
	norm := func(name string) []string { return []string{b.tensor(name+".params", RoleParameter, 1, h)} }
	for l := range s.TextLayers {
		q := func(op string) string { return fmt.Sprintf("text.l%d.%s", l, op) }
		n1 := b.elementwise(q("norm1"), StageText, -1, l, KindNorm, RoleActivation, pre, h, []string{x}, norm(q("norm1")), 0, h, OpsPerElemRMSNorm)
		qo := b.gemm(q("q"), StageText, -1, l, n1, q("q"), pre, h, qd, attnBias*qd)
		ko := b.gemm(q("k"), StageText, -1, l, n1, q("k"), pre, h, kvd, attnBias*kvd)
		vo := b.gemm(q("v"), StageText, -1, l, n1, q("v"), pre, h, kvd, attnBias*kvd)
		sc := b.attention(q("qk"), StageText, -1, l, qo, ko, RoleScores, heads, kv, pre, hd, pre)
		sc = b.elementwise(q("softmax"), StageText, -1, l, KindSoftmax, RoleScores, heads*pre, pre, []string{sc}, nil, 0, 0, OpsPerElemSoftmax)
		a := b.attention(q("av"), StageText, -1, l, sc, vo, RoleActivation, heads, kv, pre, pre, hd)
		a = b.gemm(q("o"), StageText, -1, l, a, q("o"), pre, qd, h, attnBias*h)
		x = b.elementwise(q("res1"), StageText, -1, l, KindResidual, RoleActivation, pre, h, []string{a, x}, nil, 0, 0, OpsPerElemAdd)
		n2 := b.elementwise(q("norm2"), StageText, -1, l, KindNorm, RoleActivation, pre, h, []string{x}, norm(q("norm2")), 0, h, OpsPerElemRMSNorm)
		gt := b.gemm(q("gate"), StageText, -1, l, n2, q("gate"), pre, h, ffn, mlpBias*ffn)
		up := b.gemm(q("up"), StageText, -1, l, n2, q("up"), pre, h, ffn, mlpBias*ffn)
		f := b.elementwise(q("silu_mul"), StageText, -1, l, KindActivation, RoleActivation, pre, ffn, []string{gt, up}, nil, 0, 0, OpsPerElemSiLUMul)
		f = b.gemm(q("down"), StageText, -1, l, f, q("down"), pre, ffn, h, mlpBias*h)
		x = b.elementwise(q("res2"), StageText, -1, l, KindResidual, RoleActivation, pre, h, []string{f, x}, nil, 0, 0, OpsPerElemAdd)
	}
	x = b.elementwise("text.final_norm", StageText, -1, -1, KindNorm, RoleActivation, pre, h, []string{x}, norm("text.final_norm"), 0, h, OpsPerElemRMSNorm)
	if s.IncludeLMHead {
		b.gemm("head.lm_head", StageHead, -1, -1, x, "head.lm_head", pre, h, int64(t.Vocab), 0)
	}
}

// seedKernels appends the notebook's six GEMMs, with its B as Frames. The
// three text GEMMs read the one text input; the others each their own.
func (s Scenario) seedKernels(b *builder) {
	v, t := s.Model.Vision, s.Model.Text
	sv, st := int64(s.Seed.VisionTokens), int64(s.Seed.TextTokens)
	gemm := func(name string, stage Stage, x string, m, k, n int64) {
		x = b.tensor(x, RoleInput, b.frames*m, k)
		b.gemm(name, stage, -1, -1, x, name, m, k, n, 0)
	}
	gemm("Vis_MLP", StageVision, "Vis_MLP.in", sv, int64(v.Hidden), int64(v.FFN))
	gemm("Vis_PatchEmbed", StageVision, "Vis_PatchEmbed.in", int64(v.Positions()), int64(v.PatchElems()), int64(v.Hidden))
	gemm("Txt_MLP", StageText, "Txt.in", st, int64(t.Hidden), int64(t.FFN))
	gemm("Txt_Attn_Q", StageText, "Txt.in", st, int64(t.Hidden), int64(t.QDim()))
	gemm("Txt_Attn_K", StageText, "Txt.in", st, int64(t.Hidden), int64(t.KVDim()))
	gemm("Connector", StageConnector, "Connector.in", int64(s.Seed.ConnectorRows), int64(s.Model.ConnectorIn()), int64(s.Model.ConnectorOut()))
}

// TotalMACs is the sum of the kernels' multiply-accumulates.
func TotalMACs(ks []Kernel) int64 {
	var n int64
	for _, k := range ks {
		n += k.MACs()
	}
	return n
}

// TotalOps is the sum of the kernels' arithmetic operations (2 per MAC plus
// the elementwise kernels' operations).
func TotalOps(ks []Kernel) int64 {
	var n int64
	for _, k := range ks {
		n += k.Ops
	}
	return n
}

// TotalWeightElems is the sum of the kernels' WeightElems.
func TotalWeightElems(ks []Kernel) int64 {
	var n int64
	for _, k := range ks {
		n += k.WeightElems
	}
	return n
}
