package spatial

import (
	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sim/clock"
	"github.com/roofsim/roofsim/sim/hbm"
)

// Result is a spatial run's outcome.
type Result struct {
	// Design and Platform name what ran.
	Design, Platform string
	// FreqHz is the kernel clock.
	FreqHz float64
	// Passes and Tiles are the inputs streamed through and the row tiles
	// of each op.
	Passes, Tiles int
	// MakespanCycles runs from the start to the last unit's last tile and
	// the last HBM write.
	MakespanCycles int64
	// Units and Streams are per unit and per stream.
	Units   []UnitStats
	Streams []StreamStats
	// Bottleneck is the index in Units of the unit with the most busy
	// cycles: the stage that sets the throughput.
	Bottleneck int
	// FillCycles is the pipeline's latency: from the start to the end of
	// the first pass on every unit.
	FillCycles int64
	// IntervalCycles is the bottleneck's busy cycles per pass: in steady
	// state a pass leaves the pipeline every IntervalCycles.
	IntervalCycles float64
	// PassEnds is, per pass, the cycle its last tile ended on any unit.
	PassEnds []int64
	// GraphMACs is the graph's MACs times the passes; the units' MACs add
	// up to it.
	GraphMACs int64
	// PlannedBytesRead and PlannedBytesWritten are the HBM bytes the units
	// asked for; HBMBytesRead and HBMBytesWritten what the HBM model's
	// ports served.
	PlannedBytesRead, PlannedBytesWritten int64
	HBMBytesRead, HBMBytesWritten         int64
	// OnChipBytes is the BRAM+URAM the units' weight buffers, operand
	// stores and the streams take (Plan.OnChipBytes).
	OnChipBytes int64
}

// Seconds is the makespan in seconds.
func (r Result) Seconds() float64 { return float64(r.MakespanCycles) / r.FreqHz }

// ThroughputPerSec is the passes per second the bottleneck allows,
// 1 / interval.
func (r Result) ThroughputPerSec() float64 {
	if r.IntervalCycles <= 0 {
		return 0
	}
	return r.FreqHz / r.IntervalCycles
}

// MeasuredIntervalCycles is the cycles between the ends of the first and
// the last pass per pass after the first; 0 for one pass.
func (r Result) MeasuredIntervalCycles() float64 {
	n := len(r.PassEnds)
	if n < 2 {
		return 0
	}
	return float64(r.PassEnds[n-1]-r.PassEnds[0]) / float64(n-1)
}

// BusyCycles is the sum of the units' busy cycles: above the makespan
// when units ran concurrently.
func (r Result) BusyCycles() int64 {
	var n int64
	for _, u := range r.Units {
		n += u.BusyCycles
	}
	return n
}

// Utilization is unit u's busy cycles over the makespan.
func (r Result) Utilization(u int) float64 {
	if r.MakespanCycles <= 0 {
		return 0
	}
	return float64(r.Units[u].BusyCycles) / float64(r.MakespanCycles)
}

// PEUtilization is an array unit's MACs over its PEs times the makespan
// (0 for a vector unit).
func (r Result) PEUtilization(u int) float64 {
	s := r.Units[u]
	if s.PEs == 0 || r.MakespanCycles <= 0 {
		return 0
	}
	return float64(s.MACs) / float64(s.PEs) / float64(r.MakespanCycles)
}

func newResult(d hw.SpatialDesign, p hw.Platform, plan *Plan, c clock.Domain, units []*Unit, streams []*Stream, dma *DMA, sys *hbm.System) Result {
	r := Result{Design: d.Name, Platform: p.Name, FreqHz: c.FreqHz, Passes: plan.passes, Tiles: d.Tiles,
		PassEnds: make([]int64, plan.passes)}
	r.MakespanCycles = int64(c.Cycle(units[0].engine.CurrentTime()))
	for i, u := range units {
		s := u.stats
		spec := d.Units[i]
		s.Name, s.Kind, s.SLR = spec.Name, string(spec.Kind), spec.SLR
		if spec.Kind == hw.UnitArray {
			s.PEs = int64(spec.ArrayRows * spec.ArrayCols * spec.Arrays)
		} else {
			s.Lanes = int64(spec.VectorLanes)
		}
		for _, it := range plan.units[i].items {
			s.Ops += it.ops
		}
		r.MakespanCycles = max(r.MakespanCycles, s.LastEnd)
		for pass, e := range s.PassEnds {
			r.PassEnds[pass] = max(r.PassEnds[pass], e)
		}
		r.Units = append(r.Units, s)
		r.PlannedBytesRead += s.HBMBytesRead
		r.PlannedBytesWritten += s.HBMBytesWritten
	}
	r.Bottleneck = 0
	for i, u := range r.Units {
		if u.BusyCycles > r.Units[r.Bottleneck].BusyCycles {
			r.Bottleneck = i
		}
	}
	r.FillCycles = r.PassEnds[0]
	r.IntervalCycles = float64(r.Units[r.Bottleneck].BusyCycles) / float64(plan.passes)
	for _, k := range plan.graph.Ops {
		r.GraphMACs += k.MACs() * int64(plan.passes)
	}
	for _, s := range streams {
		st := s.stats
		st.FinalBytes = s.used
		r.Streams = append(r.Streams, st)
	}
	for pc := range dma.BytesRead {
		if dma.memRemote[pc] != nil {
			ps := sys.PortStats(pc)
			r.HBMBytesRead += int64(ps.ReadBytes)
			r.HBMBytesWritten += int64(ps.WriteBytes)
		}
	}
	return r
}
