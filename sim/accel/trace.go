package accel

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/roofsim/roofsim/sim/compute"
)

// TraceTask is one task of the trace (Akita's task model: ID, parent,
// kind, what, where, start and end time in seconds).
type TraceTask = compute.TraceTask

// Tracer receives the simulation's tasks (Options.Tracer).
type Tracer = compute.Tracer

// PCTracer is a Tracer that also receives each HBM request's bytes per
// pseudo-channel as it completes (compute.PCTracer).
type PCTracer = compute.PCTracer

// CSVTracer writes tasks in the CSV format of Akita's tracing package
// (tracing.CSVTraceWriter: a header line "ID, ParentID, Kind, What, Where,
// Start, End", then one line per task with its times in seconds to 10
// decimals), which Akita's Daisen viewer opens with "daisen -csv FILE".
// Tasks are written as the simulation reports them, in a deterministic
// order, with deterministic IDs: two runs write the same bytes. Commas in
// names are replaced by semicolons, as the format has no quoting.
//
// It writes through a buffer: call Flush when the run is over.
type CSVTracer struct {
	w   *bufio.Writer
	n   int64
	err error
}

// csvTraceHeader is the header Akita's CSVTraceWriter writes.
const csvTraceHeader = "ID, ParentID, Kind, What, Where, Start, End\n"

// NewCSVTracer returns a tracer that writes to w; it writes the header at
// once.
func NewCSVTracer(w io.Writer) *CSVTracer {
	t := &CSVTracer{w: bufio.NewWriterSize(w, 1<<16)}
	_, t.err = t.w.WriteString(csvTraceHeader)
	return t
}

// Task writes one task.
func (t *CSVTracer) Task(task TraceTask) {
	if t.err != nil {
		return
	}
	t.n++
	_, t.err = fmt.Fprintf(t.w, "%s, %s, %s, %s, %s, %.10f, %.10f\n",
		clean(task.ID), clean(task.ParentID), clean(task.Kind), clean(task.What), clean(task.Where),
		float64(task.StartTime), float64(task.EndTime))
}

// Tasks is the number of tasks written.
func (t *CSVTracer) Tasks() int64 { return t.n }

// Flush writes what is buffered and returns the first write error.
func (t *CSVTracer) Flush() error {
	if t.err != nil {
		return fmt.Errorf("accel: trace: %w", t.err)
	}
	if err := t.w.Flush(); err != nil {
		return fmt.Errorf("accel: trace: %w", err)
	}
	return nil
}

// clean keeps a field from breaking the CSV line.
func clean(s string) string {
	if strings.ContainsAny(s, ",\n") {
		return strings.NewReplacer(",", ";", "\n", " ").Replace(s)
	}
	return s
}
