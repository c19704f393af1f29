// Package roofline is the one place of roofsim's roofline formulas: a
// kernel's ideal bytes, its operational intensity, the attainable
// performance under a set of ceilings, the seed notebook's lower bound
// (one bandwidth for reads and writes) and the design bound (separate AXI
// read and write channels, the HBM pseudo-channels the kernel's bytes live
// on). It depends only on hw and workload; times are in seconds (sim/clock
// turns them into cycles).
package roofline
