package compute

import (
	"fmt"

	akita "github.com/sarchlab/akita/v3/sim"
)

// TraceTask is one task of a task trace, in the model of Akita's tracing
// package (tracing.Task): something a component did from StartTime to
// EndTime, with a parent task that caused it. Daisen, Akita's trace viewer,
// shows tasks by component (Where) and kind.
type TraceTask struct {
	// ID identifies the task; ParentID is its parent's ID ("" for none).
	ID, ParentID string
	// Kind is the class of the task ("kernel", "load", "store", "compute").
	Kind string
	// What says what the task does (the kernel name, the operand moved).
	What string
	// Where is the component that did it (an Akita component name).
	Where string
	// StartTime and EndTime bound the task, in seconds.
	StartTime, EndTime akita.VTimeInSec
}

// Tracer receives the simulation's finished tasks. The simulator calls
// Task once per task, in a deterministic order, when the task's end is
// known (which may be before the engine reaches it). A nil Tracer costs
// nothing.
type Tracer interface {
	Task(t TraceTask)
}

// PCTracer is a Tracer that also wants the HBM traffic of each
// pseudo-channel over time: when Options.Tracer implements it, the DMA
// calls PCBytes once per memory request as its response arrives, with
// the time, the request's PC (the platform's numbering), its bytes and
// whether it wrote. A Tracer without it costs nothing more.
type PCTracer interface {
	Tracer
	PCBytes(t akita.VTimeInSec, pc int, bytes int64, write bool)
}

// The task kinds the compute side records.
const (
	// TaskKernel is a whole kernel on the controller.
	TaskKernel = "kernel"
	// TaskLoad is a tile moved into the arrays' buffers (from HBM by the DMA,
	// or from the activation store).
	TaskLoad = "load"
	// TaskStore is an output tile written back (to HBM or to the store).
	TaskStore = "store"
	// TaskCompute is one step of an array (its folds) or of a vector unit.
	TaskCompute = "compute"
)

// kernelTaskID is the task ID of kernel number seq of the simulator.
func kernelTaskID(seq int) string { return fmt.Sprintf("k%d", seq) }
