package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBoardFlag: every command takes --board (the other name of
// --platform), a design's "board" is used when no flag is given, and a
// flag naming another board than the design's is refused with exit 2.
func TestBoardFlag(t *testing.T) {
	dir := t.TempDir()
	design := filepath.Join(dir, "u50.json")
	if err := os.WriteFile(design, []byte(`{"name": "u50-int8", "board": "u50", "precision": "int8", "array_rows": 64,
		"array_cols": 64, "arrays": 2, "weight_buffer_bytes": 2097152, "input_buffer_bytes": 4194304, "output_buffer_bytes": 2097152}`), 0o600); err != nil {
		t.Fatal(err)
	}
	stream := filepath.Join(dir, "stream.json")
	if err := os.WriteFile(stream, []byte(`{"name": "gemv", "precision": "fp64", "array_rows": 4, "array_cols": 16, "arrays": 1,
		"dataflow": "os", "array_style": "dot", "buffering": "stream", "burst_bytes": 512, "weight_buffer_bytes": 131072,
		"input_buffer_bytes": 4096, "output_buffer_bytes": 8192, "vector_lanes": 4, "hbm_ports": 16, "port_bits": 256}`), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		args []string
		code int
		want string // in stdout (code 0) or stderr
	}{
		{[]string{"hw", "--board", "u55c", "--format", "csv"}, 0, "512 MiB each"},
		{[]string{"hw", "--board", "u50", "--design", design, "--format", "csv"}, 0, "5952"},
		{[]string{"hw", "--design", design, "--format", "csv"}, 0, "5952"},
		{[]string{"hw", "--board", "u280", "--design", design}, 2, "is for board u50"},
		{[]string{"hw", "--board", "vhk158"}, 2, "accepted: u280|u50|u55c|v80"},
		{[]string{"hw", "--board", "v80", "--format", "csv"}, 0, "HBM peak,819.2,GB/s"},
		{[]string{"hw", "--board", "V80", "--format", "csv"}, 0, "DSP58,10848,slices"},
		// 32 ports x 512 bit x 300 MHz = 614.4 GB/s: the ports bound the
		// V80 (819.2 GB/s of HBM), where the U280's HBM (460.8) bounds them.
		{[]string{"run", "--board", "v80", "--scenario", "seed", "--port-bits", "512", "--format", "csv"}, 0, ",614.4,"},
		{[]string{"hbm", "--board", "v80", "--pcs", "4", "--bytes", "256KiB", "--port-bits", "512", "--kernel-mhz", "400",
			"--no-wall-clock", "--format", "csv"}, 0, ",102.4,"},
		{[]string{"run", "--board", "u50"}, 2, "does not fit u50"},
		{[]string{"params", "--board", "u55c", "--format", "csv"}, 0, "vision.layers"},
		{[]string{"roofline", "--board", "u50", "--format", "csv"}, 0, "total"},
		{[]string{"gemm", "--design", design, "--m", "64", "--k", "64", "--n", "64", "--format", "csv"}, 0, "gemm,64,64,64"},
		{[]string{"hbm", "--board", "u55c", "--pcs", "1", "--bytes", "64KiB", "--no-wall-clock", "--format", "csv"}, 0, "seq"},
		// A stream buffer smaller than one burst per port: 16 ports x 512 B.
		{[]string{"gemm", "--design", stream, "--m", "1", "--k", "256", "--n", "256"}, 2, "input_buffer_bytes 4096 is smaller than one burst per port"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(c.args, &out, &errb)
			if code != c.code {
				t.Fatalf("exit %d, want %d; stderr: %s", code, c.code, errb.String())
			}
			text := out.String()
			if c.code != 0 {
				text = errb.String()
			}
			if !strings.Contains(text, c.want) {
				t.Errorf("output lacks %q:\n%.600s", c.want, text)
			}
		})
	}
}
