package compute

import (
	"math"

	akita "github.com/sarchlab/akita/v3/sim"
)

// stallCause says why a step reached its array late.
type stallCause int

const (
	// causeData: a tile of inputs or weights was still on its way from
	// off-chip memory.
	causeData stallCause = iota
	// causeSpace: the output buffer had no free half (both were waiting for
	// their write-back).
	causeSpace
	// causeOnChip: a tile was still on its way from the on-chip activation
	// store (or the weight store).
	causeOnChip
)

// computeReq asks an array or a vector unit to run one work. The
// controller sends it when the work's tiles are in the buffers.
type computeReq struct {
	akita.MsgMeta
	w *work
	// index is the work's position in the engine's list for this kernel.
	index int
	// first marks the kernel's first work: the engine starts from an idle
	// pipeline at cycle start.
	first bool
	start uint64
	// timing is the fold timing of the kernel (array engine).
	timing *ArrayTiming
	cause  stallCause
	// epi, for a work with an epilogue, is how its vector unit applies it;
	// vectorUntil is when the epilogue that last held the work's output
	// buffer half ended (a wait for that half up to then is the vector
	// unit's).
	epi         *epilogueParams
	vectorUntil uint64
	// seq and what name the kernel for the trace (set when tracing).
	seq  int
	what string
}

// Meta returns the message's meta data.
func (m *computeReq) Meta() *akita.MsgMeta { return &m.MsgMeta }

// computeDone reports that the work at index finished (its last fold
// drained, or the vector unit's last element was written to the buffer);
// epilogue says the vector unit finished the work's epilogue.
type computeDone struct {
	akita.MsgMeta
	engine   int
	index    int
	epilogue bool
}

// Meta returns the message's meta data.
func (m *computeDone) Meta() *akita.MsgMeta { return &m.MsgMeta }

// epilogueReq asks an array's vector unit to apply a fused epilogue to the
// output tile of work w as the array's folds drain: fold j of the step
// drains at firstDrain + j x period (all its outputs at once when the array
// is weight-stationary: one chunk at firstDrain).
type epilogueReq struct {
	akita.MsgMeta
	w          *work
	index      int
	start      uint64 // the kernel's first cycle
	firstDrain uint64
	period     uint64
	epi        *epilogueParams
	seq        int
	what       string
}

// Meta returns the message's meta data.
func (m *epilogueReq) Meta() *akita.MsgMeta { return &m.MsgMeta }

// transferReq asks the DMA to move bytes between off-chip memory at addr
// and the buffers: a read (load) or a write (store). owner is the number
// of the kernel the transfer belongs to (the next kernel's for a prefetch),
// which the DMA and the stores count its bytes for.
type transferReq struct {
	akita.MsgMeta
	id    int
	write bool
	op    Operand
	addr  uint64
	bytes int64
	owner int
}

// Meta returns the message's meta data.
func (m *transferReq) Meta() *akita.MsgMeta { return &m.MsgMeta }

// transferDone reports that every request of transfer id completed;
// onChip says the activation store (not the DMA) moved it.
type transferDone struct {
	akita.MsgMeta
	id     int
	onChip bool
}

// Meta returns the message's meta data.
func (m *transferDone) Meta() *akita.MsgMeta { return &m.MsgMeta }

// portCapacity is the buffer of the components' ports in messages: they
// take every message out as it arrives, so it is only a bound.
const portCapacity = math.MaxInt32

// send sets the meta data of msg and sends it from src to dst now.
func send(engine akita.Engine, src, dst akita.Port, msg akita.Msg) {
	m := msg.Meta()
	m.Src, m.Dst = src, dst
	m.SendTime = engine.CurrentTime()
	// Wires accept every message; a refusal is a wiring bug.
	if err := src.Send(msg); err != nil {
		panic("compute: a connection refused a message from " + src.Name())
	}
}
