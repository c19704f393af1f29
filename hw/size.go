package hw

import (
	"fmt"
	"strconv"
	"strings"
)

// ParseBytes reads a size in bytes written by a person: an integer with an
// optional unit B, KiB (K), MiB (M), GiB (G), KB, MB or GB. It must be in
// lo..hi bytes. The error names the value and the accepted forms.
func ParseBytes(s string, lo, hi int64) (int64, error) {
	units := [...]struct {
		suffix string
		mult   int64
	}{
		{"KiB", KiB}, {"MiB", MiB}, {"GiB", GiB},
		{"KB", 1000}, {"MB", 1000 * 1000}, {"GB", 1000 * 1000 * 1000},
		{"K", KiB}, {"M", MiB}, {"G", GiB}, {"B", 1},
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
		return 0, fmt.Errorf("%q is not a size (accepted: bytes, or a number with B|KiB|MiB|GiB|KB|MB|GB)", s)
	}
	if v < 0 || v > hi/mult || v*mult < lo {
		return 0, fmt.Errorf("%q must be in %d..%d bytes", s, lo, hi)
	}
	return v * mult, nil
}
