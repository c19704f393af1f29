package compute

import (
	"fmt"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sim/clock"
	"github.com/roofsim/roofsim/sim/link"
	akita "github.com/sarchlab/akita/v3/sim"
)

// EngineStats is what one array or vector unit did during a kernel, in
// cycles of the kernel clock counted from the kernel's start.
type EngineStats struct {
	// Works is the number of steps the engine ran.
	Works int64
	// BusyCycles is the closed-form cycles of its work: what it would have
	// taken with every tile in the buffers in time.
	BusyCycles int64
	// StreamCycles is the part of BusyCycles spent streaming operands
	// (arrays); the rest is fill and drain.
	StreamCycles int64
	// StallHBMCycles, StallOnChipCycles and StallBufferCycles are the
	// cycles the engine's work started late because a tile was still coming
	// from off-chip memory, or from an on-chip store, or because the output
	// buffer had no free half; StallVectorCycles the part of the last wait
	// until the epilogue that held the half was done (arrays with a fused
	// epilogue).
	StallHBMCycles, StallOnChipCycles, StallBufferCycles, StallVectorCycles int64
	// FinishCycle is when its last work ended, from the kernel's start:
	// BusyCycles + StallHBMCycles + StallOnChipCycles + StallBufferCycles +
	// StallVectorCycles for an array; for a vector unit running epilogues,
	// when its last epilogue ended.
	FinishCycle int64
	// Folds, MACs and PECycles count the array's folds, useful
	// multiply-accumulates and PE-cycles of its streams.
	Folds, MACs, PECycles int64
	// VectorOps counts the vector unit's element operations.
	VectorOps int64
}

// engineBase is what arrays and vector units share: a control port, a
// FIFO of works in flight and their completion events.
type engineBase struct {
	*akita.ComponentBase
	engine akita.Engine
	clock  clock.Domain
	index  int
	port   akita.Port
	ctrl   akita.Port
	// done holds the indexes of the works in flight with the cycle each
	// ends, in order; one event per work.
	done   []pendingWork
	head   int
	start  uint64
	stats  EngineStats
	tracer Tracer
}

type pendingWork struct {
	index    int
	end      uint64
	epilogue bool
}

func newEngineBase(name string, engine akita.Engine, c clock.Domain, index int, comp akita.Component) engineBase {
	b := engineBase{ComponentBase: akita.NewComponentBase(name), engine: engine, clock: c, index: index}
	b.port = link.NewPort(comp, portCapacity, name+".Ctrl")
	b.AddPort("Ctrl", b.port)
	return b
}

// finishAt records that the work at index (its epilogue, when epilogue is
// set) ends at cycle end and schedules its completion.
func (b *engineBase) finishAt(h akita.Handler, index int, end uint64, epilogue bool) {
	b.done = append(b.done, pendingWork{index: index, end: end, epilogue: epilogue})
	b.stats.FinishCycle = int64(end - b.start)
	b.engine.Schedule(link.Event{At: b.clock.TimeNotBefore(end, b.engine.CurrentTime()), To: h})
}

// complete reports the oldest work in flight to the controller.
func (b *engineBase) complete() {
	w := b.done[b.head]
	b.done[b.head] = pendingWork{}
	b.head++
	if b.head == len(b.done) {
		b.done, b.head = b.done[:0], 0
	}
	send(b.engine, b.port, b.ctrl, &computeDone{engine: b.index, index: w.index, epilogue: w.epilogue})
}

// stall adds lost cycles to the stall counter of cause.
func (b *engineBase) stall(cause stallCause, lost int64) {
	switch cause {
	case causeSpace:
		b.stats.StallBufferCycles += lost
	case causeOnChip:
		b.stats.StallOnChipCycles += lost
	default:
		b.stats.StallHBMCycles += lost
	}
}

// trace records step index of kernel seq (named what) that runs from
// cycle start to cycle end.
func (b *engineBase) trace(seq, index int, what string, start, end uint64) {
	if b.tracer == nil {
		return
	}
	parent := kernelTaskID(seq)
	b.tracer.Task(TraceTask{
		ID: fmt.Sprintf("%s.%s.s%d", parent, b.Name(), index), ParentID: parent,
		Kind: TaskCompute, What: what, Where: b.Name(),
		StartTime: b.clock.Time(start), EndTime: b.clock.Time(end),
	})
}

// idle reports whether the engine has no work in flight.
func (b *engineBase) idle() bool { return b.head == len(b.done) }

// NotifyPortFree is not used: links never refuse a message from it.
func (b *engineBase) NotifyPortFree(akita.VTimeInSec, akita.Port) {}

// Array is one R x C systolic array of DSP-based PEs. It runs a step's folds
// back to back and schedules the step's completion at the exact cycle its
// last fold drains; it never ticks through the folds.
type Array struct {
	engineBase
	pipe pipeline
	// vec is the port of the array's vector unit, which runs the epilogue
	// of a fused kernel on the outputs the array drains.
	vec akita.Port
}

// newArray builds array index named name.
func newArray(name string, engine akita.Engine, c clock.Domain, index int) *Array {
	a := &Array{}
	a.engineBase = newEngineBase(name, engine, c, index, a)
	return a
}

// Stats returns what the array did in the current kernel.
func (a *Array) Stats() EngineStats { return a.stats }

// NotifyRecv takes compute requests from the controller.
func (a *Array) NotifyRecv(now akita.VTimeInSec, port akita.Port) {
	for msg := port.Retrieve(now); msg != nil; msg = port.Retrieve(now) {
		a.run(now, msg.(*computeReq))
	}
}

// run schedules one step: its folds start as soon as the pipeline allows
// once the request (its data) is there.
func (a *Array) run(now akita.VTimeInSec, req *computeReq) {
	if req.first {
		a.start = req.start
		a.pipe = pipeline{streamEnd: req.start, drainEnd: req.start}
		a.stats = EngineStats{}
	}
	t := req.timing
	w := req.w
	ready := a.clock.Cycle(now)
	prevDrain := a.pipe.drainEnd
	s := t.StreamCycles(w.temporal)
	ideal, actual := t.folds(&a.pipe, w.folds, s, ready)
	lost := int64(actual - ideal)
	a.stats.Works++
	a.stats.BusyCycles += int64(a.pipe.drainEnd-prevDrain) - lost
	a.stats.StreamCycles += w.folds * s
	// Waiting for an output half, the cycles until the epilogue that held
	// it was done are the vector unit's; the rest its write-back's.
	vec := int64(0)
	if req.cause == causeSpace && req.vectorUntil > ideal {
		vec = min(lost, int64(req.vectorUntil-ideal))
	}
	a.stats.StallVectorCycles += vec
	a.stall(req.cause, lost-vec)
	a.stats.Folds += w.folds
	a.stats.MACs += w.macs
	a.stats.PECycles += w.peCycles
	a.trace(req.seq, req.index, req.what, actual-t.startCycles(), a.pipe.drainEnd)
	if w.epilogue {
		// The vector unit takes each fold's outputs as they drain: fold j
		// of the step drains at actual + j (gap + S) + S + D. A
		// weight-stationary fold holds partial sums until the step's last
		// fold, so its outputs are all there at the step's end.
		e := &epilogueReq{w: w, index: req.index, start: req.start, epi: req.epi, seq: req.seq, what: req.what,
			firstDrain: actual + uint64(s+t.OutputCycles()), period: uint64(t.GapCycles() + s)}
		if t.Dataflow != hw.OutputStationary {
			e.firstDrain, e.period = a.pipe.drainEnd, 0
		}
		send(a.engine, a.port, a.vec, e)
	}
	a.finishAt(a, req.index, a.pipe.drainEnd, false)
}

// Handle reports a finished step.
func (a *Array) Handle(akita.Event) error {
	a.complete()
	return nil
}

// VectorUnit is one array's vector unit for elementwise kernels: Lanes
// element operations per cycle. A chunk of e elements with o operations each
// takes ceil(e x o / Lanes) cycles.
type VectorUnit struct {
	engineBase
	end uint64
}

// newVectorUnit builds vector unit index named name.
func newVectorUnit(name string, engine akita.Engine, c clock.Domain, index int) *VectorUnit {
	v := &VectorUnit{}
	v.engineBase = newEngineBase(name, engine, c, index, v)
	return v
}

// Stats returns what the vector unit did in the current kernel.
func (v *VectorUnit) Stats() EngineStats { return v.stats }

// NotifyRecv takes compute requests from the controller and epilogue
// requests from its array.
func (v *VectorUnit) NotifyRecv(now akita.VTimeInSec, port akita.Port) {
	for msg := port.Retrieve(now); msg != nil; msg = port.Retrieve(now) {
		switch m := msg.(type) {
		case *computeReq:
			v.run(now, m)
		case *epilogueReq:
			v.epilogue(m)
		}
	}
}

// epilogue applies a fused epilogue to a step's output tile, chunk by
// chunk as the array drains its folds: a chunk of e elements with o
// operations each takes ceil(e x o / lanes) cycles and starts when both its
// fold has drained and the previous chunk is done. An output-stationary
// fold holds R x C outputs (fewer at the tile's edges), taken row block by
// row block; a weight-stationary step's outputs come as one chunk.
func (v *VectorUnit) epilogue(req *epilogueReq) {
	if v.start != req.start {
		// The kernel's first epilogue on this unit.
		v.start, v.end = req.start, max(v.end, req.start)
	}
	w, ep := req.w, req.epi
	chunk := func(elems int64) int64 { return ceilDiv(elems*ep.opsPerElem, ep.lanes) }
	var busy int64
	end := v.end
	begin := max(end, req.firstDrain)
	if ep.outputStationary {
		j := uint64(0)
		for r0 := int64(0); r0 < w.rows; r0 += ep.rows {
			for c0 := int64(0); c0 < w.cols; c0 += ep.cols {
				c := chunk(min(ep.rows, w.rows-r0) * min(ep.cols, w.cols-c0))
				end = max(end, req.firstDrain+j*req.period) + uint64(c)
				busy += c
				j++
			}
		}
	} else {
		busy = chunk(w.rows * w.cols)
		end = max(end, req.firstDrain) + uint64(busy)
	}
	v.end = end
	v.stats.Works++
	v.stats.BusyCycles += busy
	v.stats.StreamCycles += busy
	v.stats.VectorOps += w.vectorOps
	v.trace(req.seq, req.index, req.what, begin, end)
	v.finishAt(v, req.index, end, true)
}

func (v *VectorUnit) run(now akita.VTimeInSec, req *computeReq) {
	if req.first {
		v.start, v.end = req.start, req.start
		v.stats = EngineStats{}
	}
	ready := v.clock.Cycle(now)
	begin := max(v.end, ready)
	lost := int64(begin - v.end)
	v.end = begin + uint64(req.w.vectorCycles)
	v.stats.Works++
	v.stats.BusyCycles += req.w.vectorCycles
	v.stats.StreamCycles += req.w.vectorCycles
	v.stall(req.cause, lost)
	v.stats.VectorOps += req.w.vectorOps
	v.trace(req.seq, req.index, req.what, begin, v.end)
	v.finishAt(v, req.index, v.end, false)
}

// Handle reports a finished chunk.
func (v *VectorUnit) Handle(akita.Event) error {
	v.complete()
	return nil
}
