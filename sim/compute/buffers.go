package compute

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
	// single makes each buffer one half: the second slot of each operand
	// is never used (a single-buffered design).
	single bool
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
