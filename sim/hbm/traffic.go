package hbm

import (
	"fmt"
	"github.com/roofsim/roofsim/sim/simerr"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/roofsim/roofsim/sim/clock"
	"github.com/roofsim/roofsim/sim/link"
	"github.com/sarchlab/akita/v3/mem/mem"
	akita "github.com/sarchlab/akita/v3/sim"
)

// Pattern is the address pattern of a Traffic generator.
type Pattern string

// The patterns.
const (
	// PatternSeq walks its region in order, one request after the other.
	PatternSeq Pattern = "seq"
	// PatternStrided jumps StrideBytes from one request to the next.
	PatternStrided Pattern = "strided"
	// PatternRandom picks a uniformly random request-aligned address.
	PatternRandom Pattern = "random"
)

// PatternNames lists the patterns, separated by '|'.
const PatternNames = "seq|strided|random"

// Patterns are all patterns in order.
var Patterns = []Pattern{PatternSeq, PatternStrided, PatternRandom}

// ParsePattern accepts seq, strided or random.
func ParsePattern(s string) (Pattern, error) {
	switch p := Pattern(strings.ToLower(s)); p {
	case PatternSeq, PatternStrided, PatternRandom:
		return p, nil
	case "sequential":
		return PatternSeq, nil
	}
	return "", fmt.Errorf("pattern %q is not known (accepted: %s)", s, PatternNames)
}

// Op is the operation mix of a Traffic generator.
type Op string

// The operation mixes.
const (
	// OpRead sends only reads.
	OpRead Op = "read"
	// OpWrite sends only writes.
	OpWrite Op = "write"
	// OpMixed alternates reads and writes (read first).
	OpMixed Op = "mixed"
)

// OpNames lists the operation mixes, separated by '|'.
const OpNames = "read|write|mixed"

// ParseOp accepts read, write or mixed.
func ParseOp(s string) (Op, error) {
	switch o := Op(strings.ToLower(s)); o {
	case OpRead, OpWrite, OpMixed:
		return o, nil
	}
	return "", fmt.Errorf("op %q is not known (accepted: %s)", s, OpNames)
}

// TrafficConfig describes the requests of a Traffic generator.
type TrafficConfig struct {
	// Pattern is the address pattern.
	Pattern Pattern
	// Op is the read/write mix.
	Op Op
	// SizeBytes is the size of every request (a multiple of 32 up to 4096).
	SizeBytes int
	// Requests is the number of requests to send.
	Requests int
	// Window is the most requests in flight at once.
	Window int
	// Base is the global address of the region the requests stay in.
	Base uint64
	// RegionBytes is the region's size (a multiple of SizeBytes).
	RegionBytes uint64
	// StrideBytes is the distance between requests of PatternStrided.
	StrideBytes uint64
	// Seed seeds PatternRandom (with the generator's Base).
	Seed uint64
	// IssueIntervalCycles, when above 1, lets the generator send at most
	// one request every so many cycles of a KernelFreqHz clock, as an HLS
	// loop with that initiation interval issues its accesses; 0 or 1 sends
	// as fast as the window and the port allow.
	IssueIntervalCycles int
	// KernelFreqHz is the clock IssueIntervalCycles counts (the port's).
	KernelFreqHz float64
	// TargetBytes, when above 0, makes the generator one AXI master with a
	// single AXI ID (an HLS m_axi port): aligned blocks of TargetBytes are
	// different targets (pseudo-channels), and a request to another target
	// than the last waits until every request in flight is answered. This
	// is the "single slave per ID" rule of AXI interconnects (AMD PG059,
	// AXI Interconnect: a thread of one ID may have transactions open to
	// one slave at a time), which the HBM switch applies to a master that
	// spans several PCs; AMD's RAMA IP (PG310) exists to lift it.
	TargetBytes uint64
	// IDs, with TargetBytes, is the number of AXI IDs the master takes in
	// turn, request k having ID k mod IDs (an RTL engine that numbers its
	// reads, as HBMex's ID_MASK_INDEX); the rule then holds per ID: a
	// request waits while a request of its own ID is in flight to another
	// target, and the requests after it wait with it (the master issues in
	// order). 0 or 1 is the single ID. At most MaxAXIIDs.
	IDs int
}

// MaxAXIIDs is the most AXI IDs a generator takes (TrafficConfig.IDs):
// 2^16, beyond the widest ID of the HBM's AXI ports (6 bits, PG276) and of
// AXI interconnects.
const MaxAXIIDs = 1 << 16

// Validate reports the first field of the configuration that is not usable.
func (c TrafficConfig) Validate() error {
	switch {
	case c.SizeBytes < 32 || c.SizeBytes > MaxRequestBytes || c.SizeBytes%32 != 0:
		return fmt.Errorf("hbm: traffic: size must be a multiple of 32 from 32 to %d bytes, got %d", MaxRequestBytes, c.SizeBytes)
	case c.Requests < 0:
		return fmt.Errorf("hbm: traffic: requests must be >= 0, got %d", c.Requests)
	case c.Window <= 0:
		return fmt.Errorf("hbm: traffic: window must be > 0, got %d", c.Window)
	case c.RegionBytes < uint64(c.SizeBytes) || c.RegionBytes%uint64(c.SizeBytes) != 0:
		return fmt.Errorf("hbm: traffic: region (%d B) must be a positive multiple of the size (%d B)", c.RegionBytes, c.SizeBytes)
	case c.Pattern == PatternStrided && (c.StrideBytes == 0 || c.StrideBytes%32 != 0):
		return fmt.Errorf("hbm: traffic: stride must be a positive multiple of 32 bytes, got %d", c.StrideBytes)
	case c.IssueIntervalCycles < 0:
		return fmt.Errorf("hbm: traffic: issue interval must be >= 0 cycles, got %d", c.IssueIntervalCycles)
	case c.IssueIntervalCycles > 1 && !(c.KernelFreqHz > 0):
		return fmt.Errorf("hbm: traffic: an issue interval needs the kernel clock, got %g Hz", c.KernelFreqHz)
	case c.IDs < 0 || c.IDs > MaxAXIIDs:
		return fmt.Errorf("hbm: traffic: AXI IDs must be from 0 to %d, got %d", MaxAXIIDs, c.IDs)
	case c.IDs > 1 && c.TargetBytes == 0:
		return fmt.Errorf("hbm: traffic: AXI IDs (%d) need the targets' size", c.IDs)
	}
	if _, err := ParsePattern(string(c.Pattern)); err != nil {
		return fmt.Errorf("hbm: traffic: %w", err)
	}
	if _, err := ParseOp(string(c.Op)); err != nil {
		return fmt.Errorf("hbm: traffic: %w", err)
	}
	return nil
}

// Traffic is a requester that sends a benchmark's requests to one AXI port
// and checks their responses: it keeps up to Window requests in flight and
// sends the next one as soon as one is answered. Write requests carry a
// slice of one shared zero buffer (the model never reads it).
type Traffic struct {
	*akita.ComponentBase

	engine akita.Engine
	cfg    TrafficConfig
	port   akita.Port
	dst    akita.Port
	// recycler is the AXI port the requests go to, if it is one: it
	// takes back the responses once handled.
	recycler rspRecycler
	rng      *rand.Rand
	zero     []byte

	sent, answered int
	inFlight       int
	// inFlightReqs are the requests in flight by slot (their IDs).
	inFlightReqs *link.Slots[sentReq]
	// freeReads and freeWrites are answered requests, reused for later
	// ones (with their slot's ID): the memory system holds none once it
	// answers.
	freeReads  []*mem.ReadReq
	freeWrites []*mem.WriteReq
	// reqOverhead is the TrafficBytes akita's builders give a request
	// beyond its data.
	reqOverhead int
	requested   uint64
	delivered   uint64
	strays      uint64
	finish      akita.VTimeInSec
	started     bool
	// waker wakes the generator at its start and when its issue interval
	// lets it send again; clk is the interval's clock and nextCycle the
	// first cycle it may send in.
	waker     *link.Waker
	clk       clock.Domain
	nextCycle uint64
	// next is the address of request number sent once drawn (a random
	// address is drawn once even if the request waits); hasNext reports
	// it is drawn. ids holds, per AXI ID (TargetBytes), its requests in
	// flight and their target.
	next    uint64
	hasNext bool
	ids     []idState
}

// idState is one AXI ID of a generator: how many of its requests are in
// flight, and to which target (valid while any is).
type idState struct {
	inFlight int
	target   uint64
}

// NewTraffic builds a generator named name.
func NewTraffic(name string, engine akita.Engine, cfg TrafficConfig) (*Traffic, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	g := &Traffic{
		ComponentBase: akita.NewComponentBase(name),
		engine:        engine,
		cfg:           cfg,
		rng:           rand.New(rand.NewPCG(cfg.Seed, cfg.Base)),
		recycler:      noRecycle{},
		inFlightReqs:  link.NewSlots[sentReq](name),
	}
	if cfg.Op != OpRead {
		g.zero = make([]byte, cfg.SizeBytes)
	}
	if cfg.TargetBytes > 0 {
		g.ids = make([]idState, max(cfg.IDs, 1))
	}
	g.reqOverhead = mem.ReadReqBuilder{}.Build().TrafficBytes
	g.waker = link.NewWaker(engine, g)
	g.clk = clock.New(cfg.KernelFreqHz)
	g.port = link.NewPort(g, math.MaxInt32, name+".Port")
	g.AddPort("Port", g.port)
	return g, nil
}

// Port is the generator's port; connect it to an AXI port.
func (g *Traffic) Port() akita.Port { return g.port }

// SetTarget sets the port the requests go to (the AXI port's Top).
func (g *Traffic) SetTarget(dst akita.Port) {
	g.dst = dst
	g.recycler = noRecycle{}
	if r, ok := dst.Component().(rspRecycler); ok {
		g.recycler = r
	}
}

// rspRecycler takes back handled responses (AXIPort.Recycle).
type rspRecycler interface {
	Recycle(akita.Msg)
}

// noRecycle is the rspRecycler of a target that does not reuse responses.
type noRecycle struct{}

// Recycle does nothing.
func (noRecycle) Recycle(akita.Msg) {}

// Start schedules the first requests at time t.
func (g *Traffic) Start(t akita.VTimeInSec) { g.waker.Ensure(t) }

// Handle starts sending (the start event of Start) and sends again when
// the issue interval has passed.
func (g *Traffic) Handle(e akita.Event) error {
	if !g.waker.Take(e) {
		return nil
	}
	g.started = true
	g.fill(e.Time())
	return nil
}

// NotifyRecv takes responses and sends more requests.
func (g *Traffic) NotifyRecv(now akita.VTimeInSec, port akita.Port) {
	for {
		m := port.Retrieve(now)
		if m == nil {
			break
		}
		rsp, ok := m.(mem.AccessRsp)
		if !ok {
			g.strays++
			continue
		}
		sr, ok := g.inFlightReqs.Take(rsp.GetRspTo())
		if !ok {
			g.strays++
			continue
		}
		g.recycler.Recycle(m)
		if g.ids != nil {
			g.ids[sr.id].inFlight--
		}
		g.delivered += sr.bytes
		if sr.write != nil {
			g.freeWrites = append(g.freeWrites, sr.write)
		} else {
			g.freeReads = append(g.freeReads, sr.read)
		}
		g.answered++
		g.inFlight--
		g.finish = now
	}
	g.fill(now)
}

// NotifyPortFree sends the requests the connection refused.
func (g *Traffic) NotifyPortFree(now akita.VTimeInSec, _ akita.Port) { g.fill(now) }

// fill sends requests while the window and the connection allow.
func (g *Traffic) fill(now akita.VTimeInSec) {
	size := uint64(g.cfg.SizeBytes)
	paced := g.cfg.IssueIntervalCycles > 1
	for g.inFlight < g.cfg.Window && g.sent < g.cfg.Requests {
		if paced && g.sent > 0 && g.clk.Floor(now) < g.nextCycle {
			g.waker.Ensure(g.clk.Time(g.nextCycle))
			return
		}
		if !g.hasNext {
			g.next, g.hasNext = g.cfg.Base+g.offset(uint64(g.sent)), true
		}
		addr := g.next
		var axiID int
		if t := g.cfg.TargetBytes; t > 0 {
			axiID = g.sent % len(g.ids)
			st := &g.ids[axiID]
			if st.inFlight > 0 && addr/t != st.target {
				return // the responses in flight call fill again
			}
			st.target = addr / t
		}
		write := g.cfg.Op == OpWrite || g.cfg.Op == OpMixed && g.sent%2 == 1
		k, id := g.inFlightReqs.Get()
		sr := g.request(id, now, addr, write)
		sr.id = axiID
		if g.port.Send(sr.msg()) != nil {
			g.inFlightReqs.Release(k)
			g.release(sr)
			return // the connection calls NotifyPortFree
		}
		g.inFlightReqs.Open(k, sr)
		if g.ids != nil {
			g.ids[axiID].inFlight++
		}
		g.hasNext = false
		if paced {
			g.nextCycle = g.clk.Cycle(now) + uint64(g.cfg.IssueIntervalCycles)
		}
		g.requested += size
		g.sent++
		g.inFlight++
	}
}

// sentReq is a request in flight: its read or its write request (the
// other nil), its size, kept so that its response need not touch it, and
// its AXI ID (TrafficConfig.IDs).
type sentReq struct {
	read  *mem.ReadReq
	write *mem.WriteReq
	bytes uint64
	id    int
}

func (r sentReq) msg() akita.Msg {
	if r.write != nil {
		return r.write
	}
	return r.read
}

// request builds the request to addr with ID id (a recycled one when
// there is).
func (g *Traffic) request(id string, now akita.VTimeInSec, addr uint64, write bool) sentReq {
	size := uint64(g.cfg.SizeBytes)
	meta := akita.MsgMeta{ID: id, Src: g.port, Dst: g.dst, SendTime: now}
	if write {
		var r *mem.WriteReq
		if n := len(g.freeWrites); n > 0 {
			r = g.freeWrites[n-1]
			g.freeWrites = g.freeWrites[:n-1]
		} else {
			r = new(mem.WriteReq)
		}
		meta.TrafficBytes = int(size) + g.reqOverhead
		*r = mem.WriteReq{MsgMeta: meta, Address: addr, Data: g.zero[:size]}
		return sentReq{write: r, bytes: size}
	}
	var r *mem.ReadReq
	if n := len(g.freeReads); n > 0 {
		r = g.freeReads[n-1]
		g.freeReads = g.freeReads[:n-1]
	} else {
		r = new(mem.ReadReq)
	}
	meta.TrafficBytes = g.reqOverhead
	*r = mem.ReadReq{MsgMeta: meta, Address: addr, AccessByteSize: size}
	return sentReq{read: r, bytes: size}
}

// release returns a request that was never sent to the free lists.
func (g *Traffic) release(r sentReq) {
	if r.write != nil {
		g.freeWrites = append(g.freeWrites, r.write)
	} else {
		g.freeReads = append(g.freeReads, r.read)
	}
}

// offset is the region offset of request k.
func (g *Traffic) offset(k uint64) uint64 {
	size, region := uint64(g.cfg.SizeBytes), g.cfg.RegionBytes
	switch g.cfg.Pattern {
	case PatternStrided:
		// Request-sized windows at 32 B steps that fit in the region.
		slots := (region-size)/32 + 1
		return k * g.cfg.StrideBytes / 32 % slots * 32
	case PatternRandom:
		return g.rng.Uint64N(region/size) * size
	default:
		return k * size % region
	}
}

// Done reports whether every request was sent and answered.
func (g *Traffic) Done() bool { return g.answered == g.cfg.Requests && g.inFlight == 0 }

// FinishTime is when the last response arrived.
func (g *Traffic) FinishTime() akita.VTimeInSec { return g.finish }

// RequestedBytes and DeliveredBytes count the bytes of the requests sent
// and of those answered.
func (g *Traffic) RequestedBytes() uint64 { return g.requested }

// DeliveredBytes counts the bytes of the requests answered (each once).
func (g *Traffic) DeliveredBytes() uint64 { return g.delivered }

// Check reports requests not answered, answered twice or never sent; the
// error wraps simerr.ErrInvariant.
func (g *Traffic) Check() error {
	if err := g.check(); err != nil {
		return fmt.Errorf("%w: %w", err, simerr.ErrInvariant)
	}
	return nil
}

// check is Check's test of the generator's counters.
func (g *Traffic) check() error {
	switch {
	case g.cfg.Requests > 0 && !g.started:
		return fmt.Errorf("hbm: %s: never started", g.Name())
	case g.strays != 0:
		return fmt.Errorf("hbm: %s: %d responses to no open request (duplicates or strays)", g.Name(), g.strays)
	case !g.Done():
		return fmt.Errorf("hbm: %s: %d of %d requests answered, %d pending", g.Name(), g.answered, g.cfg.Requests, g.inFlight)
	case g.delivered != g.requested:
		return fmt.Errorf("hbm: %s: %d bytes requested, %d delivered", g.Name(), g.requested, g.delivered)
	}
	return nil
}
