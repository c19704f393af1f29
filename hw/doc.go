// Package hw describes the hardware roofsim simulates: the AMD Alveo U280
// board (Platform, with its HBM2 geometry and timing), the arithmetic
// precisions an accelerator computes in (Precision), an accelerator instance
// on the board (Design), the two ceiling sets of the roofline (the seed
// notebook's device ceilings and a design's own), built-in presets, JSON
// loading and the resource-fit checks that refuse a design the board cannot
// hold.
//
// hw imports nothing of the project. Every hardware constant carries the
// public source it comes from; docs/design.md lists the facts and their
// sources, and "the seed notebook" is docs/seed-notebook.txt (summarised in
// docs/seed.md).
package hw
