package compute

import (
	"fmt"

	"github.com/roofsim/roofsim/sim/clock"
	"github.com/roofsim/roofsim/sim/link"
	"github.com/sarchlab/akita/v3/mem/mem"
	akita "github.com/sarchlab/akita/v3/sim"
)

// DMAConfig is the DMA engine's parameters.
type DMAConfig struct {
	// Ports is the number of memory ports the DMA drives (the design's HBM
	// ports).
	Ports int
	// MaxRequestBytes is the largest request in bytes (at most 4 KiB).
	MaxRequestBytes int64
	// InterleaveBytes is the address interleave over the ports: byte a goes
	// through port (a / InterleaveBytes) mod Ports.
	InterleaveBytes int64
	// MaxOutstanding is the number of requests each port may have in flight
	// (AXI IDs).
	MaxOutstanding int
	// BurstBytes is the granule requests are rounded up to (32 B).
	BurstBytes int64
	// Router maps the DMA's addresses to memory addresses, ports and
	// pseudo-channels; nil is the identity address with port and PC
	// (address / InterleaveBytes) mod Ports.
	Router Router
}

// Router maps the DMA's (logical) addresses onto the memory system. The DMA
// cuts transfers at multiples of min(MaxRequestBytes, InterleaveBytes) and
// routes each piece by its first byte: a Router must map every such piece to
// one contiguous memory range of one pseudo-channel.
type Router interface {
	// Route returns the memory address of address a, the DMA port that
	// carries it and the pseudo-channel it lands in (0 <= pc < PCs()).
	Route(a uint64) (addr uint64, port, pc int)
	// PCs is the number of pseudo-channels the DMA's per-PC counters have.
	PCs() int
}

// portRouter is the default Router: the identity address, port and PC
// (address / interleave) mod ports.
type portRouter struct {
	interleave uint64
	ports      uint64
}

func (r portRouter) Route(a uint64) (uint64, int, int) {
	p := int(a / r.interleave % r.ports)
	return a, p, p
}

func (r portRouter) PCs() int { return int(r.ports) }

// Validate reports the first unusable field.
func (c DMAConfig) Validate() error {
	switch {
	case c.Ports <= 0:
		return fmt.Errorf("dma: ports must be > 0, got %d", c.Ports)
	case c.BurstBytes <= 0:
		return fmt.Errorf("dma: burst bytes must be > 0, got %d", c.BurstBytes)
	case c.MaxRequestBytes < c.BurstBytes || c.MaxRequestBytes%c.BurstBytes != 0 || c.MaxRequestBytes > 4096:
		return fmt.Errorf("dma: max request bytes must be a multiple of %d up to 4096, got %d", c.BurstBytes, c.MaxRequestBytes)
	case c.InterleaveBytes < c.BurstBytes || c.InterleaveBytes%c.BurstBytes != 0:
		return fmt.Errorf("dma: interleave bytes must be a multiple of %d, got %d", c.BurstBytes, c.InterleaveBytes)
	case c.MaxOutstanding <= 0:
		return fmt.Errorf("dma: max outstanding requests per port must be > 0, got %d", c.MaxOutstanding)
	}
	return nil
}

// DMAStats counts the DMA's traffic.
type DMAStats struct {
	// RequestsIssued and RequestsCompleted count memory requests.
	RequestsIssued, RequestsCompleted int64
	// BytesRead and BytesWritten are per operand, in bytes.
	BytesRead, BytesWritten [numOperands]int64
	// BytesReadPerPC and BytesWrittenPerPC split the bytes by the
	// pseudo-channel the Router maps them to.
	BytesReadPerPC, BytesWrittenPerPC []int64
	// Transfers counts the tile transfers (loads and stores) asked for.
	Transfers int64
}

// clone returns a copy of s that shares no slice with it.
func (s DMAStats) clone() DMAStats {
	s.BytesReadPerPC = append([]int64(nil), s.BytesReadPerPC...)
	s.BytesWrittenPerPC = append([]int64(nil), s.BytesWrittenPerPC...)
	return s
}

// piece is one memory request of a transfer: addr is the memory address
// (after routing).
type piece struct {
	xfer int
	addr uint64
	size int64
	pc   int
}

// xfer is a transfer in progress.
type xfer struct {
	id        int
	remaining int
	write     bool
	owner     int
}

// ownerSlots is the number of kernels whose traffic the DMA and the stores
// count apart at a time: the running kernel and the next one, whose first
// weight tiles may be prefetched (Options.PrefetchWeights). Kernel number
// n is counted in slot n mod ownerSlots.
const ownerSlots = 2

// inflightReq is a request sent to memory.
type inflightReq struct {
	xfer int
	port int
	msg  akita.Msg
	// pc and size are the request's pseudo-channel and bytes (for the
	// PCTracer).
	pc   int
	size int64
}

// DMA moves tiles between off-chip memory and the on-chip buffers. It cuts
// a transfer into requests of at most MaxRequestBytes that do not cross an
// interleave boundary, sends each through the port its address maps to,
// keeps at most MaxOutstanding requests in flight per port, and reports the
// transfer done when its last response is back.
type DMA struct {
	*akita.ComponentBase
	engine     akita.Engine
	clock      clock.Domain
	cfg        DMAConfig
	router     Router
	ctrlPort   akita.Port
	ctrlRemote akita.Port
	memPorts   []akita.Port
	memRemote  []akita.Port

	queues      [][]piece
	heads       []int
	outstanding []int
	// inflight holds the requests in flight by slot (their IDs).
	inflight   *link.Slots[inflightReq]
	xfers      []xfer
	freeXfers  []int
	touched    []int // scratch: ports a transfer added requests to
	freeReads  []*mem.ReadReq
	freeWrites []*mem.WriteReq
	zero       []byte
	stats      DMAStats
	// byOwner counts the traffic of the transfers of each owner slot;
	// pending the requests each slot has queued or in flight.
	byOwner [ownerSlots]DMAStats
	pending [ownerSlots]int
	err     error
	// pcTracer, when set, receives each request's bytes per PC as its
	// response arrives (Options.Tracer that is a PCTracer).
	pcTracer PCTracer
}

// newDMA builds the DMA engine named name.
func newDMA(name string, engine akita.Engine, c clock.Domain, cfg DMAConfig) *DMA {
	d := &DMA{
		ComponentBase: akita.NewComponentBase(name),
		engine:        engine,
		clock:         c,
		cfg:           cfg,
		queues:        make([][]piece, cfg.Ports),
		heads:         make([]int, cfg.Ports),
		outstanding:   make([]int, cfg.Ports),
		inflight:      link.NewSlots[inflightReq](name),
		zero:          make([]byte, cfg.MaxRequestBytes),
		router:        cfg.Router,
	}
	if d.router == nil {
		d.router = portRouter{interleave: uint64(cfg.InterleaveBytes), ports: uint64(cfg.Ports)}
	}
	d.stats.BytesReadPerPC = make([]int64, d.router.PCs())
	d.stats.BytesWrittenPerPC = make([]int64, d.router.PCs())
	for i := range d.byOwner {
		d.byOwner[i].BytesReadPerPC = make([]int64, d.router.PCs())
		d.byOwner[i].BytesWrittenPerPC = make([]int64, d.router.PCs())
	}
	d.ctrlPort = link.NewPort(d, portCapacity, name+".Ctrl")
	d.AddPort("Ctrl", d.ctrlPort)
	for i := range cfg.Ports {
		p := link.NewPort(d, portCapacity, fmt.Sprintf("%s.Mem[%d]", name, i))
		d.AddPort(fmt.Sprintf("Mem[%d]", i), p)
		d.memPorts = append(d.memPorts, p)
	}
	return d
}

// MemPort returns the DMA's memory port i.
func (d *DMA) MemPort(i int) akita.Port { return d.memPorts[i] }

// Stats returns the DMA's counters (a copy).
func (d *DMA) Stats() DMAStats { return d.stats.clone() }

// ownerStats returns the counters of the transfers owned by kernel owner
// (a copy) and clears them, for kernel owner + ownerSlots.
func (d *DMA) ownerStats(owner int) DMAStats {
	o := &d.byOwner[owner%ownerSlots]
	st := o.clone()
	rd, wr := o.BytesReadPerPC, o.BytesWrittenPerPC
	clear(rd)
	clear(wr)
	*o = DMAStats{BytesReadPerPC: rd, BytesWrittenPerPC: wr}
	return st
}

// idleFor reports whether kernel owner has no request queued or in flight.
func (d *DMA) idleFor(owner int) bool { return d.pending[owner%ownerSlots] == 0 }

// idle reports whether no request is queued or in flight.
func (d *DMA) idle() bool {
	if d.inflight.Len() > 0 {
		return false
	}
	for i := range d.queues {
		if d.heads[i] < len(d.queues[i]) {
			return false
		}
	}
	return true
}

// NotifyPortFree resumes issuing on a memory port whose connection refused
// a request.
func (d *DMA) NotifyPortFree(_ akita.VTimeInSec, port akita.Port) {
	for i, p := range d.memPorts {
		if p == port {
			d.issue(i)
		}
	}
}

// Handle is not used: the DMA acts on arriving messages only.
func (d *DMA) Handle(akita.Event) error { return nil }

// NotifyRecv takes transfer requests from the controller and responses from
// memory.
func (d *DMA) NotifyRecv(now akita.VTimeInSec, port akita.Port) {
	for msg := port.Retrieve(now); msg != nil; msg = port.Retrieve(now) {
		switch m := msg.(type) {
		case *transferReq:
			d.start(m)
		case *mem.DataReadyRsp:
			d.respond(m.RespondTo)
			recycleRsp(m)
		case *mem.WriteDoneRsp:
			d.respond(m.RespondTo)
			recycleRsp(m)
		default:
			d.fail(fmt.Errorf("dma %s: unexpected message %T", d.Name(), msg))
		}
	}
}

func (d *DMA) fail(err error) {
	if d.err == nil {
		d.err = err
	}
}

// start cuts a transfer into requests and issues what the ports allow.
func (d *DMA) start(t *transferReq) {
	d.stats.Transfers++
	xi := len(d.xfers)
	if n := len(d.freeXfers); n > 0 {
		xi = d.freeXfers[n-1]
		d.freeXfers = d.freeXfers[:n-1]
	} else {
		d.xfers = append(d.xfers, xfer{})
	}
	bytes := max(ceilDiv(t.bytes, d.cfg.BurstBytes)*d.cfg.BurstBytes, 0)
	unit := uint64(min(d.cfg.MaxRequestBytes, d.cfg.InterleaveBytes))
	n := 0
	d.touched = d.touched[:0]
	o := t.owner % ownerSlots
	own := &d.byOwner[o]
	own.Transfers++
	perPC, ownPC := d.stats.BytesReadPerPC, own.BytesReadPerPC
	if t.write {
		perPC, ownPC = d.stats.BytesWrittenPerPC, own.BytesWrittenPerPC
	}
	for addr, end := t.addr, t.addr+uint64(bytes); addr < end; {
		next := min(end, (addr/unit+1)*unit)
		maddr, port, pc := d.router.Route(addr)
		if port < 0 || port >= d.cfg.Ports || pc < 0 || pc >= len(perPC) {
			d.fail(fmt.Errorf("dma %s: address %#x routes to port %d and PC %d (ports 0..%d, PCs 0..%d)", d.Name(), addr, port, pc, d.cfg.Ports-1, len(perPC)-1))
			break
		}
		if len(d.queues[port]) == d.heads[port] {
			d.touched = append(d.touched, port)
		}
		d.queues[port] = append(d.queues[port], piece{xfer: xi, addr: maddr, size: int64(next - addr), pc: pc})
		perPC[pc] += int64(next - addr)
		ownPC[pc] += int64(next - addr)
		n++
		addr = next
	}
	if t.write {
		d.stats.BytesWritten[t.op] += bytes
		own.BytesWritten[t.op] += bytes
	} else {
		d.stats.BytesRead[t.op] += bytes
		own.BytesRead[t.op] += bytes
	}
	d.pending[o] += n
	d.xfers[xi] = xfer{id: t.id, remaining: n, write: t.write, owner: t.owner}
	if n == 0 {
		d.finish(xi)
		return
	}
	for _, p := range d.touched {
		d.issue(p)
	}
}

// issue sends port p's queued requests while the port has room and the
// connection takes them.
func (d *DMA) issue(p int) {
	q := d.queues[p]
	var now akita.VTimeInSec
	timed := false
	for d.heads[p] < len(q) && d.outstanding[p] < d.cfg.MaxOutstanding && d.memPorts[p].CanSend() {
		if !timed {
			now, timed = d.engine.CurrentTime(), true
		}
		pc := q[d.heads[p]]
		k, id := d.inflight.Get()
		msg := d.request(p, pc, now, id)
		if err := d.memPorts[p].Send(msg); err != nil {
			d.inflight.Release(k)
			d.recycle(msg)
			break
		}
		q[d.heads[p]] = piece{}
		d.heads[p]++
		d.inflight.Open(k, inflightReq{xfer: pc.xfer, port: p, msg: msg, pc: pc.pc, size: pc.size})
		d.outstanding[p]++
		d.stats.RequestsIssued++
		d.byOwner[d.xfers[pc.xfer].owner%ownerSlots].RequestsIssued++
	}
	if d.heads[p] == len(q) {
		d.queues[p], d.heads[p] = q[:0], 0
	}
}

// request builds the memory request of piece pc on port p, with ID id
// (its slot's, see link.Slots: unique among the messages in flight).
// Requests are taken from a free list: the DMA recycles a request once its
// response is back, when the memory no longer refers to it. Responses go
// back to memories that recycle them (see recycleRsp).
func (d *DMA) request(p int, pc piece, now akita.VTimeInSec, id string) akita.Msg {
	var meta *akita.MsgMeta
	var msg akita.Msg
	if d.xfers[pc.xfer].write {
		var r *mem.WriteReq
		if n := len(d.freeWrites); n > 0 {
			r, d.freeWrites = d.freeWrites[n-1], d.freeWrites[:n-1]
			*r = mem.WriteReq{}
		} else {
			r = &mem.WriteReq{}
		}
		r.Address, r.Data = pc.addr, d.zero[:pc.size]
		meta, msg = &r.MsgMeta, r
	} else {
		var r *mem.ReadReq
		if n := len(d.freeReads); n > 0 {
			r, d.freeReads = d.freeReads[n-1], d.freeReads[:n-1]
			*r = mem.ReadReq{}
		} else {
			r = &mem.ReadReq{}
		}
		r.Address, r.AccessByteSize = pc.addr, uint64(pc.size)
		meta, msg = &r.MsgMeta, r
	}
	meta.ID = id
	meta.Src, meta.Dst = d.memPorts[p], d.memRemote[p]
	meta.SendTime = now
	meta.TrafficBytes = int(pc.size)
	return msg
}

// recycle returns a request to the free lists.
func (d *DMA) recycle(msg akita.Msg) {
	switch r := msg.(type) {
	case *mem.ReadReq:
		d.freeReads = append(d.freeReads, r)
	case *mem.WriteReq:
		d.freeWrites = append(d.freeWrites, r)
	}
}

// rspRecycler is a memory that reuses its responses once handed back (the
// HBM model's AXI ports).
type rspRecycler interface {
	Recycle(akita.Msg)
}

// recycleRsp hands a handled response back to the memory that sent it, if
// that memory reuses responses.
func recycleRsp(m akita.Msg) {
	if src := m.Meta().Src; src != nil {
		if r, ok := src.Component().(rspRecycler); ok {
			r.Recycle(m)
		}
	}
}

// respond retires the request a response answers.
func (d *DMA) respond(id string) {
	r, ok := d.inflight.Take(id)
	if !ok {
		d.fail(fmt.Errorf("dma %s: response to unknown request %q", d.Name(), id))
		return
	}
	d.recycle(r.msg)
	d.outstanding[r.port]--
	d.stats.RequestsCompleted++
	x := &d.xfers[r.xfer]
	if d.pcTracer != nil {
		d.pcTracer.PCBytes(d.engine.CurrentTime(), r.pc, r.size, x.write)
	}
	d.byOwner[x.owner%ownerSlots].RequestsCompleted++
	d.pending[x.owner%ownerSlots]--
	x.remaining--
	if x.remaining == 0 {
		d.finish(r.xfer)
	}
	d.issue(r.port)
}

// finish reports transfer xi done to the controller.
func (d *DMA) finish(xi int) {
	id := d.xfers[xi].id
	d.xfers[xi] = xfer{}
	d.freeXfers = append(d.freeXfers, xi)
	send(d.engine, d.ctrlPort, d.ctrlRemote, &transferDone{id: id})
}
