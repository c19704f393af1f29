package hbm

import (
	"fmt"
	"math"
	"math/bits"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sim/clock"
	"github.com/roofsim/roofsim/sim/link"
	akita "github.com/sarchlab/akita/v3/sim"
)

// never is a cycle long before any real one: a constraint measured from it
// never binds.
const never int64 = math.MinInt64 / 4

// noWake marks that a controller has no wake-up scheduled.
const noWake int64 = math.MaxInt64

// CommandKind is a DRAM command.
type CommandKind int

// The DRAM commands a controller issues.
const (
	CmdACT  CommandKind = iota // activate a row
	CmdPRE                     // precharge (close) one bank
	CmdPREA                    // precharge all banks (before a refresh)
	CmdREF                     // all-bank refresh
	CmdRD                      // read one 32 B burst
	CmdWR                      // write one 32 B burst
)

var commandNames = [...]string{"ACT", "PRE", "PREA", "REF", "RD", "WR"}

// String is the command's JEDEC mnemonic.
func (k CommandKind) String() string {
	if k >= 0 && int(k) < len(commandNames) {
		return commandNames[k]
	}
	return fmt.Sprintf("CommandKind(%d)", int(k))
}

// Command is one DRAM command in a controller's trace.
type Command struct {
	// Cycle is the HBM clock cycle the command is issued in.
	Cycle int64
	// Kind is the command.
	Kind CommandKind
	// Bank is the bank (-1 for PREA and REF).
	Bank int
	// Row is the row of an ACT, RD or WR (-1 otherwise).
	Row int
}

// String formats the command as "cycle KIND bank row".
func (c Command) String() string {
	return fmt.Sprintf("%d %s b%d r%d", c.Cycle, c.Kind, c.Bank, c.Row)
}

// timing is hw.HBMTimingCycles as int64 for cycle arithmetic.
type timing struct {
	CL, CWL, RCD, RP, RAS, CCDS, CCDL, RRDS, RRDL, FAW, WR, WTRS, WTRL, RTW, RFC, REFI int64
}

func makeTiming(t hw.HBMTimingCycles) timing {
	return timing{
		CL: int64(t.CL), CWL: int64(t.CWL), RCD: int64(t.RCD), RP: int64(t.RP), RAS: int64(t.RAS),
		CCDS: int64(max(t.CCDS, 1)), CCDL: int64(max(t.CCDL, 1)), RRDS: int64(t.RRDS), RRDL: int64(t.RRDL),
		FAW: int64(t.FAW), WR: int64(t.WR), WTRS: int64(t.WTRS), WTRL: int64(t.WTRL), RTW: int64(t.RTW),
		RFC: int64(t.RFC), REFI: int64(t.REFI),
	}
}

// segment is the part of a burst that falls in one bank and row: the unit
// the scheduler issues as one run of column commands.
type segment struct {
	b     *burst
	bank  int
	bg    int
	row   int32
	n     int // 32 B column commands
	seq   uint64
	write bool
}

// bankState is one bank: its open row, the earliest cycles of its next
// commands and its queue of segments in arrival order.
type bankState struct {
	openRow  int32 // -1: closed
	actReady int64 // earliest ACT (tRP after PRE, tRFC after REF)
	colReady int64 // earliest RD/WR (tRCD after ACT)
	preReady int64 // earliest PRE (tRAS after ACT, tWR after write data, read end)
	// fresh marks a row activated and not yet accessed; conflict that its
	// activation followed a precharge forced by a request to another row.
	fresh, conflict  bool
	closedByConflict bool
	q                []*segment
	// hit caches firstHit while hitOK; hitSeq and hitWrite are its seq and
	// write (the schedulers' loops read them without touching the segment).
	hit      *segment
	hitOK    bool
	hitWrite bool
	hitSeq   uint64
	// bg is the bank's bank group.
	bg int
}

// lossReason is why the data bus idled before a column command.
type lossReason int

const (
	lossRow lossReason = iota
	lossTurnaround
	lossOther
)

// colBase is the earliest column cycle of a bank group from the
// constraints shared by its banks, and the constraint that sets it.
type colBase struct {
	t   int64
	why lossReason
}

// window is a half-open interval of HBM cycles.
type window struct{ from, to int64 }

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

	engine     akita.Engine
	clk        clock.Domain
	index      int
	top        akita.Port
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

	banks    []bankState
	active   uint64 // bit b set: bank b has queued segments
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
	lastActBG     []int64 // per bank group
	actHist       [4]int64
	actIdx        int
	// colBase and actBase are the per-bank-group parts of the earliest
	// column (read, write) and ACT cycles (see computeBases).
	colBase [][2]colBase
	actBase []int64
	basesOK bool // colBase and actBase are current

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
		lastColCmd:    never,
		lastColBG:     make([]int64, h.BankGroups),
		lastRdDataEnd: never,
		lastWrDataEnd: make([]int64, h.BankGroups),
		lastActBG:     make([]int64, h.BankGroups),
		colBase:       make([][2]colBase, h.BankGroups),
		actBase:       make([]int64, h.BankGroups),
		empty:         true,
		starveUntil:   never,
		wakeAt:        noWake,
	}
	c.colStep = max(c.t.CCDL, c.burstCyc)
	c.rtpCycles = c.burstCyc
	for i := range c.banks {
		c.banks[i] = bankState{openRow: -1, bg: i / c.banksPerBG}
	}
	for g := range c.lastWrDataEnd {
		c.lastWrDataEnd[g] = never
		c.lastActBG[g] = never
		c.lastColBG[g] = never
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
	cyc := int64(c.clk.Cycle(now))
	queued := c.queued
	c.newBanks = 0
	for {
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
	for m := c.newBanks; m != 0; m &= m - 1 {
		b := bits.TrailingZeros64(m)
		if c.firstHit(b) != nil {
			t, _ := c.colEarliest(b, c.banks[b].hitWrite)
			next = min(next, t)
		}
		if _, at, _, ok := c.rowCandidate(b); ok {
			next = min(next, at)
		}
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
		loc := c.amap.Decode(local)
		s := c.newSegment()
		s.b = b
		s.bank = loc.Bank
		s.bg = loc.BankGroup
		s.row = int32(loc.Row)
		s.n = int((run + uint64(c.burstBytes) - 1) / uint64(c.burstBytes))
		s.seq = c.nextSeq
		s.write = b.write
		c.nextSeq++
		bk := &c.banks[s.bank]
		bk.q = append(bk.q, s)
		bk.hitOK = false
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
func (c *Controller) step(now int64) {
	c.catchUpRefresh(now)
	if !c.refPending && c.active != 0 {
		c.computeBases()
		c.tryColumn(now)
		c.computeBases()
		c.tryRow(now)
	}
	c.planWake(now)
}

// firstHit is the oldest queued segment of bank b that hits its open row.
func (c *Controller) firstHit(b int) *segment {
	bk := &c.banks[b]
	if bk.hitOK {
		return bk.hit
	}
	bk.hit, bk.hitOK = nil, true
	if bk.openRow < 0 {
		return nil
	}
	for _, s := range bk.q {
		if s.row == bk.openRow {
			bk.hit, bk.hitSeq, bk.hitWrite = s, s.seq, s.write
			break
		}
	}
	return bk.hit
}

// computeBases computes the parts of the earliest column and ACT cycles
// that depend on the bank group only (tCCD, the data bus, turnaround;
// the row command bus, tRRD, tFAW), once for all banks.
func (c *Controller) computeBases() {
	if c.basesOK {
		return
	}
	c.basesOK = true
	// The latest ACT and write data over all bank groups; with tRRD_L >=
	// tRRD_S and tWTR_L >= tWTR_S (JEDEC's order) a group's bound is the
	// later of "any group + the short time" and "its own + the long time".
	lastAct, lastWr := never, never
	for g := 0; g < c.nBG; g++ {
		lastAct = max(lastAct, c.lastActBG[g])
		lastWr = max(lastWr, c.lastWrDataEnd[g])
	}
	faw := max(c.nextRowCmd, c.actHist[c.actIdx]+c.t.FAW)
	for g := 0; g < c.nBG; g++ {
		act := max(faw, lastAct+c.t.RRDS, c.lastActBG[g]+c.t.RRDL)
		if c.t.RRDL < c.t.RRDS {
			act = c.slowRRD(faw, g)
		}
		c.actBase[g] = act
		// tCCD_S after the last column command, tCCD_L after the last one
		// in the same bank group; the data bus must be free.
		ccd := max(c.lastColCmd+c.t.CCDS, c.lastColBG[g]+c.t.CCDL)
		// Reads: write-to-read turnaround tWTR_L after write data in the
		// same bank group, tWTR_S after write data in another.
		rd, why := max(ccd, c.dataFree-c.t.CL), lossOther
		wtr := max(lastWr+c.t.WTRS, c.lastWrDataEnd[g]+c.t.WTRL)
		if c.t.WTRL < c.t.WTRS {
			wtr = c.slowWTR(g)
		}
		if wtr > rd {
			rd, why = wtr, lossTurnaround
		}
		c.colBase[g][0] = colBase{rd, why}
		// Writes: read-to-write bus turnaround, write data tRTW after the
		// last read data.
		wr, why := max(ccd, c.dataFree-c.t.CWL), lossOther
		if x := c.lastRdDataEnd + c.t.RTW - c.t.CWL; x > wr {
			wr, why = x, lossTurnaround
		}
		c.colBase[g][1] = colBase{wr, why}
	}
}

// slowRRD is bank group g's tRRD bound group by group (for timing where
// tRRD_L < tRRD_S).
func (c *Controller) slowRRD(t int64, g int) int64 {
	for h, last := range c.lastActBG {
		d := c.t.RRDS
		if h == g {
			d = c.t.RRDL
		}
		t = max(t, last+d)
	}
	return t
}

// slowWTR is bank group g's tWTR bound group by group (for timing where
// tWTR_L < tWTR_S).
func (c *Controller) slowWTR(g int) int64 {
	t := never
	for h, end := range c.lastWrDataEnd {
		d := c.t.WTRS
		if h == g {
			d = c.t.WTRL
		}
		t = max(t, end+d)
	}
	return t
}

// colEarliest is the earliest cycle for the first column command of a
// segment of bank b (reads or writes), and the constraint that sets it
// (computeBases must be current).
func (c *Controller) colEarliest(b int, write bool) (int64, lossReason) {
	w := 0
	if write {
		w = 1
	}
	bk := &c.banks[b]
	base := c.colBase[bk.bg][w]
	if t := bk.colReady; t >= base.t {
		return t, lossRow
	}
	return base.t, base.why
}

// actEarliest is the earliest cycle for an ACT to bank b (computeBases
// must be current).
func (c *Controller) actEarliest(b int) int64 {
	bk := &c.banks[b]
	return max(bk.actReady, c.actBase[bk.bg])
}

// rowCandidate is the row command bank b needs next: an ACT for its oldest
// segment when closed, a PRE when open and no queued segment hits the open
// row (FR-FCFS never closes a row that queued requests hit).
func (c *Controller) rowCandidate(b int) (kind CommandKind, at int64, age uint64, ok bool) {
	bk := &c.banks[b]
	if len(bk.q) == 0 {
		return 0, 0, 0, false
	}
	if bk.openRow < 0 {
		return CmdACT, c.actEarliest(b), bk.q[0].seq, true
	}
	if c.firstHit(b) != nil {
		return 0, 0, 0, false
	}
	return CmdPRE, max(bk.preReady, c.nextRowCmd), bk.q[0].seq, true
}

func (c *Controller) tryColumn(now int64) {
	var best *segment
	var bestSeq uint64
	for m := c.active; m != 0; m &= m - 1 {
		b := bits.TrailingZeros64(m)
		s := c.firstHit(b)
		if s == nil {
			continue
		}
		bk := &c.banks[b]
		if best != nil && bk.hitSeq > bestSeq {
			continue
		}
		if t, _ := c.colEarliest(b, bk.hitWrite); t <= now {
			best, bestSeq = s, bk.hitSeq
		}
	}
	if best != nil {
		c.issueColumn(best, now)
	}
}

func (c *Controller) tryRow(now int64) {
	bestBank, bestKind, bestAge := -1, CmdACT, uint64(math.MaxUint64)
	for m := c.active; m != 0; m &= m - 1 {
		b := bits.TrailingZeros64(m)
		kind, at, age, ok := c.rowCandidate(b)
		if ok && at <= now && age < bestAge {
			bestBank, bestKind, bestAge = b, kind, age
		}
	}
	if bestBank < 0 {
		return
	}
	bk := &c.banks[bestBank]
	if bestKind == CmdACT {
		c.activate(bestBank, bk.q[0].row, now)
		return
	}
	c.precharge(bestBank, now)
}

func (c *Controller) activate(b int, row int32, now int64) {
	bk := &c.banks[b]
	g := b / c.banksPerBG
	bk.openRow = row
	bk.hitOK = false
	bk.colReady = now + c.t.RCD
	bk.preReady = max(bk.preReady, now+c.t.RAS)
	bk.fresh = true
	bk.conflict = bk.closedByConflict
	bk.closedByConflict = false
	c.nextRowCmd = now + 1
	c.basesOK = false
	c.lastActBG[g] = now
	c.actHist[c.actIdx] = now
	c.actIdx = (c.actIdx + 1) % len(c.actHist)
	c.stats.Activates++
	c.record(now, CmdACT, b, int(row))
}

func (c *Controller) precharge(b int, now int64) {
	bk := &c.banks[b]
	bk.openRow = -1
	bk.hitOK = false
	bk.actReady = max(bk.actReady, now+c.t.RP)
	bk.closedByConflict = true
	c.nextRowCmd = now + 1
	c.basesOK = false
	c.stats.Precharges++
	c.record(now, CmdPRE, b, -1)
}

// issueColumn issues the column commands of segment s, the first at now.
func (c *Controller) issueColumn(s *segment, now int64) {
	b := s.bank
	bk := &c.banks[b]
	lat, kind := c.t.CL, CmdRD
	if s.write {
		lat, kind = c.t.CWL, CmdWR
	}
	last := now + int64(s.n-1)*c.colStep
	dataStart := now + lat
	dataEnd := last + lat + c.burstCyc

	// Loss attribution of the idle gap on the data bus before this data.
	if dataStart > c.dataFree {
		c.attributeGap(c.dataFree, dataStart, s, b)
	}
	c.starveUntil = never
	c.refWins = c.refWins[:0]

	if c.anyData && c.lastWasWrite != s.write {
		c.stats.Turnarounds++
	}
	c.anyData = true
	c.lastWasWrite = s.write
	c.stats.BusyCycles += uint64(int64(s.n) * c.burstCyc)
	c.basesOK = false
	c.dataFree = dataEnd
	c.lastColCmd = last
	c.lastColBG[s.bg] = last
	if s.write {
		c.lastWrDataEnd[s.bg] = dataEnd
		bk.preReady = max(bk.preReady, dataEnd+c.t.WR)
	} else {
		c.lastRdDataEnd = dataEnd
		bk.preReady = max(bk.preReady, last+c.rtpCycles)
	}
	if bk.fresh {
		if bk.conflict {
			c.stats.RowConflicts++
		} else {
			c.stats.RowMisses++
		}
		bk.fresh = false
		c.stats.RowHits += uint64(s.n - 1)
	} else {
		c.stats.RowHits += uint64(s.n)
	}
	if c.doTrace {
		for i := 0; i < s.n; i++ {
			c.record(now+int64(i)*c.colStep, kind, b, int(s.row))
		}
	}

	// Remove s from its bank's queue.
	for i, x := range bk.q {
		if x == s {
			copy(bk.q[i:], bk.q[i+1:])
			bk.q[len(bk.q)-1] = nil
			bk.q = bk.q[:len(bk.q)-1]
			bk.hitOK = false
			break
		}
	}
	if len(bk.q) == 0 {
		c.active &^= 1 << uint(b)
	}
	if c.policy == ClosedPage && c.firstHit(b) == nil {
		// Auto-precharge: the row closes as soon as it may.
		bk.openRow = -1
		bk.hitOK = false
		bk.actReady = max(bk.actReady, bk.preReady+c.t.RP)
		bk.closedByConflict = false
		c.stats.Precharges++
	}

	bu := s.b
	if bu.issue < 0 {
		bu.issue = now
	}
	bu.firstData = min(bu.firstData, dataStart)
	bu.lastData = max(bu.lastData, dataEnd)
	bu.segsLeft--
	*s = segment{}
	c.segFree = append(c.segFree, s)
	if bu.segsLeft == 0 {
		c.complete(bu)
	}
	if c.queued == 0 && c.inHead == len(c.input) {
		c.empty = true
	}
}

// attributeGap splits the idle data-bus time [from, to) before segment s's
// data into idle (no request), refresh and the constraint that held s.
func (c *Controller) attributeGap(from, to int64, s *segment, b int) {
	gap := to - from
	// If the queue ran empty, the data bus could not carry data before the
	// request that refilled it arrived and its read (write) latency passed:
	// that part of the gap is idle; what remains is refresh, row timing or
	// turnaround.
	idle := min(gap, max(0, c.starveUntil-from))
	rest := gap - idle
	start := from + idle
	var ref int64
	for _, w := range c.refWins {
		ref += max(0, min(to, w.to)-max(start, w.from))
	}
	ref = min(ref, rest)
	rest -= ref
	c.stats.LossIdleCycles += uint64(idle)
	c.stats.LossRefreshCycles += uint64(ref)
	if rest > 0 {
		_, why := c.colEarliest(b, s.write)
		switch why {
		case lossRow:
			c.stats.LossRowCycles += uint64(rest)
		case lossTurnaround:
			c.stats.LossTurnaroundCycles += uint64(rest)
		default:
			c.stats.LossOtherCycles += uint64(rest)
		}
	}
}

// complete sends a burst back once all its segments are issued, stamped
// with the cycle its last data beat ends.
func (c *Controller) complete(b *burst) {
	c.queued--
	q := uint64(b.issue - b.arrive)
	c.stats.QueueCycles += q
	c.stats.MaxQueueCycles = max(c.stats.MaxQueueCycles, q)
	c.stats.ServiceCycles += uint64(b.lastData - b.issue)
	if b.write {
		c.stats.WriteBursts++
		c.stats.WriteBytes += uint64(b.bytes)
	} else {
		c.stats.ReadBursts++
		c.stats.ReadBytes += uint64(b.bytes)
	}
	b.done = true
	b.spanCycles = b.lastData - b.firstData
	dst := b.Src
	b.Src, b.Dst = c.top, dst
	b.SendTime = c.clk.Time(uint64(b.lastData))
	if err := c.top.Send(b); err != nil {
		// The switch accepts every message; a refusal is a wiring bug.
		panic(fmt.Sprintf("%s: switch refused a response", c.Name()))
	}
	c.admit()
}

// refreshNext is the cycle and kind of the next command of a pending
// refresh: PREA while a bank is open, then REF.
func (c *Controller) refreshNext() (int64, CommandKind) {
	t := max(c.refStart, c.nextRowCmd)
	anyOpen := false
	for i := range c.banks {
		if c.banks[i].openRow >= 0 {
			anyOpen = true
			t = max(t, c.banks[i].preReady)
		}
	}
	if anyOpen {
		return t, CmdPREA
	}
	for i := range c.banks {
		t = max(t, c.banks[i].actReady)
	}
	return t, CmdREF
}

// catchUpRefresh performs every refresh step due by cycle now. While a
// refresh is pending no ACT or column command starts, so its commands'
// cycles follow from the state alone; they may lie before now when the
// controller was idle (refreshes of idle time are computed lazily).
func (c *Controller) catchUpRefresh(now int64) {
	for c.refreshOn {
		if !c.refPending {
			if c.refDue > now {
				return
			}
			c.refPending = true
			c.refStart = c.refDue
		}
		t, kind := c.refreshNext()
		if t > now {
			return
		}
		if kind == CmdPREA {
			for i := range c.banks {
				bk := &c.banks[i]
				if bk.openRow >= 0 {
					bk.openRow = -1
					bk.hitOK = false
					bk.actReady = max(bk.actReady, t+c.t.RP)
					bk.closedByConflict = false
					c.stats.Precharges++
				}
			}
			c.nextRowCmd = t + 1
			c.basesOK = false
			c.record(t, CmdPREA, -1, -1)
			continue
		}
		end := t + c.t.RFC
		for i := range c.banks {
			c.banks[i].actReady = max(c.banks[i].actReady, end)
		}
		c.nextRowCmd = t + 1
		c.basesOK = false
		c.stats.Refreshes++
		c.stats.RefreshCycles += uint64(c.t.RFC)
		c.refWins = append(c.refWins, window{c.refStart, end})
		c.record(t, CmdREF, -1, -1)
		c.refDue += c.t.REFI
		c.refPending = false
	}
}

// planWake schedules the next wake-up at the earliest cycle after now at
// which a command may become legal. With nothing queued the controller
// sleeps; refreshes of the idle time are caught up when work arrives.
func (c *Controller) planWake(now int64) {
	next := noWake
	switch {
	case c.refPending:
		next, _ = c.refreshNext()
	case c.active != 0:
		if c.refreshOn {
			next = c.refDue
		}
		c.computeBases()
		for m := c.active; m != 0; m &= m - 1 {
			b := bits.TrailingZeros64(m)
			if c.firstHit(b) != nil {
				t, _ := c.colEarliest(b, c.banks[b].hitWrite)
				next = min(next, t)
			}
			if _, at, _, ok := c.rowCandidate(b); ok {
				next = min(next, at)
			}
		}
	}
	if next == noWake {
		return
	}
	next = max(next, now+1)
	if next >= c.wakeAt {
		return
	}
	c.wakeAt = next
	c.calendar.wake(c, next)
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
