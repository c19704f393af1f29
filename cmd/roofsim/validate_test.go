package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/roofsim/roofsim/calib"
)

// TestValidateCmd: one case by name, the threshold's exit code, and bad
// input.
func TestValidateCmd(t *testing.T) {
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"validate", "--case", "tutorial-seq-1pc-64", "--format", "csv"}, 0, "tutorial-seq-1pc-64,u50,vitis-tutorials,measured,GB/s,13.1"},
		{[]string{"validate", "--case", "tutorial-random-1pc-64", "--max-mape", "10"}, 1, "above --max-mape 10%"},
		{[]string{"validate", "--case", "nope"}, 2, "is not in the suite"},
		{[]string{"validate", "--max-mape", "-1"}, 2, "--max-mape must be >= 0"},
		{[]string{"validate", "--case", "vitis-hbm-simple-u50-one-pc", "--explain", "--format", "csv"}, 0, "pending"},
		{[]string{"validate", "--case", "vitis-blas-gemv-u280-512x256", "--format", "csv", "--max-mape", "100"}, 0,
			"vitis-blas-gemv-u280-512x256,u280,vitis-libraries,measured,cycles,4772,"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(c.args, &out, &errb)
			if code != c.code {
				t.Fatalf("exit %d, want %d; stderr: %s", code, c.code, errb.String())
			}
			text := out.String() + errb.String()
			if !strings.Contains(text, c.want) {
				t.Errorf("output lacks %q:\n%.800s", c.want, text)
			}
		})
	}
}

// TestValidateGEMMIsGEMM: a GEMM case's matmul is what roofsim gemm
// simulates for its design file and shape (the same simulator path), and
// the case's figure is at least that.
func TestValidateGEMMIsGEMM(t *testing.T) {
	suite, err := calib.Suite()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"vitis-blas-gemv-u280-512x256", "vitis-blas-gemv-u280-512x512"} {
		t.Run(name, func(t *testing.T) {
			cs, err := pickCases(suite, name)
			if err != nil {
				t.Fatal(err)
			}
			r, err := calib.Run(cs[0])
			if err != nil {
				t.Fatal(err)
			}
			g := cs[0].GEMM
			file := filepath.Join(t.TempDir(), "design.json")
			if err := os.WriteFile(file, g.Design, 0o600); err != nil {
				t.Fatal(err)
			}
			var out, errb bytes.Buffer
			args := []string{"gemm", "--design", file, "--m", strconv.FormatInt(g.M, 10), "--k", strconv.FormatInt(g.K, 10),
				"--n", strconv.FormatInt(g.N, 10), "--format", "csv"}
			if code := run(args, &out, &errb); code != 0 {
				t.Fatalf("gemm exit %d: %s", code, errb.String())
			}
			lines := strings.Split(out.String(), "\n")
			if len(lines) < 2 || !strings.HasPrefix(lines[0], "name,m,k,n,batch,cycles,") {
				t.Fatalf("gemm output:\n%s", out.String())
			}
			cycles, err := strconv.ParseInt(strings.Split(lines[1], ",")[5], 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			if cycles != r.MatmulCycles || r.Simulated < float64(cycles) {
				t.Errorf("gemm %d cycles; validate's matmul %d cycles, figure %.0f", cycles, r.MatmulCycles, r.Simulated)
			}
		})
	}
}

// TestValidateModelIsRun: a model case's figure is what roofsim run prints
// for the same scenario, design, prompt, decode steps and layout: the
// suite's Unified Engine design and layout on SmolLM2-135M (a small model
// keeps the test short), the single pass's latency_ms and the generation's
// mean time per token (1000 / tokens_per_s for one sequence).
func TestValidateModelIsRun(t *testing.T) {
	suite, err := calib.Suite()
	if err != nil {
		t.Fatal(err)
	}
	cs, err := pickCases(suite, "ue-u50-llama32-1b-tpot")
	if err != nil {
		t.Fatal(err)
	}
	config, err := os.ReadFile(filepath.Join("..", "..", "workload", "testdata", "hf", "smollm2-135m.json"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	design, scenario := filepath.Join(dir, "design.json"), filepath.Join(dir, "smollm2.json")
	if err := os.WriteFile(design, cs[0].Model.Design, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(scenario, config, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, metric := range []string{calib.MetricLatency, calib.MetricTPOT} {
		t.Run(metric, func(t *testing.T) {
			c := cs[0]
			m := *c.Model
			m.HFConfig, m.Seq, m.Metric = config, 16, metric
			args := []string{"run", "--scenario", scenario, "--design", design, "--seq", "16", "--layout", m.Layout, "--format", "json"}
			m.Generate, m.DecodeSample = 0, 0
			if metric == calib.MetricTPOT {
				m.Generate, m.DecodeSample = 3, 2
				args = append(args, "--generate", "3", "--decode-sample", "2")
			}
			c.Model = &m
			r, err := calib.Run(c)
			if err != nil {
				t.Fatal(err)
			}
			var out, errb bytes.Buffer
			if code := run(args, &out, &errb); code != 0 {
				t.Fatalf("run exit %d: %s", code, errb.String())
			}
			var doc struct {
				LatencyMs  float64 `json:"latency_ms"`
				Generation []struct {
					TokensPerS float64 `json:"tokens_per_s"`
				} `json:"generation"`
			}
			if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
				t.Fatal(err)
			}
			var want float64
			switch {
			case metric == calib.MetricLatency:
				want = doc.LatencyMs
			case metric == calib.MetricTPOT && len(doc.Generation) == 1:
				want = 1000 / doc.Generation[0].TokensPerS
			}
			if !(want > 0) || math.Abs(r.Simulated-want) > 1e-9*want {
				t.Errorf("validate's %s %.6f ms; roofsim run %.6f ms", metric, r.Simulated, want)
			}
		})
	}
}

// TestValidateJobs: the output is byte for byte the same whatever -j is,
// and a bad -j is one line and exit 2.
func TestValidateJobs(t *testing.T) {
	suite, err := calib.Suite()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range suite {
		if c.Model == nil && (c.GEMM == nil || c.GEMM.K*c.GEMM.N <= 1<<20) && len(names) < 16 {
			names = append(names, c.Name)
		}
	}
	args := []string{"validate", "--case", strings.Join(names, ","), "--explain", "--format", "md", "--max-mape", "1000"}
	var outs []string
	for _, j := range []string{"1", "4"} {
		code, out, errs := runCLI(t, append(args, "-j", j)...)
		if code != 0 {
			t.Fatalf("-j %s: exit %d: %s", j, code, errs)
		}
		outs = append(outs, out)
	}
	if outs[0] != outs[1] {
		t.Errorf("-j 4 printed another output than -j 1:\n%s", lineDiff(outs[0], outs[1]))
	}
	for _, j := range []string{"0", "-2", "100000"} {
		code, _, errs := runCLI(t, "validate", "-j", j)
		if want := "roofsim: -j must be in 1..1024, got " + j + "\n"; code != 2 || errs != want {
			t.Errorf("-j %s: exit %d, stderr %q; want exit 2 and %q", j, code, errs, want)
		}
	}
}
