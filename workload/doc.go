// Package workload describes what runs on an accelerator: model
// configurations (vision encoder, connector, text encoder, LM head), a
// Scenario (cameras, tokens, batch) and the ordered Kernel list of a forward
// pass, with the SmolVLA and seed-notebook presets, Hugging Face config.json
// import and parameter accounting.
//
// Conventions of the kernel lists:
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
