package hbm

import (
	"math"
	"math/bits"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sim/clock"
	"github.com/roofsim/roofsim/sim/link"
	akita "github.com/sarchlab/akita/v3/sim"
)

// Controller models one pseudo-channel's memory controller and its DRAM:
// a request queue scheduled FR-FCFS (row hits first, then oldest), open- or
// closed-page rows, 16 banks in 4 bank groups, the HBM2 timing rules and
// all-bank refresh, all in cycles of the HBM clock.
//
// Scheduling works on segments (the part of an AXI burst in one bank and
// row): a segment's column commands go out back to back, one every
// max(tCCD_L, burst) cycles, once its first one is legal. Row commands (ACT,
// PRE) use HBM's separate row command bus and are scheduled in parallel,
// oldest first, for banks whose queued requests miss the open row.
type Controller struct {
	*akita.ComponentBase

	engine akita.Engine
	clk    clock.Domain
	index  int
	top    *link.Port
	// sw is the switch on the fast path (nil on the reference path),
	// which complete calls directly (see sendBurst).
	sw         *Switch
	t          timing
	burstCyc   int64 // data bus cycles of one 32 B burst
	burstBytes int
	colStep    int64 // cycles between the column commands of a segment
	// rtpCycles is the read-to-precharge time. docs/design.md (HBM2 timing) lists no tRTP; the
	// model lets a bank close once the read's burst has left the array.
	rtpCycles  int64
	amap       AddressMap
	policy     PagePolicy
	refreshOn  bool
	depth      int
	banksPerBG int
	nBG        int

	banks []bankState
	// queues holds each bank's queued segments in arrival order.
	queues [][]*segment
	active uint64 // bit b set: bank b has queued segments
	// hitMask has bit b set when bank b has a queued segment that hits its
	// open row, for the banks not in hitDirty (see syncHits); the fast
	// path's scheduling loops use it to visit only the banks that can
	// issue a column (hitMask) or need a row command (active &^ hitMask).
	hitMask, hitDirty uint64
	// ref runs the reference path (Params.Reference): the loops visit
	// every active bank and planWake recomputes what the step computed.
	ref      bool
	newBanks uint64 // banks that got segments in the current NotifyRecv

	input   []*burst // bursts waiting for a place in the queue, in order
	inHead  int
	queued  int // bursts in the queue (not all segments issued)
	nextSeq uint64
	segFree []*segment

	nextRowCmd    int64   // earliest cycle for the next row command
	lastColCmd    int64   // last column command
	lastColBG     []int64 // last column command per bank group
	dataFree      int64   // end of the last data burst on the bus
	lastWasWrite  bool
	anyData       bool
	lastRdDataEnd int64
	lastWrDataEnd []int64 // per bank group
	// lastWrEnd is the latest of lastWrDataEnd: data ends grow with
	// every column command (each one's data starts after dataFree), so it
	// is the last write's.
	lastWrEnd int64
	lastActBG []int64 // per bank group
	// lastAct is the latest of lastActBG (ACTs go out in time order: each
	// one at or after nextRowCmd, after the last row command).
	lastAct int64
	actHist [4]int64
	actIdx  int
	// The earliest column cycle of bank group g for reads (d 0) or
	// writes (d 1) from the constraints shared by its banks is the later
	// of a part shared by every group and colGrp[2g+d], the part that
	// only g's own column commands change; computeColBases keeps it as
	// colBound[2g+d], which a bank's hitCol indexes, and colMin, the
	// earliest of them (colFloor). actShared and actGrp[g] are the same
	// parts of the earliest ACT cycle (see computeActBases).
	colGrp     []int64
	colBound   []int64
	colMin     int64
	colBasesOK bool // colBound and colMin are current
	actShared  int64
	actGrp     []int64
	actBasesOK bool // actShared (and with tRRD_L < tRRD_S actGrp) is current
	// slowWTR is set for timing with tWTR_L < tWTR_S.
	slowWTR bool

	// openBanks has bit b set while bank b has an open row.
	openBanks uint64
	// refFloor is the end of the last refresh: no bank may activate
	// before it (see bankActReady). maxActReady is the latest of every
	// bank's earliest ACT, refFloor included (they only grow).
	refFloor    int64
	maxActReady int64

	refDue     int64
	refPending bool
	refStart   int64
	refWins    []window

	// Idle-time bookkeeping for the loss breakdown: empty is set while no
	// burst is queued; starveUntil is the earliest cycle data could start
	// after the queue last ran empty (never once consumed).
	empty       bool
	starveUntil int64

	wakeAt   int64 // cycle of the pending wake-up (noWake: none)
	calendar *Calendar

	stats   PCStats
	trace   []Command
	doTrace bool
}

// ControllerConfig holds what a controller needs to be built.
type ControllerConfig struct {
	// HBM is the memory system's description.
	HBM hw.HBM
	// Map is the address map (for the PC-local decoding).
	Map AddressMap
	// PagePolicy is the row policy.
	PagePolicy PagePolicy
	// Refresh enables all-bank refresh.
	Refresh bool
	// QueueDepth is the scheduler's window in bursts.
	QueueDepth int
	// Index is the controller's pseudo-channel; refreshes of the PCs are
	// staggered by Index x tREFI / PseudoChannels.
	Index int
	// Calendar wakes the controller; the controllers of one System share
	// one (nil: the controller gets its own).
	Calendar *Calendar
	// Reference runs the reference path (Params.Reference).
	Reference bool
}

// NewController builds the controller named name of pseudo-channel
// cfg.Index.
func NewController(name string, engine akita.Engine, cfg ControllerConfig) *Controller {
	h := cfg.HBM
	c := &Controller{
		ComponentBase: akita.NewComponentBase(name),
		engine:        engine,
		clk:           clock.New(h.ClockHz),
		index:         cfg.Index,
		t:             makeTiming(h.Timing.Cycles(h.ClockHz)),
		burstCyc:      int64(h.BurstCycles()),
		burstBytes:    h.BurstBytes,
		amap:          cfg.Map,
		policy:        cfg.PagePolicy,
		refreshOn:     cfg.Refresh,
		depth:         cfg.QueueDepth,
		banksPerBG:    h.BanksPerPC / h.BankGroups,
		nBG:           h.BankGroups,
		banks:         make([]bankState, h.BanksPerPC),
		queues:        make([][]*segment, h.BanksPerPC),
		lastColCmd:    never,
		lastColBG:     make([]int64, h.BankGroups),
		lastRdDataEnd: never,
		lastWrEnd:     never,
		lastWrDataEnd: make([]int64, h.BankGroups),
		lastActBG:     make([]int64, h.BankGroups),
		colGrp:        make([]int64, 2*h.BankGroups),
		colBound:      make([]int64, 2*h.BankGroups),
		actGrp:        make([]int64, h.BankGroups),
		lastAct:       never,
		empty:         true,
		starveUntil:   never,
		wakeAt:        noWake,
		ref:           cfg.Reference,
	}
	c.colStep = max(c.t.CCDL, c.burstCyc)
	c.rtpCycles = c.burstCyc
	for i := range c.banks {
		c.banks[i] = bankState{openRow: -1, bg: int32(i / c.banksPerBG)}
	}
	for g := range c.lastWrDataEnd {
		c.lastWrDataEnd[g] = never
		c.lastActBG[g] = never
		c.lastColBG[g] = never
		c.actGrp[g] = never + c.t.RRDL
	}
	c.slowWTR = c.t.WTRL < c.t.WTRS
	for g := range c.lastColBG {
		c.setColGroup(g)
	}
	for i := range c.actHist {
		c.actHist[i] = never
	}
	n := max(h.PseudoChannels, 1)
	c.refDue = c.t.REFI + int64(cfg.Index%n)*c.t.REFI/int64(n)
	c.calendar = cfg.Calendar
	if c.calendar == nil {
		c.calendar = NewCalendar(engine, h.ClockHz)
	}
	c.top = link.NewPort(c, math.MaxInt32, name+".Top")
	c.AddPort("Top", c.top)
	return c
}

// TopPort is the port the switch delivers bursts to.
func (c *Controller) TopPort() akita.Port { return c.top }

// EnableTrace makes the controller record every command it issues.
func (c *Controller) EnableTrace() { c.doTrace = true }

// Trace returns the commands issued so far (with EnableTrace).
func (c *Controller) Trace() []Command { return c.trace }

// Pending is the number of bursts the controller holds (queued or waiting).
func (c *Controller) Pending() int { return c.queued + len(c.input) - c.inHead }

// NotifyRecv takes the bursts that arrived and schedules them.
func (c *Controller) NotifyRecv(now akita.VTimeInSec, port akita.Port) {
	c.receive(now, int64(c.clk.Cycle(now)), nil, port)
}

// receive queues burst b (nil: none) and then the bursts port holds,
// and schedules them. The switch hands a burst over directly when the
// controller's port is quiet (link.Port.Quiet), as NotifyRecv would
// retrieve it. cyc is the HBM cycle of time now (c.clk.Cycle(now)).
func (c *Controller) receive(now akita.VTimeInSec, cyc int64, b *burst, port akita.Port) {
	queued := c.queued
	c.newBanks = 0
	if b != nil {
		c.arrive(b, cyc)
	}
	for port != nil {
		m := port.Retrieve(now)
		if m == nil {
			break
		}
		c.arrive(m.(*burst), cyc)
	}
	switch {
	case c.queued == queued:
		// Bursts that only join the waiting line change no decision.
	case c.wakeAt != noWake && !c.refPending && c.refDue > cyc:
		// A wake-up is planned and every other decision stands: the new
		// segments need one only if they can act before it.
		c.planNew(cyc)
	default:
		c.step(cyc)
	}
}

// planNew handles the segments of the bursts just queued when a wake-up is
// already planned:
// it steps now if one of their banks can issue a command now, and otherwise
// brings the wake-up forward to the earliest cycle one can. Any planned
// decision for other banks stands; their own banks are reconsidered in full
// at the wake-up.
func (c *Controller) planNew(now int64) {
	c.computeBases()
	next := c.wakeAt
	if c.ref {
		for m := c.newBanks; m != 0; m &= m - 1 {
			b := bits.TrailingZeros64(m)
			if bk := &c.banks[b]; c.bankHit(b, bk) != nil {
				next = min(next, c.hitColEarliest(bk))
			}
			if _, at, _, ok := c.rowCandidate(b); ok {
				next = min(next, at)
			}
		}
	} else {
		// A new bank with a hit can issue a column, one without needs a
		// row command (rowCandidate gives a bank with a hit none); any
		// candidate at or before now means a step now.
		hits, _ := c.syncHits()
		next = c.earliestHit(c.newBanks&hits, next, now)
		next = c.earliestRow(c.newBanks&^hits, next, now)
	}
	if next <= now {
		c.step(now)
		return
	}
	if next < c.wakeAt {
		c.wakeAt = next
		c.calendar.wake(c, next)
	}
}

// NotifyPortFree is not used: the switch never refuses a response.
func (c *Controller) NotifyPortFree(akita.VTimeInSec, akita.Port) {}

// Handle is not used: the controller's wake-ups come from its Calendar.
func (c *Controller) Handle(akita.Event) error { return nil }

// wake runs the wake-up planned for cycle now (the Calendar calls it); a
// superseded wake-up is ignored.
func (c *Controller) wake(now int64) {
	if now != c.wakeAt {
		return
	}
	c.wakeAt = noWake
	c.step(now)
}

func (c *Controller) arrive(b *burst, now int64) {
	if c.empty {
		// Nothing was queued: no data can start before this burst's own
		// latency has passed.
		lat := c.t.CL
		if b.write {
			lat = c.t.CWL
		}
		c.starveUntil = max(c.starveUntil, now+lat)
		c.empty = false
	}
	b.arrive = now
	b.issue = -1
	b.firstData, b.lastData = math.MaxInt64, 0
	if c.inHead == len(c.input) && c.queued < c.depth {
		// Nothing waits and the queue has room: admit would take b at
		// once.
		c.enqueue(b)
		return
	}
	c.input = append(c.input, b)
	c.admit()
}

// admit moves waiting bursts into the scheduler's queue while it has room.
func (c *Controller) admit() {
	for c.queued < c.depth && c.inHead < len(c.input) {
		b := c.input[c.inHead]
		c.input[c.inHead] = nil
		c.inHead++
		c.enqueue(b)
	}
	switch {
	case c.inHead == len(c.input):
		c.input = c.input[:0]
		c.inHead = 0
	case c.inHead >= 64 && 2*c.inHead >= len(c.input):
		// Reuse the front of a line that never empties.
		n := copy(c.input, c.input[c.inHead:])
		clear(c.input[n:])
		c.input, c.inHead = c.input[:n], 0
	}
}

// enqueue splits a burst into per-row segments and queues them at their
// banks.
func (c *Controller) enqueue(b *burst) {
	c.queued++
	local, left := b.local, uint64(b.bytes)
	b.segsLeft = 0
	for left > 0 {
		run := min(left, c.amap.sameRowBytes(local))
		loc := c.amap.decode(local)
		s := c.newSegment()
		s.b = b
		s.bank = loc.Bank
		s.bg = loc.BankGroup
		s.row = int32(loc.Row)
		s.n = int((run + uint64(c.burstBytes) - 1) >> c.amap.burstShift) // burstBytes is 1 << burstShift
		s.seq = c.nextSeq
		s.write = b.write
		s.col = uint8(loc.BankGroup << 1)
		if b.write {
			s.col |= 1
		}
		c.nextSeq++
		c.queues[s.bank] = append(c.queues[s.bank], s)
		bk := &c.banks[s.bank]
		if len(c.queues[s.bank]) == 1 {
			bk.headSeq = s.seq
		}
		c.noteQueued(bk, s)
		c.active |= 1 << uint(s.bank)
		c.newBanks |= 1 << uint(s.bank)
		b.segsLeft++
		local += run
		left -= run
	}
}

func (c *Controller) newSegment() *segment {
	if n := len(c.segFree); n > 0 {
		s := c.segFree[n-1]
		c.segFree = c.segFree[:n-1]
		return s
	}
	return &segment{}
}

// step issues every command legal at cycle now (at most one column run and
// one row command) and schedules the next wake-up.
//
// The wake-up is the earliest cycle of the column and row candidates;
// tryColumn and tryRow compute them for every bank while choosing. On the
// fast path planWake takes them from there when nothing issued since
// changed them (no command for the row part, neither command for the
// column part: a row command changes its bank's column candidate).
func (c *Controller) step(now int64) {
	c.catchUpRefresh(now)
	w := wakePlan{col: noWake, row: noWake}
	if !c.refPending && c.active != 0 {
		c.computeBases()
		colIssued, colMin := c.tryColumn(now)
		c.computeBases()
		rowIssued, rowMin := c.tryRow(now)
		if !c.ref {
			w.col, w.colOK = colMin, !colIssued && !rowIssued
			w.row, w.rowOK = rowMin, !rowIssued
		}
	}
	c.planWake(now, w)
}

// wakePlan carries the earliest column and row candidates a step computed
// to planWake, each with whether it is still current.
type wakePlan struct {
	col, row     int64
	colOK, rowOK bool
}

func (c *Controller) record(cyc int64, k CommandKind, bank, row int) {
	if c.doTrace {
		c.trace = append(c.trace, Command{Cycle: cyc, Kind: k, Bank: bank, Row: row})
	}
}

// Settle brings the controller's lazily computed state (refreshes during
// idle time) up to cycle end and returns its statistics for the window
// [0, end): the data bus's idle time after the last data counts as idle.
func (c *Controller) Settle(end int64) PCStats {
	if c.Pending() == 0 {
		c.catchUpRefresh(end)
	}
	s := c.stats
	s.ElapsedCycles = uint64(max(end, 0))
	if tail := end - c.dataFree; tail > 0 {
		s.LossIdleCycles += uint64(tail)
	}
	return s
}

// Stats returns the statistics so far (without the idle tail; see Settle).
func (c *Controller) Stats() PCStats { return c.stats }
