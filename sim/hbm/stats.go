package hbm

import "math"

// Histogram counts integer samples (latencies in cycles) exactly, one bin
// per value up to maxHistogramBins; larger values are counted in an
// overflow bin with their exact maximum.
type Histogram struct {
	bins     []uint64
	overflow uint64
	n        uint64
	sum      float64
	min, max int64
}

// maxHistogramBins bounds the exact bins (1M cycles, 3.3 ms at 300 MHz).
const maxHistogramBins = 1 << 20

// Add counts one sample v (v >= 0).
func (h *Histogram) Add(v int64) {
	if v < 0 {
		v = 0
	}
	if h.n == 0 || v < h.min {
		h.min = v
	}
	if v > h.max {
		h.max = v
	}
	h.n++
	h.sum += float64(v)
	if v >= maxHistogramBins {
		h.overflow++
		return
	}
	if int(v) >= len(h.bins) {
		n := max(2*len(h.bins), int(v)+1, 64)
		nb := make([]uint64, min(n, maxHistogramBins))
		copy(nb, h.bins)
		h.bins = nb
	}
	h.bins[v]++
}

// Merge adds the samples of o.
func (h *Histogram) Merge(o *Histogram) {
	if o.n == 0 {
		return
	}
	if h.n == 0 || o.min < h.min {
		h.min = o.min
	}
	h.max = max(h.max, o.max)
	h.n += o.n
	h.sum += o.sum
	h.overflow += o.overflow
	if len(o.bins) > len(h.bins) {
		nb := make([]uint64, len(o.bins))
		copy(nb, h.bins)
		h.bins = nb
	}
	for i, c := range o.bins {
		h.bins[i] += c
	}
}

// Count is the number of samples.
func (h *Histogram) Count() uint64 { return h.n }

// Mean is the average sample (0 without samples).
func (h *Histogram) Mean() float64 {
	if h.n == 0 {
		return 0
	}
	return h.sum / float64(h.n)
}

// Min is the smallest sample (0 without samples).
func (h *Histogram) Min() int64 { return h.min }

// Max is the largest sample (0 without samples).
func (h *Histogram) Max() int64 { return h.max }

// Quantile is the smallest sample value v such that at least q of the
// samples are <= v (q in [0, 1]; 0 without samples).
func (h *Histogram) Quantile(q float64) int64 {
	if h.n == 0 {
		return 0
	}
	need := uint64(math.Ceil(q * float64(h.n)))
	need = max(need, 1)
	var acc uint64
	for v, c := range h.bins {
		acc += c
		if acc >= need {
			return int64(v)
		}
	}
	return h.max
}

// PCStats are the statistics of one pseudo-channel controller. Cycles are
// cycles of the HBM clock.
type PCStats struct {
	// ReadBursts and WriteBursts count the AXI bursts served.
	ReadBursts, WriteBursts uint64
	// ReadBytes and WriteBytes count the bytes moved on the DRAM bus.
	ReadBytes, WriteBytes uint64
	// RowHits, RowMisses and RowConflicts classify every 32 B column
	// command: a miss is the first access after activating a closed bank, a
	// conflict the first after closing another row for it, a hit any other.
	RowHits, RowMisses, RowConflicts uint64
	// Activates, Precharges and Refreshes count row activations, row
	// closings (explicit, auto-precharge and each bank closed by a
	// precharge-all) and all-bank refreshes.
	Activates, Precharges, Refreshes uint64
	// RefreshCycles is the time spent refreshing (Refreshes x tRFC).
	RefreshCycles uint64
	// Turnarounds counts changes of the data bus direction.
	Turnarounds uint64
	// ElapsedCycles is the length of the observed window, from cycle 0.
	ElapsedCycles uint64
	// BusyCycles is the time the data bus carried data; the Loss fields
	// split the rest of ElapsedCycles by cause: no request waiting (Idle),
	// refresh, row activation and precharge timing (Row: tRCD, tRP, tRAS,
	// tRRD, tFAW), read/write turnaround (tWTR, tRTW) and the rest
	// (Other: tCCD, command order).
	BusyCycles, LossIdleCycles, LossRefreshCycles, LossRowCycles, LossTurnaroundCycles, LossOtherCycles uint64
	// QueueCycles sums, over bursts, the time from reaching the controller
	// to its first column command; ServiceCycles sums the time from there to
	// the end of its last data beat. MaxQueueCycles is the largest wait.
	QueueCycles, ServiceCycles, MaxQueueCycles uint64
}

// Bursts is the number of bursts served.
func (s PCStats) Bursts() uint64 { return s.ReadBursts + s.WriteBursts }

// Bytes is the number of bytes moved.
func (s PCStats) Bytes() uint64 { return s.ReadBytes + s.WriteBytes }

// Columns is the number of 32 B column commands.
func (s PCStats) Columns() uint64 { return s.RowHits + s.RowMisses + s.RowConflicts }

// add accumulates o into s (ElapsedCycles is summed too).
func (s *PCStats) add(o PCStats) {
	s.ReadBursts += o.ReadBursts
	s.WriteBursts += o.WriteBursts
	s.ReadBytes += o.ReadBytes
	s.WriteBytes += o.WriteBytes
	s.RowHits += o.RowHits
	s.RowMisses += o.RowMisses
	s.RowConflicts += o.RowConflicts
	s.Activates += o.Activates
	s.Precharges += o.Precharges
	s.Refreshes += o.Refreshes
	s.RefreshCycles += o.RefreshCycles
	s.Turnarounds += o.Turnarounds
	s.ElapsedCycles += o.ElapsedCycles
	s.BusyCycles += o.BusyCycles
	s.LossIdleCycles += o.LossIdleCycles
	s.LossRefreshCycles += o.LossRefreshCycles
	s.LossRowCycles += o.LossRowCycles
	s.LossTurnaroundCycles += o.LossTurnaroundCycles
	s.LossOtherCycles += o.LossOtherCycles
	s.QueueCycles += o.QueueCycles
	s.ServiceCycles += o.ServiceCycles
	s.MaxQueueCycles = max(s.MaxQueueCycles, o.MaxQueueCycles)
}

// PortStats are the statistics of one AXI port. Cycles are kernel cycles.
type PortStats struct {
	// ReadReqs and WriteReqs count the requests answered.
	ReadReqs, WriteReqs uint64
	// ReadBytes and WriteBytes count the bytes of those requests.
	ReadBytes, WriteBytes uint64
	// ReadBursts and WriteBursts count the AXI bursts.
	ReadBursts, WriteBursts uint64
	// MaxReadsInFlight and MaxWritesInFlight are the most bursts the port
	// had in flight at once in each direction.
	MaxReadsInFlight, MaxWritesInFlight int
	// RBusyCycles and WBusyCycles count the cycles the read and the write
	// data channel carried a beat.
	RBusyCycles, WBusyCycles uint64
	// FirstArrival is the kernel cycle of the first request (0 if none);
	// LastResponse the kernel cycle the last response left.
	FirstArrival, LastResponse int64
	// Latency holds, per request, the kernel cycles from its arrival at the
	// port to its response leaving the port.
	Latency Histogram
	// Errors counts requests the port could not serve (bad size or
	// address); they are answered at once without touching the HBM.
	Errors uint64
}

// SwitchStats are the statistics of the switch's lateral links.
type SwitchStats struct {
	// Crossings counts the messages that used at least one lateral link.
	Crossings uint64
	// LinkBusyCycles is the busiest lateral link's occupied time in HBM
	// cycles.
	LinkBusyCycles uint64
	// DeliveryFailures counts deliveries refused by a destination port.
	DeliveryFailures uint64
}
