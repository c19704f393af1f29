package workload

import (
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func mustKernels(t *testing.T, s Scenario) []Kernel {
	t.Helper()
	ks, err := s.Kernels()
	if err != nil {
		t.Fatalf("Kernels(%s): %v", s.Name, err)
	}
	return ks
}

func byName(ks []Kernel) map[string]Kernel {
	m := make(map[string]Kernel, len(ks))
	for _, k := range ks {
		m[k.Name] = k
	}
	return m
}

func smolvla(t *testing.T) Scenario {
	t.Helper()
	s, err := ScenarioByName("smolvla")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// expectedMACs is the forward pass's MAC count from the per-layer formulas,
// written out from the model facts, independently of the kernel builder.
func expectedMACs(cameras, langTokens, stateTokens, textLayers, frames int64, lmHead bool) int64 {
	const (
		vT, vH, vFFN, vLayers, patchK = 1024, 768, 3072, 12, 3 * 16 * 16
		imgTokens, connIn, tH, tFFN   = 64, 12288, 960, 2560
		qD, kvD, heads, headDim       = 960, 320, 15, 64
		vocab                         = 49280
	)
	visionLayer := int64(4*vT*vH*vH + 2*vT*vT*vH + 2*vT*vH*vFFN) // q,k,v,out + QK^T,AV + fc1,fc2
	perCamera := int64(vT*patchK*vH) + vLayers*visionLayer + int64(imgTokens*connIn*tH)
	p := imgTokens*cameras + langTokens + stateTokens
	textLayer := p*tH*qD + 2*p*tH*kvD + 2*heads*p*p*headDim + p*qD*tH + 3*p*tH*tFFN
	macs := cameras*perCamera + textLayers*textLayer
	if lmHead {
		macs += p * tH * vocab
	}
	return frames * macs
}

func TestSmolVLAKernelShapes(t *testing.T) {
	s := smolvla(t)
	ks := mustKernels(t, s)
	if got, want := len(ks), 3*(2+12*14+1+2)+16*15+1; got != want {
		t.Errorf("kernel count %d, want %d", got, want)
	}
	seen := map[string]bool{}
	for _, k := range ks {
		if seen[k.Name] {
			t.Errorf("duplicate kernel name %s", k.Name)
		}
		seen[k.Name] = true
		if err := k.Validate(); err != nil {
			t.Error(err)
		}
		switch {
		case k.Stage == StageVision && k.Kind == KindGEMM && k.M != 1024:
			t.Errorf("%s: vision GEMM M=%d, want 1024 tokens", k.Name, k.M)
		case k.Stage == StageText && k.Kind == KindGEMM && k.M != 241:
			t.Errorf("%s: text GEMM M=%d, want the 241-token prefix", k.Name, k.M)
		case k.Stage == StageHead:
			t.Errorf("%s: the LM head must not run by default", k.Name)
		}
	}
	if got, want := TotalMACs(ks), expectedMACs(3, 48, 1, 16, 1, false); got != want {
		t.Errorf("TotalMACs = %d, want %d", got, want)
	}
	var matmulOps int64
	for _, k := range ks {
		if k.Kind.IsMatmul() {
			matmulOps += k.Ops
		}
	}
	if matmulOps != 2*TotalMACs(ks) {
		t.Errorf("matmul ops %d != 2 x MACs %d", matmulOps, 2*TotalMACs(ks))
	}
	if TotalOps(ks) <= matmulOps {
		t.Errorf("TotalOps %d must exceed the matmul ops %d (elementwise kernels count too)", TotalOps(ks), matmulOps)
	}

	k := byName(ks)
	tests := []struct {
		name                          string
		kind                          Kind
		m, kk, n, batch, weight, bias int64
		in, out, ops                  int64
	}{
		{"vision.cam0.patch_embed", KindGEMM, 1024, 768, 768, 1, 768 * 768, 768, 1024 * 768, 1024 * 768, 2 * 1024 * 768 * 768},
		{"vision.cam0.pos_embed", KindResidual, 1024, 1, 768, 1, 1024 * 768, 0, 1024 * 768, 1024 * 768, 1024 * 768},
		{"vision.cam1.l0.ln1", KindNorm, 1024, 1, 768, 1, 0, 2 * 768, 1024 * 768, 1024 * 768, OpsPerElemLayerNorm * 1024 * 768},
		{"vision.cam2.l11.qk", KindAttention, 1024, 64, 1024, 12, 0, 0, 2 * 12 * 1024 * 64, 12 * 1024 * 1024, 2 * 12 * 1024 * 64 * 1024},
		{"vision.cam2.l11.softmax", KindSoftmax, 12 * 1024, 1, 1024, 1, 0, 0, 12 * 1024 * 1024, 12 * 1024 * 1024, OpsPerElemSoftmax * 12 * 1024 * 1024},
		{"vision.cam2.l11.av", KindAttention, 1024, 1024, 64, 12, 0, 0, 12*1024*1024 + 12*1024*64, 12 * 1024 * 64, 2 * 12 * 1024 * 1024 * 64},
		{"vision.cam0.l3.fc1", KindGEMM, 1024, 768, 3072, 1, 768 * 3072, 3072, 1024 * 768, 1024 * 3072, 2 * 1024 * 768 * 3072},
		{"vision.cam0.l3.gelu", KindActivation, 1024, 1, 3072, 1, 0, 0, 1024 * 3072, 1024 * 3072, OpsPerElemGELU * 1024 * 3072},
		{"vision.cam0.l3.res2", KindResidual, 1024, 1, 768, 1, 0, 0, 2 * 1024 * 768, 1024 * 768, 1024 * 768},
		{"vision.cam0.post_ln", KindNorm, 1024, 1, 768, 1, 0, 2 * 768, 1024 * 768, 1024 * 768, OpsPerElemLayerNorm * 1024 * 768},
		{"connector.cam2.shuffle", KindShuffle, 64, 1, 12288, 1, 0, 0, 1024 * 768, 64 * 12288, 0},
		{"connector.cam2.proj", KindGEMM, 64, 12288, 960, 1, 12288 * 960, 0, 64 * 12288, 64 * 960, 2 * 64 * 12288 * 960},
		{"text.l0.norm1", KindNorm, 241, 1, 960, 1, 0, 960, 241 * 960, 241 * 960, OpsPerElemRMSNorm * 241 * 960},
		{"text.l0.q", KindGEMM, 241, 960, 960, 1, 960 * 960, 0, 241 * 960, 241 * 960, 2 * 241 * 960 * 960},
		{"text.l0.k", KindGEMM, 241, 960, 320, 1, 960 * 320, 0, 241 * 960, 241 * 320, 2 * 241 * 960 * 320},
		{"text.l7.qk", KindAttention, 241, 64, 241, 15, 0, 0, 15*241*64 + 5*64*241, 15 * 241 * 241, 2 * 15 * 241 * 64 * 241},
		{"text.l7.av", KindAttention, 241, 241, 64, 15, 0, 0, 15*241*241 + 5*241*64, 15 * 241 * 64, 2 * 15 * 241 * 241 * 64},
		{"text.l15.silu_mul", KindActivation, 241, 1, 2560, 1, 0, 0, 2 * 241 * 2560, 241 * 2560, OpsPerElemSiLUMul * 241 * 2560},
		{"text.l15.down", KindGEMM, 241, 2560, 960, 1, 2560 * 960, 0, 241 * 2560, 241 * 960, 2 * 241 * 2560 * 960},
		{"text.final_norm", KindNorm, 241, 1, 960, 1, 0, 960, 241 * 960, 241 * 960, OpsPerElemRMSNorm * 241 * 960},
	}
	for _, tc := range tests {
		got, ok := k[tc.name]
		if !ok {
			t.Errorf("kernel %s missing", tc.name)
			continue
		}
		want := Kernel{
			Name: tc.name, Stage: got.Stage, Camera: got.Camera, Layer: got.Layer, Kind: tc.kind,
			M: tc.m, K: tc.kk, N: tc.n, Batch: tc.batch, WeightElems: tc.weight, BiasElems: tc.bias,
			InputElems: tc.in, OutputElems: tc.out, Ops: tc.ops,
		}
		if !reflect.DeepEqual(counts(got), want) {
			t.Errorf("%s:\n got %v\nwant %v", tc.name, got, want)
		}
	}
	if got := k["vision.cam2.l11.fc2"]; got.Camera != 2 || got.Layer != 11 || got.Stage != StageVision {
		t.Errorf("vision.cam2.l11.fc2: camera %d layer %d stage %s, want 2, 11, vision", got.Camera, got.Layer, got.Stage)
	}
	if got := k["text.l15.down"]; got.Camera != -1 || got.Layer != 15 || got.Stage != StageText {
		t.Errorf("text.l15.down: camera %d layer %d stage %s, want -1, 15, text", got.Camera, got.Layer, got.Stage)
	}
}

// TestSmolVLAKernelOrder checks the execution order: per camera its vision
// encoder then its connector, then the text layers.
func TestSmolVLAKernelOrder(t *testing.T) {
	ks := mustKernels(t, smolvla(t))
	want := []string{"vision.cam0.patch_embed", "vision.cam0.pos_embed", "vision.cam0.l0.ln1", "vision.cam0.l0.q",
		"vision.cam0.l0.k", "vision.cam0.l0.v", "vision.cam0.l0.qk", "vision.cam0.l0.softmax", "vision.cam0.l0.av",
		"vision.cam0.l0.out", "vision.cam0.l0.res1", "vision.cam0.l0.ln2", "vision.cam0.l0.fc1", "vision.cam0.l0.gelu",
		"vision.cam0.l0.fc2", "vision.cam0.l0.res2", "vision.cam0.l1.ln1"}
	for i, n := range want {
		if ks[i].Name != n {
			t.Fatalf("kernel %d is %s, want %s", i, ks[i].Name, n)
		}
	}
	names := make([]string, len(ks))
	for i, k := range ks {
		names[i] = k.Name
	}
	idx := func(n string) int {
		for i, m := range names {
			if m == n {
				return i
			}
		}
		t.Fatalf("kernel %s missing", n)
		return -1
	}
	order := []string{"vision.cam0.post_ln", "connector.cam0.shuffle", "connector.cam0.proj", "vision.cam1.patch_embed",
		"connector.cam2.proj", "text.l0.norm1", "text.l0.q", "text.l15.res2", "text.final_norm"}
	for i := 1; i < len(order); i++ {
		if idx(order[i-1]) >= idx(order[i]) {
			t.Errorf("%s must come before %s", order[i-1], order[i])
		}
	}
	if names[len(names)-1] != "text.final_norm" {
		t.Errorf("last kernel %s, want text.final_norm", names[len(names)-1])
	}
}

func TestSmolVLAVariants(t *testing.T) {
	tests := []struct {
		name    string
		cameras int
		frames  int
		lmHead  bool
	}{
		{"1 camera", 1, 1, false},
		{"2 cameras", 2, 1, false},
		{"3 cameras", 3, 1, false},
		{"4 cameras", 4, 1, false},
		{"3 cameras, LM head", 3, 1, true},
		{"3 cameras, 2 frames", 3, 2, false},
		{"2 cameras, 4 frames, LM head", 2, 4, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := smolvla(t)
			s.Cameras, s.Frames, s.IncludeLMHead = tc.cameras, tc.frames, tc.lmHead
			p := 64*tc.cameras + 49
			if s.TextTokens() != p {
				t.Errorf("TextTokens %d, want 64 x %d + 49 = %d", s.TextTokens(), tc.cameras, p)
			}
			ks := mustKernels(t, s)
			k := byName(ks)
			f := int64(tc.frames)
			if got := k["text.l0.q"].M; got != f*int64(p) {
				t.Errorf("text.l0.q M=%d, want %d", got, f*int64(p))
			}
			if got := k["text.l0.qk"]; got.M != int64(p) || got.N != int64(p) || got.Batch != 15*f {
				t.Errorf("text.l0.qk M=%d N=%d batch=%d, want %d, %d, %d", got.M, got.N, got.Batch, p, p, 15*f)
			}
			if got := k["vision.cam0.l0.fc1"]; got.M != 1024*f || got.WeightElems != 768*3072 {
				t.Errorf("vision.cam0.l0.fc1 M=%d weight=%d, want %d, %d (weights read once per batch)", got.M, got.WeightElems, 1024*f, 768*3072)
			}
			if got := k["connector.cam0.proj"].M; got != 64*f {
				t.Errorf("connector.cam0.proj M=%d, want %d", got, 64*f)
			}
			if _, ok := k[camName(tc.cameras)]; ok {
				t.Errorf("kernel %s exists with %d cameras", camName(tc.cameras), tc.cameras)
			}
			if _, ok := k[camName(tc.cameras-1)]; !ok {
				t.Errorf("kernel %s missing with %d cameras", camName(tc.cameras-1), tc.cameras)
			}
			head, ok := k["head.lm_head"]
			if ok != tc.lmHead {
				t.Fatalf("head.lm_head present %v, want %v", ok, tc.lmHead)
			}
			if ok && (head.M != f*int64(p) || head.K != 960 || head.N != 49280 || head.Stage != StageHead) {
				t.Errorf("head.lm_head %v, want %d x 960 x 49280 in stage head", head, f*int64(p))
			}
			if ok && ks[len(ks)-1].Name != "head.lm_head" {
				t.Errorf("the LM head must be the last kernel")
			}
			wantCount := tc.cameras*(2+12*14+1+2) + 16*15 + 1
			if tc.lmHead {
				wantCount++
			}
			if len(ks) != wantCount {
				t.Errorf("kernel count %d, want %d", len(ks), wantCount)
			}
			if got, want := TotalMACs(ks), expectedMACs(int64(tc.cameras), 48, 1, 16, f, tc.lmHead); got != want {
				t.Errorf("TotalMACs %d, want %d", got, want)
			}
		})
	}
}

func camName(cam int) string { return "connector.cam" + string(rune('0'+cam)) + ".proj" }

// TestStoredElemsMatchParams checks that the stored elements the kernels
// read (weights plus biases and norm parameters) add up to the checkpoint's
// parameters of the parts that run.
func TestStoredElemsMatchParams(t *testing.T) {
	s := smolvla(t)
	s.IncludeLMHead = true
	ks := mustKernels(t, s)
	read := map[string]int64{}
	for _, k := range ks {
		if k.Camera > 0 {
			continue // each camera reads the same weights again
		}
		read[string(k.Stage)] += k.WeightElems + k.BiasElems
	}
	params := map[string]int64{}
	for _, p := range s.Params() {
		params[p.Name] = p.Count
	}
	tests := []struct {
		stage string
		want  int64
	}{
		{"vision", params["vision"]},
		{"connector", params["connector"]},
		{"text", params["text"] - params["text.embed_tokens"]}, // the embedding lookup is not a kernel
		{"head", params["head"]},
	}
	for _, tc := range tests {
		if read[tc.stage] != tc.want {
			t.Errorf("%s: kernels read %d stored elements, params %d", tc.stage, read[tc.stage], tc.want)
		}
	}
}

func TestSeedKernels(t *testing.T) {
	s, err := ScenarioByName("seed")
	if err != nil {
		t.Fatal(err)
	}
	ks := mustKernels(t, s)
	want := []struct {
		name    string
		stage   Stage
		m, k, n int64
	}{
		{"Vis_MLP", StageVision, 256, 768, 3072},
		{"Vis_PatchEmbed", StageVision, 1024, 768, 768},
		{"Txt_MLP", StageText, 50, 960, 2560},
		{"Txt_Attn_Q", StageText, 50, 960, 960},
		{"Txt_Attn_K", StageText, 50, 960, 320},
		{"Connector", StageConnector, 1, 12288, 960},
	}
	if len(ks) != len(want) {
		t.Fatalf("%d kernels, want %d", len(ks), len(want))
	}
	for i, w := range want {
		got := ks[i]
		exp := NewGEMM(w.name, w.stage, -1, -1, w.m, w.k, w.n)
		if !reflect.DeepEqual(counts(got), exp) {
			t.Errorf("kernel %d:\n got %v\nwant %v", i, got, exp)
		}
	}
	// The notebook's B scales every M.
	s.Frames = 2
	ks2 := mustKernels(t, s)
	if TotalMACs(ks2) != 2*TotalMACs(ks) {
		t.Errorf("2 frames: %d MACs, want %d", TotalMACs(ks2), 2*TotalMACs(ks))
	}
}

func TestKernelsRejectInvalidScenario(t *testing.T) {
	s := smolvla(t)
	s.Cameras = 0
	if _, err := s.Kernels(); err == nil || !strings.Contains(err.Error(), "cameras") {
		t.Errorf("Kernels with 0 cameras: err %v, want one naming cameras", err)
	}
}

func TestSmolVLAGolden(t *testing.T) {
	ks := mustKernels(t, smolvla(t))
	var b strings.Builder
	for _, k := range ks {
		b.WriteString(k.String())
		b.WriteByte('\n')
	}
	path := filepath.Join("testdata", "smolvla_kernels.golden")
	if *update {
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./workload -update to create it)", err)
	}
	if b.String() != string(want) {
		gl, wl := strings.Split(b.String(), "\n"), strings.Split(string(want), "\n")
		for i := 0; i < min(len(gl), len(wl)); i++ {
			if gl[i] != wl[i] {
				t.Fatalf("golden mismatch at line %d:\n got %s\nwant %s\n(run go test ./workload -update if the change is intended)", i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("golden mismatch: %d lines, want %d", len(gl), len(wl))
	}
}

func TestTotals(t *testing.T) {
	ks := []Kernel{
		NewGEMM("a", StageText, -1, 0, 2, 3, 4),
		{Name: "b", Stage: StageText, Kind: KindResidual, M: 2, K: 1, N: 4, Batch: 1, InputElems: 16, OutputElems: 8, Ops: 8},
	}
	if got := TotalMACs(ks); got != 24 {
		t.Errorf("TotalMACs %d, want 24", got)
	}
	if got := TotalOps(ks); got != 56 {
		t.Errorf("TotalOps %d, want 56", got)
	}
	if got := TotalWeightElems(ks); got != 12 {
		t.Errorf("TotalWeightElems %d, want 12", got)
	}
}

// BatchCameras keeps the work and the text kernels, reads the vision and
// connector weights once for all cameras, and keeps attention per image.
func TestBatchCameras(t *testing.T) {
	for _, tc := range []struct{ cameras, frames int }{{1, 1}, {3, 1}, {3, 2}, {2, 4}} {
		s := smolvla(t)
		s.Cameras, s.Frames = tc.cameras, tc.frames
		per := mustKernels(t, s)
		s.BatchCameras = true
		all := mustKernels(t, s)

		if TotalMACs(all) != TotalMACs(per) || TotalOps(all) != TotalOps(per) {
			t.Errorf("%+v: batched MACs/ops %d/%d, per camera %d/%d", tc, TotalMACs(all), TotalOps(all), TotalMACs(per), TotalOps(per))
		}
		split := func(ks []Kernel) (cam, text []Kernel) {
			for _, k := range ks {
				if k.Stage == StageVision || k.Stage == StageConnector {
					cam = append(cam, k)
				} else {
					text = append(text, k)
				}
			}
			return cam, text
		}
		perCam, perText := split(per)
		allCam, allText := split(all)
		if !reflect.DeepEqual(perText, allText) {
			t.Errorf("%+v: the text kernels changed with BatchCameras", tc)
		}
		if len(allCam)*tc.cameras != len(perCam) {
			t.Fatalf("%+v: %d batched vision/connector kernels, want %d / %d cameras", tc, len(allCam), len(perCam), tc.cameras)
		}
		if got, want := TotalWeightElems(allCam)*int64(tc.cameras), TotalWeightElems(perCam); got != want {
			t.Errorf("%+v: batched weights x cameras = %d, per-camera weights %d", tc, got, want)
		}
		cams := int64(tc.cameras)
		for i, k := range allCam {
			c := perCam[i] // camera 0's kernel of the same step
			wantName := strings.Replace(c.Name, ".cam0.", ".", 1)
			if k.Name != wantName || k.Camera != -1 || k.Kind != c.Kind || k.Layer != c.Layer {
				t.Errorf("%+v: kernel %d is %s (camera %d), want %s (camera -1)", tc, i, k.Name, k.Camera, wantName)
			}
			switch {
			case k.Kind == KindAttention:
				if k.M != c.M || k.Batch != cams*c.Batch || k.InputElems != cams*c.InputElems {
					t.Errorf("%+v: %s: attention m=%d batch=%d, want m=%d batch=%d (per image)", tc, k.Name, k.M, k.Batch, c.M, cams*c.Batch)
				}
			default:
				if k.M != cams*c.M || k.K != c.K || k.N != c.N || k.WeightElems != c.WeightElems || k.BiasElems != c.BiasElems {
					t.Errorf("%+v: %s: m=%d weights=%d, want m=%d weights=%d", tc, k.Name, k.M, k.WeightElems, cams*c.M, c.WeightElems)
				}
			}
			if k.OutputElems != cams*c.OutputElems || k.Ops != cams*c.Ops {
				t.Errorf("%+v: %s: out=%d ops=%d, want %d and %d", tc, k.Name, k.OutputElems, k.Ops, cams*c.OutputElems, cams*c.Ops)
			}
		}
		for _, k := range all {
			if strings.Contains(k.Name, ".cam") {
				t.Errorf("%+v: batched kernel %s names a camera", tc, k.Name)
			}
		}
	}
	// 3 cameras: 3 x 12 vision fc1 weight passes become 12.
	s := smolvla(t)
	s.BatchCameras = true
	ks := mustKernels(t, s)
	if ks[0].Name != "vision.patch_embed" || ks[0].M != 3*1024 {
		t.Errorf("first batched kernel %v, want vision.patch_embed over 3072 rows", ks[0])
	}
}

func TestBatchCamerasSeed(t *testing.T) {
	s := SeedScenario()
	s.BatchCameras = true
	if _, err := s.Kernels(); err == nil || !strings.Contains(err.Error(), "batch_cameras") {
		t.Errorf("seed with BatchCameras: err %v, want one naming batch_cameras", err)
	}
}

// counts is kernel k without the names of its tensors: its shape and
// counts.
func counts(k Kernel) Kernel {
	k.Inputs, k.Weights, k.Outputs = nil, nil, nil
	return k
}
