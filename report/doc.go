// Package report renders every table and figure roofsim prints: tables in
// the formats of package report/format (box-drawn text, CSV, JSON,
// Markdown) and figures (gonum/plot, PNG or SVG). It takes the results of
// the other packages (roofline analyses, validation's checks, the HBM and
// GEMM benchmarks, sweep rows) and computes nothing but their presentation.
package report
