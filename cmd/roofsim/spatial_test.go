package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const spatialExample = "../../examples/design-spatial-bert.json"

// TestSpatialRun runs the example spatial design on one vision layer and
// checks that it reports the bottleneck stage.
func TestSpatialRun(t *testing.T) {
	var out, errb bytes.Buffer
	code := run([]string{"run", "--design", spatialExample, "--ops", "vision.cam0.l0.*", "--format", "md"}, &out, &errb)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, want := range []string{"bottleneck stage", "pipeline fill", "throughput", "| av * |", "blocked_pushes"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

// TestSpatialBadInput checks that bad spatial designs and flags give one
// error line and exit 2.
func TestSpatialBadInput(t *testing.T) {
	ex, err := os.ReadFile(spatialExample)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	file := func(name, from, to string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(strings.Replace(string(ex), from, to, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	layer := []string{"--ops", "vision.cam0.l0.*"}
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"op mapped to no unit", []string{"run", "--design", spatialExample}, "is mapped to no unit"},
		{"missing SLR", append([]string{"run", "--design", file("slr.json", `"slr": 2, "hbm_ports": [16]`, `"slr": 7, "hbm_ports": [16]`)}, layer...), "is on SLR 7"},
		{"depth 0", append([]string{"run", "--design", file("depth.json", `"depth_tiles": 8}`, `"depth_tiles": 0}`)}, layer...), "depth_tiles or depth_bytes must be > 0"},
		{"unknown unit", append([]string{"run", "--design", file("unit.json", `{"from": "res2", "to": "res1"`, `{"from": "res3", "to": "res1"`)}, layer...), `unit "res3" is not known`},
		{"no ops match", []string{"run", "--design", spatialExample, "--ops", "nothing.*"}, "matches no op"},
		{"passes on overlay", []string{"run", "--passes", "2"}, "spatial designs only"},
		{"overlay flag on spatial", append([]string{"run", "--design", spatialExample, "--memory", "ideal"}, layer...), "--memory does not apply to a spatial design"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(c.args, &out, &errb)
			msg := strings.TrimSpace(errb.String())
			if code != exitBadInput || !strings.Contains(msg, c.want) || strings.Contains(msg, "\n") || out.Len() != 0 {
				t.Errorf("exit %d, stderr %q, stdout %d bytes; want exit 2 and one line with %q", code, msg, out.Len(), c.want)
			}
		})
	}
}

// TestSpatialHuggingFaceBERT runs the spatial design written for the
// Hugging Face BERT-base graph (examples/bert-base-uncased.json) on one
// layer at two sequence lengths: --seq reaches the spatial run, and the
// MACs it executed equal the layer's, recomputed here from the shapes
// (hidden 768, FFN 3072, 12 heads of 64): q, k, v and o are S x 768 x 768,
// fc1 and fc2 S x 768 x 3072, QK^T and AV 12 x S x 64 x S each.
func TestSpatialHuggingFaceBERT(t *testing.T) {
	const hidden, ffn = 768, 3072
	for _, seq := range []int{128, 512} {
		var out, errb bytes.Buffer
		args := []string{"run", "--scenario", "../../examples/bert-base-uncased.json", "--seq", strconv.Itoa(seq),
			"--design", "../../examples/design-spatial-bert-hf.json", "--ops", "text.l0.*", "--format", "json"}
		if code := run(args, &out, &errb); code != exitOK {
			t.Fatalf("seq %d: exit %d: %s", seq, code, errb.String())
		}
		var rep struct {
			Summary []struct {
				Metric string `json:"metric"`
				Value  any    `json:"value"`
			} `json:"summary"`
		}
		if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
			t.Fatalf("seq %d: %v", seq, err)
		}
		got := map[string]any{}
		for _, m := range rep.Summary {
			got[m.Metric] = m.Value
		}
		s := float64(seq)
		want := 4*s*hidden*hidden + 2*s*hidden*ffn + 2*s*s*hidden
		if macs, _ := got["MACs"].(float64); macs != want {
			t.Errorf("seq %d: MACs %v, want %v", seq, got["MACs"], want)
		}
		if b, _ := got["bottleneck stage"].(string); b == "" {
			t.Errorf("seq %d: no bottleneck stage in %v", seq, got)
		}
	}
}
