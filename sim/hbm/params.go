package hbm

import (
	"fmt"
	"math"
	"strings"

	"github.com/roofsim/roofsim/hw"
)

// PagePolicy is what a controller does with a row after accessing it.
type PagePolicy string

// The page policies.
const (
	// OpenPage leaves a row open until a request to another row of the same
	// bank needs the bank (or a refresh closes it). The default.
	OpenPage PagePolicy = "open"
	// ClosedPage closes a row (auto-precharge) after an access unless a
	// queued request hits the same row.
	ClosedPage PagePolicy = "closed"
)

// ParsePagePolicy accepts "open" or "closed".
func ParsePagePolicy(s string) (PagePolicy, error) {
	switch p := PagePolicy(strings.ToLower(s)); p {
	case OpenPage, ClosedPage:
		return p, nil
	}
	return "", fmt.Errorf("page policy %q is not known (accepted: open|closed)", s)
}

// Params are the model's parameters beyond the hardware description
// (hw.HBM): the kernel-side ports, the controller's queue and policy, the
// address map and the pipeline latencies of the hard HBM subsystem.
//
// The pipeline latencies: PG276 gives no latency figures for the AXI port,
// the switch, the controller or the PHY. Shuhai (Wang et al., "Shuhai:
// Benchmarking High Bandwidth Memory on FPGAs", FCCM 2020) measured the idle
// read latency of the U280's HBM at an AXI port at roughly 100-140 ns from
// a page hit to a page miss. The DRAM itself accounts for only CL + one
// burst (about 17 ns) of a page hit, so about 90 ns are pipeline: roofsim
// splits them into 20 ns on the kernel side of the port in each direction
// (AXI register slices, clock and width conversion), 20 ns from the HBM AXI
// port to the controller's queue (switch, controller front end) and 30 ns
// from the DRAM data to the HBM AXI port (PHY read path, read reorder,
// switch). With them an idle 32 B read takes 110 ns on a page hit, 127 ns
// on a closed bank and 140 ns on a row conflict (TestIdleReadLatency).
type Params struct {
	// PortBits is the width of a kernel-side AXI port: 256 or 512 bits. A
	// port moves PortBits/8 bytes per kernel cycle in each direction (the
	// read and write data channels of AXI are separate).
	PortBits int `json:"port_bits"`
	// KernelFreqHz is the clock of the kernel-side AXI ports (300 MHz).
	KernelFreqHz float64 `json:"kernel_freq_hz"`
	// SwitchFreqHz is the clock of the HBM switch and its lateral links; the
	// switch runs as fast as the fastest AXI clock of its stack (AMD AR#
	// 71165), the HBM AXI ports' maximum of 450 MHz by default.
	SwitchFreqHz float64 `json:"switch_freq_hz"`
	// Outstanding is the most AXI transactions (bursts) a port has in
	// flight in each direction (reads and writes count separately). The
	// HBM ports take 64 AXI IDs (PG276).
	Outstanding int `json:"outstanding"`
	// QueueDepth is the number of AXI bursts a controller's scheduler sees
	// at once (its reorder window); later bursts wait in arrival order.
	// PG276 does not state the depth; 32 is roofsim's assumption.
	QueueDepth int `json:"queue_depth"`
	// PagePolicy is the controllers' row policy (open by default).
	PagePolicy PagePolicy `json:"page_policy"`
	// Refresh enables all-bank refresh every tREFI (on by default; tests
	// switch it off to check other timing rules alone).
	Refresh bool `json:"refresh"`
	// InterleaveBytes is the granularity at which consecutive global
	// addresses rotate over the PCs; 0 gives each PC one contiguous range of
	// PCBytes (the U280's default global address map).
	InterleaveBytes int64 `json:"interleave_bytes"`
	// AddressOrder orders the fields of a PC-local address from the most to
	// the least significant bits, e.g. "row-ba-bg-col" (the default: a
	// stream fills a 1 KiB page, then moves to the next bank group, then
	// bank, then row).
	AddressOrder string `json:"address_order"`
	// LateralLinks is the number of lateral links between two neighbouring
	// switch groups in each direction. A burst takes the link its
	// destination PC is routed to (address decode, AMD PG059), so one port
	// spreading its requests over several remote PCs uses every link. PG276
	// gives no number; 2 is roofsim's assumption.
	LateralLinks int `json:"lateral_links"`
	// PortReqLatencyCycles is the kernel-side pipeline of a port from a
	// request (or the last beat of its write data) to the HBM AXI port, in
	// kernel cycles (6 = 20 ns at 300 MHz; see the type's comment).
	PortReqLatencyCycles int `json:"port_req_latency_cycles"`
	// PortRspLatencyCycles is the kernel-side pipeline from the HBM AXI port
	// back to the requester, in kernel cycles (6 = 20 ns at 300 MHz).
	PortRspLatencyCycles int `json:"port_rsp_latency_cycles"`
	// SwitchReqLatencyCycles is the latency from the HBM AXI port to the
	// controller's queue (switch inside a group and controller front end),
	// in HBM cycles (18 = 20 ns at 900 MHz; DefaultParams keeps the 20 ns
	// on a board with another HBM clock).
	SwitchReqLatencyCycles int `json:"switch_req_latency_cycles"`
	// SwitchRspLatencyCycles is the latency from the last data beat on the
	// DRAM bus (or the write's completion) back to the HBM AXI port (PHY
	// read path, read reorder, switch), in HBM cycles (27 = 30 ns at
	// 900 MHz).
	SwitchRspLatencyCycles int `json:"switch_rsp_latency_cycles"`
	// HBMPortLimit also bounds each kernel port by the HBM's own AXI port
	// behind it: 256 bits (PG276: 16 independent 256-bit AXI3 ports per
	// stack) at SwitchFreqHz, 14.4 GB/s at 450 MHz in each direction. A
	// 512-bit kernel port at 300 MHz (19.2 GB/s) reaches the HBM through
	// one such port (in Vitis, through the HBM memory subsystem's width
	// and clock converter, UG1393), so a port spreading its traffic over
	// several PCs cannot pass more. Off by default: the existing results
	// are the model's without it; roofsim validate turns it on.
	HBMPortLimit bool `json:"hbm_port_limit,omitempty"`
	// Reference runs the model on its reference paths: akita's
	// SerialEngine instead of link.Engine and none of the shortcuts that
	// give the same cycles and statistics faster (docs/speed.md). Tests
	// compare the two; results never depend on it.
	Reference bool `json:"-"`
	// TieSeed, when not 0, runs the model on link.NewShuffledEngine(TieSeed):
	// events of equal time in a seeded pseudo-random order rather than
	// akita's. For the experiment of docs/speed.md ("Same-time order")
	// only; no effect with Reference.
	TieSeed uint64 `json:"-"`
}

// Default pipeline latencies of the hard HBM subsystem in seconds (see
// Params): 20 ns from the HBM AXI port to the controller's queue, 30 ns
// from the DRAM data back to the port. The Shuhai measurement they come
// from is in time, so a board with another HBM clock (the V80's 1.6 GHz)
// keeps the nanoseconds rather than the U280's cycle counts.
const (
	defaultSwitchReqLatencySec = 20e-9
	defaultSwitchRspLatencySec = 30e-9
)

// DefaultParams returns the model's defaults for the board h: 256-bit ports
// at 300 MHz, h's AXI IDs as the outstanding limit, a 32-burst queue, open
// page, refresh on, no interleaving, "row-ba-bg-col", 2 lateral links and
// the pipeline latencies described on Params (20 and 30 ns in cycles of
// h's clock: 18 and 27 at the U280's 900 MHz).
func DefaultParams(h hw.HBM) Params {
	return Params{
		PortBits:               h.AXIPortBits,
		KernelFreqHz:           300e6,
		SwitchFreqHz:           h.AXIMaxFreqHz,
		Outstanding:            h.AXIIDs,
		QueueDepth:             32,
		PagePolicy:             OpenPage,
		Refresh:                true,
		InterleaveBytes:        0,
		AddressOrder:           DefaultAddressOrder,
		LateralLinks:           2,
		PortReqLatencyCycles:   6,
		PortRspLatencyCycles:   6,
		SwitchReqLatencyCycles: int(math.Round(defaultSwitchReqLatencySec * h.ClockHz)),
		SwitchRspLatencyCycles: int(math.Round(defaultSwitchRspLatencySec * h.ClockHz)),
	}
}

// Validate reports the first parameter that is not usable with h: a value
// outside its range (hw.Ranges) or a port that does not suit h.
func (p Params) Validate(h hw.HBM) error {
	fields := []struct {
		name string
		v    float64
	}{
		{"port_bits", float64(p.PortBits)}, {"kernel_freq_hz", p.KernelFreqHz}, {"switch_freq_hz", p.SwitchFreqHz},
		{"outstanding", float64(p.Outstanding)}, {"queue_depth", float64(p.QueueDepth)},
		{"interleave_bytes", float64(p.InterleaveBytes)}, {"lateral_links", float64(p.LateralLinks)},
		{"port_req_latency_cycles", float64(p.PortReqLatencyCycles)}, {"port_rsp_latency_cycles", float64(p.PortRspLatencyCycles)},
		{"switch_req_latency_cycles", float64(p.SwitchReqLatencyCycles)}, {"switch_rsp_latency_cycles", float64(p.SwitchRspLatencyCycles)},
	}
	if p.PortBits != 256 && p.PortBits != 512 {
		return fmt.Errorf("hbm: port_bits must be 256 or 512, got %d", p.PortBits)
	}
	for _, f := range fields {
		if err := hw.CheckField(f.name, f.v); err != nil {
			return fmt.Errorf("hbm: %w", err)
		}
	}
	checks := []struct {
		ok   bool
		what string
	}{
		{p.PortBits%h.AXIPortBits == 0 || h.AXIPortBits <= 0, fmt.Sprintf("port_bits must be a multiple of the HBM port's %d bits, got %d", h.AXIPortBits, p.PortBits)},
		{p.PortBits/8 >= h.BurstBytes, fmt.Sprintf("port_bits/8 must be at least the %d B burst, got %d", h.BurstBytes, p.PortBits)},
		{p.PagePolicy == OpenPage || p.PagePolicy == ClosedPage, fmt.Sprintf("page_policy %q is not known (accepted: open|closed)", p.PagePolicy)},
	}
	for _, c := range checks {
		if !c.ok {
			return fmt.Errorf("hbm: %s", c.what)
		}
	}
	if _, err := NewAddressMap(h, p.InterleaveBytes, p.AddressOrder); err != nil {
		return err
	}
	return nil
}
