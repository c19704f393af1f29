package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestHBMGolden(t *testing.T) {
	cases := []struct {
		file string
		args []string
	}{
		{"hbm_seq.txt", []string{"hbm", "--bytes", "1MiB", "--pcs", "4", "--no-wall-clock"}},
		{"hbm_random.csv", []string{"hbm", "--pattern", "random", "--size", "64", "--pcs", "1", "--bytes", "64KiB", "--format", "csv", "--no-wall-clock"}},
		{"hbm_512.json", []string{"hbm", "--port-bits", "512", "--pcs", "2", "--bytes", "256KiB", "--format", "json", "--no-wall-clock"}},
		{"hbm_cross_mixed.md", []string{"hbm", "--op", "mixed", "--cross-switch", "--pcs", "2", "--size", "1KiB", "--bytes", "256KiB", "--format", "md", "--no-wall-clock"}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			code, out, errs := runCLI(t, c.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			if errs != "" {
				t.Errorf("--no-wall-clock still wrote %q", errs)
			}
			golden(t, c.file, out)
		})
	}
}

func TestHBMColumns(t *testing.T) {
	code, out, errs := runCLI(t, "hbm", "--bytes", "256KiB", "--pcs", "2", "--format", "csv")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(errs, "simulated 262144 bytes") || !strings.Contains(errs, "s of wall time") {
		t.Errorf("stderr %q lacks the simulated bytes and wall time", errs)
	}
	head, err := csv.NewReader(strings.NewReader(out)).Read()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"pattern", "op", "size_bytes", "pcs", "port_bits", "gbps", "gbps_per_pc", "lat_avg_ns", "lat_p99_ns", "row_hit_rate"} {
		if !strings.Contains(","+strings.Join(head, ",")+",", ","+want+",") {
			t.Errorf("csv header %v lacks %s", head, want)
		}
	}
	code, out, _ = runCLI(t, "hbm", "--bytes", "256KiB", "--pcs", "2", "--format", "json", "--no-wall-clock")
	if code != 0 {
		t.Fatal("json run failed")
	}
	var doc map[string][]map[string]any
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc["hbm"]) != 1 || len(doc["hbm_per_pc"]) != 2 || len(doc["hbm_time"]) != 6 {
		t.Errorf("json tables: %d summary, %d per-PC, %d time rows", len(doc["hbm"]), len(doc["hbm_per_pc"]), len(doc["hbm_time"]))
	}
	if g, ok := doc["hbm"][0]["gbps"].(float64); !ok || g <= 0 || g > 2*9.6 {
		t.Errorf("gbps %v", doc["hbm"][0]["gbps"])
	}
}

func TestHBMBadFlags(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--pattern", "zigzag"}, `--pattern "zigzag" is not known (accepted: seq|strided|random)`},
		{[]string{"--op", "copy"}, `--op "copy" is not known (accepted: read|write|mixed)`},
		{[]string{"--size", "48"}, "--size must be a multiple of 32 from 32 to 4096 bytes, got 48"},
		{[]string{"--size", "0"}, "--size must be a multiple of 32 from 32 to 4096 bytes, got 0"},
		{[]string{"--size", "8KiB"}, "--size must be a multiple of 32 from 32 to 4096 bytes, got 8192"},
		{[]string{"--size", "big"}, `--size "big" is not a size`},
		{[]string{"--pcs", "0"}, "--pcs must be from 1 to 32, got 0"},
		{[]string{"--pcs", "33"}, "--pcs must be from 1 to 32, got 33"},
		{[]string{"--port-bits", "128"}, "--port-bits must be 256 or 512, got 128"},
		{[]string{"--outstanding", "0"}, "--outstanding must be > 0, got 0"},
		{[]string{"--bytes", "0"}, `--bytes "0" must be in 1..17179869184 bytes`},
		{[]string{"--stride", "100"}, "--stride must be a multiple of 32 bytes, got 100"},
		{[]string{"--page", "lazy"}, `--page "lazy" is not known (accepted: open|closed)`},
		{[]string{"--kernel-mhz", "500"}, "--kernel-mhz must be > 0 and at most"},
		{[]string{"--plot", "x.gif"}, `--plot "x.gif": unknown image type ".gif"`},
		{[]string{"--format", "xml"}, `--format "xml" is not known`},
	}
	for _, c := range cases {
		code, out, errs := runCLI(t, append([]string{"hbm", "--bytes", "64KiB"}, c.args...)...)
		if c.args[0] == "--bytes" {
			code, out, errs = runCLI(t, append([]string{"hbm"}, c.args...)...)
		}
		if code != exitBadInput || out != "" {
			t.Errorf("%v: exit %d, stdout %q", c.args, code, out)
		}
		if !strings.Contains(errs, c.want) || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
			t.Errorf("%v: stderr %q, want one line with %q", c.args, errs, c.want)
		}
	}
}

func TestHBMPlot(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"bw.png", "bw.svg"} {
		path := filepath.Join(dir, name)
		code, out, errs := runCLI(t, "hbm", "--pcs", "1", "--bytes", "64KiB", "--plot", path, "--plot-bytes", "16KiB", "--format", "csv", "--no-wall-clock")
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", name, code, errs)
		}
		if !strings.Contains(out, "pattern,op,size_bytes,pcs,port_bits,gbps") || strings.Count(out, "\nrandom,read,") != 8 {
			t.Errorf("%s: the sweep table is missing or incomplete:\n%s", name, out)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(name, ".png") {
			if _, err := png.Decode(bytes.NewReader(data)); err != nil {
				t.Errorf("%s is not a PNG: %v", name, err)
			}
		} else if !bytes.Contains(data, []byte("<svg")) {
			t.Errorf("%s is not an SVG", name)
		}
		matches, _ := filepath.Glob(filepath.Join(dir, ".*tmp*"))
		if len(matches) != 0 {
			t.Errorf("temporary files left: %v", matches)
		}
	}
}
