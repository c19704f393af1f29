package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHTMLFlag writes each page with --html and refuses a bad name with
// exit 2 before any work, leaving no file.
func TestHTMLFlag(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name    string
		args    []string
		page    string
		code    int
		wantErr string
	}{
		{"run", []string{"run", "--scenario", "seed"}, "run.html", 0, ""},
		{"compare", []string{"compare", "--scenario", "seed", "--designs", "int8,int4"}, "compare.htm", 0, ""},
		{"report", []string{"report", filepath.Join("testdata", "sweep_ideas.csv")}, "sweep.html", 0, ""},
		{"run not html", []string{"run", "--scenario", "seed"}, "run.txt", 2, "accepted: a name ending in .html or .htm"},
		{"compare not html", []string{"compare", "--scenario", "seed"}, "page.png", 2, "accepted: a name ending in .html or .htm"},
		{"report no dir", []string{"report", filepath.Join("testdata", "sweep_small.csv")}, filepath.Join("nodir", "s.html"), 2, "--html"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, c.page)
			code, _, errs := runCLI(t, append(c.args, "--html", path)...)
			if code != c.code || !strings.Contains(errs, c.wantErr) {
				t.Fatalf("exit %d (want %d): %s", code, c.code, errs)
			}
			b, err := os.ReadFile(path)
			if c.code != 0 {
				if err == nil {
					t.Errorf("a refused --html left %s", path)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(b, []byte("<!DOCTYPE html>")) || !bytes.HasSuffix(b, []byte("</html>\n")) {
				t.Errorf("%s is not a whole HTML page", path)
			}
		})
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".*.tmp*"))
	if len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}
