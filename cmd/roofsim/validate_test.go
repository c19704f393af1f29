package main

import (
	"bytes"
	"strings"
	"testing"
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
