package workload

import "fmt"

// Stage is the part of the model a kernel belongs to.
type Stage string

// The stages of SmolVLA's VLM, in execution order.
const (
	StageVision    Stage = "vision"
	StageConnector Stage = "connector"
	StageText      Stage = "text"
	StageHead      Stage = "head"
)

// Stages returns the stages in execution order (StageExpert, defined with
// the policy, last: only a policy scenario has kernels of it).
func Stages() []Stage { return []Stage{StageVision, StageConnector, StageText, StageHead, StageExpert} }

// Kind is what a kernel computes.
type Kind string

// Kernel kinds. GEMM and AttentionMatmul run on the compute arrays; the
// others are elementwise and run on the vector unit.
const (
	// KindGEMM multiplies activations (M x K) by a stored weight (K x N).
	KindGEMM Kind = "gemm"
	// KindAttention multiplies two activations per head (QK^T or AV).
	KindAttention Kind = "attention"
	// KindNorm is a LayerNorm or RMSNorm over rows.
	KindNorm Kind = "norm"
	// KindSoftmax is a row softmax of attention scores.
	KindSoftmax Kind = "softmax"
	// KindActivation is GELU, or SiLU times the up projection (SwiGLU).
	KindActivation Kind = "activation"
	// KindResidual is an elementwise add of two tensors: a residual add, or
	// the vision position-embedding add (whose second operand is the stored
	// table, counted in WeightElems).
	KindResidual Kind = "residual"
	// KindShuffle is the connector's pixel shuffle, or the selection of
	// one token per sequence before a pooling head (pure data movements).
	KindShuffle Kind = "shuffle"
	// KindRotary applies rotary position embeddings to queries or keys.
	KindRotary Kind = "rotary"
)

// IsMatmul reports whether kernels of this kind run on the compute arrays.
func (k Kind) IsMatmul() bool { return k == KindGEMM || k == KindAttention }

// Kernel is one step of a forward pass. For a matmul it computes Batch
// independent products of (M x K) by (K x N); for an elementwise kernel
// M x N is the output shape and K is unused (1).
type Kernel struct {
	// Name is unique within a scenario, e.g. "vision.cam0.l3.fc1".
	Name string `json:"name"`
	// Stage is the model part the kernel belongs to.
	Stage Stage `json:"stage"`
	// Camera is the camera a vision or connector kernel works on; -1 when
	// the kernel is not per camera.
	Camera int `json:"camera"`
	// Layer is the encoder layer; -1 for kernels outside the layers.
	Layer int `json:"layer"`
	// Kind says what the kernel computes.
	Kind Kind `json:"kind"`
	// M, K, N are the matmul dimensions (rows of A, inner, columns of B).
	M int64 `json:"m"`
	K int64 `json:"k"`
	N int64 `json:"n"`
	// Batch is the number of independent products (heads), 1 for a GEMM.
	Batch int64 `json:"batch"`
	// WeightElems is the number of stored weight elements the kernel reads
	// (the K x N operand of a GEMM, the position-embedding table of its add;
	// biases and norm parameters excluded).
	WeightElems int64 `json:"weight_elems"`
	// BiasElems is the number of bias and norm-parameter elements (scale,
	// shift) the kernel reads, kept apart from WeightElems.
	BiasElems int64 `json:"bias_elems"`
	// InputElems is the number of activation elements the kernel reads.
	InputElems int64 `json:"input_elems"`
	// OutputElems is the number of activation elements the kernel writes.
	OutputElems int64 `json:"output_elems"`
	// Ops is the number of arithmetic operations: 2 per MAC for a matmul,
	// a fixed count per element for an elementwise kernel.
	Ops int64 `json:"ops"`
	// Inputs names the activation tensors the kernel reads (see Graph), in
	// operand order: for attention exactly the left (M x K per head) and
	// the right (K x N) operand; for a residual add the branch, then the
	// stream; for SwiGLU the gate, then the up projection. Their elements
	// add up to InputElems.
	Inputs []string `json:"-"`
	// Weights names the stored tensors the kernel reads: its weight (the
	// K x N operand of a GEMM, the position table) and its parameters
	// (bias, norm scale and shift). Their elements add up to WeightElems
	// and BiasElems.
	Weights []string `json:"-"`
	// Outputs names the tensor the kernel writes (one).
	Outputs []string `json:"-"`
}

// MACs is the number of multiply-accumulates of a matmul kernel (0 for an
// elementwise one): M x K x N x Batch.
func (k Kernel) MACs() int64 {
	if !k.Kind.IsMatmul() {
		return 0
	}
	return k.M * k.K * k.N * k.Batch
}

// Validate checks that the kernel's dimensions and counts are positive and
// consistent.
func (k Kernel) Validate() error {
	if k.Name == "" {
		return fmt.Errorf("kernel: name must not be empty")
	}
	if k.M <= 0 || k.K <= 0 || k.N <= 0 || k.Batch <= 0 {
		return fmt.Errorf("kernel %s: m, k, n and batch must be > 0, got %d, %d, %d, %d", k.Name, k.M, k.K, k.N, k.Batch)
	}
	if k.WeightElems < 0 || k.BiasElems < 0 || k.InputElems < 0 || k.OutputElems <= 0 || k.Ops < 0 {
		return fmt.Errorf("kernel %s: element and op counts must be >= 0 (output > 0)", k.Name)
	}
	if k.Kind.IsMatmul() && k.Ops != 2*k.MACs() {
		return fmt.Errorf("kernel %s: ops %d is not 2 x MACs (%d)", k.Name, k.Ops, 2*k.MACs())
	}
	return nil
}

// String formats the kernel on one line: name, stage, camera, layer, kind,
// dimensions, element counts and ops.
func (k Kernel) String() string {
	return fmt.Sprintf("%s stage=%s cam=%d layer=%d kind=%s m=%d k=%d n=%d batch=%d weight=%d bias=%d in=%d out=%d ops=%d",
		k.Name, k.Stage, k.Camera, k.Layer, k.Kind, k.M, k.K, k.N, k.Batch,
		k.WeightElems, k.BiasElems, k.InputElems, k.OutputElems, k.Ops)
}

// NewGEMM returns an activation-by-weight matmul (M x K) x (K x N).
func NewGEMM(name string, stage Stage, camera, layer int, m, k, n int64) Kernel {
	return Kernel{
		Name: name, Stage: stage, Camera: camera, Layer: layer, Kind: KindGEMM,
		M: m, K: k, N: n, Batch: 1,
		WeightElems: k * n, InputElems: m * k, OutputElems: m * n,
		Ops: 2 * m * k * n,
	}
}
