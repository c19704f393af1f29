// Package workload describes what runs on an accelerator: model
// configurations (vision encoder, connector, text encoder, LM head), a
// Scenario (cameras, tokens, batch) and the tensor Graph of a forward pass
// (its ordered kernels and the tensors they read and write), with the
// SmolVLA and seed-notebook presets, Hugging Face config.json import and
// parameter accounting. The seed notebook is docs/seed-notebook.txt
// (summarised, with its three known errors, in docs/seed.md); the model
// facts and their sources are in docs/design.md#workload.
//
// The graph (Scenario.Graph, NewGraph):
//   - Every op (a Kernel) names the activation tensors it reads (Inputs;
//     for attention the left, then the right operand), the stored tensors
//     it reads (Weights: its weight, then its bias or norm parameters) and
//     the tensor it writes (Outputs, one).
//   - Every Tensor has a name, a Role (weight, parameter, activation,
//     scores, kv_cache, input) and a shape (Rows x Cols); NewGraph records
//     its producer, its consumers and so its lifetime (FirstUse, LastUse).
//   - A tensor read must be produced by an earlier op or be external (a
//     weight, parameter, model input or KV cache); anything else, a tensor
//     produced twice, or operands whose elements are not the op's counts
//     are errors when the graph is built, naming the op and the tensor.
//   - A view (Tensor.Concat) is the rows of other tensors one after the
//     other, with no storage of its own: the text prefix is every camera's
//     connector output, then "text.tokens" (the language tokens' embeddings
//     and the state token).
//   - The cameras' vision and connector kernels read one weight tensor
//     each ("vision.l3.fc1.weight"); per-camera activations carry the
//     camera in their name ("vision.cam1.l3.fc1.out").
//   - Graph.Slice cuts out a run of ops; what it reads from before becomes
//     a model input (how a pipelined pass is split).
//   - A policy scenario (Scenario.Policy, the "smolvla-policy" preset or a
//     lerobot SmolVLA config.json, see ParseLeRobotConfig) is the whole
//     policy call as one graph: the prefix (its state token from
//     "text.state_proj"), then NumSteps flow-matching steps of the action
//     expert ("expert.s<step>.<op>", stage expert) that read the text
//     layers' keys and values ("text.l<i>.k.out", ".v.out": the cache) and
//     one copy of the expert's weights; PolicySplit finds the parts. The
//     model and its sources are in docs/policy.md.
//
// Conventions of the kernels:
//   - Matmuls are GEMMs (activation x stored weight, WeightElems = K x N) or
//     attention products (activation x activation per head, Batch = heads;
//     with grouped-query attention the shared K or V operand counts once per
//     key/value head in InputElems).
//   - Elementwise kernels have M x N = the output shape, K = 1, Batch = 1,
//     and Ops = a fixed per-element count (OpsPerElemLayerNorm, ...); the
//     pixel shuffle has 0 ops.
//   - Biases and norm parameters are read by the kernel that uses them and
//     counted in its BiasElems, never in WeightElems, so that a GEMM's
//     WeightElems stays the seed roofline's K x N.
//   - Scenario.Frames multiplies the rows of GEMM and elementwise kernels
//     and the batch of attention kernels: weights are read once per batch.
//   - Scenario.BatchCameras runs the vision encoder and the connector once
//     over all cameras (rows x Cameras, attention batch x Cameras, names
//     without the camera, Camera -1): their weights are read once for all
//     cameras.
//   - Parameter counts are element counts; bytes per precision are computed
//     by the caller.
//
// workload imports nothing of the project.
package workload
