package compute

import (
	"fmt"
)

// transfer is a load or a store the DMA (or an on-chip store) is doing, in
// one or more parts.
type transfer struct {
	load *load // the load (its own copy), nil for a store
	// slots are the FIFO slots the load fills, one per consumer (stream
	// buffering; nil otherwise, where the tile's key finds its half).
	slots []int
	array int // for a store
	key   tileKey
	op    Operand
	// parts is the number of parts not yet done; onChip says the part done
	// last came from an on-chip store; hbm that a part went through the
	// DMA; weightStore that a part came from the weight store.
	parts                    int
	onChip, hbm, weightStore bool
	start                    uint64
	// next says the load is a prefetch of the next kernel's; owner is the
	// kernel the transfer belongs to.
	next  bool
	owner int
}

// transferDone counts a finished part of a transfer; when the last part is
// in it marks a load's tile ready in its consumers, or frees the output
// half of a finished store.
func (c *Controller) transferDone(id int, onChip bool) {
	t := c.transfers[id]
	t.parts--
	t.onChip = onChip
	if t.parts > 0 {
		return
	}
	delete(c.transfers, id)
	if c.tracer != nil {
		c.traceTransfer(id, t)
	}
	if t.load == nil {
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
		l := t.load
		for j, ai := range l.consumers {
			b := &c.arrays[ai].buf
			i := b.findNext(l.op, l.key)
			if t.slots != nil {
				i = t.slots[j]
			}
			if i >= 0 {
				b.slots[l.op][i].state = slotReady
				b.slots[l.op][i].readyCycle = now
				b.slots[l.op][i].onChip = t.onChip
			}
		}
		return
	}
	l := t.load
	for j, ai := range l.consumers {
		b := &c.arrays[ai].buf
		i := b.find(l.op, l.key)
		if t.slots != nil {
			i = t.slots[j]
		}
		if i >= 0 {
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
	if t.load == nil {
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

// transfer asks the DMA (and the on-chip stores) for a load or a store at
// the plan's address addr of operand op, split over the operand's segments
// in binding bind.
func (c *Controller) transfer(t transfer, write bool, op Operand, addr uint64, bytes int64, bind Binding) {
	id := c.transferSeq
	c.transferSeq++
	t.op, t.start = op, c.now()
	segs := bind.Operands[op]
	var total int64
	for _, sg := range segs {
		total += sg.Elems
	}
	if total <= 0 {
		t.parts, t.hbm = 1, true
		c.transfers[id] = &t
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
	c.transfers[id] = &t
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

// prefetchNext loads the next kernel's first weight tiles, in order, into
// the weight halves the running kernel, whose weight loads are all issued,
// no longer needs.
func (c *Controller) prefetchNext() {
	for c.nextIssued < len(c.nextLoads) {
		ld := c.nextLoads[c.nextIssued]
		l := &ld
		for _, ai := range l.consumers {
			if ai >= len(c.arrays) || c.arrays[ai].buf.freeSlot(Weights, l.bytes) < 0 {
				return
			}
		}
		var at []int
		for _, ai := range l.consumers {
			b := &c.arrays[ai].buf
			i := b.freeSlot(Weights, l.bytes)
			b.put(Weights, i, slot{state: slotLoading, key: l.key, bytes: l.bytes, next: true})
			if c.fifo {
				at = append(at, i)
			}
		}
		c.nextIssued++
		c.nextBytes += l.bytes
		c.prefetchPending++
		c.transfer(transfer{load: l, slots: at, next: true, owner: c.seq + 1}, false, Weights, l.addr, l.bytes, c.nextBind)
	}
}
