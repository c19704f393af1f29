package compute

import "slices"

// computeDone frees the input and weight halves the array's next step does
// not use, and writes the output tile back when the step completed it.
func (c *Controller) computeDone(ai, index int) {
	ar := &c.arrays[ai]
	ar.completed++
	var w, next work
	c.plan.src.work(ai, index, &w)
	hasNext := index+1 < c.plan.src.works(ai)
	if hasNext {
		c.plan.src.work(ai, index+1, &next)
	}
	for _, op := range []Operand{Inputs, Weights} {
		if k := w.keys[op]; k.valid && (!hasNext || next.keys[op] != k) {
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
	var w work
	c.plan.src.work(ai, index, &w)
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
	var w work
	c.plan.src.work(ai, index, &w)
	st := store{bytes: w.bytes[Outputs], addr: c.plan.src.addr(Outputs, w.keys[Outputs])}
	c.stores++
	c.transfer(transfer{array: ai, key: w.keys[Outputs], owner: c.seq}, true, Outputs, st.addr, st.bytes, c.bind)
}

// progress issues the loads whose halves are free and dispatches the works
// whose tiles are in.
func (c *Controller) progress() {
	if !c.running || c.now() < c.runStart {
		return
	}
	for _, op := range loadOperands {
		lc := c.loads[op]
		for l := lc.peek(); l != nil; l = lc.peek() {
			ok := true
			for _, ai := range l.consumers {
				if c.arrays[ai].buf.freeSlot(l.op, l.bytes) < 0 {
					ok = false
					break
				}
			}
			if !ok {
				break
			}
			var at []int
			for _, ai := range l.consumers {
				b := &c.arrays[ai].buf
				i := b.freeSlot(l.op, l.bytes)
				b.put(l.op, i, slot{state: slotLoading, key: l.key, bytes: l.bytes})
				if c.fifo {
					at = append(at, i)
				}
			}
			ld := *l
			ld.consumers = slices.Clone(l.consumers)
			lc.pop()
			c.transfer(transfer{load: &ld, slots: at, owner: c.seq}, false, ld.op, ld.addr, ld.bytes, c.bind)
		}
	}
	if c.next != nil && c.loads[Weights].peek() == nil {
		c.prefetchNext()
	}
	for ai := range c.arrays {
		c.dispatch(ai)
	}
}

// dispatch hands the array's next works to it while their tiles are in.
func (c *Controller) dispatch(ai int) {
	ar := &c.arrays[ai]
	n := c.plan.src.works(ai)
	for ar.next < n {
		if ar.pending == nil {
			ar.pending = new(work)
			c.plan.src.work(ai, ar.next, ar.pending)
		}
		w := ar.pending
		// The output tile needs a half of the output buffer.
		ok := w.keys[Outputs]
		if ar.buf.find(Outputs, ok) < 0 {
			h := ar.buf.freeSlot(Outputs, w.bytes[Outputs])
			if h < 0 {
				return
			}
			ar.buf.put(Outputs, h, slot{state: slotReady, key: ok, bytes: w.bytes[Outputs], readyCycle: c.now(), vectorUntil: ar.buf.freedEpilogueEnd[h]})
		}
		var dataReady uint64
		cause := causeData
		for _, op := range loadOperands {
			k := w.keys[op]
			if !k.valid {
				continue
			}
			i := ar.buf.find(op, k)
			if ar.buf.fifo {
				i = ar.buf.fifoFindGen(op, k, ar.buf.runs.gen(op, k))
			}
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
		req := &computeReq{w: w, index: ar.next, first: ar.next == 0, start: c.runStart, cause: cause, vectorUntil: o.vectorUntil}
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
		if ar.buf.fifo {
			ar.buf.runs.dispatched(w.keys)
		}
		ar.pending = nil
		ar.next++
		ar.dispatched++
	}
}
