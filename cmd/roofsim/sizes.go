package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/roofsim/roofsim/hw"
)

// Upper limits of the size flags.
const (
	// maxBufferFlag bounds the buffer-size flags of gemm (1 TiB).
	maxBufferFlag = 1 << 40
	// maxHBMFlag bounds the size flags of hbm (16 GiB).
	maxHBMFlag = 16 * hw.GiB
)

// parseSize reads the value s of a size flag: bytes, or a number with the
// unit B, KiB (K), MiB (M), GiB (G), KB, MB or GB. It must be in 1..max.
func parseSize(flag, s string, max int64) (int64, error) {
	units := [...]struct {
		suffix string
		mult   int64
	}{
		{"KiB", hw.KiB}, {"MiB", hw.MiB}, {"GiB", hw.GiB},
		{"KB", 1000}, {"MB", 1000 * 1000}, {"GB", 1000 * 1000 * 1000},
		{"K", hw.KiB}, {"M", hw.MiB}, {"G", hw.GiB}, {"B", 1},
	}
	t := strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range units {
		if len(t) > len(u.suffix) && strings.EqualFold(t[len(t)-len(u.suffix):], u.suffix) {
			t, mult = strings.TrimSpace(t[:len(t)-len(u.suffix)]), u.mult
			break
		}
	}
	v, err := strconv.ParseInt(t, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s %q is not a size (accepted: bytes, or a number with B|KiB|MiB|GiB|KB|MB|GB)", flag, s)
	}
	if v <= 0 || v > max/mult {
		return 0, fmt.Errorf("%s %q must be > 0 and at most %d bytes", flag, s, max)
	}
	return v * mult, nil
}
