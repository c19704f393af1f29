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
	// came from an on-chip store.
	readyCycle uint64
	onChip     bool
	// next says the half holds a tile of the next kernel, prefetched
	// (weights only); the running kernel does not see it.
	next bool
	// Output halves: epilogueEnd is when the epilogue of the tile in the
	// half ended; vectorUntil, when the half was taken, is when the
	// epilogue of the tile that held it before ended.
	epilogueEnd, vectorUntil uint64
}

// buffers are one array's on-chip buffers: two halves (slots) for each of
// inputs, weights and outputs (and the side operand of an epilogue, which
// lives in the output buffer beside the output tile). A half holds one
// tile; a tile is loaded into a free half while the array works from the
// other, and the half is freed when the array's next step no longer uses it
// (inputs, weights), when the epilogue is done (side) or when the tile's
// write-back is done (outputs).
type buffers struct {
	slots [numOperands][2]slot
	// freedEpilogueEnd is, per output half, the epilogueEnd of the tile
	// that last left it.
	freedEpilogueEnd [2]uint64
}

// find returns the half holding key for the running kernel, or -1.
func (b *buffers) find(op Operand, key tileKey) int {
	for i := range b.slots[op] {
		if s := b.slots[op][i]; s.state != slotFree && !s.next && s.key == key {
			return i
		}
	}
	return -1
}

// findNext returns the half holding key prefetched for the next kernel, or
// -1.
func (b *buffers) findNext(op Operand, key tileKey) int {
	for i := range b.slots[op] {
		if s := b.slots[op][i]; s.state != slotFree && s.next && s.key == key {
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
		if op == Outputs {
			b.freedEpilogueEnd[i] = b.slots[op][i].epilogueEnd
		}
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

// transfer is a load or a store the DMA (or an on-chip store) is doing, in
// one or more parts.
type transfer struct {
	load  int // index in plan.loads, or -1
	array int // for a store
	key   tileKey
	op    Operand
	// parts is the number of parts not yet done; onChip says the part done
	// last came from an on-chip store; hbm that a part went through the
	// DMA; weightStore that a part came from the weight store.
	parts                    int
	onChip, hbm, weightStore bool
	start                    uint64
	// next says the load is a prefetch of the next kernel's (load indexes
	// its plan's loads); owner is the kernel the transfer belongs to.
	next  bool
	owner int
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

	store      akita.Port // the activation store (nil: none)
	wstore     akita.Port // the weight store (nil: none)
	dmaName    string
	storeName  string
	wstoreName string
	burstBytes int64
	region     uint64 // bytes of each operand's region in a plan

	plan      *Plan
	bind      Binding
	start     uint64
	arrays    []arrayRun
	loadHead  [numOperands]int // next load to issue, per loaded operand
	loadIdx   [numOperands][]int
	transfers []transfer
	stores    int // stores in flight
	epilogues int // epilogues dispatched and not done
	running   bool
	endCycle  uint64
	err       error

	// Prefetch (Options.PrefetchWeights): the next kernel's plan and
	// binding (nil: none, or not to be prefetched); its weight loads of the
	// first step, in order; how many of them are issued and their bytes;
	// the prefetches in flight. prefetchedBytes is the running kernel's
	// bytes loaded before it started.
	prefetch        bool
	next            *Plan
	nextBind        Binding
	nextLoads       []int
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
// time; next (bound to nb) is the kernel after it, nil for none.
func (c *Controller) begin(p *Plan, b Binding, next *Plan, nb Binding) {
	c.plan, c.bind = p, b
	c.beginNext, c.beginNextBind = next, nb
	c.running = true
	c.engine.Schedule(startEvent{time: c.engine.CurrentTime(), ctrl: c})
}

// Handle starts the kernel.
func (c *Controller) Handle(evt akita.Event) error {
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
	c.seq++
	// Weight tiles prefetched for this kernel stay in their halves.
	var kept [][2]slot
	if c.nextIssued > 0 {
		kept = make([][2]slot, len(c.arrays))
		for ai := range c.arrays {
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
	for ai := range min(len(kept), len(c.arrays)) {
		c.arrays[ai].buf.slots[Weights] = kept[ai]
	}
	c.loadHead = [numOperands]int{}
	for op := range c.loadIdx {
		c.loadIdx[op] = c.loadIdx[op][:0]
	}
	for i, l := range p.loads {
		c.loadIdx[l.op] = append(c.loadIdx[l.op], i)
	}
	// The prefetched loads are the first of the kernel's weight loads.
	c.loadHead[Weights] = c.nextIssued
	c.prefetchedBytes = c.nextBytes
	if c.prefetchPending > 0 {
		// Prefetches still in flight are now the kernel's own loads: keep
		// their transfer records.
		for i := range c.transfers {
			c.transfers[i].next = false
		}
	} else {
		c.transfers = c.transfers[:0]
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
	for i, l := range p.loads {
		if l.op == Weights && l.step == 0 {
			c.nextLoads = append(c.nextLoads, i)
		}
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
	for i, ws := range c.plan.works {
		if c.arrays[i].completed < len(ws) {
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
	for i, ws := range c.plan.works {
		if a := c.arrays[i]; a.completed < len(ws) {
			return fmt.Errorf("compute: kernel %s: array %d completed %d of %d steps (dispatched %d) when the simulation stopped",
				c.plan.Kernel.Name, i, a.completed, len(ws), a.dispatched)
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
	now := c.now()
	if t.next {
		// A prefetch for the next kernel, which has not started.
		c.prefetchPending--
		l := &c.next.loads[t.load]
		for _, ai := range l.consumers {
			b := &c.arrays[ai].buf
			if i := b.findNext(l.op, l.key); i >= 0 {
				b.slots[l.op][i].state = slotReady
				b.slots[l.op][i].readyCycle = now
				b.slots[l.op][i].onChip = t.onChip
			}
		}
		return
	}
	l := &c.plan.loads[t.load]
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
	parent := kernelTaskID(t.owner)
	kind, where := TaskLoad, c.dmaName
	if t.load < 0 {
		kind = TaskStore
	}
	switch {
	case t.hbm:
	case t.weightStore:
		where = c.wstoreName
	default:
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
	if w.store && !w.epilogue {
		c.storeTile(ai, index)
	}
	if c.done() {
		c.finish()
	}
}

// epilogueDone frees the side half of the work whose epilogue the array's
// vector unit finished and writes its output tile back.
func (c *Controller) epilogueDone(ai, index int) {
	ar := &c.arrays[ai]
	w := c.plan.works[ai][index]
	if k := w.keys[Side]; k.valid {
		ar.buf.release(Side, k)
	}
	if i := ar.buf.find(Outputs, w.keys[Outputs]); i >= 0 {
		ar.buf.slots[Outputs][i].epilogueEnd = c.now()
	}
	c.epilogues--
	c.storeTile(ai, index)
}

// storeTile writes the output tile of the array's work at index back.
func (c *Controller) storeTile(ai, index int) {
	st := c.plan.stores[ai][index]
	c.stores++
	c.transfer(transfer{load: -1, array: ai, key: c.plan.works[ai][index].keys[Outputs], owner: c.seq}, true, Outputs, st.addr, st.bytes, c.bind)
}

// transfer asks the DMA (and the on-chip stores) for a load or a store at
// the plan's address addr of operand op, split over the operand's segments
// in binding bind.
func (c *Controller) transfer(t transfer, write bool, op Operand, addr uint64, bytes int64, bind Binding) {
	id := len(c.transfers)
	t.op, t.start = op, c.now()
	segs := bind.Operands[op]
	var total int64
	for _, sg := range segs {
		total += sg.Elems
	}
	if total <= 0 {
		t.parts, t.hbm = 1, true
		c.transfers = append(c.transfers, t)
		send(c.engine, c.port, c.dma, &transferReq{id: id, write: write, op: op, addr: addr, bytes: bytes, owner: t.owner})
		return
	}
	offset := addr - uint64(op)*c.region
	burst := uint64(max(c.burstBytes, 1))
	var onChip, pinned, cum int64
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
		if sg.WeightStore {
			pinned += b
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
	if pinned > 0 {
		t.parts++
		t.weightStore = true
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
	if pinned > 0 && (c.wstore == nil || write) {
		c.fail(fmt.Errorf("compute: kernel %s: its %s are bound to the weight store, but the simulator has none (Options.WeightStore) or the transfer writes", c.plan.Kernel.Name, op))
		t.parts--
		pinned = 0
	}
	c.transfers = append(c.transfers, t)
	if onChip > 0 {
		send(c.engine, c.port, c.store, &transferReq{id: id, write: write, op: op, bytes: onChip, owner: t.owner})
	}
	if pinned > 0 {
		send(c.engine, c.port, c.wstore, &transferReq{id: id, op: op, bytes: pinned, owner: t.owner})
	}
	for _, h := range hp {
		send(c.engine, c.port, c.dma, &transferReq{id: id, write: write, op: op, addr: h.addr, bytes: h.bytes, owner: t.owner})
	}
}

// progress issues the loads whose halves are free and dispatches the works
// whose tiles are in.
func (c *Controller) progress() {
	if !c.running {
		return
	}
	p := c.plan
	for _, op := range loadOperands {
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
			c.transfer(transfer{load: li, owner: c.seq}, false, l.op, l.addr, l.bytes, c.bind)
		}
	}
	if c.next != nil && c.loadHead[Weights] == len(c.loadIdx[Weights]) {
		c.prefetchNext()
	}
	for ai := range c.arrays {
		c.dispatch(ai)
	}
}

// prefetchNext loads the next kernel's first weight tiles, in order, into
// the weight halves the running kernel, whose weight loads are all issued,
// no longer needs.
func (c *Controller) prefetchNext() {
	for c.nextIssued < len(c.nextLoads) {
		li := c.nextLoads[c.nextIssued]
		l := &c.next.loads[li]
		for _, ai := range l.consumers {
			if ai >= len(c.arrays) || c.arrays[ai].buf.freeHalf(Weights) < 0 {
				return
			}
		}
		for _, ai := range l.consumers {
			b := &c.arrays[ai].buf
			b.slots[Weights][b.freeHalf(Weights)] = slot{state: slotLoading, key: l.key, next: true}
		}
		c.nextIssued++
		c.nextBytes += l.bytes
		c.prefetchPending++
		c.transfer(transfer{load: li, next: true, owner: c.seq + 1}, false, Weights, l.addr, l.bytes, c.nextBind)
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
			ar.buf.slots[Outputs][h] = slot{state: slotReady, key: ok, readyCycle: c.now(), vectorUntil: ar.buf.freedEpilogueEnd[h]}
		}
		var dataReady uint64
		cause := causeData
		for _, op := range loadOperands {
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
		o := ar.buf.slots[Outputs][ar.buf.find(Outputs, ok)]
		if o.readyCycle > dataReady {
			cause = causeSpace
		}
		req := &computeReq{w: w, index: ar.next, first: ar.next == 0, start: c.start, cause: cause, vectorUntil: o.vectorUntil}
		if w.epilogue {
			req.epi = &c.plan.epi
			c.epilogues++
		}
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
