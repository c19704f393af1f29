package decode

import (
	"path/filepath"
	"testing"

	"github.com/roofsim/roofsim/workload"
)

// BenchmarkDecode1B is the budget: TinyLlama-1.1B with a 512-token
// prompt and 128 generated tokens at the default sample, on one core
// (go test ./decode -run - -bench Decode1B -benchtime 1x -cpu 1); the
// budget is 30 s per run.
func BenchmarkDecode1B(b *testing.B) {
	sc, err := workload.LoadScenario(filepath.Join("..", "examples", "tinyllama-1.1b.json"))
	if err != nil {
		b.Fatal(err)
	}
	sc.Seq, sc.Generate = 512, 128
	d, p, o := int8(b)
	for range b.N {
		r, err := Run(d, p, sc, o, Options{Sample: DefaultSample}, nil)
		if err != nil {
			b.Fatal(err)
		}
		if r.Failed() != 0 {
			b.Fatalf("%d kernels failed validation", r.Failed())
		}
	}
}
