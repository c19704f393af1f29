package link

import akita "github.com/sarchlab/akita/v3/sim"

// Event is an Akita event at time At, handled by To. It carries no ID, so
// scheduling one costs no allocation of Akita's ID generator; the compute
// and spatial components use it to wake themselves at a cycle.
type Event struct {
	// At is the event's time in seconds of simulated time.
	At akita.VTimeInSec
	// To handles the event.
	To akita.Handler
}

// Time, Handler and IsSecondary make Event an akita event.
func (e Event) Time() akita.VTimeInSec { return e.At }

// Handler returns the component that handles the event.
func (e Event) Handler() akita.Handler { return e.To }

// IsSecondary reports false: the event is a primary one.
func (e Event) IsSecondary() bool { return false }
