package compute

// slotState is the state of one half of a double buffer.
type slotState int

const (
	slotFree slotState = iota
	slotLoading
	slotReady
)

// slot is one half of an operand's double buffer in one array, or one
// tile of its stream FIFO.
type slot struct {
	state slotState
	key   tileKey
	// bytes is the tile's size, counted against a stream FIFO's capacity;
	// seq orders a FIFO's tiles by when they were taken (put).
	bytes int64
	seq   uint64
	// readyCycle is when the tile became usable; onChip says its last part
	// came from an on-chip store.
	readyCycle uint64
	onChip     bool
	// next says the half holds a tile of the next kernel, prefetched
	// (weights only); the running kernel does not see it.
	next bool
	// gen numbers, in a stream FIFO, the loads of the slot's key in load
	// order (1 the first): the load for the key's gen-th run of
	// consecutive works that use it (fifoGen).
	gen int
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
// write-back is done (outputs). A stream-buffered design's buffers are
// FIFOs instead (fifo, streambuf.go): as many slots as their tiles' bytes
// leave room for.
type buffers struct {
	slots [numOperands][]slot
	// single makes each buffer one half: the second slot of each operand
	// is never used (a single-buffered design).
	single bool
	// fifo makes each buffer of operand op a FIFO of capacity[op] bytes
	// (a stream-buffered design).
	fifo     bool
	capacity [numOperands]int64
	seq      uint64
	// freedEpilogueEnd is, per output slot, the epilogueEnd of the tile
	// that last left it.
	freedEpilogueEnd []uint64
	// runs is the stream FIFO's bookkeeping of which load a work uses
	// (streambuf.go).
	runs fifoRuns
}

// reset empties the buffers for a kernel: two free halves per operand
// (one used when single), or empty FIFOs of capacity bytes when fifo.
func (b *buffers) reset(single, fifo bool, capacity [numOperands]int64) {
	*b = buffers{single: single, fifo: fifo, capacity: capacity}
	if fifo {
		return
	}
	for op := range b.slots {
		b.slots[op] = make([]slot, 2)
	}
	b.freedEpilogueEnd = make([]uint64, 2)
}

// keep puts the weight slots prefetched for the kernel, at their indexes,
// into buffers just reset: they are older than any tile the kernel takes.
func (b *buffers) keep(kept []slot) {
	if b.fifo {
		b.runs.keep(kept)
	}
	for i := range kept {
		kept[i].seq = 0
	}
	b.slots[Weights] = kept
	b.seq = 1
}

// freeSlot returns the slot of op a tile of bytes may be loaded into, or
// -1 when there is none: a free half, or room in a stream FIFO.
func (b *buffers) freeSlot(op Operand, bytes int64) int {
	if b.fifo {
		return b.fifoSlot(op, bytes)
	}
	return b.freeHalf(op)
}

// put takes slot i of op for s.
func (b *buffers) put(op Operand, i int, s slot) {
	s.seq = b.seq
	b.seq++
	if b.fifo && op != Outputs && !s.next {
		s.gen = b.runs.loaded(op, s.key)
	}
	b.slots[op][i] = s
}

// find returns the half holding key for the running kernel, or -1 (in a
// stream FIFO, the oldest slot holding it: fifoFind).
func (b *buffers) find(op Operand, key tileKey) int {
	if b.fifo {
		return b.fifoFind(op, key)
	}
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
		if b.single && i > 0 {
			break
		}
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
