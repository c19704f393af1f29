package hbm

import (
	"testing"

	"github.com/roofsim/roofsim/hw"
)

// TestDefaultLatencies: the default pipeline latencies are 20 ns and 30 ns
// in cycles of the board's HBM clock, so the U280's cycle counts (18, 27 at
// 900 MHz) stay and the V80's 1.6 GHz HBM2E gets the same nanoseconds.
func TestDefaultLatencies(t *testing.T) {
	cases := []struct {
		name     string
		h        hw.HBM
		req, rsp int
	}{
		{"u280", hw.U280HBM(), 18, 27},
		{"v80", hw.V80HBM(), 32, 48},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := DefaultParams(c.h)
			if p.SwitchReqLatencyCycles != c.req || p.SwitchRspLatencyCycles != c.rsp {
				t.Errorf("switch latencies %d, %d cycles; want %d, %d", p.SwitchReqLatencyCycles, p.SwitchRspLatencyCycles, c.req, c.rsp)
			}
			if err := p.Validate(c.h); err != nil {
				t.Error(err)
			}
		})
	}
}
