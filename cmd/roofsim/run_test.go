package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestRunSeedGolden(t *testing.T) {
	for _, c := range []struct{ file, format, kernels string }{
		{"run_seed_ideal.json", "json", ""}, {"run_seed_ideal.md", "md", "all"}, {"run_seed_ideal_top3.md", "md", "3"},
	} {
		args := []string{"run", "--scenario", "seed", "--memory", "ideal", "--format", c.format}
		if c.kernels != "" {
			args = append(args, "--kernels", c.kernels)
		}
		code, out, errs := runCLI(t, args...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		golden(t, c.file, out)
	}
}

// The first screen (issue 9 item 6): roofsim with no arguments fits one
// screen, shows the default latency, and says how to see every kernel.
func TestFirstScreen(t *testing.T) {
	code, out, errs := runCLI(t)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) > 60 {
		t.Errorf("roofsim prints %d lines, want at most 60", len(lines))
	}
	for i, l := range lines {
		if n := utf8.RuneCountInString(l); n > 160 {
			t.Errorf("line %d is %d characters wide, want at most 160: %q", i+1, n, l)
		}
	}
	for _, want := range []string{"197.488", "--kernels all", "lost_ms"} {
		if !strings.Contains(out, want) {
			t.Errorf("the first screen lacks %q", want)
		}
	}
}

// The main job is `roofsim run` on the defaults; its JSON has the fields
// issue 5 names, the validation passes, and two runs are byte-identical.
func TestMainJobJSONAndDeterminism(t *testing.T) {
	code, a, errs := runCLI(t, "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	_, b, _ := runCLI(t, "run", "--format", "json")
	if a != b {
		t.Error("roofsim and roofsim run differ, or two runs differ")
	}
	var doc struct {
		LatencyMs  float64 `json:"latency_ms"`
		FPS        float64 `json:"fps"`
		Validation string  `json:"validation"`
		Kernels    []map[string]any
	}
	if err := json.Unmarshal([]byte(a), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Validation != "pass" || len(doc.Kernels) != 760 || doc.LatencyMs <= 0 || doc.FPS <= 0 {
		t.Errorf("validation %s, %d kernels, %g ms, %g fps", doc.Validation, len(doc.Kernels), doc.LatencyMs, doc.FPS)
	}
	for _, key := range []string{"name", "stage", "sim_cycles", "bound_cycles", "efficiency", "bound", "bytes_read", "bytes_written"} {
		if _, ok := doc.Kernels[0][key]; !ok {
			t.Errorf("kernel JSON lacks %q", key)
		}
	}
	_, c1, _ := runCLI(t, "--format", "csv")
	_, c2, _ := runCLI(t, "--format", "csv")
	if c1 != c2 || c1 == "" {
		t.Error("two csv runs differ")
	}
}

func TestRunFilesAndStats(t *testing.T) {
	dir := t.TempDir()
	out, img, trace := filepath.Join(dir, "r.csv"), filepath.Join(dir, "r.png"), filepath.Join(dir, "t.csv")
	code, stdout, errs := runCLI(t, "run", "--scenario", "seed", "--memory", "ideal", "--format", "csv",
		"-o", out, "--plot", img, "--trace", trace, "--stats")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if stdout != "" || !strings.Contains(errs, "events in") || !strings.Contains(errs, "simulated") {
		t.Errorf("stdout %q, stderr %q", stdout, errs)
	}
	b, _ := os.ReadFile(trace)
	if !bytes.HasPrefix(b, []byte("ID, ParentID, Kind, What, Where, Start, End\n")) || bytes.Count(b, []byte("\n")) < 7 {
		t.Errorf("trace is not an Akita CSV trace: %.80q", b)
	}
	if b, _ := os.ReadFile(img); !bytes.HasPrefix(b, []byte("\x89PNG")) {
		t.Error("plot is not a PNG")
	}
	if b, _ := os.ReadFile(out); !bytes.Contains(b, []byte("latency_ms")) {
		t.Error("-o file lacks the summary")
	}
}

func TestRunBadInput(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"run", "--memory", "dram"}, `--memory "dram" is not known (accepted: hbm|ideal)`},
		{[]string{"run", "--trace", "t.json"}, "accepted: a name ending in .csv"},
		{[]string{"run", "--precision", "int4", "--design", "int8"}, "--precision int4 does not match design int8"},
		{[]string{"run", "--precision", "fp8"}, `precision "fp8"`},
		{[]string{"run", "--precision", "fp16"}, `--precision fp16 has no built-in design`},
		{[]string{"run", "--plot", "x.jpg"}, "accepted: .png|.svg"},
		{[]string{"compare", "--designs", "int8,,int4"}, "has an empty entry"},
		{[]string{"compare", "--design", "int8"}, "compare takes --designs"},
		// compare applies the design flags to every design.
		{[]string{"compare", "--designs", "int8", "--weight-store", "1GiB"}, `design int8: --weight-store: design "int8" does not fit`},
		{[]string{"run", "--ideas", "warp"}, `--ideas[0] "warp" is not a known idea`},
		{[]string{"run", "--arrays", "0"}, "--arrays must be in 1..1024, got 0"},
		{[]string{"--cameras", "0"}, "--cameras must be > 0"},
	}
	for _, c := range cases {
		code, _, errs := runCLI(t, c.args...)
		if code != exitBadInput || !strings.Contains(errs, c.want) || strings.Count(errs, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q, want exit 2 and %q", c.args, code, errs, c.want)
		}
	}
}

func TestCompareSeed(t *testing.T) {
	code, out, errs := runCLI(t, "compare", "--scenario", "seed", "--memory", "ideal", "--designs", "int8,int4", "--format", "csv")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[1], "int8,int8,seed") || !strings.HasPrefix(lines[2], "int4,int4,seed") {
		t.Errorf("compare output:\n%s", out)
	}
}

// Every idea switch runs, passes its validation, and moves the latency the
// way the model says (fusion faster, the naive layout slower).
func TestRunIdeas(t *testing.T) {
	latency := func(args ...string) float64 {
		t.Helper()
		code, out, errs := runCLI(t, append([]string{"run", "--scenario", "seed", "--format", "json"}, args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errs)
		}
		var doc struct {
			LatencyMs  float64 `json:"latency_ms"`
			Validation string  `json:"validation"`
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil || doc.Validation != "pass" {
			t.Fatalf("%v: %v, validation %q", args, err, doc.Validation)
		}
		return doc.LatencyMs
	}
	base := latency()
	if l := latency("--layout", "contiguous"); l <= base {
		t.Errorf("contiguous layout %g ms, interleaved %g ms: want slower", l, base)
	}
	for _, args := range [][]string{{"--ideas", "fuse"}, {"--ideas", "prefetch"}, {"--ideas", "pipeline_slr", "--scenario", "smolvla", "--memory", "ideal"},
		{"--ideas", "pin_weights", "--pin-policy", "order", "--weight-store", "2MiB", "--activation-store", "8MiB"}} {
		latency(args...)
	}
	code, _, errs := runCLI(t, "run", "--activation-store", "-1MiB")
	if code != exitBadInput || !strings.Contains(errs, `--activation-store "-1MiB" must be in 0..`) {
		t.Errorf("bad --activation-store: exit %d, %q (0 is accepted: the message must say so)", code, errs)
	}
	code, _, errs = runCLI(t, "run", "--ideas", "pin_weights", "--pin-policy", "all")
	if code != exitBadInput || !strings.Contains(errs, "accepted: reuse|order") {
		t.Errorf("bad --pin-policy: exit %d, %q", code, errs)
	}
	code, _, errs = runCLI(t, "run", "--pin-policy", "order")
	if code != exitBadInput || !strings.Contains(errs, "--pin-policy goes with --ideas pin_weights") {
		t.Errorf("--pin-policy without the idea: exit %d, %q", code, errs)
	}
	code, _, errs = runCLI(t, "run", "--layout", "random")
	if code != exitBadInput || !strings.Contains(errs, "accepted: interleave|contiguous") {
		t.Errorf("bad --layout: exit %d, %q", code, errs)
	}
}
