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
			bk.hit, bk.hitSeq, bk.hitCol = s, s.seq, s.col
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

// computeActBases computes actShared, the part of the earliest ACT cycle
// shared by every bank group: the row command bus, tFAW and, with tRRD_L
// >= tRRD_S (JEDEC's order), tRRD_S after the latest ACT of any group;
// each group's own part, tRRD_L after its last ACT, is actGrp (kept by
// activate). With tRRD_L < tRRD_S the groups' bounds are not separable
// and actGrp is recomputed here in full.
func (c *Controller) computeActBases() {
	c.actBasesOK = true
	faw := max(c.nextRowCmd, c.actHist[c.actIdx]+c.t.FAW)
	if c.t.RRDL < c.t.RRDS {
		for g := range c.actGrp {
			c.actGrp[g] = c.slowRRD(faw, g)
		}
		c.actShared = faw
		return
	}
	c.actShared = max(faw, c.lastAct+c.t.RRDS)
}

// computeColBases computes colBound, each bank group's earliest column
// cycles, and colMin, the earliest of them. The bounds shared by every
// group are tCCD_S after the last column command, the data bus, tWTR_S
// after the last write data (reads) and the read-to-write turnaround
// (writes); the per-group parts (colGrp, indexed as colBound) change
// only with a column command in that group and are kept by setColGroup.
// With tWTR_L < tWTR_S (slowWTR) the write-to-read bound is not
// separable, and colGrp is recomputed here in full instead.
func (c *Controller) computeColBases() {
	c.colBasesOK = true
	t := &c.t
	ccdS := c.lastColCmd + t.CCDS
	rtw := c.lastRdDataEnd + t.RTW - t.CWL
	rd, wr := max(ccdS, c.dataFree-t.CL), max(ccdS, c.dataFree-t.CWL, rtw)
	if c.slowWTR {
		for g, last := range c.lastColBG {
			c.colGrp[2*g], c.colGrp[2*g+1] = max(last+t.CCDL, c.slowWTRBound(g)), last+t.CCDL
		}
	} else {
		// With tWTR_L >= tWTR_S (JEDEC's order) a group's write-to-read
		// bound is the later of "the latest write data of any group + the
		// short time" and "its own + the long time" (colGrp).
		rd = max(rd, c.lastWrEnd+t.WTRS)
	}
	// Each group's and direction's bound, and their minimum.
	grp := c.colGrp
	bound := c.colBound[:len(grp)]
	lo := int64(noWake)
	for i := 1; i < len(grp); i += 2 {
		r, w := max(rd, grp[i-1]), max(wr, grp[i])
		bound[i-1], bound[i] = r, w
		lo = min(lo, r, w)
	}
	c.colMin = lo
}

// setColGroup brings bank group g's part of the earliest column cycles up
// to date after a column command in it: tCCD_L after its last column
// command and (reads) tWTR_L after its last write data.
func (c *Controller) setColGroup(g int) {
	if c.slowWTR {
		return // computeColBases recomputes every group
	}
	ccd := c.lastColBG[g] + c.t.CCDL
	c.colGrp[2*g], c.colGrp[2*g+1] = max(ccd, c.lastWrDataEnd[g]+c.t.WTRL), ccd
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

// slowWTRBound is bank group g's tWTR bound group by group (for timing
// where tWTR_L < tWTR_S).
func (c *Controller) slowWTRBound(g int) int64 {
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

// hitColEarliest is the earliest cycle for the first column command of
// bank bk's first row hit (reads or writes, from its cached direction):
// the bank's own tRCD and its bank group's bounds, shared and own
// (computeBases and the bank's firstHit must be current).
func (c *Controller) hitColEarliest(bk *bankState) int64 {
	return max(bk.colReady, c.colBound[bk.hitCol])
}

// bankHit is firstHit(b) for bank bk (= &c.banks[b]), reading the cache
// without a call when it is current.
func (c *Controller) bankHit(b int, bk *bankState) *segment {
	if bk.hitOK {
		return bk.hit
	}
	return c.firstHit(b)
}

// colLoss is the constraint that sets the earliest column cycle of a
// segment of bank b (reads or writes; see hitColEarliest): the bank's row
// (tRCD) when it is the latest, else a turnaround when one is later than
// tCCD and the data bus, else the other bounds.
func (c *Controller) colLoss(b int, write bool) lossReason {
	bk := &c.banks[b]
	t := &c.t
	g := int(bk.bg)
	ccd := max(c.lastColCmd+t.CCDS, c.lastColBG[g]+t.CCDL)
	base, turn := max(ccd, c.dataFree-t.CL), int64(never)
	if write {
		base, turn = max(ccd, c.dataFree-t.CWL), c.lastRdDataEnd+t.RTW-t.CWL
	} else if c.slowWTR {
		turn = c.slowWTRBound(g)
	} else {
		turn = max(c.lastWrEnd+t.WTRS, c.lastWrDataEnd[g]+t.WTRL)
	}
	switch {
	case bk.colReady >= max(base, turn):
		return lossRow
	case turn > base:
		return lossTurnaround
	}
	return lossOther
}

// colFloor is the earliest column cycle any bank could have: every
// column candidate is at or after its bank group's bounds (computeBases
// must be current; computeColBases keeps the minimum).
func (c *Controller) colFloor() int64 { return c.colMin }

// rowCandidate is the row command bank b needs next: an ACT for its oldest
// segment when closed, a PRE when open and no queued segment hits the open
// row (FR-FCFS never closes a row that queued requests hit).
func (c *Controller) rowCandidate(b int) (kind CommandKind, at int64, age uint64, ok bool) {
	bk := &c.banks[b]
	if c.active&(1<<uint(b&63)) == 0 { // its queue is empty (b < 64)
		return 0, 0, 0, false
	}
	if bk.openRow < 0 {
		// The earliest ACT: the bank's own bound (bankActReady), the
		// shared one and its group's (computeBases must be current).
		return CmdACT, max(bk.actReady, c.refFloor, c.actShared, c.actGrp[bk.bg]), bk.headSeq, true
	}
	if c.bankHit(b, bk) != nil {
		return 0, 0, 0, false
	}
	return CmdPRE, max(bk.preReady, c.nextRowCmd), bk.headSeq, true
}
