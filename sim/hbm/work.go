package hbm

import (
	"fmt"
	"math"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sim/budget"
)

// BenchWork is the estimated size of a benchmark run, from its
// configuration alone.
type BenchWork struct {
	// Ports is the generators' ports.
	Ports int
	// Requests and Bursts are the requests the generators send and the
	// bursts they become.
	Requests, Bursts float64
	// Events is the estimated engine events: a few per burst (port,
	// switch, controller, response) and per request.
	Events float64
	// Cycles is a lower bound of the simulated HBM cycles: the bursts at
	// the peak of the used pseudo-channels.
	Cycles float64
	// MemoryBytes is the estimated peak memory: per port its latency
	// histogram (at most maxHistogramBins) and its requests in flight.
	MemoryBytes float64
}

// Costs of the estimate.
const (
	benchEventsPerBurst   = 6
	benchEventsPerRequest = 4
	// benchBytesPerPort is a port's and a controller's fixed state;
	// benchBytesPerInFlight a request or burst in flight.
	benchBytesPerPort     = 64 << 10
	benchBytesPerInFlight = 1 << 10
)

// Estimate estimates the work of the run (cfg must be valid).
func (c BenchConfig) Estimate() BenchWork {
	perGen := math.Max(math.Floor(float64(c.TotalBytes)/float64(c.PCs)/float64(c.SizeBytes)), 1)
	w := BenchWork{Ports: c.PCs, Requests: perGen * float64(c.PCs)}
	bytes := w.Requests * float64(c.SizeBytes)
	w.Bursts = bytes / float64(c.HBM.BurstBytes)
	w.Events = w.Bursts*benchEventsPerBurst + w.Requests*benchEventsPerRequest
	w.Cycles = bytes / (float64(c.PCs) * c.HBM.PCBytesPerSec()) * c.HBM.ClockHz
	inFlight := float64(c.window()) * float64(c.SizeBytes) / float64(c.HBM.BurstBytes)
	w.MemoryBytes = float64(c.PCs) * (benchBytesPerPort + maxHistogramBins*8 + inFlight*benchBytesPerInFlight)
	return w
}

// Check returns nil when the run fits the limits, else one line that says
// what is too large and what total would fit.
func (w BenchWork) Check(total int64, l budget.Limits) error {
	l = l.WithDefaults()
	// What fits: the total shrunk by the largest excess over a limit that
	// grows with it.
	ratio := math.Max(w.Cycles/hw.MaxCycles, w.Events/float64(l.MaxEvents))
	fit := func() int64 { return int64(math.Max(1, math.Floor(float64(total)/ratio))) }
	switch {
	case !(w.Cycles <= hw.MaxCycles):
		return fmt.Errorf("hbm: bench: %d bytes take at least %.3g HBM cycles, above the %.3g an event time holds exactly; at most about %d bytes fit",
			total, w.Cycles, float64(hw.MaxCycles), fit())
	case !(w.Events <= float64(l.MaxEvents)):
		return fmt.Errorf("hbm: bench: %d bytes take about %.3g events, above the limit of %.3g; at most about %d bytes fit, or raise the limit",
			total, w.Events, float64(l.MaxEvents), fit())
	case !(w.MemoryBytes <= float64(l.MaxMemoryBytes)):
		return fmt.Errorf("hbm: bench: %d ports take about %.3g GiB of memory, above the limit of %.3g GiB; use fewer ports or raise the limit",
			w.Ports, w.MemoryBytes/(1<<30), float64(l.MaxMemoryBytes)/(1<<30))
	}
	return nil
}
