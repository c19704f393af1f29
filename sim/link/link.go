// Package link provides Link, an Akita connection that delivers each
// message at its send time plus a fixed latency in cycles of a clock domain,
// the lock-free Port that goes with it, and TimeQueue and Waker, the pieces
// that let a component hold many future deliveries behind one engine event.
//
// Akita's DirectConnection is a ticking component: it costs two events per
// message and ticks while it holds messages. A Link never ticks: messages
// wait in its own TimeQueue, and it keeps one engine event at the earliest
// of them, so it costs at most one event per message (messages due at the
// same time share one) and the engine's event heap stays small.
//
// A sender may stamp a message with a SendTime in the future (a component
// that has already committed the resource that delays the message, such as
// a data channel slot, sends it once, stamped with the cycle it leaves);
// the Link delivers it at that time plus its latency. Send times in the past
// are treated as now (with no latency, they are delivered at once, ahead of
// messages due now). A source's messages are delivered in time order, and
// in send order among equal times.
//
// Flow control follows Akita's rules: a source port may have at most its
// sourceSideBufSize messages in flight (PlugIn); Send fails beyond that and
// the Link calls the source port's NotifyAvailable when one is delivered.
// When a destination port refuses a message (its buffer is full), the Link
// keeps it, and every later message to that port, in order, and retries when
// the destination calls NotifyAvailable.
package link

import (
	"fmt"

	"github.com/roofsim/roofsim/sim/clock"
	akita "github.com/sarchlab/akita/v3/sim"
)

// end is the Link's record of one plugged-in port.
type end struct {
	port akita.Port
	// capacity is the most messages from this port in flight at once;
	// 0 means no limit.
	capacity int
	inFlight int
	// busy records that a Send from this port failed, so the port must be
	// told when it can send again.
	busy bool
	// pending holds messages to this port that it refused, in order.
	pending []akita.Msg
	// retry records that the port has room again for pending.
	retry bool
	// lane numbers the port's lane in the Link's queue (its messages as
	// a source).
	lane int
}

// delivery is a queued message, or (retry set) a retry of a port's pending
// messages.
type delivery struct {
	msg   akita.Msg
	retry *end
}

// Link is a fixed-latency point-to-point connection. Any number of ports may
// be plugged in; a message goes from its Src to its Dst. Messages due at the
// same time are delivered in the order they were sent, with one engine event.
type Link struct {
	akita.HookableBase

	name          string
	engine        akita.Engine
	clk           clock.Domain
	latencyCycles uint64
	ends          map[akita.Port]*end
	queue         TimeQueue[delivery]
	waker         *Waker
	lanes         int // lanes given out (one per plugged-in port)
}

// New returns a Link named name that delivers every message latencyCycles
// cycles of clk after its send time (at exactly its send time when
// latencyCycles is 0).
func New(name string, engine akita.Engine, clk clock.Domain, latencyCycles uint64) *Link {
	akita.NameMustBeValid(name)
	l := &Link{
		name:          name,
		engine:        engine,
		clk:           clk,
		latencyCycles: latencyCycles,
		ends:          make(map[akita.Port]*end),
	}
	l.waker = NewWaker(engine, l)
	return l
}

// Name returns the Link's name.
func (l *Link) Name() string { return l.name }

// PlugIn connects port to the Link. sourceSideBufSize is the most messages
// the port may have in flight at once; 0 or less means no limit.
func (l *Link) PlugIn(port akita.Port, sourceSideBufSize int) {
	e := &end{port: port, capacity: max(sourceSideBufSize, 0), lane: l.lanes}
	l.ends[port] = e
	l.lanes++
	if p, ok := port.(*Port); ok {
		p.linkEnd, p.link = e, l
	}
	port.SetConnection(l)
}

// Unplug disconnects port from the Link.
func (l *Link) Unplug(port akita.Port) {
	delete(l.ends, port)
	if p, ok := port.(*Port); ok && p.link == l {
		p.linkEnd, p.link = nil, nil
	}
	port.SetConnection(nil)
}

// CanSend reports whether src may send a message now.
func (l *Link) CanSend(src akita.Port) bool {
	e := l.mustEnd(src)
	if e.capacity > 0 && e.inFlight >= e.capacity {
		e.busy = true
		return false
	}
	return true
}

// Send queues msg for delivery at its send time (or now, if later) plus the
// Link's latency. It fails when the source has its limit of messages in
// flight.
func (l *Link) Send(msg akita.Msg) *akita.SendError {
	meta := msg.Meta()
	src := l.mustEnd(meta.Src)
	l.mustEnd(meta.Dst)
	if src.capacity > 0 && src.inFlight >= src.capacity {
		src.busy = true
		return akita.NewSendError()
	}
	src.inFlight++
	t := meta.SendTime
	if l.latencyCycles > 0 {
		if now := l.engine.CurrentTime(); t < now {
			t = now
		}
		t = l.clk.Time(l.clk.Cycle(t) + l.latencyCycles)
	}
	// Without latency a send time in the past (Akita's rule is "now"; a
	// cycle conversion may land a rounding error early) is delivered at
	// the current time: the Waker never schedules in the past. Reading the
	// engine's clock takes locks, so the hot zero-latency path skips it.
	l.queue.PushLane(src.lane, t, delivery{msg: msg})
	l.waker.Ensure(t)
	return nil
}

// NotifyAvailable is called by a destination port that has room again; the
// Link retries the messages it holds for that port.
func (l *Link) NotifyAvailable(now akita.VTimeInSec, port akita.Port) {
	e := l.endOf(port)
	if e == nil || len(e.pending) == 0 || e.retry {
		return
	}
	e.retry = true
	l.push(now, delivery{retry: e})
}

// InFlight is the number of messages sent and not yet delivered.
func (l *Link) InFlight() int {
	n := 0
	for _, e := range l.ends {
		n += e.inFlight
	}
	return n
}

// Handle delivers every message due now.
func (l *Link) Handle(evt akita.Event) error {
	if !l.waker.Take(evt) {
		return nil
	}
	now := evt.Time()
	for {
		t, ok := l.queue.Next()
		if !ok || t > now {
			break
		}
		_, d := l.queue.Pop()
		if d.retry != nil {
			l.retry(now, d.retry)
			continue
		}
		l.deliver(now, d.msg)
	}
	if t, ok := l.queue.Next(); ok {
		l.waker.Ensure(t)
	}
	return nil
}

// deliver hands msg to its destination, or holds it while the destination
// refuses messages.
func (l *Link) deliver(now akita.VTimeInSec, msg akita.Msg) {
	dst := l.endOf(msg.Meta().Dst)
	if dst != nil && len(dst.pending) > 0 {
		// Keep the order of messages to a port that refused one.
		dst.pending = append(dst.pending, msg)
		return
	}
	if !l.tryDeliver(now, msg) && dst != nil {
		dst.pending = append(dst.pending, msg)
	}
}

func (l *Link) retry(now akita.VTimeInSec, e *end) {
	e.retry = false
	for len(e.pending) > 0 {
		if !l.tryDeliver(now, e.pending[0]) {
			return
		}
		e.pending[0] = nil
		e.pending = e.pending[1:]
	}
}

// tryDeliver hands msg to its destination; on success it frees the source's
// slot and tells a blocked source that it can send again.
func (l *Link) tryDeliver(now akita.VTimeInSec, msg akita.Msg) bool {
	meta := msg.Meta()
	meta.RecvTime = now
	if err := meta.Dst.Recv(msg); err != nil {
		return false
	}
	if src := l.endOf(meta.Src); src != nil {
		src.inFlight--
		if src.busy {
			src.busy = false
			src.port.NotifyAvailable(now)
		}
	}
	return true
}

// endOf is the Link's record of port p (nil if p is not plugged in); a
// link.Port carries it, other ports are looked up.
func (l *Link) endOf(p akita.Port) *end {
	if lp, ok := p.(*Port); ok && lp.link == l {
		return lp.linkEnd
	}
	return l.ends[p]
}

func (l *Link) mustEnd(p akita.Port) *end {
	if lp, ok := p.(*Port); ok && lp.link == l {
		return lp.linkEnd // endOf's common case, inlined
	}
	return l.mustEndSlow(p)
}

// mustEndSlow is mustEnd for a port that is not a link.Port of l.
func (l *Link) mustEndSlow(p akita.Port) *end {
	e := l.endOf(p)
	if e == nil {
		// A wiring error in the simulator's own code, not an input error.
		name := "<nil>"
		if p != nil {
			name = p.Name()
		}
		panic(fmt.Sprintf("link %s: port %s is not plugged in", l.name, name))
	}
	return e
}

func (l *Link) push(t akita.VTimeInSec, d delivery) {
	l.queue.Push(t, d)
	l.waker.Ensure(t)
}
