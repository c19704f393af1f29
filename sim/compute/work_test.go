package compute

import (
	"strings"
	"testing"
	"time"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/workload"
)

// TestEstimateIsALowerBound checks that the estimate's tiles never exceed
// the works of the plan the tiler builds, so that the estimate refuses no
// kernel the limits would accept.
func TestEstimateIsALowerBound(t *testing.T) {
	p := hw.U280()
	kernels := []workload.Kernel{
		workload.NewGEMM("fc1", workload.StageVision, -1, -1, 1024, 768, 3072),
		workload.NewGEMM("conn", workload.StageVision, -1, -1, 64, 12288, 960),
		workload.NewGEMM("m1", workload.StageVision, -1, -1, 1, 768, 3072),
		workload.NewGEMM("small", workload.StageVision, -1, -1, 3, 5, 7),
		workload.NewGEMM("big", workload.StageVision, -1, -1, 8192, 8192, 8192),
	}
	for _, d := range hw.Designs() {
		s, err := NewSimulator(d, p, DefaultOptions(d, p))
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range kernels {
			pl, err := s.Plan(k)
			if err != nil {
				t.Fatalf("%s %s: %v", d.Name, k.Name, err)
			}
			works := 0
			for ai := range pl.Arrays {
				works += pl.src.works(ai)
			}
			if est := EstimateKernel(k, d, p); est.Tiles > float64(works) {
				t.Errorf("%s %s: estimate %g tiles, the plan has %d", d.Name, k.Name, est.Tiles, works)
			}
		}
	}
}

// TestRefusedBeforePlanning runs the reproduction 2 (a GEMM of
// 16M x 16M x 4096) and kernels over a small limit: each is refused at
// once with one line that says what would fit.
func TestRefusedBeforePlanning(t *testing.T) {
	p := hw.U280()
	d, _ := hw.DesignByName("int8")
	cases := []struct {
		name   string
		k      workload.Kernel
		limits Limits
		want   string
	}{
		{"repro 2", workload.NewGEMM("gemm", workload.StageVision, -1, -1, 16777216, 16777216, 4096), Limits{}, "MACs, above the"},
		{"memory", workload.NewGEMM("gemm", workload.StageVision, -1, -1, 16777216, 16, 16777216), Limits{}, "GiB of memory"},
		{"operand over its region", workload.NewGEMM("gemm", workload.StageVision, -1, -1, 4096, 1, 16777216), Limits{}, "more than the"},
		{"small memory limit", workload.NewGEMM("gemm", workload.StageVision, -1, -1, 4096, 4096, 4096), Limits{MaxMemoryBytes: 1 << 10}, "would fit"},
		{"small event limit", workload.NewGEMM("gemm", workload.StageVision, -1, -1, 4096, 4096, 4096), Limits{MaxEvents: 1000}, "events, above the limit"},
	}
	for _, c := range cases {
		opts := DefaultOptions(d, p)
		opts.Limits = c.limits
		start := time.Now()
		_, err := RunKernel(d, p, c.k, opts)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: got %v, want one line containing %q", c.name, err, c.want)
		}
		if el := time.Since(start); el > 2*time.Second {
			t.Errorf("%s: refused after %v", c.name, el)
		}
	}
}
