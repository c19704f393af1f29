package main

import (
	"bytes"
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
