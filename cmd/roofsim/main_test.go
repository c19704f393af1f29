package main

import (
	"bytes"
	"flag"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// runCLI runs roofsim with args and returns its exit code, stdout and stderr.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/roofsim -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (run go test ./cmd/roofsim -update after checking the change)\n--- got\n%s", name, got)
	}
}

func TestGolden(t *testing.T) {
	cases := []struct {
		file string
		args []string
	}{
		{"params_seed.txt", []string{"params", "--scenario", "seed"}},
		{"params_smolvla.json", []string{"params", "--format", "json"}},
		{"roofline_seed.txt", []string{"roofline", "--scenario", "seed"}},
		{"roofline_seed.csv", []string{"roofline", "--scenario", "seed", "--format", "csv"}},
		{"roofline_smolvla_design.md", []string{"roofline", "--ceilings", "design", "--format", "md"}},
		{"hw_int8.md", []string{"hw", "--format", "md"}},
		{"hw_fp32.txt", []string{"hw", "--design", "fp32"}},
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

// The notebook's figures (issue 2's acceptance) appear in the outputs.
func TestSeedFigures(t *testing.T) {
	_, out, _ := runCLI(t, "params", "--scenario", "seed")
	for _, want := range []string{"85.05 M", "157.35 M", "11.80 M", "47.31 M", "301.51 M", "1.21 GB", "0.60 GB", "0.30 GB", "0.15 GB"} {
		if !strings.Contains(out, want) {
			t.Errorf("params --scenario seed lacks %q", want)
		}
	}
	_, out, _ = runCLI(t, "roofline", "--scenario", "seed", "--precision", "int8", "--format", "csv")
	want := map[string]string{"Vis_MLP": "361.41", "Vis_PatchEmbed": "558.55", "Txt_MLP": "93.32",
		"Txt_Attn_Q": "90.57", "Txt_Attn_K": "82.76", "Connector": "2.00"}
	for _, line := range strings.Split(out, "\n") {
		f := strings.Split(line, ",")
		if len(f) > 12 {
			if oi, ok := want[f[2]]; ok {
				if f[12] != oi {
					t.Errorf("%s: OI %s, want %s", f[2], f[12], oi)
				}
				delete(want, f[2])
			}
		}
	}
	if len(want) > 0 {
		t.Errorf("kernels missing from the roofline: %v", want)
	}
	_, out, _ = runCLI(t, "params")
	for _, want := range []string{"86433024", "11796480", "204626880", "47308800", "350165184"} {
		if !strings.Contains(out, want) {
			t.Errorf("params (smolvla) lacks the checkpoint count %s", want)
		}
	}
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"name": "x", "precision": "int8", "array_rows": 0,`), 0o644)
	lerobotBad := filepath.Join(dir, "policy.json")
	os.WriteFile(lerobotBad, []byte(`{"type": "smolvla", "chunk_size": 50}`), 0o644)
	big := filepath.Join(dir, "big.json")
	os.WriteFile(big, []byte(`{"name":"big","precision":"int8","array_rows":256,"array_cols":256,"weight_buffer_bytes":1024,"input_buffer_bytes":1024,"output_buffer_bytes":1024}`), 0o644)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"params", "--scenario", "nope"}, `scenario "nope" is not known (accepted: smolvla|seed|smolvla-policy)`},
		{[]string{"params", "--steps", "4"}, "--steps: scenario smolvla has no policy"},
		{[]string{"params", "--scenario", "smolvla-policy", "--chunk", "0"}, "--chunk must be > 0, got 0"},
		{[]string{"params", "--scenario", "smolvla-policy", "--steps", "1001"}, "num_steps must be in 1..1000, got 1001"},
		{[]string{"run", "--scenario", "smolvla-policy", "--control-hz", "-5"}, "--control-hz must be a finite frequency > 0 Hz for a policy scenario, got -5"},
		{[]string{"run", "--control-hz", "30"}, "--control-hz must be a finite frequency > 0 Hz for a policy scenario, got 30 on scenario smolvla"},
		{[]string{"params", "--scenario", lerobotBad}, "lerobot config: n_action_steps is missing: it must be an integer"},
		{[]string{"roofline", "--format", "xml"}, `--format "xml" is not known (accepted: table|csv|json|md)`},
		{[]string{"roofline", "--precision", "fp8"}, `precision "fp8"`},
		{[]string{"roofline", "--ceilings", "mine"}, `--ceilings "mine" is not known (accepted: seed|design)`},
		{[]string{"roofline", "--precision", "w4a8"}, "the notebook has no ceiling"},
		{[]string{"roofline", "--plot", "x.gif"}, "accepted: .png|.svg"},
		{[]string{"roofline", "--by", "layer"}, "accepted: shape|kernel"},
		{[]string{"params", "--cameras", "0"}, "--cameras must be > 0, got 0"},
		{[]string{"params", "--frames", "-1"}, "--frames must be > 0, got -1"},
		{[]string{"hw", "--design", "int9"}, "accepted: fp32|bf16|int8|int4|w4a8"},
		{[]string{"hw", "--design", bad}, "malformed JSON"},
		{[]string{"hw", "--design", big}, "needs 32768 slices of DSP48E2, the board has 9024 (over by 23744)"},
		{[]string{"hw", "--platform", "vu9p"}, `platform "vu9p"`},
		{[]string{"params", "--unknown"}, "unknown flag: --unknown"},
	}
	for _, c := range cases {
		out := filepath.Join(dir, "out.txt")
		args := append(append([]string(nil), c.args...), "-o", out)
		code, _, errs := runCLI(t, args...)
		if code != exitBadInput {
			t.Errorf("%v: exit %d, want %d", c.args, code, exitBadInput)
		}
		if !strings.Contains(errs, c.want) {
			t.Errorf("%v: stderr %q lacks %q", c.args, errs, c.want)
		}
		if strings.Count(errs, "\n") != 1 {
			t.Errorf("%v: stderr is not one line: %q", c.args, errs)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("%v: bad input left an output file", c.args)
		}
	}
}

func TestOutputFileAndPlot(t *testing.T) {
	dir := t.TempDir()
	out, img, svg := filepath.Join(dir, "r.json"), filepath.Join(dir, "r.png"), filepath.Join(dir, "r.svg")
	code, stdout, errs := runCLI(t, "roofline", "--scenario", "seed", "--format", "json", "-o", out, "--plot", img)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if stdout != "" {
		t.Errorf("with -o nothing goes to stdout, got %q", stdout)
	}
	_, direct, _ := runCLI(t, "roofline", "--scenario", "seed", "--format", "json")
	if b, _ := os.ReadFile(out); string(b) != direct {
		t.Error("-o file differs from stdout output")
	}
	f, err := os.Open(img)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	if err != nil || cfg.Width < 800 || cfg.Height < 300 {
		t.Errorf("plot is not a usable PNG: %v %+v", err, cfg)
	}
	if code, _, errs := runCLI(t, "roofline", "--plot", svg, "-o", filepath.Join(dir, "x.txt")); code != 0 {
		t.Fatalf("svg: exit %d: %s", code, errs)
	}
	b, _ := os.ReadFile(svg)
	if !bytes.Contains(b, []byte("<svg")) || !bytes.Contains(b, []byte("Vision encoder roofline")) {
		t.Error("svg plot lacks its chart")
	}
}

func TestDeterministic(t *testing.T) {
	for _, args := range [][]string{{"roofline", "--format", "json"}, {"params", "--format", "csv"}} {
		_, a, _ := runCLI(t, args...)
		_, b, _ := runCLI(t, args...)
		if a != b || a == "" {
			t.Errorf("%v: two runs differ or are empty", args)
		}
	}
}
