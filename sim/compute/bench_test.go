package compute_test

import (
	"testing"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sim/compute"
	"github.com/roofsim/roofsim/workload"
)

// BenchmarkGEMM1024x768x3072 is the speed target of one GEMM: the
// 1024 x 768 x 3072 GEMM on a 64 x 64 array (the int8 design) with the
// ideal memory, under 50 ms per run.
func BenchmarkGEMM1024x768x3072(b *testing.B) {
	d, err := hw.DesignByName("int8")
	if err != nil {
		b.Fatal(err)
	}
	p := hw.U280()
	k := workload.NewGEMM("fc1", workload.StageVision, 0, 0, 1024, 768, 3072)
	opts := compute.DefaultOptions(d, p)
	for b.Loop() {
		if _, err := compute.RunKernel(d, p, k, opts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSmolVLA is the speed target of a whole forward pass: SmolVLA's
// kernel list (3 cameras) on the int8 design with the ideal memory, under
// 1 s per run.
func BenchmarkSmolVLA(b *testing.B) {
	d, err := hw.DesignByName("int8")
	if err != nil {
		b.Fatal(err)
	}
	p := hw.U280()
	sc, err := workload.ScenarioByName("smolvla")
	if err != nil {
		b.Fatal(err)
	}
	ks, err := sc.Kernels()
	if err != nil {
		b.Fatal(err)
	}
	opts := compute.DefaultOptions(d, p)
	for b.Loop() {
		s, err := compute.NewSimulator(d, p, opts)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.RunAll(ks); err != nil {
			b.Fatal(err)
		}
	}
}
