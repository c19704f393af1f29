package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/roofsim/roofsim/sweep"
)

// TestOptimizeRoundTrip runs a small study and checks its outputs: the
// best design file runs under roofsim run with the printed ideas to the
// same latency as its trial, trials.csv is a sweep file roofsim report
// reads, and the plots are written.
func TestOptimizeRoundTrip(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	args := []string{"optimize", "--scenario", "seed", "--space", "cmd/roofsim/testdata/optimize_space.json",
		"--budget", "5", "-j", "2", "--seed", "2", "--dir", dir, "--format", "json"}
	t.Chdir(docsRoot)
	if code := run(args, &out, &errb); code != 0 {
		t.Fatalf("optimize exited %d: %s", code, errb.String())
	}
	for _, f := range []string{"best.json", "trials.csv", "front.png", "convergence.png"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Fatalf("optimize did not write %s: %v", f, err)
		}
	}
	// The best trial's latency and ideas, from trials.csv and the summary.
	data, err := os.ReadFile(filepath.Join(dir, "trials.csv"))
	if err != nil {
		t.Fatal(err)
	}
	file, err := sweep.ReadFile("trials.csv", data)
	if err != nil {
		t.Fatal(err)
	}
	best, ideas, cycles := 0.0, "", ""
	for _, r := range file.Rows {
		if r.Status() != sweep.StatusOK {
			continue
		}
		ms, err := strconv.ParseFloat(r.Get("latency_ms"), 64)
		if err != nil {
			t.Fatal(err)
		}
		if best == 0 || ms < best {
			best, ideas, cycles = ms, r.Get("ideas"), r.Get("cycles")
		}
	}
	if best == 0 {
		t.Fatal("no ok row in trials.csv")
	}
	if !strings.Contains(out.String(), "optimize_best") {
		t.Fatalf("no best-design table in the output: %s", out.String())
	}
	runArgs := []string{"run", "--scenario", "seed", "--design", filepath.Join(dir, "best.json"), "--format", "json"}
	if ideas != "" {
		runArgs = append(runArgs, "--ideas", strings.ReplaceAll(ideas, "+", ","))
	}
	out.Reset()
	errb.Reset()
	if code := run(runArgs, &out, &errb); code != 0 {
		t.Fatalf("run --design best.json exited %d: %s", code, errb.String())
	}
	var got struct {
		Cycles int64 `json:"total_cycles"`
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if strconv.FormatInt(got.Cycles, 10) != cycles {
		t.Fatalf("run --design best.json: %d cycles, the optimizer's best trial %s", got.Cycles, cycles)
	}
	out.Reset()
	if code := run([]string{"report", filepath.Join(dir, "trials.csv")}, &out, &errb); code != 0 {
		t.Fatalf("report trials.csv exited %d: %s", code, errb.String())
	}
}
