package hbm

import (
	"strings"
	"testing"
	"time"

	"github.com/roofsim/roofsim/sim/budget"
)

// TestBenchRefusedBeforeRunning checks that a benchmark over the limits is
// refused at once with one line saying what fits, and that the default
// run is within them.
func TestBenchRefusedBeforeRunning(t *testing.T) {
	if err := DefaultBenchConfig().Estimate().Check(64<<20, budget.Limits{}); err != nil {
		t.Fatalf("the default benchmark is refused: %v", err)
	}
	cases := []struct {
		name   string
		total  int64
		limits budget.Limits
		want   string
	}{
		{"2^62 bytes", 1 << 62, budget.Limits{}, "bytes fit"},
		{"small event limit", 64 << 20, budget.Limits{MaxEvents: 1000}, "at most about"},
		{"small memory limit", 64 << 20, budget.Limits{MaxMemoryBytes: 1 << 20}, "use fewer ports"},
	}
	for _, c := range cases {
		cfg := DefaultBenchConfig()
		cfg.TotalBytes, cfg.Limits = c.total, c.limits
		start := time.Now()
		_, err := RunBenchmark(cfg)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: got %v, want one line containing %q", c.name, err, c.want)
		}
		if el := time.Since(start); el > time.Second {
			t.Errorf("%s: refused after %v", c.name, el)
		}
	}
}
