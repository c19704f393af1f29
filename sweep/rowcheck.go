package sweep

import (
	"fmt"
	"math"
	"strconv"
)

// valueRange is the values a numeric column accepts.
type valueRange int

const (
	// rangeNonNegative: a finite number >= 0 (counts, bytes, times).
	rangeNonNegative valueRange = iota
	// rangePositive: a finite number > 0 (latency, clock-derived rates,
	// counts that cannot be zero).
	rangePositive
	// rangeShare: a finite number from 0 to 1.
	rangeShare
)

// accepted says what the range accepts, for error messages.
func (v valueRange) accepted(k cellKind) string {
	what := "a number"
	if k == kindInt {
		what = "an integer"
	}
	switch v {
	case rangePositive:
		return what + " > 0"
	case rangeShare:
		return what + " from 0 to 1"
	}
	return what + " >= 0"
}

// contains reports whether x is in the range.
func (v valueRange) contains(x float64) bool {
	switch v {
	case rangePositive:
		return x > 0
	case rangeShare:
		return x >= 0 && x <= 1
	case rangeNonNegative:
		return x >= 0
	}
	return false
}

// checkCells checks every cell of a row read back against its column: an
// integer column holds an integer, a float column a finite number, each in
// its column's range, a bool column true or false; an empty cell is a
// result the point does not have, except that a simulated row (ok or fail)
// must have its latency.
func checkCells(r Row, cols []Column) error {
	for i, c := range cols {
		s := r.Cells[i]
		if s == "" {
			if c.Name == colLatency && (r.Status() == StatusOK || r.Status() == StatusFail) {
				return fmt.Errorf("%s is empty in a row of status %s (accepted: %s)", c.Name, r.Status(), c.rng.accepted(c.kind))
			}
			continue
		}
		var x float64
		switch c.kind {
		case kindText:
			continue
		case kindBool:
			if s != "true" && s != "false" {
				return fmt.Errorf("%s %q is not a bool (accepted: true|false)", c.Name, s)
			}
			continue
		case kindInt:
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return fmt.Errorf("%s %q is not %s", c.Name, s, c.rng.accepted(c.kind))
			}
			x = float64(n)
		case kindFloat:
			f, err := strconv.ParseFloat(s, 64)
			if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
				return fmt.Errorf("%s %q is not a finite number (accepted: %s)", c.Name, s, c.rng.accepted(c.kind))
			}
			x = f
		}
		if !c.rng.contains(x) {
			return fmt.Errorf("%s %s is out of range (accepted: %s)", c.Name, s, c.rng.accepted(c.kind))
		}
	}
	return nil
}
