package main

import (
	"bytes"
	"github.com/roofsim/roofsim/ideas"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// sweepArgs is a small space of the real simulation (the seed scenario's
// six GEMMs on the HBM model, about 0.1 s a point): 2 precisions x 2 port
// widths x 2 port counts, with and without all_pcs (16 points).
var sweepArgs = []string{"sweep", "--scenario", "seed", "--precision", "int8,w4a8", "--port-bits", "256,512",
	"--hbm-ports", "8,16", "--ideas", "all_pcs"}

func TestSweepCLIWholeShardsResume(t *testing.T) {
	dir := t.TempDir()
	whole := filepath.Join(dir, "whole.csv")
	code, _, errs := runCLI(t, append(sweepArgs, "-j", "2", "-o", whole)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.HasPrefix(errs, "roofsim sweep: 16 points: 16 ok, 0 fail, 0 does_not_fit, 0 error; 16 points run in ") {
		t.Errorf("summary line %q", errs)
	}
	want, err := os.ReadFile(whole)
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(want, []byte("\n")); n != 17 {
		t.Fatalf("%d lines, want a header and 16 rows", n)
	}

	// To standard output, one worker, JSON lines: the same rows.
	code, out, errs := runCLI(t, append(sweepArgs, "-j", "1", "--format", "json")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	back, err := reformat([]byte(out), "csv")
	if err != nil || !bytes.Equal(back, want) {
		t.Errorf("JSON lines with 1 worker do not convert back to the CSV of 2 workers (%v)", err)
	}

	// Three shards merged, checked against the space.
	var shards []string
	for i := range 3 {
		p := filepath.Join(dir, "shard"+string(rune('0'+i))+".csv")
		code, _, errs := runCLI(t, append(sweepArgs, "--shard", string(rune('0'+i))+"/3", "-o", p)...)
		if code != 0 {
			t.Fatalf("shard %d: exit %d: %s", i, code, errs)
		}
		shards = append(shards, p)
	}
	merged := filepath.Join(dir, "merged.csv")
	mergeArgs := append(append([]string{"merge"}, sweepArgs[1:]...), "-o", merged)
	code, _, errs = runCLI(t, append(mergeArgs, shards...)...)
	if code != 0 {
		t.Fatalf("merge: exit %d: %s", code, errs)
	}
	if got, _ := os.ReadFile(merged); !bytes.Equal(got, want) {
		t.Errorf("the merged shards differ from the whole run")
	}
	// A missing shard is refused.
	code, _, errs = runCLI(t, append(mergeArgs, shards[0], shards[2])...)
	if code != 2 || !strings.Contains(errs, `roofsim: merge: point 1 "precision=int8 hbm_ports=8 port_bits=256 ideas=all_pcs" is missing (no file has it)`) {
		t.Errorf("merge without shard 1: exit %d: %s", code, errs)
	}

	// Resume after half a line.
	part := filepath.Join(dir, "part.csv")
	lines := bytes.SplitAfter(want, []byte("\n"))
	cut := append(bytes.Join(lines[:7], nil), lines[7][:30]...)
	if err := os.WriteFile(part, cut, 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs = runCLI(t, append(sweepArgs, "--resume", "-o", part)...)
	if code != 0 {
		t.Fatalf("resume: exit %d: %s", code, errs)
	}
	if !strings.Contains(errs, "partly written line; it was dropped") || !strings.Contains(errs, "(6 resumed); 10 points run") {
		t.Errorf("resume messages %q", errs)
	}
	if got, _ := os.ReadFile(part); !bytes.Equal(got, want) {
		t.Errorf("the resumed file differs from the whole run")
	}

	// The report of the run, with both plots.
	front, prec := filepath.Join(dir, "front.png"), filepath.Join(dir, "prec.svg")
	code, out, errs = runCLI(t, "report", whole, "--plot-front", front, "--plot-precision", prec, "--format", "csv")
	if code != 0 {
		t.Fatalf("report: exit %d: %s", code, errs)
	}
	for _, table := range []string{"status,rows,meaning", "workload,index,key,precision", "idea,pairs,speedup_min", "workload,precision,weight_mb,latency_ms"} {
		if !strings.Contains(out, table) {
			t.Errorf("report lacks the table starting %q", table)
		}
	}
	f, err := os.Open(front)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := png.Decode(f); err != nil {
		t.Errorf("--plot-front: %v", err)
	}
	if svg, _ := os.ReadFile(prec); !bytes.Contains(svg, []byte("<svg")) {
		t.Errorf("--plot-precision did not write an SVG")
	}
}

// TestSweepCLIKilled builds roofsim, kills a sweep after a few rows, and
// resumes it: the file is the one an uninterrupted run writes.
func TestSweepCLIKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("builds roofsim")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "roofsim")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	whole := filepath.Join(dir, "whole.csv")
	if out, err := exec.Command(bin, append(sweepArgs, "-j", "1", "-o", whole)...).CombinedOutput(); err != nil {
		t.Fatalf("uninterrupted run: %v\n%s", err, out)
	}
	killed := filepath.Join(dir, "killed.csv")
	cmd := exec.Command(bin, append(sweepArgs, "-j", "1", "-o", killed)...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		b, _ := os.ReadFile(killed)
		if bytes.Count(b, []byte("\n")) >= 5 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("no rows after 30 s")
		}
		time.Sleep(time.Millisecond)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	b, _ := os.ReadFile(killed)
	rows := bytes.Count(b, []byte("\n")) - 1
	if rows >= 16 {
		t.Fatalf("the run finished (%d rows) before the kill", rows)
	}
	out, err := exec.Command(bin, append(sweepArgs, "-j", "2", "--resume", "-o", killed)...).CombinedOutput()
	if err != nil {
		t.Fatalf("resume: %v\n%s", err, out)
	}
	got, _ := os.ReadFile(killed)
	want, _ := os.ReadFile(whole)
	if !bytes.Equal(got, want) {
		t.Errorf("killed after %d rows and resumed: the file differs from an uninterrupted run", rows)
	}
}

func TestSweepCLIErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"axes": {"port_bits": [256, 384]}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "other.csv")
	if err := os.WriteFile(other, []byte("a,b\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"sweep"}, "roofsim: --space FILE.json or an axis flag (--design, --precision, --array ...) is required"},
		{[]string{"sweep", "--precision", "int8", "--format", "table"}, `roofsim: --format "table": the sweep streams rows as they finish (accepted: csv|json`},
		{[]string{"sweep", "--precision", "int8", "-j", "0"}, "roofsim: -j must be in 1..1024, got 0"},
		{[]string{"sweep", "--precision", "int8", "-j", "100000"}, "roofsim: -j must be in 1..1024, got 100000"},
		{[]string{"sweep", "--precision", "int8", "--shard", "2/2"}, `roofsim: --shard "2/2": N must be in 1..100000 and I in 0..N-1`},
		{[]string{"sweep", "--precision", "int8", "--resume"}, "roofsim: --resume needs -o FILE"},
		{[]string{"sweep", "--precision", "int8,fp8"}, `roofsim: --precision[1] "fp8" is not known (accepted: fp32|bf16|int8|int4|w4a8|fp16|fp64)`},
		{[]string{"sweep", "--array", "64"}, `roofsim: --array[0] "64" is not RxC (e.g. 64x64)`},
		{[]string{"sweep", "--port-bits", "256,384"}, "roofsim: --port-bits[1] must be 256 or 512, got 384"},
		{[]string{"sweep", "--weight-buffer", "1MiB,lots"}, `roofsim: --weight-buffer[1]: "lots" is not a size`},
		{[]string{"sweep", "--precision", "int8", "--ideas", "port512,warp_drive"}, `roofsim: --ideas[1] "warp_drive" is not a known idea (accepted: ` + ideas.Names() + `, or several`},
		{[]string{"sweep", "--precision", "int8", "--memory", "ddr"}, `roofsim: space: base.memory "ddr" is not known (accepted: hbm|ideal)`},
		{[]string{"sweep", "--space", bad}, "roofsim: --space: " + bad + ": space: axes.port_bits[1] must be 256 or 512, got 384"},
		{[]string{"sweep", "--space", filepath.Join(dir, "none.json")}, "roofsim: --space: space file: open"},
		{[]string{"sweep", "--scenario", "seed", "--cameras", "2"}, `roofsim: space: point "cameras=2": axes.cameras: the seed scenario has fixed shapes`},
		{[]string{"sweep", "--precision", "int8", "--resume", "-o", other}, "roofsim: --resume: " + other + ": line 1 is not the header of this roofsim's sweep rows"},
		{[]string{"merge"}, "roofsim: requires at least 1 arg(s), only received 0"},
		{[]string{"merge", other}, "roofsim: merge: " + other + ": line 1 is not the header"},
		{[]string{"merge", "--format", "md", other}, "roofsim: merge: " + other + ": line 1 is not the header"},
		{[]string{"report", other}, "roofsim: " + other + ": line 1 is not the header"},
		{[]string{"report", "testdata/sweep_small.csv", "--plot-front", "x.gif"}, `roofsim: --plot-front "x.gif": unknown image type ".gif" (accepted: .png|.svg)`},
		{[]string{"report", "testdata/sweep_small.csv", "testdata/sweep_small.csv"}, `roofsim: point 0 "precision=int8 hbm_ports=8 port_bits=256 ideas=none" is in testdata/sweep_small.csv and testdata/sweep_small.csv`},
	} {
		code, _, errs := runCLI(t, tc.args...)
		if code != 2 || !strings.HasPrefix(errs, tc.want) || strings.Count(errs, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q\nwant exit 2 and %q", tc.args, code, errs, tc.want)
		}
	}
}

func TestSweepCLIList(t *testing.T) {
	code, out, errs := runCLI(t, append(sweepArgs, "--list", "--shard", "1/5")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	want := "1\tprecision=int8 hbm_ports=8 port_bits=256 ideas=all_pcs\n" +
		"6\tprecision=int8 hbm_ports=16 port_bits=512 ideas=none\n" +
		"11\tprecision=w4a8 hbm_ports=8 port_bits=512 ideas=all_pcs\n"
	if out != want {
		t.Errorf("--list --shard 1/5:\n%s\nwant\n%s", out, want)
	}
}

// The report of a checked-in sweep file is stable (the file is the output
// of `roofsim sweep` over sweepArgs, see TestSweepCLIWholeShardsResume).
func TestReportGolden(t *testing.T) {
	for _, c := range []struct{ file, format string }{{"report_small.md", "md"}, {"report_small.json", "json"}} {
		code, out, errs := runCLI(t, "report", "testdata/sweep_small.csv", "--title", "small", "--format", c.format)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		golden(t, c.file, out)
	}
}
