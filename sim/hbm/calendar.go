package hbm

import (
	"github.com/roofsim/roofsim/sim/clock"
	"github.com/roofsim/roofsim/sim/link"
	akita "github.com/sarchlab/akita/v3/sim"
)

// Calendar is the HBM clock domain's calendar: it wakes controllers at the
// HBM cycles they ask for, with one engine event per cycle in which any of
// them wakes. The 32 controllers of a streaming System often wake in the
// same cycles; sharing the event keeps the engine's work per cycle, not per
// controller. It is a scheduling aid of the System, not a model component:
// no controller sees another's wake-ups.
type Calendar struct {
	clk clock.Domain
	// queue holds the wake-ups by cycle; the reference path (refQueue)
	// keeps them by time in a heap instead.
	queue    link.CycleQueue[wakeUp]
	refQueue link.TimeQueue[wakeUp]
	ref      bool
	waker    *link.Waker
}

// wakeUp is a controller's wake-up at an HBM cycle.
type wakeUp struct {
	c     *Controller
	cycle int64
}

// NewCalendar returns a calendar for a clock of freqHz on engine.
func NewCalendar(engine akita.Engine, freqHz float64) *Calendar {
	return newCalendar(engine, freqHz, false)
}

// newCalendar is NewCalendar, on the reference path (Params.Reference)
// with reference set.
func newCalendar(engine akita.Engine, freqHz float64, reference bool) *Calendar {
	k := &Calendar{clk: clock.New(freqHz), ref: reference}
	k.waker = link.NewWaker(engine, k)
	return k
}

// wake asks for controller c to be woken at cycle.
func (k *Calendar) wake(c *Controller, cycle int64) {
	if k.ref {
		t := k.clk.Time(uint64(cycle))
		k.refQueue.PushLane(c.index, t, wakeUp{c, cycle})
		k.waker.Ensure(t)
		return
	}
	k.queue.Push(cycle, wakeUp{c, cycle})
	k.waker.EnsureCycle(cycle, k.clk)
}

// Handle wakes every controller due now.
func (k *Calendar) Handle(e akita.Event) error {
	live, limit, limitOK := k.waker.TakeCycle(e)
	if !live {
		return nil
	}
	now := e.Time()
	if k.ref {
		k.handleRef(now)
		return nil
	}
	if !limitOK {
		limit = k.clk.LastEdge(now)
	}
	for {
		_, w, ok := k.queue.PopDue(limit)
		if !ok {
			break
		}
		w.c.wake(w.cycle)
	}
	if c, ok := k.queue.Next(); ok {
		k.waker.EnsureCycle(c, k.clk)
	}
	return nil
}

// handleRef is Handle on the reference path.
func (k *Calendar) handleRef(now akita.VTimeInSec) {
	for {
		t, ok := k.refQueue.Next()
		if !ok || t > now {
			break
		}
		_, w := k.refQueue.Pop()
		w.c.wake(w.cycle)
	}
	if t, ok := k.refQueue.Next(); ok {
		k.waker.Ensure(t)
	}
}
