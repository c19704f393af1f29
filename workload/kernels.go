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
	// OpsPerElemAdd is a residual or position-embedding add.
	OpsPerElemAdd = 1
	// OpsPerElemShuffle: the pixel shuffle only moves data.
	OpsPerElemShuffle = 0
)

// maxTotalOps bounds a forward pass's total op count so that every sum over
// a kernel list stays inside int64.
const maxTotalOps = 1 << 62

// builder appends kernels in execution order. frames multiplies the rows of
// GEMM and elementwise kernels and the batch of attention kernels: the
// scenario's Frames, or Frames x Cameras for the vision and connector
// kernels of all cameras batched (Scenario.BatchCameras).
type builder struct {
	ks     []Kernel
	frames int64
}

// gemm appends an activation-by-weight matmul over frames x m rows; bias is
// the number of bias elements it reads.
func (b *builder) gemm(name string, st Stage, cam, layer int, m, k, n, bias int64) {
	kn := NewGEMM(name, st, cam, layer, b.frames*m, k, n)
	kn.BiasElems = bias
	b.ks = append(b.ks, kn)
}

// attention appends heads (per frame) products of (m x k) by (k x n), where
// the left operand has one slab per query head and the right one is shared
// by each group of query heads: it is read once per KV head.
func (b *builder) attention(name string, st Stage, cam, layer int, heads, kvHeads, m, k, n int64) {
	batch := b.frames * heads
	b.ks = append(b.ks, Kernel{
		Name: name, Stage: st, Camera: cam, Layer: layer, Kind: KindAttention,
		M: m, K: k, N: n, Batch: batch,
		InputElems:  b.frames * (heads*m*k + kvHeads*k*n),
		OutputElems: batch * m * n,
		Ops:         2 * batch * m * k * n,
	})
}

// elementwise appends a kernel whose output is (frames x m) x n; inputs is
// the number of activation operands of that shape it reads, weight the
// stored elements it reads (independent of frames), bias its bias or norm
// parameters.
func (b *builder) elementwise(name string, st Stage, cam, layer int, kind Kind, m, n, inputs, weight, bias, opsPerElem int64) {
	rows := b.frames * m
	b.ks = append(b.ks, Kernel{
		Name: name, Stage: st, Camera: cam, Layer: layer, Kind: kind,
		M: rows, K: 1, N: n, Batch: 1,
		WeightElems: weight, BiasElems: bias,
		InputElems: inputs * rows * n, OutputElems: rows * n,
		Ops: opsPerElem * rows * n,
	})
}

// Kernels returns the scenario's forward pass as an ordered kernel list.
//
// smolvla (and any scenario without Seed): for each camera (or, with
// BatchCameras, once for all cameras together), the vision
// encoder (patch embedding as a GEMM over im2col'd patches, position
// embedding add, its layers, post-LayerNorm) and the connector (pixel
// shuffle, projection); then TextLayers text layers over the prefix of
// TextTokens tokens, the final RMSNorm and, with IncludeLMHead, the LM head.
// Biases and norm parameters are counted in BiasElems of the kernel that
// reads them, never in WeightElems (which stays the K x N operand of a GEMM,
// as the seed's roofline counts it); the position-embedding table is the
// WeightElems of its add. The token embedding lookup is not a kernel.
//
// seed: the notebook's six kernels in its order: Vis_MLP, Vis_PatchEmbed,
// Txt_MLP, Txt_Attn_Q, Txt_Attn_K, Connector.
func (s Scenario) Kernels() ([]Kernel, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	b := &builder{frames: int64(s.Frames)}
	if s.Seed != nil {
		s.seedKernels(b)
	} else {
		if s.BatchCameras {
			// One pass over all cameras' rows: the builder's row (and
			// attention batch) multiplier becomes frames x cameras.
			cams := &builder{ks: b.ks, frames: b.frames * int64(s.Cameras)}
			s.visionKernels(cams, batchedCameras)
			s.connectorKernels(cams, batchedCameras)
			b.ks = cams.ks
		} else {
			for cam := range s.Cameras {
				s.visionKernels(b, cam)
				s.connectorKernels(b, cam)
			}
		}
		s.textKernels(b)
	}
	var total float64
	for _, k := range b.ks {
		total += float64(k.Ops)
	}
	if total > maxTotalOps {
		return nil, fmt.Errorf("scenario %s: the forward pass has %.3g ops, more than the %.3g accepted", s.Name, total, float64(maxTotalOps))
	}
	for _, k := range b.ks {
		if err := k.Validate(); err != nil {
			return nil, fmt.Errorf("scenario %s: %w", s.Name, err)
		}
	}
	return b.ks, nil
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

func (s Scenario) visionKernels(b *builder, cam int) {
	v := s.Model.Vision
	t := int64(s.VisionTokens())
	h, ffn := int64(v.Hidden), int64(v.FFN)
	heads, hd := int64(v.Heads), int64(v.HeadDim())
	pre := cameraPrefix(StageVision, cam)
	p := func(rest string) string { return pre + "." + rest }

	b.gemm(p("patch_embed"), StageVision, cam, -1, t, int64(v.PatchElems()), h, h)
	// The add reads one table row per patch: all 1024 x 768 of it for a
	// full-size image, the bucketed rows for a smaller one (SmolVLM maps a
	// smaller grid's positions onto the table's).
	b.elementwise(p("pos_embed"), StageVision, cam, -1, KindResidual, t, h, 1, t*h, 0, OpsPerElemAdd)
	for l := range v.Layers {
		q := func(op string) string { return p(fmt.Sprintf("l%d.%s", l, op)) }
		b.elementwise(q("ln1"), StageVision, cam, l, KindNorm, t, h, 1, 0, 2*h, OpsPerElemLayerNorm)
		b.gemm(q("q"), StageVision, cam, l, t, h, h, h)
		b.gemm(q("k"), StageVision, cam, l, t, h, h, h)
		b.gemm(q("v"), StageVision, cam, l, t, h, h, h)
		b.attention(q("qk"), StageVision, cam, l, heads, heads, t, hd, t)
		b.elementwise(q("softmax"), StageVision, cam, l, KindSoftmax, heads*t, t, 1, 0, 0, OpsPerElemSoftmax)
		b.attention(q("av"), StageVision, cam, l, heads, heads, t, t, hd)
		b.gemm(q("out"), StageVision, cam, l, t, h, h, h)
		b.elementwise(q("res1"), StageVision, cam, l, KindResidual, t, h, 2, 0, 0, OpsPerElemAdd)
		b.elementwise(q("ln2"), StageVision, cam, l, KindNorm, t, h, 1, 0, 2*h, OpsPerElemLayerNorm)
		b.gemm(q("fc1"), StageVision, cam, l, t, h, ffn, ffn)
		b.elementwise(q("gelu"), StageVision, cam, l, KindActivation, t, ffn, 1, 0, 0, OpsPerElemGELU)
		b.gemm(q("fc2"), StageVision, cam, l, t, ffn, h, h)
		b.elementwise(q("res2"), StageVision, cam, l, KindResidual, t, h, 2, 0, 0, OpsPerElemAdd)
	}
	b.elementwise(p("post_ln"), StageVision, cam, -1, KindNorm, t, h, 1, 0, 2*h, OpsPerElemLayerNorm)
}

func (s Scenario) connectorKernels(b *builder, cam int) {
	rows := int64(s.ImageTokens())
	in := int64(s.Model.ConnectorIn())
	pre := cameraPrefix(StageConnector, cam)
	p := func(op string) string { return pre + "." + op }
	// [tokens, hidden] -> [tokens/scale^2, hidden*scale^2]: same element
	// count, one input operand.
	b.elementwise(p("shuffle"), StageConnector, cam, -1, KindShuffle, rows, in, 1, 0, 0, OpsPerElemShuffle)
	b.gemm(p("proj"), StageConnector, cam, -1, rows, in, int64(s.Model.ConnectorOut()), 0)
}

func (s Scenario) textKernels(b *builder) {
	t := s.Model.Text
	pre := int64(s.TextTokens())
	h, ffn := int64(t.Hidden), int64(t.FFN)
	heads, kv, hd := int64(t.Heads), int64(t.KVHeads), int64(t.HeadDim)
	qd, kvd := int64(t.QDim()), int64(t.KVDim())
	var attnBias, mlpBias int64
	if t.AttentionBias {
		attnBias = 1
	}
	if t.MLPBias {
		mlpBias = 1
	}
	for l := range s.TextLayers {
		q := func(op string) string { return fmt.Sprintf("text.l%d.%s", l, op) }
		b.elementwise(q("norm1"), StageText, -1, l, KindNorm, pre, h, 1, 0, h, OpsPerElemRMSNorm)
		b.gemm(q("q"), StageText, -1, l, pre, h, qd, attnBias*qd)
		b.gemm(q("k"), StageText, -1, l, pre, h, kvd, attnBias*kvd)
		b.gemm(q("v"), StageText, -1, l, pre, h, kvd, attnBias*kvd)
		b.attention(q("qk"), StageText, -1, l, heads, kv, pre, hd, pre)
		b.elementwise(q("softmax"), StageText, -1, l, KindSoftmax, heads*pre, pre, 1, 0, 0, OpsPerElemSoftmax)
		b.attention(q("av"), StageText, -1, l, heads, kv, pre, pre, hd)
		b.gemm(q("o"), StageText, -1, l, pre, qd, h, attnBias*h)
		b.elementwise(q("res1"), StageText, -1, l, KindResidual, pre, h, 2, 0, 0, OpsPerElemAdd)
		b.elementwise(q("norm2"), StageText, -1, l, KindNorm, pre, h, 1, 0, h, OpsPerElemRMSNorm)
		b.gemm(q("gate"), StageText, -1, l, pre, h, ffn, mlpBias*ffn)
		b.gemm(q("up"), StageText, -1, l, pre, h, ffn, mlpBias*ffn)
		b.elementwise(q("silu_mul"), StageText, -1, l, KindActivation, pre, ffn, 2, 0, 0, OpsPerElemSiLUMul)
		b.gemm(q("down"), StageText, -1, l, pre, ffn, h, mlpBias*h)
		b.elementwise(q("res2"), StageText, -1, l, KindResidual, pre, h, 2, 0, 0, OpsPerElemAdd)
	}
	b.elementwise("text.final_norm", StageText, -1, -1, KindNorm, pre, h, 1, 0, h, OpsPerElemRMSNorm)
	if s.IncludeLMHead {
		b.gemm("head.lm_head", StageHead, -1, -1, pre, h, int64(t.Vocab), 0)
	}
}

// seedKernels appends the notebook's six GEMMs, with its B as Frames.
func (s Scenario) seedKernels(b *builder) {
	v, t := s.Model.Vision, s.Model.Text
	sv, st := int64(s.Seed.VisionTokens), int64(s.Seed.TextTokens)
	b.gemm("Vis_MLP", StageVision, -1, -1, sv, int64(v.Hidden), int64(v.FFN), 0)
	b.gemm("Vis_PatchEmbed", StageVision, -1, -1, int64(v.Positions()), int64(v.PatchElems()), int64(v.Hidden), 0)
	b.gemm("Txt_MLP", StageText, -1, -1, st, int64(t.Hidden), int64(t.FFN), 0)
	b.gemm("Txt_Attn_Q", StageText, -1, -1, st, int64(t.Hidden), int64(t.QDim()), 0)
	b.gemm("Txt_Attn_K", StageText, -1, -1, st, int64(t.Hidden), int64(t.KVDim()), 0)
	b.gemm("Connector", StageConnector, -1, -1, int64(s.Seed.ConnectorRows), int64(s.Model.ConnectorIn()), int64(s.Model.ConnectorOut()), 0)
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
