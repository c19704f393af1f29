package link

import (
	"math/rand/v2"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	akita "github.com/sarchlab/akita/v3/sim"
)

// orderEvent is an event of the engine-order test: handling it records its
// id and may schedule more events.
type orderEvent struct {
	t         akita.VTimeInSec
	id        int
	secondary bool
	h         *orderHandler
}

func (e *orderEvent) Time() akita.VTimeInSec        { return e.t }
func (e *orderEvent) Handler() akita.Handler        { return e.h }
func (e *orderEvent) IsSecondary() bool             { return e.secondary }
func (h *orderHandler) Handle(ev akita.Event) error { return h.handle(ev.(*orderEvent)) }

// orderHandler records the order of the events it handles and schedules new
// ones from a seeded generator, so that two engines fed the same seed see
// the same schedule calls as long as they run events in the same order.
type orderHandler struct {
	engine akita.Engine
	rng    *rand.Rand
	next   int
	left   int
	got    []int
	times  []akita.VTimeInSec
}

func (h *orderHandler) schedule(now akita.VTimeInSec) {
	// Few distinct times: many ties, the case where heap order matters.
	e := &orderEvent{t: now + akita.VTimeInSec(h.rng.IntN(4)), id: h.next, secondary: h.rng.IntN(5) == 0, h: h}
	h.next++
	h.left--
	h.engine.Schedule(e)
}

func (h *orderHandler) handle(e *orderEvent) error {
	h.got = append(h.got, e.id)
	h.times = append(h.times, h.engine.CurrentTime())
	for n := h.rng.IntN(3); n > 0 && h.left > 0; n-- {
		h.schedule(e.t)
	}
	return nil
}

// runOrder runs the seeded schedule on engine and returns the event ids in
// the order they ran and their times.
func runOrder(t *testing.T, engine akita.Engine, seed uint64, events int) ([]int, []akita.VTimeInSec) {
	t.Helper()
	h := &orderHandler{engine: engine, rng: rand.New(rand.NewPCG(seed, 7)), left: events}
	for i := 0; i < 50; i++ {
		h.schedule(0)
	}
	if err := engine.Run(); err != nil {
		t.Fatal(err)
	}
	if len(h.got) != h.next {
		t.Fatalf("ran %d of %d events", len(h.got), h.next)
	}
	return h.got, h.times
}

// TestEngineOrderMatchesAkita runs seeded schedules with many equal times
// and secondary events on Engine and on akita's SerialEngine and requires
// the same events in the same order at the same times.
func TestEngineOrderMatchesAkita(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3, 42} {
		want, wantT := runOrder(t, akita.NewSerialEngine(), seed, 20000)
		got, gotT := runOrder(t, NewEngine(), seed, 20000)
		if len(got) != len(want) {
			t.Fatalf("seed %d: %d events, akita ran %d", seed, len(got), len(want))
		}
		for i := range want {
			if got[i] != want[i] || gotT[i] != wantT[i] {
				t.Fatalf("seed %d: event %d is #%d at %v, akita ran #%d at %v", seed, i, got[i], gotT[i], want[i], wantT[i])
			}
		}
	}
}

// countHook counts the events an engine announces.
type countHook struct{ before, after int }

func (c *countHook) Func(ctx akita.HookCtx) {
	switch ctx.Pos {
	case akita.HookPosBeforeEvent:
		c.before++
	case akita.HookPosAfterEvent:
		c.after++
	}
}

func TestEngineHooksAndPast(t *testing.T) {
	e := NewEngine()
	c := &countHook{}
	e.AcceptHook(c)
	got, _ := runOrder(t, e, 5, 300)
	if c.before != len(got) || c.after != len(got) {
		t.Errorf("hooks saw %d/%d events, want %d", c.before, c.after, len(got))
	}
	defer func() {
		if recover() == nil {
			t.Error("scheduling before the current time did not panic")
		}
	}()
	e.Schedule(&orderEvent{t: e.CurrentTime() - 1, h: &orderHandler{}})
}

// pauseHandler counts the events it handles.
type pauseHandler struct{ n atomic.Int64 }

func (h *pauseHandler) Handle(akita.Event) error { h.n.Add(1); return nil }

// pauseEvent is an event of TestEnginePause.
type pauseEvent struct {
	t akita.VTimeInSec
	h *pauseHandler
}

func (e pauseEvent) Time() akita.VTimeInSec { return e.t }
func (e pauseEvent) Handler() akita.Handler { return e.h }
func (e pauseEvent) IsSecondary() bool      { return false }

// TestEnginePause checks that a paused engine runs no event until
// Continue.
func TestEnginePause(t *testing.T) {
	e := NewEngine()
	h := &pauseHandler{}
	for i := range 10 {
		e.Schedule(pauseEvent{akita.VTimeInSec(i), h})
	}
	e.Pause()
	done := make(chan error)
	go func() { done <- e.Run() }()
	time.Sleep(20 * time.Millisecond)
	if n := h.n.Load(); n != 0 {
		t.Fatalf("a paused engine ran %d events", n)
	}
	e.Continue()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := h.n.Load(); n != 10 {
		t.Errorf("ran %d of 10 events", n)
	}
}

// beforeEventCounter counts the events an engine announces to its hooks.
type beforeEventCounter struct{ n int64 }

func (c *beforeEventCounter) Func(ctx akita.HookCtx) {
	if ctx.Pos == akita.HookPosBeforeEvent {
		c.n++
	}
}

// TestEngineEvents checks that Events counts what a hook sees.
func TestEngineEvents(t *testing.T) {
	e := NewEngine()
	hook := &beforeEventCounter{}
	e.AcceptHook(hook)
	got, _ := runOrder(t, e, 5, 3000)
	if e.Events() != hook.n || e.Events() != int64(len(got)) {
		t.Fatalf("Events() = %d, the hook counted %d, the handler ran %d", e.Events(), hook.n, len(got))
	}
}

// TestShuffledEngine checks the engine of the same-time order experiment:
// events still run in time order, primary before secondary at equal
// times, the order among equal times is not akita's, and the same seed
// gives the same order.
func TestShuffledEngine(t *testing.T) {
	order := func(e akita.Engine) ([]int, []akita.VTimeInSec, []bool) {
		rng := rand.New(rand.NewPCG(9, 9))
		h := &orderHandler{engine: e, rng: rng} // left 0: handling schedules nothing
		evs := make([]*orderEvent, 1000)
		for i := range evs {
			evs[i] = &orderEvent{t: akita.VTimeInSec(rng.IntN(5)), id: i, secondary: rng.IntN(4) == 0, h: h}
			e.Schedule(evs[i])
		}
		if err := e.Run(); err != nil {
			t.Fatal(err)
		}
		sec := make([]bool, len(h.got))
		for i, id := range h.got {
			sec[i] = evs[id].secondary
		}
		return h.got, h.times, sec
	}
	plain, _, _ := order(NewEngine())
	a, at, as := order(NewShuffledEngine(1))
	b, _, _ := order(NewShuffledEngine(1))
	if len(a) != 1000 {
		t.Fatalf("ran %d of 1000 events", len(a))
	}
	for i := 1; i < len(a); i++ {
		if at[i] < at[i-1] {
			t.Fatalf("event %d at %v runs after one at %v", i, at[i], at[i-1])
		}
		if at[i] == at[i-1] && as[i-1] && !as[i] {
			t.Fatalf("a primary event at %v runs after a secondary one", at[i])
		}
	}
	if !slices.Equal(a, b) {
		t.Error("two engines of seed 1 ran the events in different orders")
	}
	if slices.Equal(a, plain) {
		t.Error("seed 1 ran equal-time events in akita's order")
	}
}
