package hbm

import (
	"math"
	"math/bits"
)

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

// oldestHit returns the oldest row hit of the given banks (hitMask after
// syncHits, on the fast path) whose column command is legal at now (nil:
// none) and the earliest column cycle of their hits (noWake: none). On the
// fast path every bank of hitMask has its first hit cached after
// syncHits (resyncHits, noteQueued and nextHit set the bit only with the
// hit cached, and dropHit marks the bank for resyncHits), so the loop
// reads the banks' records alone.
func (c *Controller) oldestHit(now int64, banks uint64) (*segment, int64) {
	var best *segment
	bestSeq := uint64(math.MaxUint64) // above every segment's seq
	earliest := int64(noWake)
	bs, bound := c.banks, c.colBound
	for m := banks; m != 0; m &= m - 1 {
		bk := &bs[bits.TrailingZeros64(m)]
		t := max(bk.colReady, bound[bk.hitCol])
		earliest = min(earliest, t)
		if t <= now && bk.hitSeq < bestSeq {
			best, bestSeq = bk.hit, bk.hitSeq
		}
	}
	return best, earliest
}

// earliestHit is the earliest of next and the column cycles of the hits
// of the given banks (hitMask, as in oldestHit); it stops early once that
// is at or below stop (no hit's cycle below stop can change the outcome).
func (c *Controller) earliestHit(banks uint64, next, stop int64) int64 {
	bs, bound := c.banks, c.colBound
	for m := banks; m != 0 && next > stop; m &= m - 1 {
		bk := &bs[bits.TrailingZeros64(m)]
		next = min(next, max(bk.colReady, bound[bk.hitCol]))
	}
	return next
}
