package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The acceptance of issue 10: each reproduction of the issue exits 2 within
// 10 s with one line naming the field, or, where the input is valid, runs
// to a correct result; none crashes. Files are written to a temporary
// directory; "$DIR/" in args is that directory.
func TestIssue10Reproductions(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"cl1e12.json":   `{"name":"x","hbm":{"timing":{"cl_ns":1e12}}}`,
		"clock1.json":   `{"name":"x","hbm":{"clock_hz":1}}`,
		"kf1e300.json":  `{"name":"x","kernel_freq_hz":1e300}`,
		"cl1e300.json":  `{"name":"x","hbm":{"timing":{"cl_ns":1e300}}}`,
		"kf1e-300.json": `{"name":"x","kernel_freq_hz":1e-300}`,
		"dup.json":      `{"name":"x","name":"y"}`,
		"array.json":    `[1]`,
		"noheader.csv":  "fc1,256,256,256,\nfc2,128,128,128,\n",
		"empty.csv":     "",
	}
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	good, err := os.ReadFile("testdata/sweep_small.csv")
	if err != nil {
		t.Fatal(err)
	}
	crlf := filepath.Join(dir, "crlf.csv")
	if err := os.WriteFile(crlf, bytes.ReplaceAll(good, []byte("\n"), []byte("\r\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		repro string
		args  []string
		code  int
		names string // stderr names this (exit 2), or stdout holds it (exit 0)
	}{
		{"1 cl_ns 1e12", []string{"gemm", "--platform", "$DIR/cl1e12.json", "--memory", "hbm", "--m", "64", "--k", "64", "--n", "64"}, 2, "hbm.timing.cl_ns"},
		{"2 huge GEMM", []string{"gemm", "--m", "16777216", "--k", "16777216", "--n", "4096"}, 2, "too large to simulate"},
		{"3 HBM clock 1 Hz", []string{"gemm", "--platform", "$DIR/clock1.json", "--memory", "hbm", "--m", "64", "--k", "64", "--n", "64"}, 2, "hbm.clock_hz"},
		{"4 kernel clock 1e300, gemm", []string{"gemm", "--platform", "$DIR/kf1e300.json", "--memory", "hbm", "--m", "64", "--k", "64", "--n", "64"}, 2, "kernel_freq_hz"},
		{"4 kernel clock 1e300, run", []string{"run", "--platform", "$DIR/kf1e300.json"}, 2, "kernel_freq_hz"},
		{"4 kernel clock 1e300, sweep", []string{"sweep", "--platform", "$DIR/kf1e300.json", "--precision", "int8"}, 2, "kernel_freq_hz"},
		{"5 cl_ns 1e300, hw", []string{"hw", "--platform", "$DIR/cl1e300.json"}, 2, "hbm.timing.cl_ns"},
		{"5 kernel clock 1e-300", []string{"gemm", "--platform", "$DIR/kf1e-300.json", "--m", "64", "--k", "64", "--n", "64"}, 2, "kernel_freq_hz"},
		{"6 help on an unknown topic", []string{"help", "frobnicate"}, 2, "frobnicate"},
		{"7 merge of an empty file", []string{"merge", "$DIR/empty.csv"}, 2, "empty file"},
		{"8 topology without its header", []string{"gemm", "--topology", "$DIR/noheader.csv"}, 2, "header"},
		{"9 -o in a missing directory", []string{"run", "--design", "bf16", "-o", "/proc/x/y"}, 2, "-o"},
		{"9 --designs with an unknown design", []string{"compare", "--designs", "int8,fp7"}, 2, "--designs"},
		{"9 --plot-bytes 0", []string{"hbm", "--plot-bytes", "0", "--plot", "$DIR/x.png"}, 2, "--plot-bytes"},
		{"10 duplicate JSON keys", []string{"hw", "--design", "$DIR/dup.json"}, 2, "name"},
		{"10 --activation-store -1MiB", []string{"run", "--activation-store", "-1MiB"}, 2, "0..1099511627776"},
		{"10 hbm --size 0", []string{"hbm", "--size", "0"}, 2, "from 32 to 4096"},
		{"10 no temporary file names", []string{"roofline", "-o", "$DIR/empty.csv/out.txt"}, 2, "-o"},
		{"10 sweep --array 64", []string{"sweep", "--array", "64"}, 2, "not RxC"},
		{"10 a design file holding an array", []string{"hw", "--design", "$DIR/array.json"}, 2, "JSON object"},
		{"10 merge of a CRLF file", []string{"merge", crlf}, 0, "precision=int8 hbm_ports=8 port_bits=256 ideas=none"},
		{"10 sweep --list -o", []string{"sweep", "--precision", "int8,int4", "--list", "-o", "$DIR/list.txt"}, 0, ""},
	}
	for _, c := range cases {
		args := make([]string, len(c.args))
		for i, a := range c.args {
			args[i] = strings.ReplaceAll(a, "$DIR/", dir+string(filepath.Separator))
		}
		start := time.Now()
		code, out, errs := runCLI(t, args...)
		if d := time.Since(start); d > probeTimeLimit {
			t.Errorf("repro %s: took %v, more than %v", c.repro, d, probeTimeLimit)
		}
		for _, bad := range []string{"panic", "goroutine ", "fatal error", "runtime error", ".tmp"} {
			if strings.Contains(errs, bad) {
				t.Errorf("repro %s: stderr shows %q: %s", c.repro, bad, errs)
			}
		}
		switch {
		case code != c.code:
			t.Errorf("repro %s: exit %d, want %d: %s", c.repro, code, c.code, errs)
		case code == exitBadInput && (strings.Count(errs, "\n") != 1 || !strings.Contains(errs, c.names)):
			t.Errorf("repro %s: stderr %q is not one line naming %q", c.repro, errs, c.names)
		case code == exitOK && !strings.Contains(out, c.names):
			t.Errorf("repro %s: output lacks %q", c.repro, c.names)
		}
	}
	if b, err := os.ReadFile(filepath.Join(dir, "list.txt")); err != nil || !bytes.Contains(b, []byte("precision=int4")) {
		t.Errorf("sweep --list -o: the file holds %q (%v), want the points", b, err)
	}
}
