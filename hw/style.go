package hw

import (
	"fmt"
	"strings"
)

// ArrayStyle is how an array runs the folds of a matmul; the cycle counts
// of each are in sim/compute's package documentation.
type ArrayStyle string

// The array styles.
const (
	// StyleFold is the SCALE-Sim fold model (the default): every fold has
	// its fill and drain, overlapped with the neighbouring folds' only
	// with fold overlap.
	StyleFold ArrayStyle = "fold"
	// StyleStreaming is an HLS streaming array whose pipeline never
	// empties between folds: the next fold's operands follow the previous
	// fold's without a bubble, so one fill and one drain are paid per
	// step (tile), not per fold.
	StyleStreaming ArrayStyle = "streaming"
	// StyleDotTree is a bank of ArrayCols dot-product trees of ArrayRows
	// multipliers and an adder tree each (a GEMV engine): each cycle each
	// tree takes ArrayRows elements of K of one output.
	StyleDotTree ArrayStyle = "dot"
)

// ParseArrayStyle accepts fold, streaming or dot ("" is fold).
func ParseArrayStyle(s string) (ArrayStyle, error) {
	switch strings.ToLower(s) {
	case "", "fold":
		return StyleFold, nil
	case "streaming", "stream":
		return StyleStreaming, nil
	case "dot", "dot-tree", "gemv":
		return StyleDotTree, nil
	}
	return "", fmt.Errorf("array_style %q is not known (accepted: fold|streaming|dot)", s)
}
