// Package validation checks simulated results against the roofline
// (package roofline) and attributes their losses: Compare checks every
// kernel of a forward pass (its time against its design bound, its traffic
// against its ideal bytes, its MACs) and names why it is slower than its
// bound; CheckGEMMs and CheckHBMBench check the gemm and hbm benchmarks.
// Rendering the results is package report's.
package validation
