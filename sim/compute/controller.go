package compute

import (
	"fmt"

	"github.com/roofsim/roofsim/sim/clock"
	"github.com/roofsim/roofsim/sim/link"
	akita "github.com/sarchlab/akita/v3/sim"
)

// slotState is the state of one half of a double buffer.
type slotState int

const (
	slotFree slotState = iota
	slotLoading
	slotReady
)

// slot is one half of an operand's double buffer in one array.
type slot struct {
	state slotState
	key   tileKey
	// readyCycle is when the tile became usable; onChip says its last part
	// came from the activation store.
	readyCycle uint64
	onChip     bool
}

// buffers are one array's on-chip buffers: two halves (slots) for each of
// inputs, weights and outputs. A half holds one tile; a tile is loaded into
// a free half while the array works from the other, and the half is freed
// when the array's next step no longer uses it (inputs, weights) or when
// the tile's write-back is done (outputs).
type buffers struct {
	slots [numOperands][2]slot
}

// find returns the half holding key, or -1.
func (b *buffers) find(op Operand, key tileKey) int {
	for i := range b.slots[op] {
		if s := b.slots[op][i]; s.state != slotFree && s.key == key {
			return i
		}
	}
	return -1
}

// freeHalf returns a free half of op, or -1.
func (b *buffers) freeHalf(op Operand) int {
	for i := range b.slots[op] {
		if b.slots[op][i].state == slotFree {
			return i
		}
	}
	return -1
}

// release frees the half holding key.
func (b *buffers) release(op Operand, key tileKey) {
	if i := b.find(op, key); i >= 0 {
		b.slots[op][i] = slot{}
	}
}

// arrayRun is the controller's view of one array during a kernel.
type arrayRun struct {
	buf        buffers
	next       int // next work to dispatch
	completed  int
	dispatched int
}

// transfer is a load or a store the DMA (or the activation store) is
// doing, in one or more parts.
type transfer struct {
	load  int // index in plan.loads, or -1
	array int // for a store
	key   tileKey
	op    Operand
	// parts is the number of parts not yet done; onChip says the part done
	// last came from the activation store; hbm that a part went through the
	// DMA.
	parts       int
	onChip, hbm bool
	start       uint64
}

// Segment is one part of a kernel's operand: a share of its elements that
// lives either in the on-chip activation store or in off-chip memory at
// Base. A tile of the operand is split over the segments in proportion to
// their elements, so a tile of an operand made of two tensors (a residual
// add's two inputs) reads its share of each.
type Segment struct {
	// OnChip says the part lives in the activation store.
	OnChip bool
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

	store      akita.Port // the activation store (nil: none)
	dmaName    string
	storeName  string
	burstBytes int64
	region     uint64 // bytes of each operand's region in a plan

	plan      *Plan
	bind      Binding
	start     uint64
	arrays    []arrayRun
	loadHead  [2]int // next load to issue, per operand (inputs, weights)
	loadIdx   [2][]int
	transfers []transfer
	stores    int // stores in flight
	running   bool
	endCycle  uint64
	err       error

	// finished is called when a kernel ends, in its end cycle.
	finished func()

	tracer Tracer
	seq    int // the kernel's number in the simulator, for the trace
}

// newController builds the controller named name.
func newController(name string, engine akita.Engine, c clock.Domain) *Controller {
	ct := &Controller{ComponentBase: akita.NewComponentBase(name), engine: engine, clock: c}
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
// time.
func (c *Controller) begin(p *Plan, b Binding) {
	c.plan, c.bind = p, b
	c.running = true
	c.engine.Schedule(startEvent{time: c.engine.CurrentTime(), ctrl: c})
}

// Handle starts the kernel.
func (c *Controller) Handle(evt akita.Event) error {
	c.startNow(c.clock.Cycle(evt.Time()))
	return nil
}

// startNow starts the kernel c.plan at cycle now.
func (c *Controller) startNow(now uint64) {
	p := c.plan
	c.running = true
	c.start = now
	c.seq++
	if cap(c.arrays) >= p.Arrays {
		c.arrays = c.arrays[:p.Arrays]
		clear(c.arrays)
	} else {
		c.arrays = make([]arrayRun, p.Arrays)
	}
	c.loadHead = [2]int{}
	for op := range c.loadIdx {
		c.loadIdx[op] = c.loadIdx[op][:0]
	}
	for i, l := range p.loads {
		c.loadIdx[l.op] = append(c.loadIdx[l.op], i)
	}
	c.transfers = c.transfers[:0]
	c.stores = 0
	c.progress()
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
	for i, ws := range c.plan.works {
		if c.arrays[i].completed < len(ws) {
			return false
		}
	}
	return c.stores == 0
}

// check reports what is unfinished after the engine stopped.
func (c *Controller) check() error {
	if c.err != nil {
		return c.err
	}
	for i, ws := range c.plan.works {
		if a := c.arrays[i]; a.completed < len(ws) {
			return fmt.Errorf("compute: kernel %s: array %d completed %d of %d steps (dispatched %d) when the simulation stopped",
				c.plan.Kernel.Name, i, a.completed, len(ws), a.dispatched)
		}
	}
	if c.stores != 0 {
		return fmt.Errorf("compute: kernel %s: %d output stores were not done when the simulation stopped", c.plan.Kernel.Name, c.stores)
	}
	for op, h := range c.loadHead {
		if h < len(c.loadIdx[op]) {
			return fmt.Errorf("compute: kernel %s: %d %s loads were never issued", c.plan.Kernel.Name, len(c.loadIdx[op])-h, Operand(op))
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
			c.computeDone(m.engine, m.index)
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

// transferDone counts a finished part of a transfer; when the last part is
// in it marks a load's tile ready in its consumers, or frees the output
// half of a finished store.
func (c *Controller) transferDone(id int, onChip bool) {
	t := &c.transfers[id]
	t.parts--
	t.onChip = onChip
	if t.parts > 0 {
		return
	}
	if c.tracer != nil {
		c.traceTransfer(id, t)
	}
	if t.load < 0 {
		c.arrays[t.array].buf.release(Outputs, t.key)
		c.stores--
		if c.done() {
			c.finish()
		}
		return
	}
	l := &c.plan.loads[t.load]
	now := c.now()
	for _, ai := range l.consumers {
		b := &c.arrays[ai].buf
		if i := b.find(l.op, l.key); i >= 0 {
			b.slots[l.op][i].state = slotReady
			b.slots[l.op][i].readyCycle = now
			b.slots[l.op][i].onChip = t.onChip
		}
	}
}

// traceTransfer records a finished transfer.
func (c *Controller) traceTransfer(id int, t *transfer) {
	parent := kernelTaskID(c.seq)
	kind, where := TaskLoad, c.dmaName
	if t.load < 0 {
		kind = TaskStore
	}
	if !t.hbm {
		where = c.storeName
	}
	c.tracer.Task(TraceTask{
		ID: fmt.Sprintf("%s.t%d", parent, id), ParentID: parent, Kind: kind, What: t.op.String(), Where: where,
		StartTime: c.clock.Time(t.start), EndTime: c.engine.CurrentTime(),
	})
}

// computeDone frees the input and weight halves the array's next step does
// not use, and writes the output tile back when the step completed it.
func (c *Controller) computeDone(ai, index int) {
	ar := &c.arrays[ai]
	ar.completed++
	ws := c.plan.works[ai]
	w := ws[index]
	var next *work
	if index+1 < len(ws) {
		next = ws[index+1]
	}
	for _, op := range []Operand{Inputs, Weights} {
		if k := w.keys[op]; k.valid && (next == nil || next.keys[op] != k) {
			ar.buf.release(op, k)
		}
	}
	if w.store {
		st := c.plan.stores[ai][index]
		c.stores++
		c.transfer(transfer{load: -1, array: ai, key: w.keys[Outputs]}, true, Outputs, st.addr, st.bytes)
	}
	if c.done() {
		c.finish()
	}
}

// transfer asks the DMA (and the activation store) for a load or a store
// at the plan's address addr of operand op, split over the operand's
// segments.
func (c *Controller) transfer(t transfer, write bool, op Operand, addr uint64, bytes int64) {
	id := len(c.transfers)
	t.op, t.start = op, c.now()
	segs := c.bind.Operands[op]
	var total int64
	for _, sg := range segs {
		total += sg.Elems
	}
	if total <= 0 {
		t.parts, t.hbm = 1, true
		c.transfers = append(c.transfers, t)
		send(c.engine, c.port, c.dma, &transferReq{id: id, write: write, op: op, addr: addr, bytes: bytes})
		return
	}
	offset := addr - uint64(op)*c.region
	burst := uint64(max(c.burstBytes, 1))
	var onChip, cum int64
	type hbmPart struct {
		addr  uint64
		bytes int64
	}
	var parts [4]hbmPart
	hp := parts[:0]
	for _, sg := range segs {
		b := mulDiv(bytes, cum+sg.Elems, total) - mulDiv(bytes, cum, total)
		cum += sg.Elems
		if b <= 0 {
			continue
		}
		if sg.OnChip {
			onChip += b
			continue
		}
		a := sg.Base + uint64(mulDiv(int64(offset), sg.Elems, total))/burst*burst
		hp = append(hp, hbmPart{a, b})
	}
	t.parts = len(hp)
	t.hbm = len(hp) > 0
	if onChip > 0 {
		t.parts++
	}
	if t.parts == 0 {
		// An empty tile: one zero-byte part through the DMA.
		t.parts, t.hbm = 1, true
		hp = append(hp, hbmPart{addr, 0})
	}
	if onChip > 0 && c.store == nil {
		// The transfer never completes; check reports the error.
		c.fail(fmt.Errorf("compute: kernel %s: its %s are bound on chip, but the simulator has no activation store (Options.OnChip)", c.plan.Kernel.Name, op))
		t.parts--
		onChip = 0
	}
	c.transfers = append(c.transfers, t)
	if onChip > 0 {
		send(c.engine, c.port, c.store, &transferReq{id: id, write: write, op: op, bytes: onChip})
	}
	for _, h := range hp {
		send(c.engine, c.port, c.dma, &transferReq{id: id, write: write, op: op, addr: h.addr, bytes: h.bytes})
	}
}

// progress issues the loads whose halves are free and dispatches the works
// whose tiles are in.
func (c *Controller) progress() {
	if !c.running {
		return
	}
	p := c.plan
	for op := range c.loadHead {
		for c.loadHead[op] < len(c.loadIdx[op]) {
			li := c.loadIdx[op][c.loadHead[op]]
			l := &p.loads[li]
			ok := true
			for _, ai := range l.consumers {
				if c.arrays[ai].buf.freeHalf(l.op) < 0 {
					ok = false
					break
				}
			}
			if !ok {
				break
			}
			for _, ai := range l.consumers {
				b := &c.arrays[ai].buf
				b.slots[l.op][b.freeHalf(l.op)] = slot{state: slotLoading, key: l.key}
			}
			c.loadHead[op]++
			c.transfer(transfer{load: li}, false, l.op, l.addr, l.bytes)
		}
	}
	for ai := range c.arrays {
		c.dispatch(ai)
	}
}

// dispatch hands the array's next works to it while their tiles are in.
func (c *Controller) dispatch(ai int) {
	ar := &c.arrays[ai]
	ws := c.plan.works[ai]
	for ar.next < len(ws) {
		w := ws[ar.next]
		// The output tile needs a half of the output buffer.
		ok := w.keys[Outputs]
		if ar.buf.find(Outputs, ok) < 0 {
			h := ar.buf.freeHalf(Outputs)
			if h < 0 {
				return
			}
			ar.buf.slots[Outputs][h] = slot{state: slotReady, key: ok, readyCycle: c.now()}
		}
		var dataReady uint64
		cause := causeData
		for _, op := range []Operand{Inputs, Weights} {
			k := w.keys[op]
			if !k.valid {
				continue
			}
			i := ar.buf.find(op, k)
			if i < 0 || ar.buf.slots[op][i].state != slotReady {
				return
			}
			if sl := ar.buf.slots[op][i]; sl.readyCycle >= dataReady {
				dataReady = sl.readyCycle
				cause = causeData
				if sl.onChip {
					cause = causeOnChip
				}
			}
		}
		if o := ar.buf.slots[Outputs][ar.buf.find(Outputs, ok)]; o.readyCycle > dataReady {
			cause = causeSpace
		}
		req := &computeReq{w: w, index: ar.next, first: ar.next == 0, start: c.start, cause: cause}
		if c.tracer != nil {
			req.seq, req.what = c.seq, c.plan.Kernel.Name
		}
		dst := c.vecPorts[ai]
		if c.plan.Engine == EngineArray {
			req.timing = &c.plan.Timing
			dst = c.arrayPorts[ai]
		}
		send(c.engine, c.port, dst, req)
		ar.next++
		ar.dispatched++
	}
}
