package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestGEMMGolden(t *testing.T) {
	cases := []struct {
		file string
		args []string
	}{
		{"gemm_fc1.txt", []string{"gemm", "--memory", "ideal", "--m", "1024", "--k", "768", "--n", "3072"}},
		{"gemm_text_ws_nooverlap.csv", []string{"gemm", "--memory", "ideal", "--m", "241", "--k", "960", "--n", "2560", "--dataflow", "ws", "--fold-overlap=false", "--format", "csv"}},
		{"gemm_topology.json", []string{"gemm", "--memory", "ideal", "--topology", filepath.Join("testdata", "gemm_topology.csv"), "--format", "json"}},
		{"gemm_small_buffers.md", []string{"gemm", "--memory", "ideal", "--m", "1024", "--k", "768", "--n", "3072", "--weight-buffer", "64KiB",
			"--input-buffer", "64KiB", "--output-buffer", "64KiB", "--hbm-ports", "2", "--format", "md"}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			code, out, errs := runCLI(t, c.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			golden(t, c.file, out)
		})
	}
}

// gemmCSV runs roofsim gemm with args in CSV and returns the first table's
// rows as maps by column.
func gemmCSV(t *testing.T, args ...string) []map[string]string {
	t.Helper()
	code, out, errs := runCLI(t, append([]string{"gemm", "--memory", "ideal", "--format", "csv"}, args...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	first, _, _ := strings.Cut(out, "\n\n")
	recs, err := csv.NewReader(strings.NewReader(first)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var rows []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			m[h] = r[i]
		}
		rows = append(rows, m)
	}
	return rows
}

func num(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// The columns the issue names are there, and shrinking the buffers shows
// in the bytes and, with a memory that limits, in the cycles.
func TestGEMMShrinkingBuffers(t *testing.T) {
	shape := []string{"--m", "1024", "--k", "768", "--n", "3072", "--hbm-ports", "2"}
	big := gemmCSV(t, shape...)[0]
	small := gemmCSV(t, append(shape, "--weight-buffer", "64KiB", "--input-buffer", "64KiB", "--output-buffer", "64KiB")...)[0]
	for _, col := range []string{"name", "m", "k", "n", "cycles", "compute_cycles", "stall_cycles", "utilization", "bytes_read", "bytes_written", "bound_cycles"} {
		if _, ok := big[col]; !ok {
			t.Errorf("column %s is missing", col)
		}
	}
	if num(t, small["bytes_read"]) <= num(t, big["bytes_read"]) {
		t.Errorf("bytes_read: 64 KiB buffers %s, default %s", small["bytes_read"], big["bytes_read"])
	}
	if num(t, small["cycles"]) <= num(t, big["cycles"]) {
		t.Errorf("cycles: 64 KiB buffers %s, default %s", small["cycles"], big["cycles"])
	}
	if num(t, big["cycles"]) < num(t, big["bound_cycles"]) {
		t.Errorf("cycles %s below the bound %s", big["cycles"], big["bound_cycles"])
	}
}

// --memory hbm runs the same GEMM on the HBM model: not below the bound,
// and every operand read once as with the ideal memory.
func TestGEMMOnHBM(t *testing.T) {
	shape := []string{"--m", "1024", "--k", "768", "--n", "3072"}
	ideal := gemmCSV(t, shape...)[0]
	hbm := gemmCSV(t, append(shape, "--memory", "hbm")...)[0]
	if num(t, hbm["cycles"]) < num(t, hbm["bound_cycles"]) {
		t.Errorf("hbm: cycles %s below the bound %s", hbm["cycles"], hbm["bound_cycles"])
	}
	if hbm["compute_cycles"] != ideal["compute_cycles"] || hbm["bytes_read"] != ideal["bytes_read"] {
		t.Errorf("hbm: compute %s bytes %s, ideal: compute %s bytes %s", hbm["compute_cycles"], hbm["bytes_read"], ideal["compute_cycles"], ideal["bytes_read"])
	}
}

func TestGEMMTopologyRows(t *testing.T) {
	rows := gemmCSV(t, "--topology", filepath.Join("testdata", "gemm_topology.csv"), "--batch", "2")
	want := []string{"QKT", "QKTV", "vision_fc1", "connector", "state_proj"}
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want %d", len(rows), len(want))
	}
	for i, r := range rows {
		if r["name"] != want[i] || r["batch"] != "2" {
			t.Errorf("row %d: name %s batch %s", i, r["name"], r["batch"])
		}
	}
	// SCALE-Sim's order is M, N, K.
	if r := rows[1]; r["m"] != "1024" || r["n"] != "64" || r["k"] != "1024" {
		t.Errorf("QKTV read as m=%s k=%s n=%s", r["m"], r["k"], r["n"])
	}
}

func TestGEMMErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.csv")
	if err := os.WriteFile(missing, []byte("Layer, M, N, K,\nfc1, 1024, 3072,\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	notInt := filepath.Join(dir, "notint.csv")
	if err := os.WriteFile(notInt, []byte("Layer, M, N, K,\nfc1, 1024, x, 768,\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--m", "0", "--k", "8", "--n", "8"}, "--m must be > 0, got 0"},
		{[]string{"--m", "8", "--k", "8"}, "--n must be > 0, got 0"},
		{[]string{"--m", "8", "--k", "8", "--n", "8", "--batch", "0"}, "--batch must be > 0, got 0"},
		{[]string{"--m", "8", "--k", "8", "--n", "8", "--array", "128x128"}, "needs 24576 slices of DSP48E2, the board has 9024"},
		{[]string{"--m", "8", "--k", "8", "--n", "8", "--array", "64"}, `--array "64" is not RxC`},
		{[]string{"--m", "8", "--k", "8", "--n", "8", "--dataflow", "is"}, `--dataflow "is" is not known (accepted: os|ws)`},
		{[]string{"--m", "8", "--k", "8", "--n", "8", "--memory", "dram"}, `--memory "dram" is not known (accepted: hbm|ideal)`},
		{[]string{"--m", "8", "--k", "8", "--n", "8", "--memory", "hbm", "--mem-latency", "3"}, "--mem-latency goes with --memory ideal"},
		{[]string{"--m", "8", "--k", "8", "--n", "8", "--weight-buffer", "lots"}, `--weight-buffer "lots" is not a size`},
		{[]string{"--m", "8", "--k", "8", "--n", "8", "--weight-buffer", "64MiB"}, "of BRAM+URAM, the board has"},
		{[]string{"--m", "64", "--k", "64", "--n", "64", "--input-buffer", "8"}, "input_buffer_bytes 8 is too small"},
		{[]string{"--topology", missing}, "line 2: row has 3 columns, want 4 (Layer, M, N, K)"},
		{[]string{"--topology", notInt}, `line 2: N "x" is not an integer`},
		{[]string{"--topology", filepath.Join(dir, "none.csv")}, "--topology:"},
		{[]string{"--topology", missing, "--m", "8"}, "--topology and --m do not go together"},
	}
	for _, c := range cases {
		code, _, errs := runCLI(t, append([]string{"gemm"}, c.args...)...)
		if code != exitBadInput || !strings.Contains(errs, c.want) || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
			t.Errorf("%v: exit %d, stderr %q, want exit 2 and %q on one line", c.args, code, errs, c.want)
		}
	}
}

func TestParseBytes(t *testing.T) {
	cases := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"4096", 4096, true}, {"64KiB", 65536, true}, {"2 MiB", 2 << 20, true}, {"2M", 2 << 20, true},
		{"1KB", 1000, true}, {"512B", 512, true}, {"0", 0, false}, {"-1KiB", 0, false}, {"KiB", 0, false}, {"1.5MiB", 0, false},
		{"2TiB", 0, false}, {"99999999999MiB", 0, false},
	}
	for _, c := range cases {
		got, err := parseSize("--size", c.in, maxBufferFlag)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("parseSize(%q) = %d, %v; want %d ok=%v", c.in, got, err, c.want, c.ok)
		}
	}
}

func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"4096", "64KiB", "2 MiB", "1KB", "x", "-5", "9223372036854775807M"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := parseSize("--size", s, maxBufferFlag)
		if err == nil && (v <= 0 || v > 1<<40) {
			t.Errorf("parseSize(%q) = %d accepted", s, v)
		}
	})
}
