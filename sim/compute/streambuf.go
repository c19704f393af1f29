package compute

import (
	"cmp"
	"slices"

	"github.com/roofsim/roofsim/hw"
)

// streamCap is the largest tile of a stream buffer of bufferBytes for an
// operand whose smallest tile is need bytes: one burst per port
// (hw.Design.StreamTileBytes), widened to need when the array's smallest
// tile is larger, and at most half the buffer, so that the FIFO holds the
// tile the array works on and the next.
func streamCap(d hw.Design, bufferBytes, need int64) int64 {
	return min(max(d.StreamTileBytes(bufferBytes), need), bufferBytes/2)
}

// streamCaps sets the tile limits of cfg for a stream-buffered design and
// a matmul of shape s on an R x C array (streamCap of each buffer).
func (s matmulShape) streamCaps(cfg planConfig, os bool, r, c int64) planConfig {
	d := cfg.design
	in, w, out := s.minimalTiles(os, r, c)
	cfg.inHalf = streamCap(d, d.InputBufferBytes, in)
	cfg.wHalf = streamCap(d, d.WeightBufferBytes, w)
	cfg.oHalf = streamCap(d, d.OutputBufferBytes, out)
	return cfg
}

// fifoSlot returns the slot of op's stream FIFO a tile of bytes may be
// loaded into, or -1 when the tiles in it leave no room: the FIFO holds
// tiles while their bytes (a tile counts at least one byte) sum to at most
// its capacity. Space is reserved when the load is issued (the slot is
// taken) and freed when the array is done with the tile (release), as an
// HLS m_axi adapter issues a burst only when its read buffer has room for
// the burst's data (UG1399, "AXI4 Master Interface"). The free slot
// returned is the first free entry, or a new one appended; calling it again
// before taking the slot returns the same one.
func (b *buffers) fifoSlot(op Operand, bytes int64) int {
	used, free := int64(0), -1
	for i, s := range b.slots[op] {
		if s.state == slotFree {
			if free < 0 {
				free = i
			}
			continue
		}
		used += max(s.bytes, 1)
	}
	if used+max(bytes, 1) > b.capacity[op] {
		return -1
	}
	if free < 0 {
		b.slots[op] = append(b.slots[op], slot{})
		free = len(b.slots[op]) - 1
		if op == Outputs {
			b.freedEpilogueEnd = append(b.freedEpilogueEnd, 0)
		}
	}
	return free
}

// fifoFind returns the oldest slot of op's FIFO holding key for the
// running kernel, or -1. A FIFO may hold a tile twice (loaded for two steps
// with other tiles between them); the older copy is the earlier step's.
func (b *buffers) fifoFind(op Operand, key tileKey) int {
	found := -1
	for i, s := range b.slots[op] {
		if s.state != slotFree && !s.next && s.key == key && (found < 0 || s.seq < b.slots[op][found].seq) {
			found = i
		}
	}
	return found
}

// fifoUsed is the bytes the tiles in op's buffer take (a tile at least
// one byte): at most its capacity in a stream FIFO.
func (b *buffers) fifoUsed(op Operand) int64 {
	var used int64
	for _, s := range b.slots[op] {
		if s.state != slotFree {
			used += max(s.bytes, 1)
		}
	}
	return used
}

// streamCapacity is the byte capacity of each operand's stream FIFO of a
// design with these buffers: the input, weight and output buffers, and
// the output buffer for the side operand of an epilogue, whose tiles live
// beside the output tiles (each FIFO counted on its own).
func streamCapacity(in, w, out int64) [numOperands]int64 {
	var c [numOperands]int64
	c[Inputs], c[Weights], c[Outputs], c[Side] = in, w, out, out
	return c
}

// fifoRuns ties each work of a stream-buffered array to the load it uses.
// A FIFO may hold a tile twice: the load for a later run of works that use
// it (a run: consecutive works of the array with that key) can be issued
// while the earlier run still holds its copy. A work must use its own
// run's copy: the earlier copy is freed when its run ends (computeDone),
// and the later run would otherwise take it and free the later copy, still
// loading, in its place. Loads and runs of a key are both numbered in
// order (slot.gen), and the n-th run uses the n-th load: the plan loads a
// tile once per run, as a double buffer does.
type fifoRuns struct {
	// loads and runs count, per operand and key, the loads taken and the
	// runs dispatched.
	loads, runs [numOperands]map[tileKey]int
	// last is, per operand, the key of the last work dispatched (invalid
	// when it did not use the operand).
	last    [numOperands]tileKey
	started bool
}

// loaded counts a load of key for op and returns its number.
func (r *fifoRuns) loaded(op Operand, key tileKey) int {
	if r.loads[op] == nil {
		r.loads[op] = map[tileKey]int{}
	}
	r.loads[op][key]++
	return r.loads[op][key]
}

// keep numbers the weight tiles prefetched for the kernel (kept), the
// first of its weight loads, in the order they were issued (seq).
func (r *fifoRuns) keep(kept []slot) {
	order := make([]int, 0, len(kept))
	for i, s := range kept {
		if s.state != slotFree {
			order = append(order, i)
		}
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(kept[a].seq, kept[b].seq) })
	for _, i := range order {
		kept[i].gen = r.loaded(Weights, kept[i].key)
	}
}

// gen returns the number of the load a work with key k for op uses: the
// next run's when the previous work dispatched did not use k.
func (r *fifoRuns) gen(op Operand, k tileKey) int {
	n := r.runs[op][k]
	if !r.started || r.last[op] != k {
		n++
	}
	return n
}

// dispatched records a work dispatched with keys.
func (r *fifoRuns) dispatched(keys [numOperands]tileKey) {
	for _, op := range loadOperands {
		k := keys[op]
		if k.valid {
			if r.runs[op] == nil {
				r.runs[op] = map[tileKey]int{}
			}
			r.runs[op][k] = r.gen(op, k)
		}
		r.last[op] = k
	}
	r.started = true
}

// fifoFindGen returns the slot of op's FIFO holding load gen of key for
// the running kernel, or -1.
func (b *buffers) fifoFindGen(op Operand, key tileKey, gen int) int {
	for i, s := range b.slots[op] {
		if s.state != slotFree && !s.next && s.key == key && s.gen == gen {
			return i
		}
	}
	return -1
}
