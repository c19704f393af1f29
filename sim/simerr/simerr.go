// Package simerr names the errors that the simulator's components share.
//
// A component that finds one of its own invariants broken at the end of a
// run (bytes delivered not equal to bytes requested, a queue not empty,
// work left in an engine) wraps ErrInvariant, so that the command line can
// tell a fault of roofsim (exit 3) from bad input (exit 2).
package simerr

import "errors"

// ErrInvariant marks a broken invariant of the simulation: a fault of
// roofsim, not of its input.
var ErrInvariant = errors.New("a simulator invariant is broken (a fault of roofsim, please report it)")
