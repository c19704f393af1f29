package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// report and merge refuse a sweep file with a bad numeric cell, naming its
// line and column, and an empty file; a CRLF file reads like its LF copy.
func TestSweepFileChecks(t *testing.T) {
	dir := t.TempDir()
	good, err := os.ReadFile("testdata/sweep_small.csv")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(good), "\n")
	cols := strings.Split(lines[0], ",")
	lat := -1
	for i, c := range cols {
		if c == "latency_ms" {
			lat = i
		}
	}
	if lat < 0 {
		t.Fatal("sweep_small.csv has no latency_ms column")
	}
	withLatency := func(v string) string {
		ls := append([]string(nil), lines...)
		cells := strings.Split(ls[3], ",")
		cells[lat] = v
		ls[3] = strings.Join(cells, ",")
		return strings.Join(ls, "\n")
	}
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := []struct {
		name, data, want string
	}{
		{"abc.csv", withLatency("abc"), `line 4: latency_ms "abc" is not a finite number`},
		{"nan.csv", withLatency("NaN"), `line 4: latency_ms "NaN" is not a finite number`},
		{"neg.csv", withLatency("-5"), "line 4: latency_ms -5 is out of range (accepted: a number > 0)"},
		{"empty.csv", "", "empty file"},
	}
	for _, c := range cases {
		p := write(c.name, c.data)
		for _, cmd := range []string{"report", "merge"} {
			code, out, errs := runCLI(t, cmd, p)
			if code != exitBadInput || out != "" || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, p+": "+c.want) {
				t.Errorf("%s %s: exit %d, stdout %d bytes, stderr %q; want exit 2 and %q", cmd, c.name, code, len(out), errs, c.want)
			}
		}
	}
	crlf := write("crlf.csv", strings.ReplaceAll(string(good), "\n", "\r\n"))
	for _, args := range [][]string{{"report", "--title", "small"}, {"merge"}} {
		_, want, _ := runCLI(t, append(args, "testdata/sweep_small.csv")...)
		code, got, errs := runCLI(t, append(args, crlf)...)
		if code != 0 || got != want || want == "" {
			t.Errorf("%s of a CRLF file: exit %d (%s), output differs from the LF file's", args[0], code, errs)
		}
	}
}

// sweep --list writes to -o FILE when given.
func TestSweepListOutput(t *testing.T) {
	out := filepath.Join(t.TempDir(), "points.txt")
	code, stdout, errs := runCLI(t, append(sweepArgs, "--list", "--shard", "1/5", "-o", out)...)
	if code != 0 || stdout != "" {
		t.Fatalf("exit %d, stdout %q: %s", code, stdout, errs)
	}
	_, want, _ := runCLI(t, append(sweepArgs, "--list", "--shard", "1/5")...)
	if b, _ := os.ReadFile(out); string(b) != want || want == "" {
		t.Errorf("--list -o wrote %q, want %q", b, want)
	}
}
