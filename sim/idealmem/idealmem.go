// Package idealmem is an ideal off-chip memory behind Akita ports: every
// request completes a fixed latency after its bytes have passed its port's
// bandwidth limit. It speaks the same messages as the HBM model (akita
// mem.ReadReq / mem.WriteReq in, mem.DataReadyRsp / mem.WriteDoneRsp out,
// RespondTo set), so a requester plugs into either without a change. It
// sends each response as soon as the request arrives, stamped with the
// cycle it is due; its ports must be plugged into a sim/link Link, which
// delivers such messages at their time.
//
// Each port moves its requests in order at
//
//	rate = min(PortBytesPerCycle, TotalBytesPerCycle / Ports)
//
// bytes per cycle: the whole memory's limit is shared evenly by its ports
// (with one port per HBM pseudo-channel, a 512-bit port at 300 MHz is held
// to its PC's 14.4 GB/s). A request of b bytes arriving at cycle t on port
// p (cycles of the memory's clock, fractional while a transfer is under
// way) is answered at
//
//	start = max(t, free[p]);  free[p] = start + b / rate
//	response at ceil(free[p]) + LatencyCycles
//
// Reads and writes share the rate, as they share a pseudo-channel's data
// bus. A limit of 0 is no limit.
package idealmem

import (
	"fmt"
	"math"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sim/clock"
	"github.com/roofsim/roofsim/sim/link"
	"github.com/sarchlab/akita/v3/mem/mem"
	akita "github.com/sarchlab/akita/v3/sim"
)

// MaxRequestBytes is the largest request the memory accepts, in bytes: the
// contract of roofsim's memory side (4 KiB, the AXI rule that a burst must
// not cross a 4 KiB boundary).
const MaxRequestBytes = 4096

// fracTolerance absorbs binary rounding when fractional cycles are rounded up.
const fracTolerance = 1e-9

// Config is the ideal memory's parameters.
type Config struct {
	// Ports is the number of Akita ports (one per design HBM port).
	Ports int
	// Clock is the clock the memory counts its cycles in.
	Clock clock.Domain
	// LatencyCycles is the fixed latency from the end of a request's
	// transfer to its response, in cycles.
	LatencyCycles uint64
	// PortBytesPerCycle is the bandwidth of one port in bytes per cycle;
	// 0 is unlimited.
	PortBytesPerCycle float64
	// TotalBytesPerCycle is the bandwidth of the whole memory in bytes per
	// cycle; 0 is unlimited.
	TotalBytesPerCycle float64
	// BurstBytes is the granule of a request's size and address in bytes
	// (32, one HBM burst); 0 accepts any size.
	BurstBytes int
}

// PortRate is the bytes per cycle one port moves:
// min(PortBytesPerCycle, TotalBytesPerCycle / Ports), 0 when unlimited.
func (c Config) PortRate() float64 {
	r := c.PortBytesPerCycle
	if c.TotalBytesPerCycle > 0 && c.Ports > 0 {
		if share := c.TotalBytesPerCycle / float64(c.Ports); r == 0 || share < r {
			r = share
		}
	}
	return r
}

// DefaultLatencyCycles is the latency of a row miss of the HBM2 devices in
// cycles of clock c: tRCD + CL (hw.HBMTiming), rounded up.
func DefaultLatencyCycles(p hw.Platform, c clock.Domain) uint64 {
	// A valid platform's timings convert (hw.Ranges); one that does not
	// gives 0, which Validate does not refuse but no valid input reaches.
	n, _ := hw.NsToCycles(p.HBM.Timing.TRCDNs+p.HBM.Timing.CLNs, c.FreqHz)
	return uint64(n)
}

// DesignConfig is the ideal memory of design d on platform p: one port per
// design HBM port, each as wide as the design's port at the kernel clock,
// the whole capped at d.MemBytesPerSec(p), and the HBM's row-miss latency.
func DesignConfig(d hw.Design, p hw.Platform) Config {
	c := clock.New(d.ClockHz(p))
	return Config{
		Ports:              d.HBMPorts,
		Clock:              c,
		LatencyCycles:      DefaultLatencyCycles(p, c),
		PortBytesPerCycle:  float64(d.PortBits) / 8,
		TotalBytesPerCycle: d.MemBytesPerSec(p) / c.FreqHz,
		BurstBytes:         p.HBM.BurstBytes,
	}
}

// Validate reports the first unusable field.
func (c Config) Validate() error {
	switch {
	case c.Ports <= 0:
		return fmt.Errorf("idealmem: ports must be > 0, got %d", c.Ports)
	case !(c.Clock.FreqHz > 0) || math.IsInf(c.Clock.FreqHz, 0):
		return fmt.Errorf("idealmem: clock must be > 0 Hz, got %g", c.Clock.FreqHz)
	case c.PortBytesPerCycle < 0 || math.IsNaN(c.PortBytesPerCycle) || math.IsInf(c.PortBytesPerCycle, 0):
		return fmt.Errorf("idealmem: port bandwidth must be >= 0 bytes/cycle, got %g", c.PortBytesPerCycle)
	case c.TotalBytesPerCycle < 0 || math.IsNaN(c.TotalBytesPerCycle) || math.IsInf(c.TotalBytesPerCycle, 0):
		return fmt.Errorf("idealmem: total bandwidth must be >= 0 bytes/cycle, got %g", c.TotalBytesPerCycle)
	case c.BurstBytes < 0:
		return fmt.Errorf("idealmem: burst bytes must be >= 0, got %d", c.BurstBytes)
	case c.LatencyCycles > hw.MaxLatencyCycles:
		return fmt.Errorf("idealmem: latency must be in 0..%d cycles, got %d", hw.MaxLatencyCycles, c.LatencyCycles)
	}
	return nil
}

// Stats counts what the memory served.
type Stats struct {
	// Reads and Writes are the numbers of requests served.
	Reads, Writes int64
	// BytesRead and BytesWritten are their bytes.
	BytesRead, BytesWritten int64
}

// portCapacity is the buffer of a memory port in messages; the memory takes
// every request out as it arrives, so it is only a bound.
const portCapacity = math.MaxInt32

// Memory is the ideal memory component. It times a request when it
// arrives and sends the response at once, stamped with the cycle it is due
// (a sim/link Link delivers it then), so it needs no event of its own.
type Memory struct {
	*akita.ComponentBase
	cfg      Config
	ports    []*link.Port
	portIdx  map[*link.Port]int
	portFree []float64
	stats    Stats
	zero     []byte
	err      error
}

// New builds an ideal memory named name (CapitalizedCamel parts). Its ports
// must be plugged into a connection that delivers messages stamped with a
// future SendTime at that time, as sim/link's Link does.
func New(name string, cfg Config) (*Memory, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	m := &Memory{
		ComponentBase: akita.NewComponentBase(name),
		cfg:           cfg,
		portFree:      make([]float64, cfg.Ports),
		portIdx:       make(map[*link.Port]int),
		zero:          make([]byte, MaxRequestBytes),
	}
	for i := range cfg.Ports {
		p := link.NewPort(m, portCapacity, fmt.Sprintf("%s.Port[%d]", name, i))
		m.AddPort(fmt.Sprintf("Port[%d]", i), p)
		m.portIdx[p] = i
		m.ports = append(m.ports, p)
	}
	return m, nil
}

// Port returns the memory's port i.
func (m *Memory) Port(i int) akita.Port { return m.ports[i] }

// Stats returns what the memory has served so far.
func (m *Memory) Stats() Stats { return m.stats }

// Err returns the first malformed request the memory saw, or nil.
func (m *Memory) Err() error { return m.err }

// NotifyPortFree is not used: the memory's sends are not limited.
func (m *Memory) NotifyPortFree(akita.VTimeInSec, akita.Port) {}

// Handle is not used: the memory acts on arriving requests only.
func (m *Memory) Handle(akita.Event) error { return nil }

// NotifyRecv takes the requests that arrived on port and answers them.
func (m *Memory) NotifyRecv(now akita.VTimeInSec, port akita.Port) {
	lp, _ := port.(*link.Port)
	idx, ok := m.portIdx[lp]
	if !ok {
		m.fail(fmt.Errorf("idealmem %s: a message arrived on a port it does not own", m.Name()))
		return
	}
	for msg := port.Retrieve(now); msg != nil; msg = port.Retrieve(now) {
		m.accept(now, idx, port, msg)
	}
}

// accept times one request and sends its response stamped with its cycle.
func (m *Memory) accept(now akita.VTimeInSec, idx int, port akita.Port, msg akita.Msg) {
	var size, addr uint64
	var rsp akita.Msg
	var meta *akita.MsgMeta
	switch r := msg.(type) {
	case *mem.ReadReq:
		size, addr = r.AccessByteSize, r.Address
		d := &mem.DataReadyRsp{RespondTo: r.ID}
		d.Data = m.zero[:min(size, MaxRequestBytes)]
		rsp, meta = d, &d.MsgMeta
		meta.Dst = r.Src
		m.stats.Reads++
		m.stats.BytesRead += int64(size)
	case *mem.WriteReq:
		size, addr = uint64(len(r.Data)), r.Address
		d := &mem.WriteDoneRsp{RespondTo: r.ID}
		rsp, meta = d, &d.MsgMeta
		meta.Dst = r.Src
		m.stats.Writes++
		m.stats.BytesWritten += int64(size)
	default:
		m.fail(fmt.Errorf("idealmem %s: message %T is not a mem.ReadReq or mem.WriteReq", m.Name(), msg))
		return
	}
	if size == 0 || size > MaxRequestBytes || (m.cfg.BurstBytes > 0 && (size%uint64(m.cfg.BurstBytes) != 0 || addr%uint64(m.cfg.BurstBytes) != 0)) {
		m.fail(fmt.Errorf("idealmem %s: request at 0x%x of %d bytes: size must be a multiple of %d up to %d, address aligned",
			m.Name(), addr, size, m.cfg.BurstBytes, MaxRequestBytes))
	}
	t := float64(m.cfg.Clock.Cycle(now))
	done := t
	if bw := m.cfg.PortRate(); bw > 0 {
		m.portFree[idx] = math.Max(t, m.portFree[idx]) + float64(size)/bw
		done = m.portFree[idx]
	}
	cycle := uint64(math.Ceil(done-fracTolerance)) + m.cfg.LatencyCycles
	meta.Src = port
	meta.SendTime = m.cfg.Clock.Time(cycle)
	if err := port.Send(rsp); err != nil {
		m.fail(fmt.Errorf("idealmem %s: the connection refused a response", m.Name()))
	}
}

func (m *Memory) fail(err error) {
	if m.err == nil {
		m.err = err
	}
}
