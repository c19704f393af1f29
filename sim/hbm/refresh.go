package hbm

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
					c.dropHit(i)
					bk.actReady = max(bk.actReady, t+c.t.RP)
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
		for i := range c.banks {
			c.banks[i].actReady = max(c.banks[i].actReady, end)
		}
		c.nextRowCmd = t + 1
		c.actBasesOK = false
		c.stats.Refreshes++
		c.stats.RefreshCycles += uint64(c.t.RFC)
		c.refWins = append(c.refWins, window{c.refStart, end})
		c.record(t, CmdREF, -1, -1)
		c.refDue += c.t.REFI
		c.refPending = false
	}
}
