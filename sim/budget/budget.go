// Package budget holds the limits every simulation is checked against
// before it starts: the memory its state may take and the engine events
// it may run. A simulator estimates its work from its inputs (tiles,
// bursts, events, cycles, memory) and refuses a run over them with one
// line that says what would fit.
package budget

// Limits bound a simulation before it starts.
type Limits struct {
	// MaxMemoryBytes is the memory the simulator's state may take, in bytes;
	// 0 is DefaultMaxMemoryBytes.
	MaxMemoryBytes int64
	// MaxEvents is the most engine events (and planning steps) a run may
	// take; 0 is DefaultMaxEvents.
	MaxEvents int64
}

// Default limits.
const (
	// DefaultMaxMemoryBytes is 4 GiB: what an ordinary machine gives one run.
	DefaultMaxMemoryBytes = 4 << 30
	// DefaultMaxEvents is 2^34 events: at about 0.3 us each, a run of an
	// hour or more, 100 times the largest built-in forward pass.
	DefaultMaxEvents = 1 << 34
)

// WithDefaults fills the zero (or negative) fields with the defaults.
func (l Limits) WithDefaults() Limits {
	if l.MaxMemoryBytes <= 0 {
		l.MaxMemoryBytes = DefaultMaxMemoryBytes
	}
	if l.MaxEvents <= 0 {
		l.MaxEvents = DefaultMaxEvents
	}
	return l
}
