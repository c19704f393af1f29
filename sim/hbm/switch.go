package hbm

import (
	"fmt"
	"math"

	"github.com/roofsim/roofsim/sim/clock"
	"github.com/roofsim/roofsim/sim/link"
	akita "github.com/sarchlab/akita/v3/sim"
)

// lateral is one lateral link of the switch in one direction.
type lateral struct {
	free       int64 // HBM cycle the link is free again
	lastMaster int   // AXI port whose write data used it last (-1: none)
	busy       int64 // HBM cycles it carried data
}

// Switch is the U280's segmented HBM switch, an Akita connection between
// the AXI ports and the controllers (PG276, "Switch Network"). Ports and PCs
// form groups of SwitchGroupPorts; inside a group the switch is a full
// crossbar with no penalty. A burst between a port and a PC of another group
// travels over the lateral links between neighbouring groups (the groups of
// both stacks form one chain): each hop adds LateralLatencyCycles, and a
// link carries data at LateralBWFraction of a port's bandwidth at the switch
// clock, shared by every burst that uses it. Which of the LateralLinks
// parallel links a burst takes is set by its destination PC, not by its
// port: an AXI crossbar routes a transaction to one of its outputs by
// decoding its address (AMD PG059, AXI Interconnect, "address decoding"), so
// each lateral link serves a fixed set of remote PCs and one port spreading
// its requests over many PCs uses all the links. Write data loses one switch
// cycle each time a link changes master (PG276).
//
// Every message is delivered at its exact arrival cycle: send time +
// ReqLatency (port to controller) or RspLatency (controller to port) + the
// lateral hops. Bursts on their way wait in the switch's own time queue; the
// switch keeps one engine event at the earliest (bursts due in the same
// cycle share it).
type Switch struct {
	akita.HookableBase

	name       string
	engine     akita.Engine
	hclk       clock.Domain
	groupPorts int
	nGroups    int
	nLinks     int
	reqLat     int64
	rspLat     int64
	hopLat     int64
	deadCycles int64
	// occPerByte is the HBM cycles a lateral link needs per byte.
	occPerByte float64

	links []lateral
	ports []akita.Port // AXI ports' bottom ports by index
	ctrls []akita.Port // controllers' top ports by PC
	// axis and pcs are the AXI ports and the controllers themselves, to
	// which the fast path hands bursts directly (see deliver).
	axis []*AXIPort
	pcs  []*Controller
	// group is the switch group of each port and PC (index / groupPorts).
	group []int
	// queue holds the bursts on their way by HBM cycle (their receiver
	// follows from the burst); the reference path (refQueue) keeps them,
	// with their receiver's port, by time in a heap instead.
	queue    link.CycleQueue[*burst]
	refQueue link.TimeQueue[delivery]
	ref      bool
	waker    *link.Waker

	stats SwitchStats
}

// SwitchConfig holds what the switch needs to be built.
type SwitchConfig struct {
	// HBMFreqHz is the HBM clock (the unit of all the switch's cycles).
	HBMFreqHz float64
	// SwitchFreqHz is the switch clock (lateral link bandwidth, dead cycle).
	SwitchFreqHz float64
	// Ports is the number of AXI ports (= PCs).
	Ports int
	// GroupPorts is the number of ports (and PCs) per group.
	GroupPorts int
	// PortBytes is the width of the switch's ports in bytes (32).
	PortBytes int
	// LateralBWFraction is the share of a switch port's bandwidth one lateral
	// link carries.
	LateralBWFraction float64
	// LateralLinks is the number of parallel lateral links per direction
	// between neighbouring groups.
	LateralLinks int
	// LateralLatencyCycles is the latency of one hop in HBM cycles.
	LateralLatencyCycles int
	// ReqLatencyCycles and RspLatencyCycles are the base latencies in HBM
	// cycles (see Params).
	ReqLatencyCycles, RspLatencyCycles int
	// Reference keeps the bursts on their way in a TimeQueue (the
	// reference path, Params.Reference) instead of a CycleQueue.
	Reference bool
}

// NewSwitch builds the switch.
func NewSwitch(name string, engine akita.Engine, cfg SwitchConfig) *Switch {
	akita.NameMustBeValid(name)
	s := &Switch{
		name:       name,
		engine:     engine,
		hclk:       clock.New(cfg.HBMFreqHz),
		groupPorts: cfg.GroupPorts,
		nGroups:    cfg.Ports / cfg.GroupPorts,
		nLinks:     cfg.LateralLinks,
		reqLat:     int64(cfg.ReqLatencyCycles),
		rspLat:     int64(cfg.RspLatencyCycles),
		hopLat:     int64(cfg.LateralLatencyCycles),
		deadCycles: int64(math.Ceil(cfg.HBMFreqHz/cfg.SwitchFreqHz - 1e-9)),
		ports:      make([]akita.Port, cfg.Ports),
		ctrls:      make([]akita.Port, cfg.Ports),
		axis:       make([]*AXIPort, cfg.Ports),
		pcs:        make([]*Controller, cfg.Ports),
		group:      make([]int, cfg.Ports),
		ref:        cfg.Reference,
	}
	for i := range s.group {
		s.group[i] = i / cfg.GroupPorts
	}
	lateralBytesPerSec := cfg.LateralBWFraction * float64(cfg.PortBytes) * cfg.SwitchFreqHz
	s.occPerByte = cfg.HBMFreqHz / lateralBytesPerSec
	s.links = make([]lateral, 2*max(s.nGroups-1, 0)*s.nLinks)
	for i := range s.links {
		s.links[i].lastMaster = -1
	}
	s.waker = link.NewWaker(engine, s)
	return s
}

// Name returns the switch's name.
func (s *Switch) Name() string { return s.name }

// attachPort plugs AXI port i's bottom port into the switch.
func (s *Switch) attachPort(i int, p *AXIPort) {
	s.ports[i] = p.bottom
	s.axis[i] = p
	p.bottom.SetConnection(s)
	if !s.ref {
		p.sw = s
	}
}

// attachController plugs controller pc's top port into the switch.
func (s *Switch) attachController(pc int, c *Controller) {
	s.ctrls[pc] = c.top
	s.pcs[pc] = c
	c.top.SetConnection(s)
	if !s.ref {
		c.sw = s
	}
}

// PlugIn connects a port; the System uses attachPort and attachController,
// which know the port's role.
func (s *Switch) PlugIn(port akita.Port, _ int) { port.SetConnection(s) }

// Unplug is not supported: the switch's wiring is fixed.
func (s *Switch) Unplug(akita.Port) {}

// NotifyAvailable is not used: the model's ports never refuse a message.
func (s *Switch) NotifyAvailable(akita.VTimeInSec, akita.Port) {}

// CanSend is always true: AXI ports limit their bursts in flight themselves.
func (s *Switch) CanSend(akita.Port) bool { return true }

// Stats returns the switch's statistics.
func (s *Switch) Stats() SwitchStats {
	st := s.stats
	for i := range s.links {
		st.LinkBusyCycles = max(st.LinkBusyCycles, uint64(s.links[i].busy))
	}
	return st
}

// Send routes a burst: to its controller while it is a request, back to its
// AXI port once done.
func (s *Switch) Send(msg akita.Msg) *akita.SendError {
	b, ok := msg.(*burst)
	if !ok {
		panic(fmt.Sprintf("switch %s: message %T is not an HBM burst", s.name, msg))
	}
	s.send(b)
	return nil
}

// send routes burst b (Send without the interfaces): the AXI ports and
// controllers of the fast path call it directly when their port has no
// hooks (see sendBurst).
func (s *Switch) send(b *burst) {
	// Senders stamp their bursts at or after now (the Waker clamps the rest).
	s.sendCycle(b, int64(s.hclk.Cycle(b.SendTime)))
}

// sendCycle is send for a burst whose send time is the edge of HBM cycle
// t (the switch's own conversion of b.SendTime gives t).
func (s *Switch) sendCycle(b *burst, t int64) {
	gp, gc := s.group[b.port], s.group[b.pc]
	var dst akita.Port
	if !b.done {
		t += s.reqLat
		dst = s.ctrls[b.pc]
		if gp != gc {
			t = s.cross(gp, gc, t, b, b.write)
		}
	} else {
		t += s.rspLat
		dst = s.ports[b.port]
		if gp != gc {
			t = s.cross(gc, gp, t, b, !b.write)
		}
	}
	if s.ref {
		// One lane per sender: a port's bursts and a controller's
		// responses each leave in time order.
		lane := b.port
		if b.done {
			lane = len(s.ports) + b.pc
		}
		at := s.hclk.Time(uint64(t))
		s.refQueue.PushLane(lane, at, delivery{msg: b, dst: dst})
		s.waker.Ensure(at)
		return
	}
	s.queue.Push(t, b)
	s.waker.EnsureCycle(t, s.hclk)
}

// sendBurst sends b through port p, whose connection is the switch sw
// (nil on the reference path): straight to sw.send when p has no hooks,
// the call p.Send would make.
func sendBurst(sw *Switch, p *link.Port, b *burst) *akita.SendError {
	if sw != nil && p.NumHooks() == 0 {
		sw.send(b)
		return nil
	}
	return p.Send(b)
}

// cross moves b from group from to group to over the lateral links,
// starting at HBM cycle t (when its last byte reaches the first hop), and
// returns the cycle its last byte arrives. With data the burst occupies
// each link for its bytes at the link's bandwidth, cut-through: its first
// byte may enter a link spanCycles before its last.
func (s *Switch) cross(from, to int, t int64, b *burst, data bool) int64 {
	s.stats.Crossings++
	dir, step := 0, 1
	if to < from {
		dir, step = 1, -1
	}
	var occ int64
	span := int64(0)
	if data {
		occ = int64(math.Ceil(float64(b.bytes)*s.occPerByte - 1e-9))
		span = b.spanCycles
	}
	for g := from; g != to; g += step {
		hop := min(g, g+step) // link between groups hop and hop+1
		// The link is chosen by the address (the destination PC), as an
		// AXI crossbar routes by address decode (PG059).
		ln := &s.links[(dir*(s.nGroups-1)+hop)*s.nLinks+b.pc%s.nLinks]
		if !data {
			t += s.hopLat
			continue
		}
		start := max(t-span, ln.free)
		if b.write && ln.lastMaster >= 0 && ln.lastMaster != b.port {
			start += s.deadCycles
		}
		ln.lastMaster = b.port
		end := max(start+occ, t)
		ln.free = start + occ
		ln.busy += occ
		span = end - start
		t = end + s.hopLat
	}
	if data {
		b.spanCycles = span
	}
	return t
}

// delivery is a burst on its way to dst.
type delivery struct {
	msg *burst
	dst akita.Port
}

// Pending is the number of bursts on their way.
func (s *Switch) Pending() int { return s.queue.Len() + s.refQueue.Len() }

// Handle delivers the bursts due now.
func (s *Switch) Handle(e akita.Event) error {
	live, limit, limitOK := s.waker.TakeCycle(e)
	if !live {
		return nil
	}
	now := e.Time()
	if s.ref {
		s.handleRef(now)
		return nil
	}
	if !limitOK {
		limit = s.hclk.LastEdge(now)
	}
	at := eventCycles{now: now, h: int64(s.hclk.Cycle(now)), k: -1}
	for {
		_, b, ok := s.queue.PopDue(limit)
		if !ok {
			break
		}
		s.deliverFast(b, &at)
	}
	if c, ok := s.queue.Next(); ok {
		s.waker.EnsureCycle(c, s.hclk)
	}
	return nil
}

// handleRef is Handle on the reference path.
func (s *Switch) handleRef(now akita.VTimeInSec) {
	for {
		t, ok := s.refQueue.Next()
		if !ok || t > now {
			break
		}
		_, d := s.refQueue.Pop()
		s.deliver(d, now)
	}
	if t, ok := s.refQueue.Next(); ok {
		s.waker.Ensure(t)
	}
}

// deliver hands a burst to its receiver's port (the reference path).
func (s *Switch) deliver(d delivery, now akita.VTimeInSec) {
	d.msg.RecvTime = now
	if d.dst.Recv(d.msg) != nil {
		s.stats.DeliveryFailures++
	}
}

// eventCycles is the time of a switch event and its HBM cycle h and
// kernel cycle k (-1 until needed), computed once for the bursts the event
// delivers.
type eventCycles struct {
	now  akita.VTimeInSec
	h, k int64
	kclk clock.Domain
}

// kernel is the cycle of at.now in clk (the AXI ports' kernel clock).
func (at *eventCycles) kernel(clk clock.Domain) int64 {
	if at.k < 0 || at.kclk != clk {
		at.k, at.kclk = int64(clk.Cycle(at.now)), clk
	}
	return at.k
}

// deliverFast hands burst b to its controller or AXI port at the event
// at. When the receiver's port is quiet it calls the receiver directly:
// its port would only pass the burst on to NotifyRecv, which retrieves it
// and converts the time to the same cycles.
func (s *Switch) deliverFast(b *burst, at *eventCycles) {
	b.RecvTime = at.now
	var dst akita.Port
	if b.done {
		p := s.axis[b.port]
		if p.bottom.Quiet() {
			p.burstDone(b, at.kernel(p.kclk), at.h)
			return
		}
		dst = p.bottom
	} else {
		c := s.pcs[b.pc]
		if c.top.Quiet() {
			c.receive(at.now, at.h, b, nil)
			return
		}
		dst = c.top
	}
	if dst.Recv(b) != nil {
		s.stats.DeliveryFailures++
	}
}
