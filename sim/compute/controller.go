package compute

import (
	"fmt"
	"slices"

	"github.com/roofsim/roofsim/sim/clock"
	"github.com/roofsim/roofsim/sim/link"
	akita "github.com/sarchlab/akita/v3/sim"
)

// arrayRun is the controller's view of one array during a kernel.
type arrayRun struct {
	buf        buffers
	next       int   // next work to dispatch
	pending    *work // work next, once generated (nil: not yet)
	completed  int
	dispatched int
}

// Segment is one part of a kernel's operand: a share of its elements that
// lives either in the on-chip activation store, in the on-chip weight
// store, or in off-chip memory at Base. A tile of the operand is split over
// the segments in proportion to their elements, so a tile of an operand
// made of two tensors (a residual add's two inputs) reads its share of
// each.
type Segment struct {
	// OnChip says the part lives in the activation store.
	OnChip bool
	// WeightStore says the part lives in the weight store (a pinned
	// weight; it is only read).
	WeightStore bool
	// Base is the DMA address of the part's first byte when it is off chip;
	// a tile at offset o of the operand's footprint reads from
	// Base + o x Elems / (the operand's elements), rounded down to a burst.
	Base uint64
	// Elems is the operand elements in the part.
	Elems int64
}

// Binding says where each operand of a kernel lives. An operand without
// segments is read from (or written to) off-chip memory at the plan's own
// addresses, as a kernel run alone is.
type Binding struct {
	// Operands lists each operand's segments.
	Operands [numOperands][]Segment
	// StoredWeights says the Weights operand is stored weights or
	// parameters, which no kernel writes: with Options.PrefetchWeights the
	// controller may load its first tiles while the previous kernel runs.
	StoredWeights bool
}

// Controller walks a plan's steps: it issues tile loads to the DMA as
// buffer halves free up, hands each step to its array (or vector unit) once
// its tiles are in, and writes finished output tiles back.
type Controller struct {
	*akita.ComponentBase
	engine     akita.Engine
	clock      clock.Domain
	port       akita.Port
	dma        akita.Port
	arrayPorts []akita.Port
	vecPorts   []akita.Port

	// single says the design is single-buffered: one tile per buffer;
	// fifo that it is stream-buffered: each buffer a FIFO of capacity
	// bytes per operand.
	single   bool
	fifo     bool
	capacity [numOperands]int64
	// launch is the design's kernel launch overhead in cycles; a kernel
	// that starts at cycle start issues nothing before runStart = start +
	// launch.
	launch, runStart uint64

	store      akita.Port // the activation store (nil: none)
	wstore     akita.Port // the weight store (nil: none)
	dmaName    string
	storeName  string
	wstoreName string
	burstBytes int64
	region     uint64 // bytes of each operand's region in a plan

	plan   *Plan
	bind   Binding
	start  uint64
	arrays []arrayRun
	// loads walks the loads of each loaded operand; the next to issue is
	// the one it peeks.
	loads [numOperands]*loadCursor
	// transfers are the transfers in flight by id; transferSeq is the next
	// id.
	transfers   map[int]*transfer
	transferSeq int
	stores      int // stores in flight
	epilogues   int // epilogues dispatched and not done
	running     bool
	endCycle    uint64
	err         error

	// Prefetch (Options.PrefetchWeights): the next kernel's plan and
	// binding (nil: none, or not to be prefetched); its weight loads of the
	// first step, in order; how many of them are issued and their bytes;
	// the prefetches in flight. prefetchedBytes is the running kernel's
	// bytes loaded before it started.
	prefetch        bool
	next            *Plan
	nextBind        Binding
	nextLoads       []load
	nextIssued      int
	nextBytes       int64
	prefetchPending int
	prefetchedBytes int64
	// beginNext and beginNextBind wait for begin's start event.
	beginNext     *Plan
	beginNextBind Binding

	// finished is called when a kernel ends, in its end cycle.
	finished func()

	tracer Tracer
	seq    int // the kernel's number in the simulator, for the trace
}

// newController builds the controller named name.
func newController(name string, engine akita.Engine, c clock.Domain) *Controller {
	ct := &Controller{ComponentBase: akita.NewComponentBase(name), engine: engine, clock: c, transfers: make(map[int]*transfer)}
	ct.port = link.NewPort(ct, portCapacity, name+".Ctrl")
	ct.AddPort("Ctrl", ct.port)
	return ct
}

// startEvent begins a kernel.
type startEvent struct {
	time akita.VTimeInSec
	ctrl *Controller
}

// Time, Handler and IsSecondary make startEvent an akita.Event.
func (e startEvent) Time() akita.VTimeInSec { return e.time }
func (e startEvent) Handler() akita.Handler { return e.ctrl }
func (e startEvent) IsSecondary() bool      { return false }

// begin schedules plan p, bound to b, to start at the engine's current
// time; next (bound to nb) is the kernel after it, nil for none.
func (c *Controller) begin(p *Plan, b Binding, next *Plan, nb Binding) {
	c.plan, c.bind = p, b
	c.beginNext, c.beginNextBind = next, nb
	c.running = true
	c.engine.Schedule(startEvent{time: c.engine.CurrentTime(), ctrl: c})
}

// launchEvent ends a kernel's launch overhead.
type launchEvent struct {
	time akita.VTimeInSec
	ctrl *Controller
}

// Time, Handler and IsSecondary make launchEvent an akita.Event.
func (e launchEvent) Time() akita.VTimeInSec { return e.time }
func (e launchEvent) Handler() akita.Handler { return e.ctrl }
func (e launchEvent) IsSecondary() bool      { return false }

// Handle starts the kernel, or ends its launch overhead.
func (c *Controller) Handle(evt akita.Event) error {
	if _, ok := evt.(launchEvent); ok {
		c.progress()
		return nil
	}
	c.startNow(c.clock.Cycle(evt.Time()), c.beginNext, c.beginNextBind)
	c.beginNext, c.beginNextBind = nil, Binding{}
	return nil
}

// startNow starts the kernel c.plan at cycle now; next (bound to nb) is
// the kernel after it, nil for none.
func (c *Controller) startNow(now uint64, next *Plan, nb Binding) {
	p := c.plan
	c.running = true
	c.start = now
	c.runStart = now + c.launch
	if c.launch > 0 {
		c.engine.Schedule(launchEvent{time: c.clock.TimeNotBefore(c.runStart, c.engine.CurrentTime()), ctrl: c})
	}
	c.seq++
	// Weight tiles prefetched for this kernel stay in their halves.
	var kept [][]slot
	if c.nextIssued > 0 {
		kept = make([][]slot, len(c.arrays))
		for ai := range c.arrays {
			kept[ai] = make([]slot, len(c.arrays[ai].buf.slots[Weights]))
			for h, sl := range c.arrays[ai].buf.slots[Weights] {
				if sl.next {
					sl.next = false
					kept[ai][h] = sl
				}
			}
		}
	}
	if cap(c.arrays) >= p.Arrays {
		c.arrays = c.arrays[:p.Arrays]
		clear(c.arrays)
	} else {
		c.arrays = make([]arrayRun, p.Arrays)
	}
	for ai := range c.arrays {
		c.arrays[ai].buf.reset(c.single, c.fifo, c.capacity)
	}
	for ai := range min(len(kept), len(c.arrays)) {
		c.arrays[ai].buf.keep(kept[ai])
	}
	for _, op := range loadOperands {
		c.loads[op] = newLoadCursor(p, op)
	}
	// The prefetched loads are the first of the kernel's weight loads.
	for range c.nextIssued {
		c.loads[Weights].peek()
		c.loads[Weights].pop()
	}
	c.prefetchedBytes = c.nextBytes
	if c.prefetchPending > 0 {
		// Prefetches still in flight are now the kernel's own loads: keep
		// their transfer records.
		for _, t := range c.transfers {
			t.next = false
		}
	} else {
		clear(c.transfers)
		c.transferSeq = 0
	}
	c.prefetchPending, c.nextIssued, c.nextBytes = 0, 0, 0
	c.setNext(next, nb)
	c.stores = 0
	c.epilogues = 0
	c.progress()
}

// setNext tells the controller the kernel that follows the running one,
// whose first weight tiles it may prefetch (with Options.PrefetchWeights
// and stored weights); nil for none.
func (c *Controller) setNext(p *Plan, b Binding) {
	c.next, c.nextBind = nil, Binding{}
	c.nextLoads = c.nextLoads[:0]
	if !c.prefetch || p == nil || !b.StoredWeights {
		return
	}
	c.next, c.nextBind = p, b
	lc := newLoadCursor(p, Weights)
	for l := lc.peek(); l != nil && l.step == 0; l = lc.peek() {
		cp := *l
		cp.consumers = slices.Clone(l.consumers)
		c.nextLoads = append(c.nextLoads, cp)
		lc.pop()
	}
}

// finish ends the kernel in the current cycle and hands over to the
// simulator, which may start the next one.
func (c *Controller) finish() {
	c.running = false
	c.endCycle = c.now()
	if c.tracer != nil {
		id := kernelTaskID(c.seq)
		c.tracer.Task(TraceTask{ID: id, Kind: TaskKernel, What: c.plan.Kernel.Name, Where: c.Name(),
			StartTime: c.clock.Time(c.start), EndTime: c.clock.Time(c.endCycle)})
	}
	if c.finished != nil {
		c.finished()
	}
}

// done reports whether the kernel finished: every work completed and every
// output written back.
func (c *Controller) done() bool {
	if c.plan == nil {
		return true
	}
	for i := range c.plan.Arrays {
		if c.arrays[i].completed < c.plan.src.works(i) {
			return false
		}
	}
	return c.stores == 0 && c.epilogues == 0
}

// check reports what is unfinished after the engine stopped.
func (c *Controller) check() error {
	if c.err != nil {
		return c.err
	}
	for i := range c.plan.Arrays {
		if a, n := c.arrays[i], c.plan.src.works(i); a.completed < n {
			return fmt.Errorf("compute: kernel %s: array %d completed %d of %d steps (dispatched %d) when the simulation stopped",
				c.plan.Kernel.Name, i, a.completed, n, a.dispatched)
		}
	}
	if c.stores != 0 {
		return fmt.Errorf("compute: kernel %s: %d output stores were not done when the simulation stopped", c.plan.Kernel.Name, c.stores)
	}
	if c.epilogues != 0 {
		return fmt.Errorf("compute: kernel %s: %d epilogues were not done when the simulation stopped", c.plan.Kernel.Name, c.epilogues)
	}
	if c.prefetchPending != 0 {
		return fmt.Errorf("compute: kernel %s: %d prefetched tiles never arrived", c.plan.Kernel.Name, c.prefetchPending)
	}
	for _, op := range loadOperands {
		lc := c.loads[op]
		if lc == nil {
			continue
		}
		n := 0
		for ; lc.peek() != nil; lc.pop() {
			n++
		}
		if n > 0 {
			return fmt.Errorf("compute: kernel %s: %d %s loads were never issued", c.plan.Kernel.Name, n, op)
		}
	}
	return nil
}

// NotifyPortFree is not used: links never refuse a message from it.
func (c *Controller) NotifyPortFree(akita.VTimeInSec, akita.Port) {}

// NotifyRecv takes transfer and compute completions.
func (c *Controller) NotifyRecv(now akita.VTimeInSec, port akita.Port) {
	for msg := port.Retrieve(now); msg != nil; msg = port.Retrieve(now) {
		switch m := msg.(type) {
		case *transferDone:
			c.transferDone(m.id, m.onChip)
		case *computeDone:
			if m.epilogue {
				c.epilogueDone(m.engine, m.index)
			} else {
				c.computeDone(m.engine, m.index)
			}
		default:
			c.fail(fmt.Errorf("controller: unexpected message %T", msg))
		}
	}
	c.progress()
}

func (c *Controller) fail(err error) {
	if c.err == nil {
		c.err = err
	}
}

func (c *Controller) now() uint64 { return c.clock.Cycle(c.engine.CurrentTime()) }
