package link

import (
	"github.com/roofsim/roofsim/sim/clock"
	akita "github.com/sarchlab/akita/v3/sim"
)

// TimeQueue is a min-queue of values by time; values of equal time leave
// in the order they were pushed. Components that hold many future
// deliveries keep them in a TimeQueue and schedule one engine event at its
// earliest time (see Waker), which keeps Akita's event heap small.
//
// PushLane queues a value in a lane (a source that mostly pushes in time
// order, such as one sender): a value not earlier than the lane's last one
// waits in the lane's FIFO and only the lane's first value sits in the heap,
// so the heap stays as small as the number of busy lanes. The order is the
// same as with Push: by time, then by push order.
//
// The heap (4-ary) holds only pointer-free keys, so reordering it costs no
// write barriers; direct values sit in a slab.
//
// A value that would leave first anyway (not later than the heap's
// earliest key) goes to the front run instead of the heap, and so do the
// values of the same time pushed after it while the run holds values: a
// zero-latency message sent at the current time then costs no heap
// operation. The run is in time-then-push order by construction, and Pop
// takes the earlier of its first value and the heap's, so the order is
// the same.
type TimeQueue[T any] struct {
	heap  []timeKey
	vals  []T
	free  []int32
	seq   uint64
	lanes []lane[T]
	front lane[T]
	n     int
}

// timeKey orders the heap; slot >= 0 is a value in vals, slot < 0 the head
// of lane -slot-1.
type timeKey struct {
	t    akita.VTimeInSec
	seq  uint64
	slot int32
}

func (a timeKey) less(b timeKey) bool {
	return a.t < b.t || a.t == b.t && a.seq < b.seq
}

// lane is a FIFO of values whose times do not decrease.
type lane[T any] struct {
	items []laneItem[T]
	head  int
}

type laneItem[T any] struct {
	t   akita.VTimeInSec
	seq uint64
	v   T
}

// Len is the number of values queued.
func (q *TimeQueue[T]) Len() int { return q.n }

// Push queues v at time t.
func (q *TimeQueue[T]) Push(t akita.VTimeInSec, v T) {
	if q.pushFront(t, v) {
		return
	}
	var slot int32
	if n := len(q.free); n > 0 {
		slot = q.free[n-1]
		q.free = q.free[:n-1]
		q.vals[slot] = v
	} else {
		slot = int32(len(q.vals))
		q.vals = append(q.vals, v)
	}
	q.n++
	q.pushKey(t, q.nextSeq(), slot)
}

// pushFront appends v to the front run if it may go there (see
// TimeQueue) and reports whether it did.
func (q *TimeQueue[T]) pushFront(t akita.VTimeInSec, v T) bool {
	f := &q.front
	if f.head < len(f.items) {
		if t != f.items[f.head].t {
			return false
		}
	} else {
		if len(q.heap) > 0 && t > q.heap[0].t {
			return false
		}
		f.items, f.head = f.items[:0], 0
	}
	f.items = append(f.items, laneItem[T]{t, q.nextSeq(), v})
	q.n++
	return true
}

func (q *TimeQueue[T]) nextSeq() uint64 {
	q.seq++
	return q.seq
}

// PushLane queues v at time t in lane l (l >= 0).
func (q *TimeQueue[T]) PushLane(l int, t akita.VTimeInSec, v T) {
	if q.pushFront(t, v) {
		return
	}
	for len(q.lanes) <= l {
		q.lanes = append(q.lanes, lane[T]{})
	}
	ln := &q.lanes[l]
	switch {
	case ln.head == len(ln.items):
		seq := q.nextSeq()
		ln.items = append(ln.items[:0], laneItem[T]{t, seq, v})
		ln.head = 0
		q.n++
		q.pushKey(t, seq, int32(-l-1))
	case t >= ln.items[len(ln.items)-1].t:
		if ln.head > 0 && len(ln.items) == cap(ln.items) {
			// Reuse the part already taken instead of growing.
			k := copy(ln.items, ln.items[ln.head:])
			clear(ln.items[k:])
			ln.items, ln.head = ln.items[:k], 0
		}
		ln.items = append(ln.items, laneItem[T]{t, q.nextSeq(), v})
		q.n++
	default:
		q.Push(t, v)
	}
}

func (q *TimeQueue[T]) pushKey(t akita.VTimeInSec, seq uint64, slot int32) {
	k := timeKey{t: t, seq: seq, slot: slot}
	q.heap = append(q.heap, k)
	i := len(q.heap) - 1
	for i > 0 {
		parent := (i - 1) / 4
		if !k.less(q.heap[parent]) {
			break
		}
		q.heap[i] = q.heap[parent]
		i = parent
	}
	q.heap[i] = k
}

// Next is the earliest time queued; ok is false when the queue is empty.
func (q *TimeQueue[T]) Next() (t akita.VTimeInSec, ok bool) {
	if f := &q.front; f.head < len(f.items) {
		t = f.items[f.head].t
		if len(q.heap) > 0 {
			t = min(t, q.heap[0].t)
		}
		return t, true
	}
	if len(q.heap) == 0 {
		return 0, false
	}
	return q.heap[0].t, true
}

// Pop takes the earliest value (see TimeQueue for the order among equal
// times). The queue must not be empty.
func (q *TimeQueue[T]) Pop() (akita.VTimeInSec, T) {
	q.n--
	if f := &q.front; f.head < len(f.items) {
		it := f.items[f.head]
		if len(q.heap) == 0 || (timeKey{t: it.t, seq: it.seq}).less(q.heap[0]) {
			f.items[f.head] = laneItem[T]{}
			f.head++
			return it.t, it.v
		}
	}
	if top := q.heap[0]; top.slot < 0 {
		ln := &q.lanes[-top.slot-1]
		it := ln.items[ln.head]
		ln.items[ln.head] = laneItem[T]{}
		ln.head++
		if ln.head < len(ln.items) {
			// The lane's next value takes its place at the root: one
			// sift-down instead of a pop and a push. Keys are unique (seq),
			// so the order does not depend on the heap's shape.
			next := ln.items[ln.head]
			q.siftDown(timeKey{t: next.t, seq: next.seq, slot: top.slot})
		} else {
			q.popKey()
		}
		return it.t, it.v
	}
	top := q.popKey()
	v := q.vals[top.slot]
	var zero T
	q.vals[top.slot] = zero
	q.free = append(q.free, top.slot)
	return top.t, v
}

func (q *TimeQueue[T]) popKey() timeKey {
	top := q.heap[0]
	n := len(q.heap) - 1
	last := q.heap[n]
	q.heap = q.heap[:n]
	if n > 0 {
		q.siftDown(last)
	}
	return top
}

// siftDown puts k at the root of the (non-empty) heap in place of the
// root's key and restores the heap order. Keys are unique (seq), so the
// order in which a node's children are compared does not matter: with all
// four present they are compared in pairs.
func (q *TimeQueue[T]) siftDown(k timeKey) {
	h := q.heap
	n := len(h)
	i := 0
	for {
		c := 4*i + 1
		if c >= n {
			break
		}
		best := c
		if c+3 < n {
			if h[c+1].less(h[c]) {
				best = c + 1
			}
			other := c + 2
			if h[c+3].less(h[c+2]) {
				other = c + 3
			}
			if h[other].less(h[best]) {
				best = other
			}
		} else {
			for j := c + 1; j < n; j++ {
				if h[j].less(h[best]) {
					best = j
				}
			}
		}
		if !h[best].less(k) {
			break
		}
		h[i] = h[best]
		i = best
	}
	h[i] = k
}

// Waker keeps at most one live engine event for a handler: Ensure(t)
// schedules a wake-up at t unless one at t or earlier is pending; an event
// that an earlier Ensure superseded is recognised by Take and ignored.
type Waker struct {
	engine akita.Engine
	// eng is engine when it is a link.Engine: schedule then pushes its
	// events without the interface calls of Schedule.
	eng     *Engine
	handler akita.Handler
	at      akita.VTimeInSec
	pending bool
	// atCycle is the cycle whose edge at is, when cycleOK (set by
	// EnsureCycle when it scheduled the pending event unclamped).
	atCycle int64
	cycleOK bool
	free    []*wakeEvent
}

// NewWaker returns a Waker that schedules events for handler on engine.
func NewWaker(engine akita.Engine, handler akita.Handler) *Waker {
	eng, _ := engine.(*Engine)
	return &Waker{engine: engine, eng: eng, handler: handler}
}

// Ensure makes sure the handler wakes up at t or earlier (at the current
// time if t has passed).
func (w *Waker) Ensure(t akita.VTimeInSec) {
	if w.pending && w.at <= t {
		return
	}
	w.schedule(t)
	w.cycleOK = false
}

// EnsureCycle is Ensure(clk.Time(c)) for a cycle c of clk, the one clock
// a Waker used this way must always be given. While the pending event is
// at the edge of an earlier or the same cycle it returns at once,
// comparing integers (Time grows with the cycle): converting c to a time
// is a floating-point division, which takes tens of cycles.
func (w *Waker) EnsureCycle(c int64, clk clock.Domain) {
	if w.pending && w.cycleOK && w.atCycle <= c {
		return
	}
	w.ensureCycle(c, clk)
}

// ensureCycle is EnsureCycle past its first test (kept apart so that
// the test is inlined).
func (w *Waker) ensureCycle(c int64, clk clock.Domain) {
	t := clk.Time(uint64(c))
	if w.pending && w.at <= t {
		return
	}
	w.cycleOK = !w.schedule(t)
	w.atCycle = c
}

// schedule schedules the wake-up at t, or at the current time if t has
// passed (it then reports true).
func (w *Waker) schedule(t akita.VTimeInSec) (clamped bool) {
	var now akita.VTimeInSec
	if w.eng != nil {
		now = w.eng.now
	} else {
		now = w.engine.CurrentTime()
	}
	if t < now {
		t, clamped = now, true
	}
	w.at, w.pending = t, true
	var ev *wakeEvent
	if n := len(w.free); n > 0 {
		ev = w.free[n-1]
		w.free = w.free[:n-1]
	} else {
		ev = &wakeEvent{handler: w.handler}
	}
	ev.time = t
	if w.eng != nil {
		// Engine.Schedule of a primary event at or after now.
		w.eng.primary.push(timedEvent{t, ev})
	} else {
		w.engine.Schedule(ev)
	}
	return clamped
}

// Take accepts an event the handler received: it returns false for a
// superseded event (ignore it) and true for the live one, which is then no
// longer pending. The event is recycled.
func (w *Waker) Take(e akita.Event) bool {
	ev, ok := e.(*wakeEvent)
	if !ok {
		return false
	}
	live := w.pending && ev.time == w.at
	w.free = append(w.free, ev)
	if live {
		w.pending = false
	}
	return live
}

// TakeCycle is Take for a Waker used with EnsureCycle: when the event is
// live and was scheduled at the edge of a cycle (not clamped to the
// current time), it also returns that cycle (cycleOK), which is then the
// last cycle of the clock whose edge is at or before the event's time
// (clock.Domain.LastEdge of it: edges grow strictly with the cycle).
func (w *Waker) TakeCycle(e akita.Event) (live bool, cycle int64, cycleOK bool) {
	cycle, cycleOK = w.atCycle, w.cycleOK
	live = w.Take(e)
	return live, cycle, live && cycleOK
}

// wakeEvent is a Waker's event.
type wakeEvent struct {
	time    akita.VTimeInSec
	handler akita.Handler
}

// Time is when the event happens.
func (e *wakeEvent) Time() akita.VTimeInSec { return e.time }

// Handler is the handler to wake.
func (e *wakeEvent) Handler() akita.Handler { return e.handler }

// IsSecondary is false: wake-ups are primary events.
func (e *wakeEvent) IsSecondary() bool { return false }
