package decode

import (
	"path/filepath"
	"testing"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sim/accel"
	"github.com/roofsim/roofsim/workload"
)

// TestStreamBufferedDecode runs decode steps of Llama-3.2-1B (its first 2
// layers) on a stream-buffered dot-product engine with one port and a
// 16 KiB weight FIFO, the mapping of calib's Unified Engine cases. Its
// grouped-query attention reads each K/V tile for several heads, so the
// FIFO loads a tile again while an earlier run of works still holds it: a
// work must take its own run's copy (compute's fifoRuns). Taking the older
// copy used to free the newer one while it was still loading, and the run
// stopped with a broken DMA invariant (exit 3) at context 17.
func TestStreamBufferedDecode(t *testing.T) {
	s, err := workload.LoadScenario(filepath.Join("..", "workload", "testdata", "hf", "llama-3.2-1b.json"))
	if err != nil {
		t.Fatal(err)
	}
	m := *s.HF
	m.Towers = append([]workload.Tower(nil), m.Towers...)
	m.Towers[0].Layers = 2
	s.HF = &m
	d, err := hw.ParseDesign([]byte(`{"name": "ue-stream", "precision": "w4a8", "dsps_per_mac": 3, "array_rows": 64,
		"array_cols": 1, "array_style": "dot", "weight_buffer_bytes": 16384, "input_buffer_bytes": 524288,
		"output_buffer_bytes": 524288, "vector_lanes": 64, "hbm_ports": 1, "port_bits": 256, "hbm_pcs": 32,
		"freq_hz": 333332031.25, "board": "u50", "buffering": "stream"}`))
	if err != nil {
		t.Fatal(err)
	}
	p := hw.U50()
	o := accel.DefaultOptions(d, p)
	o.Layout.Map = accel.LayoutContiguous
	for _, seq := range []int{16, 29} {
		s.Seq, s.Generate = seq, 1
		res, err := Run(d, p, s, o, Options{NoPrefill: true}, nil)
		if err != nil {
			t.Fatalf("seq %d: %v", seq, err)
		}
		if res.Failed() != 0 || len(res.Steps) != 1 || res.Steps[0].Seconds <= 0 {
			t.Errorf("seq %d: %d failed kernels, %d steps, %v s", seq, res.Failed(), len(res.Steps), res.Steps)
		}
	}
}
