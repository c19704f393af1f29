package hbm

import (
	"strings"
	"testing"

	"github.com/roofsim/roofsim/sim/link"
	"github.com/sarchlab/akita/v3/mem/mem"
)

// TestTrafficCountsStrays checks that a response whose RespondTo names no
// request in flight (another requester's slot, a slot never used, no
// slot at all) is counted as a stray, not taken for a request.
func TestTrafficCountsStrays(t *testing.T) {
	g, err := NewTraffic("T", link.NewEngine(), TrafficConfig{Pattern: PatternSeq, Op: OpRead,
		SizeBytes: 64, Window: 1, RegionBytes: 64})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"T#0", "U#0", "T#x", "plain"} {
		rsp := mem.DataReadyRspBuilder{}.WithDst(g.Port()).WithRspTo(id).Build()
		if g.Port().Recv(rsp) != nil {
			t.Fatalf("port refused the response to %q", id)
		}
	}
	err = g.Check()
	if err == nil || !strings.Contains(err.Error(), "4 responses to no open request") {
		t.Fatalf("Check = %v, want 4 strays", err)
	}
}
