package link

import "math/bits"

// cycleWindowCycles is the span of cycles a CycleQueue keeps in its ring of
// buckets (a power of two); values further ahead wait in a heap until the
// window reaches them.
const cycleWindowCycles = 1024

// CycleQueue is a min-queue of values by integer clock cycle; values of
// the same cycle leave in the order they were pushed. It gives exactly the
// order of a TimeQueue fed with the cycles' times (by time, then by push
// order), with O(1) pushes and pops for the common case: a value due within
// cycleWindowCycles of the last one popped goes into that cycle's bucket
// (a FIFO) of a ring, and a bitmap of the non-empty buckets finds the next
// one. Values further ahead wait in a heap (far) and move into their
// buckets, in order, when the window reaches them; values pushed for a
// cycle before the last one popped (late) leave first, in order.
//
// The zero value is an empty queue.
type CycleQueue[T any] struct {
	// buckets and nonzero are arrays (nil until the first push): an index
	// masked to the window needs no bounds check.
	buckets *[cycleWindowCycles]cycleBucket[T]
	nonzero *[cycleWindowCycles / 64]uint64 // bit i set: buckets[i] holds values
	cur     int64                           // ring values lie in [cur, cur+cycleWindowCycles)
	inRing  int
	far     []cycleItem[T] // binary heap by (cycle, seq), cycles >= cur+window
	late    []cycleItem[T] // sorted by (cycle, seq), cycles < cur
	// seq numbers the values pushed to far and late: their order among
	// equal cycles. A value pushed into the ring needs none (a bucket is a
	// FIFO, and the far values of a cycle move into its bucket before the
	// window reaches it, so before any value goes there directly).
	seq uint64
}

// cycleBucket is the FIFO of one cycle's values.
type cycleBucket[T any] struct {
	items []T
	head  int
}

// cycleItem is a value outside the ring with its cycle and push number.
type cycleItem[T any] struct {
	cycle int64
	seq   uint64
	v     T
}

func (a cycleItem[T]) before(b cycleItem[T]) bool {
	return a.cycle < b.cycle || a.cycle == b.cycle && a.seq < b.seq
}

// Len is the number of values queued.
func (q *CycleQueue[T]) Len() int { return q.inRing + len(q.far) + len(q.late) }

// Push queues v at cycle c.
func (q *CycleQueue[T]) Push(c int64, v T) {
	if q.inRing > 0 && c >= q.cur && c < q.cur+cycleWindowCycles {
		// The common case, kept small enough to be inlined: the ring
		// holds values and c lies in its window.
		q.ringPush(c, v)
		return
	}
	q.push(c, v)
}

// push is Push past its common case.
func (q *CycleQueue[T]) push(c int64, v T) {
	if q.buckets == nil {
		q.buckets = new([cycleWindowCycles]cycleBucket[T])
		q.nonzero = new([cycleWindowCycles / 64]uint64)
	}
	q.seq++
	if q.Len() == 0 {
		// Nothing queued: the window may start anywhere.
		q.cur = c
	}
	switch {
	case c < q.cur:
		it := cycleItem[T]{c, q.seq, v}
		i := len(q.late)
		q.late = append(q.late, it)
		for i > 0 && it.before(q.late[i-1]) {
			q.late[i] = q.late[i-1]
			i--
		}
		q.late[i] = it
	case c < q.cur+cycleWindowCycles:
		q.ringPush(c, v)
	default:
		q.farPush(cycleItem[T]{c, q.seq, v})
	}
}

func (q *CycleQueue[T]) ringPush(c int64, v T) {
	i := uint(c & (cycleWindowCycles - 1))
	bk := &q.buckets[i]
	bk.items = append(bk.items, v)
	q.nonzero[i>>6] |= 1 << (i & 63)
	q.inRing++
}

// Next returns the earliest cycle queued (ok false: the queue is empty).
func (q *CycleQueue[T]) Next() (c int64, ok bool) {
	switch {
	case len(q.late) > 0:
		return q.late[0].cycle, true
	case q.inRing > 0:
		return q.cur + int64(q.firstOffset()), true
	case len(q.far) > 0:
		return q.far[0].cycle, true
	}
	return 0, false
}

// firstOffset is the distance from cur to the first non-empty bucket (the
// ring holds values).
func (q *CycleQueue[T]) firstOffset() int {
	start := int(q.cur & (cycleWindowCycles - 1))
	w := start / 64
	// The rest of the start word, then the following words (wrapping), then
	// the start word's part before start.
	if m := q.nonzero[w] >> uint(start%64); m != 0 {
		return bits.TrailingZeros64(m)
	}
	nw := len(q.nonzero)
	for k := 1; k <= nw; k++ {
		i := (w + k) % nw
		if m := q.nonzero[i]; m != 0 {
			pos := i*64 + bits.TrailingZeros64(m)
			return (pos - start + cycleWindowCycles) & (cycleWindowCycles - 1)
		}
	}
	panic("link: CycleQueue: ring count and bitmap disagree")
}

// PopDue removes and returns the earliest value and its cycle if that
// cycle is at most limit (ok false: none is). It is Next and Pop with one
// search of the ring.
func (q *CycleQueue[T]) PopDue(limit int64) (c int64, v T, ok bool) {
	if len(q.late) == 0 && q.inRing > 0 {
		// The common case: the first value is in the ring, in the bitmap
		// word of the window's start (Next and popFirst, inlined).
		start := uint(q.cur & (cycleWindowCycles - 1))
		if m := q.nonzero[start>>6] >> (start & 63); m != 0 {
			off := bits.TrailingZeros64(m)
			c = q.cur + int64(off)
			if c > limit {
				return 0, v, false
			}
			if off != 0 {
				q.advance(c)
			}
			return c, q.bucketPop(int(start) + off), true
		}
	}
	c, ok = q.Next()
	if !ok || c > limit {
		return 0, v, false
	}
	return c, q.popFirst(c), true
}

// Pop removes and returns the earliest value and its cycle; the queue must
// not be empty.
func (q *CycleQueue[T]) Pop() (int64, T) {
	c, ok := q.Next()
	if !ok {
		panic("link: CycleQueue: Pop on an empty queue")
	}
	return c, q.popFirst(c)
}

// popFirst removes the earliest value, whose cycle Next returned as c.
func (q *CycleQueue[T]) popFirst(c int64) T {
	if len(q.late) > 0 {
		it := q.late[0]
		copy(q.late, q.late[1:])
		q.late[len(q.late)-1] = cycleItem[T]{}
		q.late = q.late[:len(q.late)-1]
		return it.v
	}
	// c is the first ring value's cycle or, with an empty ring, the first
	// far value's: move the window there (and the far values it covers
	// into the ring).
	if c != q.cur {
		q.advance(c)
	}
	return q.bucketPop(int(c & (cycleWindowCycles - 1)))
}

// bucketPop removes the first value of bucket i (which holds one).
func (q *CycleQueue[T]) bucketPop(i int) T {
	bk := &q.buckets[i]
	v := bk.items[bk.head]
	var zero T
	bk.items[bk.head] = zero
	bk.head++
	if bk.head == len(bk.items) {
		bk.items, bk.head = bk.items[:0], 0
		q.nonzero[uint(i)>>6] &^= 1 << (uint(i) & 63)
	}
	q.inRing--
	return v
}

// advance moves the window's start to cycle c (no ring value is earlier)
// and moves the far values it now covers into their buckets, in order.
func (q *CycleQueue[T]) advance(c int64) {
	q.cur = c
	for len(q.far) > 0 && q.far[0].cycle < c+cycleWindowCycles {
		it := q.farPop()
		q.ringPush(it.cycle, it.v)
	}
}

func (q *CycleQueue[T]) farPush(it cycleItem[T]) {
	q.far = append(q.far, it)
	i := len(q.far) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !it.before(q.far[p]) {
			break
		}
		q.far[i] = q.far[p]
		i = p
	}
	q.far[i] = it
}

func (q *CycleQueue[T]) farPop() cycleItem[T] {
	top := q.far[0]
	n := len(q.far) - 1
	last := q.far[n]
	q.far[n] = cycleItem[T]{}
	q.far = q.far[:n]
	if n == 0 {
		return top
	}
	i := 0
	for {
		c := 2*i + 1
		if c >= n {
			break
		}
		if c+1 < n && q.far[c+1].before(q.far[c]) {
			c++
		}
		if !q.far[c].before(last) {
			break
		}
		q.far[i] = q.far[c]
		i = c
	}
	q.far[i] = last
	return top
}
