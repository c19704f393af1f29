package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/roofsim/roofsim/hw"
)

// hfDir holds the published configs and SOURCES.md, whose table lists each
// file's published parameter count.
const hfDir = "../../workload/testdata/hf"

// publishedCounts reads the file -> parameters table of SOURCES.md.
func publishedCounts(t *testing.T) map[string]int64 {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(hfDir, "SOURCES.md"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, line := range strings.Split(string(b), "\n") {
		cells := strings.Split(line, "|")
		if len(cells) != 6 || !strings.HasSuffix(strings.TrimSpace(cells[1]), ".json") {
			continue
		}
		n, err := strconv.ParseInt(strings.ReplaceAll(strings.TrimSpace(cells[4]), ",", ""), 10, 64)
		if err != nil {
			t.Fatalf("SOURCES.md: %q: %v", line, err)
		}
		out[strings.TrimSpace(cells[1])] = n
	}
	return out
}

// runJSON runs the CLI and decodes its JSON tables.
func runJSON(t *testing.T, args ...string) map[string][]map[string]any {
	t.Helper()
	var out, errb bytes.Buffer
	if code := run(append(args, "--format", "json"), &out, &errb); code != exitOK {
		t.Fatalf("roofsim %s: exit %d: %s", strings.Join(args, " "), code, errb.String())
	}
	var doc map[string][]map[string]any
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatalf("roofsim %s: %v", strings.Join(args, " "), err)
	}
	return doc
}

// TestParamsPublishedCLI checks `roofsim params --scenario CONFIG` against
// the published count of every config of SOURCES.md (one per family at
// least; workload's TestHFParamsPublished derives each by hand).
func TestParamsPublishedCLI(t *testing.T) {
	counts := publishedCounts(t)
	if len(counts) < 13 {
		t.Fatalf("SOURCES.md lists %d configs", len(counts))
	}
	for file, want := range counts {
		doc := runJSON(t, "params", "--scenario", filepath.Join(hfDir, file))
		var got float64
		for _, r := range doc["params"] {
			if r["name"] == "total" {
				got = r["count"].(float64)
			}
		}
		if int64(got) != want {
			t.Errorf("%s: params total %.0f, want the published %d", file, got, want)
		}
	}
}

// TestRunGenerateCLI runs a decoder's prefill and 128 decode steps and
// checks the generation's figures: it passes validation, and its time per
// output token is at least the HBM time of the weights and KV cache each
// token reads. ROOFSIM_SLOW=1 runs it on the 1B-class example (the issue's
// acceptance command, about 15 s) instead of SmolLM2-135M.
func TestRunGenerateCLI(t *testing.T) {
	cfg := filepath.Join(hfDir, "smollm2-135m.json")
	if os.Getenv("ROOFSIM_SLOW") == "1" {
		cfg = "../../examples/tinyllama-1.1b.json"
	}
	doc := runJSON(t, "run", "--scenario", cfg, "--seq", "512", "--generate", "128", "--kernels", "3")
	gen := doc["generation"]
	if len(gen) != 1 {
		t.Fatalf("generation table has %d rows", len(gen))
	}
	g := gen[0]
	d, err := hw.DesignByName("int8")
	if err != nil {
		t.Fatal(err)
	}
	floorMs := g["hbm_mb_per_token"].(float64) * 1e6 / d.MemBytesPerSec(hw.U280()) * 1e3
	for _, col := range []string{"tpot_first_ms", "tpot_mid_ms", "tpot_last_ms"} {
		if v := g[col].(float64); v < floorMs || v < g["bound_tpot_ms"].(float64) {
			t.Errorf("%s %.4f ms is below the HBM time of the weights and KV cache, %.4f ms", col, v, floorMs)
		}
	}
	if g["validation"] != "pass" || g["ttft_ms"].(float64) <= 0 || g["tokens_per_s"].(float64) <= 0 {
		t.Errorf("generation row %v", g)
	}
	if last, first := g["tpot_last_ms"].(float64), g["tpot_first_ms"].(float64); last < first {
		t.Errorf("the last step (%.4f ms) is faster than the first (%.4f ms) over a longer cache", last, first)
	}
	if len(doc["decode_steps"]) < 4 || len(doc["step_kernels"]) == 0 || len(doc["prefill_kernels"]) == 0 {
		t.Errorf("tables: %d decode steps, %d step kernels, %d prefill kernels", len(doc["decode_steps"]), len(doc["step_kernels"]), len(doc["prefill_kernels"]))
	}
}
