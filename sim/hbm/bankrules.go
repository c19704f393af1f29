package hbm

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
	for _, s := range c.queues[b] {
		if s.row == bk.openRow {
			bk.hit, bk.hitSeq, bk.hitWrite = s, s.seq, s.write
			break
		}
	}
	return bk.hit
}

// computeBases computes the parts of the earliest column and ACT cycles
// that depend on the bank group only (tCCD, the data bus, turnaround;
// the row command bus, tRRD, tFAW), once for all banks. Column commands
// change only the column part and row commands only the ACT part, so each
// is recomputed only when its own inputs changed. It is small enough to be
// inlined: most calls find both parts current.
func (c *Controller) computeBases() {
	if !c.actBasesOK || !c.colBasesOK {
		c.recomputeBases()
	}
}

// recomputeBases recomputes the stale parts of computeBases.
func (c *Controller) recomputeBases() {
	if !c.actBasesOK {
		c.computeActBases()
	}
	if !c.colBasesOK {
		c.computeColBases()
	}
}

// computeActBases computes actBase from the row command bus, tRRD and tFAW.
func (c *Controller) computeActBases() {
	c.actBasesOK = true
	// The latest ACT over all bank groups; with tRRD_L >= tRRD_S (JEDEC's
	// order) a group's bound is the later of "any group + the short time"
	// and "its own + the long time".
	bases := c.actBase
	lastActBG := c.lastActBG[:len(bases)]
	lastAct := never
	for _, a := range lastActBG {
		lastAct = max(lastAct, a)
	}
	faw := max(c.nextRowCmd, c.actHist[c.actIdx]+c.t.FAW)
	anyBG := max(faw, lastAct+c.t.RRDS)
	rrdL := c.t.RRDL
	if rrdL < c.t.RRDS {
		for g := range bases {
			bases[g] = c.slowRRD(faw, g)
		}
		return
	}
	for g, a := range lastActBG {
		bases[g] = max(anyBG, a+rrdL)
	}
}

// computeColBases computes colBase from tCCD, the data bus and the
// turnarounds.
func (c *Controller) computeColBases() {
	c.colBasesOK = true
	bases := c.colBase
	lastColBG := c.lastColBG[:len(bases)]
	lastWrBG := c.lastWrDataEnd[:len(bases)]
	// The latest write data over all bank groups; with tWTR_L >= tWTR_S
	// the same argument as for tRRD holds.
	lastWr := never
	for _, w := range lastWrBG {
		lastWr = max(lastWr, w)
	}
	t := &c.t
	// The bounds shared by every bank group: tCCD_S after the last column
	// command, the data bus, tWTR_S after the last write data, and the
	// read-to-write turnaround (write data tRTW after the last read data).
	ccdS, ccdL := c.lastColCmd+t.CCDS, t.CCDL
	rdBus, wrBus := c.dataFree-t.CL, c.dataFree-t.CWL
	wtrS, wtrL := lastWr+t.WTRS, t.WTRL
	rtw := c.lastRdDataEnd + t.RTW - t.CWL
	slowWTR := t.WTRL < t.WTRS
	floor := int64(noWake)
	for g := range bases {
		// tCCD_L after the last column command in the same bank group.
		ccd := max(ccdS, lastColBG[g]+ccdL)
		// Reads: write-to-read turnaround tWTR_L after write data in the
		// same bank group, tWTR_S after write data in another.
		rd, rdWhy := max(ccd, rdBus), lossOther
		wtr := max(wtrS, lastWrBG[g]+wtrL)
		if slowWTR {
			wtr = c.slowWTR(g)
		}
		if wtr > rd {
			rd, rdWhy = wtr, lossTurnaround
		}
		// Writes: the read-to-write bus turnaround.
		wr, wrWhy := max(ccd, wrBus), lossOther
		if rtw > wr {
			wr, wrWhy = rtw, lossTurnaround
		}
		bases[g] = [2]colBase{{rd, rdWhy}, {wr, wrWhy}}
		floor = min(floor, rd, wr)
	}
	c.colMin = floor
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
	return max(c.bankActReady(b), c.actBase[c.banks[b].bg])
}

// rowCandidate is the row command bank b needs next: an ACT for its oldest
// segment when closed, a PRE when open and no queued segment hits the open
// row (FR-FCFS never closes a row that queued requests hit).
func (c *Controller) rowCandidate(b int) (kind CommandKind, at int64, age uint64, ok bool) {
	bk := &c.banks[b]
	if c.active&(1<<uint(b&63)) == 0 { // its queue is empty (b < 64)
		return 0, 0, 0, false
	}
	if bk.openRow < 0 {
		return CmdACT, c.actEarliest(b), bk.headSeq, true
	}
	if c.firstHit(b) != nil {
		return 0, 0, 0, false
	}
	return CmdPRE, max(bk.preReady, c.nextRowCmd), bk.headSeq, true
}
