package hbm

import "math/bits"

// dropHit forgets bank b's cached first row hit (its queue, open row or
// state changed).
func (c *Controller) dropHit(b int) {
	c.banks[b].hitOK = false
	c.hitDirty |= 1 << uint(b)
}

// nextHit caches bank b's first row hit after its cached one, s, was
// issued and left the queue (issueColumn on the fast path): the segments
// queued before s do not hit, so the first of rest (those after it) that
// hits the open row is the new one. It brings the bank's bit of hitMask
// up to date, as resyncHits would.
func (c *Controller) nextHit(b int, bk *bankState, rest []*segment) {
	bk.hit, bk.hitOK = nil, true
	for _, s := range rest {
		if s.row == bk.openRow {
			bk.hit, bk.hitSeq, bk.hitCol = s, s.seq, s.col
			break
		}
	}
	bit := uint64(1) << uint(b)
	if bk.hit != nil {
		c.hitMask |= bit
	} else {
		c.hitMask &^= bit
	}
	c.hitDirty &^= bit
}

// noteQueued updates bank bk's cached first row hit for segment s, just
// queued behind the bank's other segments: an older hit stays the first,
// and with none s is the first if it hits the open row. Without a cached
// hit (or on the reference path) it drops the cache, as a change of the
// queue does.
func (c *Controller) noteQueued(bk *bankState, s *segment) {
	if !bk.hitOK || c.ref {
		c.dropHit(s.bank)
		return
	}
	if bk.hit == nil && bk.openRow >= 0 && s.row == bk.openRow {
		bk.hit, bk.hitSeq, bk.hitCol = s, s.seq, s.col
		if c.hitDirty&(1<<uint(s.bank)) == 0 {
			c.hitMask |= 1 << uint(s.bank)
		}
	}
}

// syncHits brings hitMask up to date and returns the banks to visit for
// columns (with a row hit) and for row commands (active without one); on
// the reference path both are every active bank. It is small enough to be
// inlined: most calls find no bank to update.
func (c *Controller) syncHits() (colBanks, rowBanks uint64) {
	if c.ref {
		return c.active, c.active
	}
	if c.hitDirty != 0 {
		c.resyncHits()
	}
	return c.hitMask, c.active &^ c.hitMask
}

// resyncHits updates hitMask for the banks in hitDirty.
func (c *Controller) resyncHits() {
	for m := c.hitDirty; m != 0; m &= m - 1 {
		b := bits.TrailingZeros64(m)
		if c.firstHit(b) != nil {
			c.hitMask |= 1 << uint(b)
		} else {
			c.hitMask &^= 1 << uint(b)
		}
	}
	c.hitDirty = 0
}
