package link

import (
	"fmt"
	"sync"
	"sync/atomic"

	akita "github.com/sarchlab/akita/v3/sim"
)

// Engine is a serial Akita engine that runs events in exactly the order
// akita's SerialEngine does, at a fraction of its cost per event: its event
// heaps hold each event's time next to it (no interface call per
// comparison), it takes no locks to read or schedule, and it needs no
// interface boxing for heap operations.
//
// The order is the same because the heaps are the same: a binary heap
// ordered by time alone, with the sift-up and sift-down steps of
// container/heap (which akita's EventQueueImpl uses), so events of equal
// time leave in the same (heap-dependent) order; primary events go before
// secondary ones of the same time, as in SerialEngine.nextEvent. An event's
// time must not change while it is queued (akita's queue assumes the same).
//
// Like SerialEngine, it runs on one goroutine; Pause and Continue may be
// called from another.
type Engine struct {
	akita.HookableBase

	now       akita.VTimeInSec
	events    int64
	primary   eventHeap
	secondary eventHeap
	// pauser gives Pause and Continue (one atomic load per event while
	// running); endHandlers the handlers Finished calls.
	pauser
	endHandlers
}

// NewEngine returns an empty engine at time 0.
func NewEngine() *Engine { return &Engine{} }

// CurrentTime is the time of the event being run (of the last one run).
func (e *Engine) CurrentTime() akita.VTimeInSec { return e.now }

// Schedule queues evt; an event before the current time is a bug of its
// scheduler (akita panics too).
func (e *Engine) Schedule(evt akita.Event) {
	t := evt.Time()
	if t < e.now {
		panic(fmt.Sprintf("link: engine: scheduling %T at %.12g s, before the current time %.12g s", evt, float64(t), float64(e.now)))
	}
	if evt.IsSecondary() {
		e.secondary.push(timedEvent{t, evt})
		return
	}
	e.primary.push(timedEvent{t, evt})
}

// Events is the number of events run so far (what a hook counting
// HookPosBeforeEvent would count, without a hook call per event).
func (e *Engine) Events() int64 { return e.events }

// Run runs every event until none is left.
func (e *Engine) Run() error {
	for len(e.primary) > 0 || len(e.secondary) > 0 {
		if e.paused.Load() {
			e.waitContinue()
		}
		var te timedEvent
		switch {
		case len(e.primary) == 0:
			te = e.secondary.pop()
		case len(e.secondary) == 0 || e.primary[0].t <= e.secondary[0].t:
			te = e.primary.pop()
		default:
			te = e.secondary.pop()
		}
		e.now = te.t
		e.events++
		if e.NumHooks() > 0 {
			e.InvokeHook(akita.HookCtx{Domain: e, Pos: akita.HookPosBeforeEvent, Item: te.evt})
		}
		_ = te.evt.Handler().Handle(te.evt)
		if e.NumHooks() > 0 {
			e.InvokeHook(akita.HookCtx{Domain: e, Pos: akita.HookPosAfterEvent, Item: te.evt})
		}
	}
	return nil
}

// Finished calls the registered simulation end handlers.
func (e *Engine) Finished() { e.finish(e.now) }

// pauser is an engine's Pause and Continue: Run checks paused before each
// event (one atomic load) and waits while it is set.
type pauser struct {
	// paused is set from Pause to Continue: Run then waits for resume to
	// close before its next event.
	paused  atomic.Bool
	pauseMu sync.Mutex
	resume  chan struct{}
}

// waitContinue blocks until Continue (or returns at once if it came).
func (p *pauser) waitContinue() {
	p.pauseMu.Lock()
	ch := p.resume
	p.pauseMu.Unlock()
	if ch != nil {
		<-ch
	}
}

// Pause stops Run before its next event until Continue.
func (p *pauser) Pause() {
	p.pauseMu.Lock()
	defer p.pauseMu.Unlock()
	if p.paused.Load() {
		return
	}
	p.resume = make(chan struct{})
	p.paused.Store(true)
}

// Continue lets a paused Run go on.
func (p *pauser) Continue() {
	p.pauseMu.Lock()
	defer p.pauseMu.Unlock()
	if !p.paused.Load() {
		return
	}
	p.paused.Store(false)
	close(p.resume)
	p.resume = nil
}

// endHandlers are the simulation end handlers an engine's Finished calls.
type endHandlers []akita.SimulationEndHandler

// RegisterSimulationEndHandler registers a handler Finished calls.
func (h *endHandlers) RegisterSimulationEndHandler(x akita.SimulationEndHandler) {
	*h = append(*h, x)
}

// finish calls the handlers with the time the simulation ended.
func (h endHandlers) finish(now akita.VTimeInSec) {
	for _, x := range h {
		x.Handle(now)
	}
}

// timedEvent is a queued event with its time.
type timedEvent struct {
	t   akita.VTimeInSec
	evt akita.Event
}

// before orders queued events by time alone, container/heap's comparison
// in akita's queue.
func (a timedEvent) before(b timedEvent) bool { return a.t < b.t }

// eventHeap is a binary min-heap by time with container/heap's algorithm
// (see Engine for why it must be that one).
type eventHeap []timedEvent

// push is heap.Push: append, then sift up. It moves the parents down into
// a hole instead of swapping (every step of container/heap's swaps
// carries the new event up one level: the same comparisons and the same
// final order).
func (h *eventHeap) push(te timedEvent) {
	*h = append(*h, te)
	s := *h
	j := len(s) - 1
	for j > 0 {
		i := (j - 1) / 2 // parent
		if !te.before(s[i]) {
			break
		}
		s[j] = s[i]
		j = i
	}
	s[j] = te
}

// pop is heap.Pop: swap the root with the last, sift down, take the last.
// The last event sinks from the root through a hole (as in push: the same
// comparisons and final order as container/heap's swaps).
func (h *eventHeap) pop() timedEvent {
	s := *h
	n := len(s) - 1
	top, x := s[0], s[n]
	i := 0
	for {
		j1 := 2*i + 1
		if j1 >= n || j1 < 0 {
			break
		}
		j := j1
		if j2 := j1 + 1; j2 < n && s[j2].before(s[j1]) {
			j = j2
		}
		if !s[j].before(x) {
			break
		}
		s[i] = s[j]
		i = j
	}
	s[i] = x
	s[n] = timedEvent{}
	*h = s[:n]
	return top
}
