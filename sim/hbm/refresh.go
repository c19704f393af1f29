package hbm

import "math/bits"

// refreshNext is the cycle and kind of the next command of a pending
// refresh: PREA while a bank is open, then REF. The fast path reads the
// open banks from openBanks and the latest ACT bound from maxActReady;
// the reference path (Params.Reference) visits every bank.
func (c *Controller) refreshNext() (int64, CommandKind) {
	t := max(c.refStart, c.nextRowCmd)
	if c.ref {
		return c.refreshNextRef(t)
	}
	if c.openBanks != 0 {
		for m := c.openBanks; m != 0; m &= m - 1 {
			t = max(t, c.banks[bits.TrailingZeros64(m)].preReady)
		}
		return t, CmdPREA
	}
	return max(t, c.maxActReady), CmdREF
}

// refreshNextRef is refreshNext on the reference path, from t.
func (c *Controller) refreshNextRef(t int64) (int64, CommandKind) {
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
		t = max(t, c.bankActReady(i))
	}
	return t, CmdREF
}

// catchUpRefresh performs every refresh step due by cycle now. While a
// refresh is pending no ACT or column command starts, so its commands'
// cycles follow from the state alone; they may lie before now when the
// controller was idle (refreshes of idle time are computed lazily). It is
// small enough to be inlined into every step: most find nothing due.
func (c *Controller) catchUpRefresh(now int64) {
	if c.refreshOn && (c.refPending || c.refDue <= now) {
		c.refreshUntil(now)
	}
}

// refreshUntil is catchUpRefresh when a refresh step may be due.
func (c *Controller) refreshUntil(now int64) {
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
					c.closeRow(i)
					c.raiseActReady(i, t+c.t.RP)
					bk.closedByConflict = false
					c.stats.Precharges++
				}
			}
			c.nextRowCmd = t + 1
			c.actBasesOK = false
			c.record(t, CmdPREA, -1, -1)
			continue
		}
		end := t + c.t.RFC
		// No ACT before the refresh ends: every bank's bound, kept as one
		// floor (see bankActReady) except on the reference path.
		c.refFloor = max(c.refFloor, end)
		c.maxActReady = max(c.maxActReady, end)
		if c.ref {
			for i := range c.banks {
				c.banks[i].actReady = max(c.banks[i].actReady, end)
			}
		}
		c.nextRowCmd = t + 1
		c.actBasesOK = false
		c.stats.Refreshes++
		c.stats.RefreshCycles += uint64(c.t.RFC)
		c.refWins = append(c.refWins, window{c.refStart, end})
		c.record(t, CmdREF, -1, -1)
		c.refDue += c.t.REFI
		c.refPending = false
		c.repeatRefreshes(now, t)
	}
}

// repeatRefreshes performs at once the refreshes due by now after a REF
// at cycle last when each of them starts exactly when due: every bank is
// closed after a REF, and nothing but refresh runs until now, so the next
// one starts at max(refDue, last+1, last+tRFC) (refreshNext), which is
// refDue when refDue >= last + max(tRFC, 1), and so for every later one
// when tREFI >= max(tRFC, 1). An idle controller then catches up many
// refreshes (the policy run's PCs idle most of 230 ms, 59 k refreshes
// each) without a pass per refresh. The reference path and command traces
// keep the loop.
func (c *Controller) repeatRefreshes(now, last int64) {
	gap := max(c.t.RFC, 1)
	if c.ref || c.doTrace || c.refDue > now || c.refDue < last+gap || c.t.REFI < gap {
		return
	}
	n := (now-c.refDue)/c.t.REFI + 1
	for range n {
		c.refWins = append(c.refWins, window{c.refDue, c.refDue + c.t.RFC})
		c.refDue += c.t.REFI
	}
	t := c.refDue - c.t.REFI // the last of them
	end := t + c.t.RFC
	c.refStart = t
	c.refFloor = max(c.refFloor, end)
	c.maxActReady = max(c.maxActReady, end)
	c.nextRowCmd = t + 1
	c.stats.Refreshes += uint64(n)
	c.stats.RefreshCycles += uint64(n * c.t.RFC)
}

// bankActReady is bank b's earliest ACT: its own bound (tRP after its
// precharge) and the end of the last refresh.
func (c *Controller) bankActReady(b int) int64 {
	return max(c.banks[b].actReady, c.refFloor)
}

// raiseActReady makes bank b's earliest ACT at least t.
func (c *Controller) raiseActReady(b int, t int64) {
	bk := &c.banks[b]
	bk.actReady = max(bk.actReady, t)
	c.maxActReady = max(c.maxActReady, t)
}

// openRowAt records that bank b's row row is open.
func (c *Controller) openRowAt(b int, row int32) {
	c.banks[b].openRow = row
	c.openBanks |= 1 << uint(b)
	c.dropHit(b)
}

// closeRow records that bank b's row is closed.
func (c *Controller) closeRow(b int) {
	c.banks[b].openRow = -1
	c.openBanks &^= 1 << uint(b)
	c.dropHit(b)
}
