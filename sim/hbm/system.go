package hbm

import (
	"errors"
	"fmt"
	"github.com/roofsim/roofsim/sim/simerr"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sim/clock"
	"github.com/roofsim/roofsim/sim/link"
	akita "github.com/sarchlab/akita/v3/sim"
)

// Builder builds a System. Start from MakeBuilder (the U280 with
// DefaultParams) and change what differs.
type Builder struct {
	engine akita.Engine
	hbm    hw.HBM
	params Params
}

// MakeBuilder returns a builder for the U280's HBM (hw.U280HBM) with
// DefaultParams.
func MakeBuilder() Builder {
	h := hw.U280HBM()
	return Builder{hbm: h, params: DefaultParams(h)}
}

// WithEngine sets the Akita engine the System runs on.
func (b Builder) WithEngine(e akita.Engine) Builder { b.engine = e; return b }

// WithConfig sets the hardware description of the memory system.
func (b Builder) WithConfig(h hw.HBM) Builder { b.hbm = h; return b }

// WithParams sets all model parameters at once.
func (b Builder) WithParams(p Params) Builder { b.params = p; return b }

// WithPortBits sets the width of the kernel-side AXI ports (256 or 512).
func (b Builder) WithPortBits(bits int) Builder { b.params.PortBits = bits; return b }

// WithKernelFreqHz sets the kernel clock of the AXI ports.
func (b Builder) WithKernelFreqHz(f float64) Builder { b.params.KernelFreqHz = f; return b }

// WithOutstanding sets the most bursts in flight per port and direction.
func (b Builder) WithOutstanding(n int) Builder { b.params.Outstanding = n; return b }

// WithPagePolicy sets the controllers' row policy.
func (b Builder) WithPagePolicy(p PagePolicy) Builder { b.params.PagePolicy = p; return b }

// WithInterleaveBytes sets the PC interleaving granularity (0: none).
func (b Builder) WithInterleaveBytes(n int64) Builder { b.params.InterleaveBytes = n; return b }

// WithRefresh switches all-bank refresh on or off.
func (b Builder) WithRefresh(on bool) Builder { b.params.Refresh = on; return b }

// Params returns the parameters the builder holds.
func (b Builder) Params() Params { return b.params }

// Build creates the System named name (e.g. "U280.HBM"): one AXI port and
// one controller per pseudo-channel and the switch between them.
func (b Builder) Build(name string) (*System, error) {
	if b.engine == nil {
		return nil, errors.New("hbm: Build needs an engine (WithEngine)")
	}
	if err := b.hbm.Validate(); err != nil {
		return nil, fmt.Errorf("hbm: %w", err)
	}
	if err := b.params.Validate(b.hbm); err != nil {
		return nil, err
	}
	amap, err := NewAddressMap(b.hbm, b.params.InterleaveBytes, b.params.AddressOrder)
	if err != nil {
		return nil, err
	}
	h, p := b.hbm, b.params
	if h.BanksPerPC > 64 {
		return nil, fmt.Errorf("hbm: banks_per_pc must be at most 64, got %d", h.BanksPerPC)
	}
	s := &System{
		name:   name,
		engine: b.engine,
		hbm:    h,
		params: p,
		amap:   amap,
		kclk:   clock.New(p.KernelFreqHz),
		hclk:   clock.New(h.ClockHz),
	}
	s.sw = NewSwitch(name+".Switch", b.engine, SwitchConfig{
		HBMFreqHz:            h.ClockHz,
		SwitchFreqHz:         p.SwitchFreqHz,
		Ports:                h.PseudoChannels,
		GroupPorts:           h.SwitchGroupPorts,
		PortBytes:            h.AXIPortBits / 8,
		LateralBWFraction:    h.LateralBWFraction,
		LateralLinks:         p.LateralLinks,
		LateralLatencyCycles: h.LateralLatencyCycles,
		ReqLatencyCycles:     p.SwitchReqLatencyCycles,
		RspLatencyCycles:     p.SwitchRspLatencyCycles,
		Reference:            p.Reference,
	})
	ctrlPorts := make([]akita.Port, h.PseudoChannels)
	calendar := newCalendar(b.engine, h.ClockHz, p.Reference)
	for i := 0; i < h.PseudoChannels; i++ {
		c := NewController(akita.BuildNameWithIndex(name, "PC", i), b.engine, ControllerConfig{
			HBM: h, Map: amap, PagePolicy: p.PagePolicy, Refresh: p.Refresh, QueueDepth: p.QueueDepth, Index: i,
			Calendar: calendar, Reference: p.Reference,
		})
		s.ctrls = append(s.ctrls, c)
		ctrlPorts[i] = c.TopPort()
		s.sw.attachController(i, c)
	}
	var hportBytesPerSec float64
	if p.HBMPortLimit {
		hportBytesPerSec = float64(h.AXIPortBits/8) * p.SwitchFreqHz
	}
	for i := 0; i < h.PseudoChannels; i++ {
		port := NewAXIPort(akita.BuildNameWithIndex(name, "Port", i), AXIPortConfig{
			Index: i, Map: amap, KernelFreqHz: p.KernelFreqHz, HBMFreqHz: h.ClockHz, PortBits: p.PortBits,
			HBMBurstBytes: h.BurstBytes, MaxBurstBeats: h.AXIMaxBurstBeats, Outstanding: p.Outstanding,
			ReqLatencyCycles: p.PortReqLatencyCycles, RspLatencyCycles: p.PortRspLatencyCycles,
			HBMPortBytesPerSec: hportBytesPerSec,
		})
		port.ctrls = ctrlPorts
		s.ports = append(s.ports, port)
		s.sw.attachPort(i, port)
	}
	return s, nil
}

// System is the HBM memory system: one kernel-side AXI port per
// pseudo-channel, the switch and one controller per pseudo-channel.
type System struct {
	name   string
	engine akita.Engine
	hbm    hw.HBM
	params Params
	amap   AddressMap
	kclk   clock.Domain
	hclk   clock.Domain
	ports  []*AXIPort
	ctrls  []*Controller
	sw     *Switch
	// link connects the requesters to the AXI ports (one Link for all, so
	// messages due in the same cycle share one event).
	link *link.Link
}

// Name is the System's name.
func (s *System) Name() string { return s.name }

// HBM is the hardware description the System was built with.
func (s *System) HBM() hw.HBM { return s.hbm }

// Params are the model parameters the System was built with.
func (s *System) Params() Params { return s.params }

// AddressMap is the System's global address map.
func (s *System) AddressMap() AddressMap { return s.amap }

// NumPorts is the number of AXI ports (one per pseudo-channel).
func (s *System) NumPorts() int { return len(s.ports) }

// Port is the requester side of AXI port i: send mem.ReadReq and
// mem.WriteReq to it. Plug requesters in with Connect: the port sends each
// response once, stamped with the (often future) cycle it leaves the port,
// and reads and writes may leave out of send order, so the connection must
// deliver every message at its own SendTime (a FIFO or same-cycle
// connection would deliver responses early or late).
func (s *System) Port(i int) akita.Port { return s.ports[i].Top() }

// AXIPort is AXI port i.
func (s *System) AXIPort(i int) *AXIPort { return s.ports[i] }

// Controller is the controller of pseudo-channel i.
func (s *System) Controller(i int) *Controller { return s.ctrls[i] }

// Switch is the System's switch.
func (s *System) Switch() *Switch { return s.sw }

// Connect connects a requester's port to AXI port i through the System's
// zero-latency link (the port's own pipeline latency applies). The
// requester receives its responses on the same port.
func (s *System) Connect(i int, requester akita.Port) error {
	if i < 0 || i >= len(s.ports) {
		return fmt.Errorf("hbm: port %d does not exist (0..%d)", i, len(s.ports)-1)
	}
	if requester == nil {
		return errors.New("hbm: Connect needs a requester port")
	}
	if s.link == nil {
		s.link = link.New(s.name+".Link", s.engine, s.kclk, 0)
	}
	s.link.PlugIn(requester, 0)
	s.link.PlugIn(s.ports[i].Top(), 0)
	return nil
}

// PortStats returns AXI port i's statistics.
func (s *System) PortStats(i int) PortStats { return s.ports[i].Stats() }

// PCStats returns pseudo-channel i's statistics over the window from time
// 0 to end (the HBM cycle at or after end): refreshes of idle time up to
// end are counted, and the data bus's idle time after its last data.
func (s *System) PCStats(i int, end akita.VTimeInSec) PCStats {
	return s.ctrls[i].Settle(int64(s.hclk.Cycle(end)))
}

// SwitchStats returns the switch's statistics.
func (s *System) SwitchStats() SwitchStats { return s.sw.Stats() }

// Check reports whether every request was answered and every queue is
// empty: call it after engine.Run returns (a component that stops
// scheduling itself while it holds work makes Run return early).
func (s *System) Check() error {
	var errs []error
	for _, p := range s.ports {
		if err := p.check(); err != nil {
			errs = append(errs, err)
		}
	}
	for _, c := range s.ctrls {
		if n := c.Pending(); n != 0 || c.active != 0 {
			errs = append(errs, fmt.Errorf("hbm: %s: %d bursts still queued", c.Name(), n))
		}
	}
	if f := s.sw.stats.DeliveryFailures; f != 0 {
		errs = append(errs, fmt.Errorf("hbm: %s: %d deliveries refused", s.sw.Name(), f))
	}
	if n := s.sw.Pending(); n != 0 {
		errs = append(errs, fmt.Errorf("hbm: %s: %d bursts still on their way", s.sw.Name(), n))
	}
	if s.link != nil {
		if n := s.link.InFlight(); n != 0 {
			errs = append(errs, fmt.Errorf("hbm: %s: %d messages still on their way", s.link.Name(), n))
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %w", errors.Join(errs...), simerr.ErrInvariant)
}
