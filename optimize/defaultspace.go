package optimize

import "fmt"

// DefaultSpaceJSON is the built-in space (examples/optimize-space.json
// holds the same text): an int8 design on the U280, its arrays, buffers,
// stores, vector lanes, ports and clock (up to the U280 shell's 300 MHz
// kernel clock) in ranges, and the ideas that change the work or its
// schedule as switches (port512 and all_pcs are the port_bits and
// hbm_ports ranges; interleave is already the default layout).
const DefaultSpaceJSON = `{
  "name": "u280-int8",
  "platform": "u280",
  "design": "int8",
  "memory": "hbm",
  "params": {
    "precision": ["int8"],
    "arrays": [3, 6],
    "array_rows": {"min": 48, "max": 128, "step": 8},
    "array_cols": {"min": 48, "max": 128, "step": 8},
    "dataflow": ["os", "ws"],
    "weight_buffer_bytes": {"min": "1MiB", "max": "4MiB", "pow2": true},
    "input_buffer_bytes": {"min": "1MiB", "max": "4MiB", "pow2": true},
    "output_buffer_bytes": {"min": "1MiB", "max": "2MiB", "pow2": true},
    "activation_buffer_bytes": [0, "4MiB", "8MiB"],
    "vector_lanes": {"min": 64, "max": 256, "pow2": true},
    "hbm_ports": {"min": 8, "max": 32, "step": 8},
    "port_bits": [256, 512],
    "freq_hz": {"min": 200000000, "max": 300000000, "step": 25000000}
  },
  "ideas": ["batch_cameras", "fuse", "pipeline_slr", "prefetch", "pin_max"]
}
`

// DefaultSpace is the built-in space.
func DefaultSpace() (*Space, error) {
	s, err := ParseSpace([]byte(DefaultSpaceJSON))
	if err != nil {
		return nil, fmt.Errorf("optimize: the built-in space: %w", err)
	}
	return s, nil
}
