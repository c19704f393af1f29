package link

import (
	"container/heap"
	"fmt"

	akita "github.com/sarchlab/akita/v3/sim"
)

// ShuffledEngine is a serial Akita engine for one experiment: it runs
// events in time order, primary events before secondary ones of the same
// time as akita does, but events of equal time in a pseudo-random order
// drawn from a seed instead of akita's heap order. A result that changes
// with the seed depends on the order of same-time events, which the model
// leaves to the engine (docs/speed.md, "Same-time order"). It is kept
// apart from Engine so that Engine's heap entries stay small; it is not
// tuned for speed.
type ShuffledEngine struct {
	akita.HookableBase
	pauser
	endHandlers

	now       akita.VTimeInSec
	events    int64
	state     uint64
	primary   keyedHeap
	secondary keyedHeap
}

// NewShuffledEngine returns an empty engine at time 0 whose tie keys are
// drawn from seed (0 is taken as 1: xorshift needs a state that is not 0).
func NewShuffledEngine(seed uint64) *ShuffledEngine {
	return &ShuffledEngine{state: max(seed, 1)}
}

// key is the next tie key: the next xorshift64 value (Marsaglia 2003,
// shifts 13, 7, 17).
func (e *ShuffledEngine) key() uint64 {
	x := e.state
	x ^= x << 13
	x ^= x >> 7
	x ^= x << 17
	e.state = x
	return x
}

// CurrentTime is the time of the event being run (of the last one run).
func (e *ShuffledEngine) CurrentTime() akita.VTimeInSec { return e.now }

// Events is the number of events run so far.
func (e *ShuffledEngine) Events() int64 { return e.events }

// Schedule queues evt with a fresh tie key; an event before the current
// time is a bug of its scheduler (akita panics too).
func (e *ShuffledEngine) Schedule(evt akita.Event) {
	t := evt.Time()
	if t < e.now {
		panic(fmt.Sprintf("link: shuffled engine: scheduling %T at %.12g s, before the current time %.12g s", evt, float64(t), float64(e.now)))
	}
	q := &e.primary
	if evt.IsSecondary() {
		q = &e.secondary
	}
	heap.Push(q, keyedEvent{t: t, k: e.key(), evt: evt})
}

// Run runs every event until none is left.
func (e *ShuffledEngine) Run() error {
	for e.primary.Len() > 0 || e.secondary.Len() > 0 {
		if e.paused.Load() {
			e.waitContinue()
		}
		q := &e.primary
		if q.Len() == 0 || e.secondary.Len() > 0 && e.secondary[0].t < e.primary[0].t {
			q = &e.secondary
		}
		ke := heap.Pop(q).(keyedEvent)
		e.now = ke.t
		e.events++
		e.InvokeHook(akita.HookCtx{Domain: e, Pos: akita.HookPosBeforeEvent, Item: ke.evt})
		_ = ke.evt.Handler().Handle(ke.evt)
		e.InvokeHook(akita.HookCtx{Domain: e, Pos: akita.HookPosAfterEvent, Item: ke.evt})
	}
	return nil
}

// Finished calls the registered simulation end handlers.
func (e *ShuffledEngine) Finished() { e.finish(e.now) }

// keyedEvent is a queued event with its time and its tie key.
type keyedEvent struct {
	t   akita.VTimeInSec
	k   uint64
	evt akita.Event
}

// keyedHeap orders events by time, then by tie key (container/heap).
type keyedHeap []keyedEvent

func (h keyedHeap) Len() int { return len(h) }
func (h keyedHeap) Less(i, j int) bool {
	return h[i].t < h[j].t || h[i].t == h[j].t && h[i].k < h[j].k
}
func (h keyedHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *keyedHeap) Push(x any)   { *h = append(*h, x.(keyedEvent)) }
func (h *keyedHeap) Pop() any {
	old := *h
	n := len(old) - 1
	x := old[n]
	old[n] = keyedEvent{}
	*h = old[:n]
	return x
}
