// Package calib holds roofsim's suite of published, measured results on
// real HBM FPGA boards and runs each case on the simulator: the simulated
// figure next to the measured one, their ratio and error, and over the
// measured cases the mean absolute percentage error (MAPE), the
// geometric-mean ratio and the worst case.
//
// A case names its source (paper and table or figure, or repository and
// file), the board, the workload, the measured figure and its unit, the
// design as roofsim JSON (for HBM micro-benchmarks: the HLS kernel's
// AXI ports, their access pattern, span, AXI IDs and outstanding
// requests, with a figure in GB/s; for a measured matmul, a GEMM: its
// shape, the roofsim design it runs on through the compute simulator
// with the HBM model, as roofsim gemm runs it, and the kernel's restart
// streams, with a figure in device cycles; for a measured model, a Model:
// its scenario, prompt, decode steps and roofsim design, run as roofsim run
// runs it, with a latency, TTFT or TPOT in ms or a decode throughput in
// tokens/s), what the mapping approximates
// and a paragraph on how it was mapped. Cases roofsim cannot express yet are kept in the suite as
// pending, with the reason, and are not simulated; HLS or analytical
// estimates are kept apart as estimates. Neither counts in the error
// figures. The cases live in cases/*.json, embedded in the binary.
//
// This package is not package validation, which checks simulated kernels
// against their analytical bounds.
package calib
