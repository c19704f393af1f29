package main

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/roofsim/roofsim/sim/simerr"
	"github.com/spf13/cobra"
)

// A panic anywhere in a command is an internal error: exit 3, one line that
// names the command and asks for a bug report; the stack only with --debug.
func TestPanicIsInternalError(t *testing.T) {
	for _, debug := range []bool{false, true} {
		root := newRootCmd()
		root.AddCommand(&cobra.Command{Use: "boom", Hidden: true, RunE: func(_ *cobra.Command, args []string) error {
			var cycles []int64
			_ = cycles[len(args)] // index out of range: a runtime panic, as a bug in simulation code would raise
			return nil
		}})
		args := []string{"boom"}
		if debug {
			args = append(args, "--debug")
		}
		var out, errb bytes.Buffer
		code := execute(root, args, &out, &errb)
		if code != exitInternal {
			t.Errorf("debug=%v: exit %d, want %d", debug, code, exitInternal)
		}
		first, rest, _ := strings.Cut(errb.String(), "\n")
		if !strings.HasPrefix(first, "roofsim boom: internal error: ") || !strings.Contains(first, "report") {
			t.Errorf("debug=%v: first line %q does not name the command and ask for a report", debug, first)
		}
		if hasStack := strings.Contains(rest, "goroutine"); hasStack != debug {
			t.Errorf("debug=%v: stack printed = %v; stderr:\n%s", debug, hasStack, errb.String())
		}
	}
}

func TestHelpExitCodes(t *testing.T) {
	code, out, errs := runCLI(t, "help", "frobnicate")
	if code != exitBadInput || out != "" || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, "frobnicate") {
		t.Errorf("help frobnicate: exit %d, stdout %q, stderr %q; want exit 2 and one line", code, out, errs)
	}
	code, out, _ = runCLI(t, "help")
	if code != exitOK || !strings.Contains(out, "3 an internal error") {
		t.Errorf("help: exit %d; the root help must document exit code 3:\n%s", code, out)
	}
	if code, _, errs := runCLI(t, "help", "run"); code != exitOK {
		t.Errorf("help run: exit %d: %s", code, errs)
	}
}

// A simulator invariant found broken (a queue not empty at the end, bytes
// not delivered) is roofsim's fault: exit 3, however deeply it is wrapped;
// other returned errors stay bad input or failed checks.
func TestExitCodeOfErrors(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want int
	}{
		{"invariant", fmt.Errorf("accel: kernel x: %w", fmt.Errorf("hbm: pc0: 3 bursts still queued: %w", simerr.ErrInvariant)), exitInternal},
		{"internal", internalError{errors.New("a built-in table does not load")}, exitInternal},
		{"check", checkError{errors.New("2 kernels failed")}, exitCheckFailed},
		{"bad input", errors.New("--m must be >= 1"), exitBadInput},
	}
	for _, c := range cases {
		if got := exitCode(c.err); got != c.want {
			t.Errorf("%s: exitCode(%v) = %d, want %d", c.name, c.err, got, c.want)
		}
	}
}
