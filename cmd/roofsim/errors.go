package main

import (
	"errors"
	"strings"

	"github.com/roofsim/roofsim/sim/simerr"
)

// Exit codes of roofsim.
const (
	exitOK          = 0
	exitCheckFailed = 1
	exitBadInput    = 2
	exitInternal    = 3
)

// checkError marks a failed check (a validation that did not pass): exit 1.
type checkError struct{ err error }

func (e checkError) Error() string { return e.err.Error() }
func (e checkError) Unwrap() error { return e.err }

// internalError marks a fault of roofsim itself that is not the input's
// (a built-in table that does not load): exit 3.
type internalError struct{ err error }

func (e internalError) Error() string { return "internal error: " + e.err.Error() }
func (e internalError) Unwrap() error { return e.err }

// exitCode maps an error to roofsim's exit code: failed checks are 1,
// internal errors (and a simulator invariant found broken,
// simerr.ErrInvariant) 3, everything else (bad flags, files, presets,
// dimensions) is bad input, 2.
func exitCode(err error) int {
	var ce checkError
	if errors.As(err, &ce) {
		return exitCheckFailed
	}
	var ie internalError
	if errors.As(err, &ie) || errors.Is(err, simerr.ErrInvariant) {
		return exitInternal
	}
	return exitBadInput
}

// oneLine folds a message onto one line: errors are one line on stderr.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
