package hbm

import (
	"fmt"
	"math"
	"math/bits"

	"github.com/roofsim/roofsim/sim/clock"
	"github.com/roofsim/roofsim/sim/link"
	"github.com/sarchlab/akita/v3/mem/mem"
	akita "github.com/sarchlab/akita/v3/sim"
)

// MaxRequestBytes is the largest request an AXI port takes (4 KiB, the AXI
// burst boundary; larger transfers are split by the requester).
const MaxRequestBytes = 4096

// axiBoundaryBytes is the address boundary no AXI burst may cross (AXI spec).
const axiBoundaryBytes = 4096

// txn is one requester's request in flight at a port.
type txn struct {
	req    akita.Msg
	id     string
	src    akita.Port
	write  bool
	bytes  uint64
	arrive int64 // kernel cycle
	left   int   // bursts not yet complete
	done   int64 // kernel cycle the last burst completed at the port
	bad    bool  // refused: answered at once, not counted
}

// AXIPort is one kernel-side AXI port of the HBM subsystem, in the kernel
// clock domain. It takes mem.ReadReq and mem.WriteReq on its Top port,
// splits each request into AXI bursts (at most 16 beats of the port width,
// never across a 4 KiB boundary or a pseudo-channel boundary), keeps at
// most Outstanding bursts in flight per direction, moves write data through
// its write channel and read data through its read channel at one beat per
// kernel cycle (the port's width x clock ceiling), and answers each request
// with mem.DataReadyRsp or mem.WriteDoneRsp once its last burst is done.
//
// The port schedules no events of its own: every cycle it computes (the
// cycle a burst leaves, the cycle a response leaves) follows from committed
// channel slots, so it sends the message once, stamped with that cycle.
type AXIPort struct {
	*akita.ComponentBase

	index       int
	kclk, hclk  clock.Domain
	top, bottom *link.Port
	// sw is the switch on the fast path (nil on the reference path),
	// which send calls directly (see sendBurst).
	sw        *Switch
	ctrls     []akita.Port
	amap      AddressMap
	beatBytes uint64
	// beatShift is log2 of beatBytes when beatPow2 (Params.Validate allows
	// 32 and 64 B): split then masks and shifts instead of dividing.
	beatShift   uint
	beatPow2    bool
	maxBurst    uint64
	burstBytes  uint64
	outstanding int
	reqLat      int64
	rspLat      int64

	rdInFlight, wrInFlight int
	rdWait, wrWait         burstFIFO
	arFree, awFree         int64
	rFree, wFree           int64

	// hportHBMCyclesPerByte is the HBM cycles a byte takes through the
	// HBM's own AXI port behind the kernel port (0: not modelled); hrFree
	// and hwFree are the HBM cycles its read and write data channels are
	// next free.
	hportHBMCyclesPerByte float64
	hrFree, hwFree        int64

	open   int  // requests not yet answered
	seen   bool // a request has arrived
	outbox []akita.Msg
	bursts freeList[burst]
	txns   freeList[txn]
	// rdRsps and wrRsps are responses their requesters handed back
	// (Recycle), reused with their IDs for later responses.
	rdRsps []*mem.DataReadyRsp
	wrRsps []*mem.WriteDoneRsp

	stats    PortStats
	firstErr error
}

// AXIPortConfig holds what an AXI port needs to be built.
type AXIPortConfig struct {
	// Index is the port's number (0..31 on the U280).
	Index int
	// Map decodes global addresses.
	Map AddressMap
	// KernelFreqHz and HBMFreqHz are the port's and the controllers' clocks.
	KernelFreqHz, HBMFreqHz float64
	// PortBits is the port's width (256 or 512).
	PortBits int
	// HBMBurstBytes is the controller's burst (32 B).
	HBMBurstBytes int
	// MaxBurstBeats is the longest AXI burst in beats (16 for AXI3).
	MaxBurstBeats int
	// Outstanding is the most bursts in flight per direction.
	Outstanding int
	// ReqLatencyCycles and RspLatencyCycles are the kernel-side pipeline
	// latencies in kernel cycles.
	ReqLatencyCycles, RspLatencyCycles int
	// HBMPortBytesPerSec, when above 0, is the data rate of the HBM's own
	// AXI port behind the kernel port, in bytes per second in each
	// direction (Params.HBMPortLimit); 0 leaves only the kernel port's
	// width x clock.
	HBMPortBytesPerSec float64
}

// NewAXIPort builds the port named name.
func NewAXIPort(name string, cfg AXIPortConfig) *AXIPort {
	p := &AXIPort{
		ComponentBase: akita.NewComponentBase(name),
		index:         cfg.Index,
		kclk:          clock.New(cfg.KernelFreqHz),
		hclk:          clock.New(cfg.HBMFreqHz),
		amap:          cfg.Map,
		beatBytes:     uint64(cfg.PortBits / 8),
		burstBytes:    uint64(cfg.HBMBurstBytes),
		outstanding:   cfg.Outstanding,
		reqLat:        int64(cfg.ReqLatencyCycles),
		rspLat:        int64(cfg.RspLatencyCycles),
	}
	p.maxBurst = p.beatBytes * uint64(cfg.MaxBurstBeats)
	p.beatShift = uint(bits.TrailingZeros64(p.beatBytes))
	p.beatPow2 = p.beatBytes&(p.beatBytes-1) == 0
	if cfg.HBMPortBytesPerSec > 0 {
		p.hportHBMCyclesPerByte = cfg.HBMFreqHz / cfg.HBMPortBytesPerSec
	}
	p.top = link.NewPort(p, math.MaxInt32, name+".Top")
	p.bottom = link.NewPort(p, math.MaxInt32, name+".Bottom")
	p.AddPort("Top", p.top)
	p.AddPort("Bottom", p.bottom)
	return p
}

// Top is the requester-side port.
func (p *AXIPort) Top() akita.Port { return p.top }

// Bottom is the switch-side port.
func (p *AXIPort) Bottom() akita.Port { return p.bottom }

// Stats returns the port's statistics.
func (p *AXIPort) Stats() PortStats { return p.stats }

// NotifyRecv takes requests (Top) and completed bursts (Bottom).
func (p *AXIPort) NotifyRecv(now akita.VTimeInSec, port akita.Port) {
	k := int64(p.kclk.Cycle(now))
	for {
		m := port.Retrieve(now)
		if m == nil {
			return
		}
		if port == p.top {
			p.accept(m, k)
		} else {
			p.burstDone(m.(*burst), k, int64(p.hclk.Cycle(now)))
		}
	}
}

// NotifyPortFree sends the responses that the requester's connection
// refused earlier.
func (p *AXIPort) NotifyPortFree(now akita.VTimeInSec, _ akita.Port) {
	for len(p.outbox) > 0 {
		m := p.outbox[0]
		if m.Meta().SendTime < now {
			m.Meta().SendTime = now
		}
		if p.top.Send(m) != nil {
			return
		}
		p.outbox[0] = nil
		p.outbox = p.outbox[1:]
	}
}

// Handle is not used: the port schedules no events.
func (p *AXIPort) Handle(akita.Event) error { return nil }

func (p *AXIPort) fail(format string, a ...any) {
	p.stats.Errors++
	if p.firstErr == nil {
		p.firstErr = fmt.Errorf("hbm: %s: "+format, append([]any{p.Name()}, a...)...)
	}
}

// accept splits a request into bursts and issues those that have a slot.
func (p *AXIPort) accept(m akita.Msg, k int64) {
	t := p.txns.get()
	t.req, t.id, t.src, t.arrive = m, m.Meta().ID, m.Meta().Src, k
	var addr uint64
	switch r := m.(type) {
	case *mem.ReadReq:
		addr, t.bytes = r.Address, r.AccessByteSize
	case *mem.WriteReq:
		addr, t.bytes, t.write = r.Address, uint64(len(r.Data)), true
	default:
		p.fail("message %T is not a mem.ReadReq or mem.WriteReq", m)
		p.txns.put(t)
		return
	}
	if !p.seen {
		p.seen = true
		p.stats.FirstArrival = k
	}
	p.open++
	switch {
	case t.bytes == 0 || t.bytes%p.burstBytes != 0 || t.bytes > MaxRequestBytes:
		p.fail("request %s: size %d B must be a multiple of %d B from %d to %d", t.id, t.bytes, p.burstBytes, p.burstBytes, MaxRequestBytes)
	case addr%p.burstBytes != 0:
		p.fail("request %s: address %#x is not %d B aligned", t.id, addr, p.burstBytes)
	case addr+t.bytes > p.amap.TotalBytes() || addr+t.bytes < addr:
		p.fail("request %s: [%#x, %#x) is outside the %d B address space", t.id, addr, addr+t.bytes, p.amap.TotalBytes())
	default:
		p.split(t, addr)
		return
	}
	// A request the port cannot serve is answered at once (and reported by
	// Check), so that its requester does not wait forever.
	t.done, t.bad = k, true
	p.respond(t)
}

func (p *AXIPort) split(t *txn, addr uint64) {
	end := addr + t.bytes
	// pc and local are addr's pseudo-channel and address in it, and
	// contig the bytes from addr to the end of its contiguous range of
	// that PC (inside it, the local address grows with addr).
	var pc int
	var local, contig uint64
	for addr < end {
		if contig == 0 {
			contig = p.amap.contiguousBytes(addr)
			pc, local = p.amap.split(addr)
		}
		inBeat := p.inBeat(addr)
		n := min(end-addr,
			axiBoundaryBytes-addr%axiBoundaryBytes,
			contig,
			p.maxBurst-inBeat)
		b := p.bursts.get()
		b.txn, b.port, b.pc, b.local, b.bytes, b.write = t, p.index, pc, local, int(n), t.write
		b.beats = int(p.beatsOf(inBeat + n))
		t.left++
		addr += n
		local += n
		contig -= n
		if t.write {
			if p.wrInFlight < p.outstanding {
				p.wrInFlight++
				p.stats.MaxWritesInFlight = max(p.stats.MaxWritesInFlight, p.wrInFlight)
				p.issueWrite(b, t.arrive)
			} else {
				p.wrWait.push(b)
			}
		} else {
			if p.rdInFlight < p.outstanding {
				p.rdInFlight++
				p.stats.MaxReadsInFlight = max(p.stats.MaxReadsInFlight, p.rdInFlight)
				p.issueRead(b, t.arrive)
			} else {
				p.rdWait.push(b)
			}
		}
	}
}

// inBeat is address addr's offset in its beat (addr mod beatBytes).
func (p *AXIPort) inBeat(addr uint64) uint64 {
	if p.beatPow2 {
		return addr & (p.beatBytes - 1)
	}
	return addr % p.beatBytes
}

// beatsOf is the beats n bytes from a beat's start take (rounded up).
func (p *AXIPort) beatsOf(n uint64) uint64 {
	if p.beatPow2 {
		return (n + p.beatBytes - 1) >> p.beatShift
	}
	return (n + p.beatBytes - 1) / p.beatBytes
}

// issueRead puts a read burst on the read address channel at or after
// kernel cycle at and sends it to its controller.
func (p *AXIPort) issueRead(b *burst, at int64) {
	t := max(at, p.arFree)
	p.arFree = t + 1
	p.stats.ReadBursts++
	b.spanCycles = 0
	p.send(b, t+p.reqLat)
}

// issueWrite puts a write burst on the write address channel and its data
// on the write data channel (one beat per kernel cycle) and sends it once
// its last beat is through.
func (p *AXIPort) issueWrite(b *burst, at int64) {
	t := max(at, p.awFree)
	p.awFree = t + 1
	ws := max(t, p.wFree)
	we := ws + int64(b.beats)
	p.wFree = we
	p.stats.WBusyCycles += uint64(b.beats)
	p.stats.WriteBursts++
	hs, he := int64(p.hclk.Cycle(p.kclk.Time(uint64(ws)))), int64(p.hclk.Cycle(p.kclk.Time(uint64(we))))
	if p.hportHBMCyclesPerByte > 0 {
		// The data then passes the HBM's own port at its rate.
		hs, he = p.hportPass(&p.hwFree, hs, he, b.bytes)
		we = max(we, int64(p.kclk.Cycle(p.hclk.Time(uint64(he)))))
	}
	b.spanCycles = he - hs
	p.send(b, we+p.reqLat)
}

// hportPass moves a burst of n bytes, whose data is ready from HBM cycle
// from and complete at HBM cycle to, through one data channel of the
// HBM's own AXI port (next free at *free): it returns the cycles its
// first and last data pass there.
func (p *AXIPort) hportPass(free *int64, from, to int64, n int) (int64, int64) {
	need := int64(math.Ceil(float64(n)*p.hportHBMCyclesPerByte - 1e-9))
	start := max(from, *free)
	end := max(start+need, to)
	*free = end
	return end - need, end
}

func (p *AXIPort) send(b *burst, k int64) {
	b.done = false
	b.Src, b.Dst = p.bottom, p.ctrls[b.pc]
	b.SendTime = p.kclk.Time(uint64(k))
	if sendBurst(p.sw, p.bottom, b) != nil {
		// The switch accepts every message; a refusal is a wiring bug.
		panic(fmt.Sprintf("%s: switch refused a burst", p.Name()))
	}
}

// burstDone handles a completed burst that arrived at kernel cycle k and
// HBM cycle h (the cycles of one time): read data passes the read
// channel, then the burst's slot goes to the next waiting burst.
func (p *AXIPort) burstDone(b *burst, k, h int64) {
	t := b.txn
	fin := k
	if !b.write {
		arrive := h
		firstH := max(arrive-b.spanCycles, 0)
		if p.hportHBMCyclesPerByte > 0 {
			// The data passes the HBM's own port before the kernel's.
			firstH, arrive = p.hportPass(&p.hrFree, firstH, arrive, b.bytes)
			k = max(k, int64(p.kclk.Cycle(p.hclk.Time(uint64(arrive)))))
		}
		first := int64(p.kclk.Cycle(p.hclk.Time(uint64(firstH))))
		start := max(p.rFree, first)
		fin = max(start+int64(b.beats), k+1)
		p.rFree = fin
		p.stats.RBusyCycles += uint64(b.beats)
		if p.rdWait.len() > 0 {
			p.issueRead(p.rdWait.pop(), fin)
		} else {
			p.rdInFlight--
		}
	} else {
		if p.wrWait.len() > 0 {
			p.issueWrite(p.wrWait.pop(), fin)
		} else {
			p.wrInFlight--
		}
	}
	p.bursts.put(b)
	t.done = max(t.done, fin)
	t.left--
	if t.left == 0 {
		p.respond(t)
	}
}

// respond answers a request once its last burst is through the port.
func (p *AXIPort) respond(t *txn) {
	at := t.done + p.rspLat
	when := p.kclk.Time(uint64(at))
	rsp := p.response(t.write, when, t.src, t.id)
	switch {
	case t.bad:
	case t.write:
		p.stats.WriteReqs++
		p.stats.WriteBytes += t.bytes
	default:
		p.stats.ReadReqs++
		p.stats.ReadBytes += t.bytes
	}
	if !t.bad {
		p.stats.Latency.Add(at - t.arrive)
	}
	p.stats.LastResponse = max(p.stats.LastResponse, at)
	p.open--
	p.txns.put(t)
	if len(p.outbox) > 0 || p.top.Send(rsp) != nil {
		p.outbox = append(p.outbox, rsp)
	}
}

// response builds the response to request id of src, sent at when: a
// recycled one (keeping the ID it was built with) when there is one.
func (p *AXIPort) response(write bool, when akita.VTimeInSec, src akita.Port, id string) akita.Msg {
	if write {
		if n := len(p.wrRsps); n > 0 {
			r := p.wrRsps[n-1]
			p.wrRsps = p.wrRsps[:n-1]
			*r = mem.WriteDoneRsp{MsgMeta: akita.MsgMeta{ID: r.ID, SendTime: when, Src: p.top, Dst: src,
				TrafficBytes: r.TrafficBytes}, RespondTo: id}
			return r
		}
		return mem.WriteDoneRspBuilder{}.WithSendTime(when).WithSrc(p.top).WithDst(src).WithRspTo(id).Build()
	}
	if n := len(p.rdRsps); n > 0 {
		r := p.rdRsps[n-1]
		p.rdRsps = p.rdRsps[:n-1]
		*r = mem.DataReadyRsp{MsgMeta: akita.MsgMeta{ID: r.ID, SendTime: when, Src: p.top, Dst: src,
			TrafficBytes: r.TrafficBytes}, RespondTo: id}
		return r
	}
	return mem.DataReadyRspBuilder{}.WithSendTime(when).WithSrc(p.top).WithDst(src).WithRspTo(id).Build()
}

// Recycle takes back a response of this port that its requester has
// handled and no longer refers to; the port reuses it, ID included, for a
// later response. Other messages are ignored. Requesters need not call it.
func (p *AXIPort) Recycle(m akita.Msg) {
	if m.Meta().Src != p.top {
		return
	}
	switch r := m.(type) {
	case *mem.DataReadyRsp:
		p.rdRsps = append(p.rdRsps, r)
	case *mem.WriteDoneRsp:
		p.wrRsps = append(p.wrRsps, r)
	}
}

// check reports requests still open, bursts in flight or refused requests.
func (p *AXIPort) check() error {
	if p.firstErr != nil {
		return fmt.Errorf("%w (%d bad requests in all)", p.firstErr, p.stats.Errors)
	}
	if p.open != 0 || p.rdInFlight != 0 || p.wrInFlight != 0 || p.rdWait.len() != 0 || p.wrWait.len() != 0 {
		return fmt.Errorf("hbm: %s: %d requests unanswered, %d read and %d write bursts in flight, %d+%d waiting",
			p.Name(), p.open, p.rdInFlight, p.wrInFlight, p.rdWait.len(), p.wrWait.len())
	}
	if len(p.outbox) != 0 {
		return fmt.Errorf("hbm: %s: %d responses not delivered", p.Name(), len(p.outbox))
	}
	return nil
}
