package hbm

import (
	"fmt"
	"math"
	"math/bits"

	"github.com/roofsim/roofsim/sim/clock"
)

// tryColumn issues the oldest row hit whose column command is legal at
// now, if any; it returns whether it issued and the earliest column cycle
// over the banks' row hits (noWake: none).
func (c *Controller) tryColumn(now int64) (bool, int64) {
	colBanks, _ := c.syncHits()
	var best *segment
	var earliest int64
	if c.ref {
		best, earliest = c.oldestHitRef(now, colBanks)
	} else {
		best, earliest = c.oldestHit(now, colBanks)
	}
	if best == nil {
		return false, earliest
	}
	c.issueColumn(best, now)
	return true, earliest
}

// oldestHitRef is oldestHit on the reference path, which visits every
// active bank and finds its first hit there.
func (c *Controller) oldestHitRef(now int64, banks uint64) (*segment, int64) {
	var best *segment
	bestSeq := uint64(math.MaxUint64) // above every segment's seq
	earliest := int64(noWake)
	for m := banks; m != 0; m &= m - 1 {
		b := bits.TrailingZeros64(m)
		bk := &c.banks[b]
		s := c.bankHit(b, bk)
		if s == nil {
			continue
		}
		t := c.hitColEarliest(bk)
		earliest = min(earliest, t)
		if t <= now && bk.hitSeq < bestSeq {
			best, bestSeq = s, bk.hitSeq
		}
	}
	return best, earliest
}

// tryRow issues the oldest row command legal at now, if any; it returns
// whether it issued and the earliest row command cycle over the banks
// (noWake: none).
func (c *Controller) tryRow(now int64) (bool, int64) {
	_, rowBanks := c.syncHits()
	var bestBank int
	var bestKind CommandKind
	var earliest int64
	if c.ref {
		bestBank, bestKind, earliest = c.oldestRowRef(now, rowBanks)
	} else {
		bestBank, bestKind, earliest = c.oldestRow(now, rowBanks)
	}
	if bestBank < 0 {
		return false, earliest
	}
	if bestKind == CmdACT {
		c.activate(bestBank, c.queues[bestBank][0].row, now)
	} else {
		c.precharge(bestBank, now)
	}
	return true, earliest
}

// oldestRowRef is oldestRow on the reference path, which visits every
// active bank (rowCandidate skips those with a hit).
func (c *Controller) oldestRowRef(now int64, banks uint64) (int, CommandKind, int64) {
	bestBank, bestKind, bestAge := -1, CmdACT, uint64(math.MaxUint64)
	earliest := int64(noWake)
	for m := banks; m != 0; m &= m - 1 {
		b := bits.TrailingZeros64(m)
		kind, at, age, ok := c.rowCandidate(b)
		if !ok {
			continue
		}
		earliest = min(earliest, at)
		if at <= now && age < bestAge {
			bestBank, bestKind, bestAge = b, kind, age
		}
	}
	return bestBank, bestKind, earliest
}

// oldestRow returns the bank (-1: none) and kind of the oldest row command
// legal at now among the given banks (active &^ hitMask after syncHits,
// on the fast path: each has queued segments and none hits its open row),
// and the earliest row command cycle among them (noWake: none). It is
// rowCandidate's rule for banks known to need a row command: an ACT when
// closed, else a PRE.
func (c *Controller) oldestRow(now int64, banks uint64) (int, CommandKind, int64) {
	bestBank, bestKind, bestAge := -1, CmdACT, uint64(math.MaxUint64)
	earliest := int64(noWake)
	bs, grp := c.banks, c.actGrp
	act, pre := max(c.refFloor, c.actShared), c.nextRowCmd
	for m := banks; m != 0; m &= m - 1 {
		b := bits.TrailingZeros64(m)
		bk := &bs[b]
		kind, at := CmdACT, int64(0)
		if bk.openRow < 0 {
			at = max(bk.actReady, act, grp[bk.bg])
		} else {
			kind, at = CmdPRE, max(bk.preReady, pre)
		}
		earliest = min(earliest, at)
		if at <= now && bk.headSeq < bestAge {
			bestBank, bestKind, bestAge = b, kind, bk.headSeq
		}
	}
	return bestBank, bestKind, earliest
}

// earliestRow is the earliest of next and the row command cycles of the
// given banks (as in oldestRow); it stops early once that is at or below
// stop (no row command's cycle below stop can change the outcome).
func (c *Controller) earliestRow(banks uint64, next, stop int64) int64 {
	bs, grp := c.banks, c.actGrp
	act, pre := max(c.refFloor, c.actShared), c.nextRowCmd
	for m := banks; m != 0 && next > stop; m &= m - 1 {
		bk := &bs[bits.TrailingZeros64(m)]
		if bk.openRow < 0 {
			next = min(next, max(bk.actReady, act, grp[bk.bg]))
		} else {
			next = min(next, max(bk.preReady, pre))
		}
	}
	return next
}

func (c *Controller) activate(b int, row int32, now int64) {
	bk := &c.banks[b]
	g := b / c.banksPerBG
	c.openRowAt(b, row)
	bk.colReady = now + c.t.RCD
	bk.preReady = max(bk.preReady, now+c.t.RAS)
	bk.fresh = true
	bk.conflict = bk.closedByConflict
	bk.closedByConflict = false
	c.nextRowCmd = now + 1
	c.actBasesOK = false
	c.lastActBG[g] = now
	c.lastAct = max(c.lastAct, now)
	c.actGrp[g] = now + c.t.RRDL // computeActBases overwrites it if tRRD_L < tRRD_S
	c.actHist[c.actIdx] = now
	c.actIdx = (c.actIdx + 1) % len(c.actHist)
	c.stats.Activates++
	c.record(now, CmdACT, b, int(row))
}

func (c *Controller) precharge(b int, now int64) {
	bk := &c.banks[b]
	c.closeRow(b)
	c.raiseActReady(b, now+c.t.RP)
	bk.closedByConflict = true
	c.nextRowCmd = now + 1
	c.actBasesOK = false
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
	c.colBasesOK = false
	c.dataFree = dataEnd
	c.lastColCmd = last
	c.lastColBG[s.bg] = last
	if s.write {
		c.lastWrDataEnd[s.bg] = dataEnd
		c.lastWrEnd = max(c.lastWrEnd, dataEnd)
		bk.preReady = max(bk.preReady, dataEnd+c.t.WR)
	} else {
		c.lastRdDataEnd = dataEnd
		bk.preReady = max(bk.preReady, last+c.rtpCycles)
	}
	c.setColGroup(s.bg)
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
	q := c.queues[b]
	for i, x := range q {
		if x == s {
			// A queue holds a few segments: shift them by hand rather
			// than through copy's call for pointer slices.
			for j := i; j < len(q)-1; j++ {
				q[j] = q[j+1]
			}
			q[len(q)-1] = nil
			q = q[:len(q)-1]
			c.queues[b] = q
			if c.ref {
				c.dropHit(b)
			} else {
				c.nextHit(b, bk, q[i:])
			}
			if i == 0 && len(q) > 0 {
				bk.headSeq = q[0].seq
			}
			break
		}
	}
	if len(q) == 0 {
		c.active &^= 1 << uint(b)
	}
	if c.policy == ClosedPage && c.firstHit(b) == nil {
		// Auto-precharge: the row closes as soon as it may.
		c.closeRow(b)
		c.raiseActReady(b, bk.preReady+c.t.RP)
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
	s.b = nil // enqueue sets every other field of a reused segment
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
		switch c.colLoss(b, s.write) {
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
	if c.sw != nil && c.top.NumHooks() == 0 && b.lastData < clock.ExactCycles {
		// The switch would convert SendTime back to lastData.
		c.sw.sendCycle(b, b.lastData)
	} else if err := sendBurst(c.sw, c.top, b); err != nil {
		// The switch accepts every message; a refusal is a wiring bug.
		panic(fmt.Sprintf("%s: switch refused a response", c.Name()))
	}
	if c.inHead < len(c.input) {
		// Bursts wait for the place this one freed (admit keeps an
		// empty line at length 0).
		c.admit()
	}
}

// planWake schedules the next wake-up at the earliest cycle after now at
// which a command may become legal. With nothing queued the controller
// sleeps; refreshes of the idle time are caught up when work arrives.
func (c *Controller) planWake(now int64, w wakePlan) {
	next := noWake
	switch {
	case c.refPending:
		next, _ = c.refreshNext()
	case c.active != 0:
		if c.refreshOn {
			next = c.refDue
		}
		c.computeBases()
		colBanks, rowBanks := c.syncHits()
		if w.colOK {
			next, colBanks = min(next, w.col), 0
		}
		if w.rowOK {
			next, rowBanks = min(next, w.row), 0
		}
		// Every row candidate is at or after nextRowCmd (actBase includes
		// it); skip the row loop when that cannot change the outcome.
		if rowBanks != 0 && c.settled(now, next, c.nextRowCmd) {
			rowBanks = 0
		}
		if c.ref {
			for m := rowBanks; m != 0; m &= m - 1 {
				b := bits.TrailingZeros64(m)
				if _, at, _, ok := c.rowCandidate(b); ok {
					next = min(next, at)
				}
			}
		} else if rowBanks != 0 {
			next = c.earliestRow(rowBanks, next, max(c.nextRowCmd, now+1))
		}
		if colBanks != 0 && c.settled(now, next, c.colFloor()) {
			colBanks = 0
		}
		// No candidate is earlier than the floor, and none earlier than
		// now+1 is planned: the pass ends once next reaches either.
		stop := max(c.colFloor(), now+1)
		if c.ref {
			for m := colBanks; m != 0; m &= m - 1 {
				b := bits.TrailingZeros64(m)
				if bk := &c.banks[b]; c.bankHit(b, bk) != nil {
					next = min(next, c.hitColEarliest(bk))
				}
			}
		} else if colBanks != 0 && next > stop {
			next = c.earliestHit(colBanks, next, stop)
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

// settled reports, on the fast path, whether candidates no earlier than
// floor can change planWake's outcome given the earliest cycle next found
// so far: not when next <= floor (they cannot lower it), nor when next is
// at most now+1 (the wake-up is now+1 anyway), nor when floor is at or
// after the pending wake-up (a wake-up that late is not planned).
func (c *Controller) settled(now, next, floor int64) bool {
	return !c.ref && (floor >= min(next, c.wakeAt) || next <= now+1)
}
