package main

import (
	"fmt"

	"github.com/roofsim/roofsim/hw"
)

// Upper limits of the size flags.
const (
	// maxBufferFlag bounds the buffer-size flags (1 TiB).
	maxBufferFlag = 1 << 40
	// maxHBMFlag bounds the size flags of hbm (16 GiB).
	maxHBMFlag = 16 * hw.GiB
)

// parseSize reads the value s of a size flag: bytes, or a number with the
// unit B, KiB (K), MiB (M), GiB (G), KB, MB or GB. It must be in 1..max.
func parseSize(flag, s string, max int64) (int64, error) {
	return parseSizeIn(flag, s, 1, max)
}

// parseSizeIn reads the value s of a size flag that accepts lo..hi bytes;
// the error quotes that range.
func parseSizeIn(flag, s string, lo, hi int64) (int64, error) {
	v, err := hw.ParseBytes(s, lo, hi)
	if err != nil {
		return 0, fmt.Errorf("%s %w", flag, err)
	}
	return v, nil
}
