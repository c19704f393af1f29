// Package workload describes what runs on an accelerator: model
// configurations (vision encoder, connector, text encoder, LM head), a
// Scenario (cameras, tokens, batch) and the ordered Kernel list of a forward
// pass, with the SmolVLA and seed-notebook presets, Hugging Face config.json
// import and parameter accounting.
//
// workload imports nothing of the project.
package workload
