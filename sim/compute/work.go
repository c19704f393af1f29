package compute

import (
	"fmt"
	"math"
	"unsafe"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sim/budget"
	"github.com/roofsim/roofsim/workload"
)

// Limits bound a simulation before it starts (see Work.Check).
type Limits = budget.Limits

// MaxMACs bounds the MACs of one kernel so that every element, byte and
// PE-cycle count of it stays an exact int64 (2^57 MACs x 32 bits).
const MaxMACs = 1 << 57

// Work is the estimated size of a simulation, from its inputs alone.
type Work struct {
	// What names the work in messages ("kernel fc1", "the forward pass").
	What string
	// MACs is the multiply-accumulates asked for.
	MACs float64
	// Tiles is the fewest works (one array's step on one tile) the tiler
	// can cut the kernels into with the design's buffers; the plan holds
	// them all.
	Tiles float64
	// TilerJobs is the column jobs the tiler enumerates while choosing.
	TilerJobs float64
	// Events is the estimated engine events: a few per tile and per burst
	// of off-chip traffic.
	Events float64
	// Cycles is a lower bound of the simulated kernel cycles (the roofline
	// bound: compute or the design's bandwidth).
	Cycles float64
	// MemoryBytes is the estimated peak memory of the plans, in bytes.
	MemoryBytes float64
	// bigDim and bigName are the kernel's largest dimension, which a
	// message suggests shrinking.
	bigDim  float64
	bigName string
}

// Costs of the estimate, in bytes of memory or events.
const (
	// bytesPerTile is a work, its store, its loads and the pointers to them.
	bytesPerTile = int64(unsafe.Sizeof(work{})) + int64(unsafe.Sizeof(store{})) + 8 +
		int64(numOperands)*(int64(unsafe.Sizeof(load{}))+16)
	// bytesPerJob is one column job of the tiler.
	bytesPerJob = int64(unsafe.Sizeof(job{}))
	// eventsPerTile and eventsPerBurst are the events of a work (dispatch,
	// completion, loads, store) and of a 32 B burst through the memory.
	eventsPerTile  = 8
	eventsPerBurst = 4
	// workBurstBytes is the burst the event estimate counts traffic in.
	workBurstBytes = 32
)

// Add sums two estimates (plans of a pass are all held at once).
func (w Work) Add(o Work) Work {
	w.MACs += o.MACs
	w.Tiles += o.Tiles
	w.TilerJobs = max(w.TilerJobs, o.TilerJobs)
	w.Events += o.Events
	w.Cycles += o.Cycles
	w.MemoryBytes += o.MemoryBytes
	if o.bigDim > w.bigDim {
		w.bigDim, w.bigName = o.bigDim, o.bigName
	}
	return w
}

// EstimateKernel estimates the work of simulating kernel k on design d
// (which must be valid) and platform p, without planning it.
func EstimateKernel(k workload.Kernel, d hw.Design, p hw.Platform) Work {
	prec := d.Precision
	inBits, wBits, outBits := float64(prec.ActBits), float64(prec.WeightBits), float64(prec.ActBits)
	m, kk, n, b := float64(k.M), float64(k.K), float64(k.N), float64(k.Batch)
	half := func(bytes int64, bits float64) float64 {
		tile := bytes / 2
		if d.Buffering == hw.StreamBuffered {
			tile = d.StreamTileBytes(bytes)
		}
		return math.Max(1, float64(tile)*8/bits)
	}
	in, wt, out := half(d.InputBufferBytes, inBits), half(d.WeightBufferBytes, wBits), half(d.OutputBufferBytes, outBits)
	w := Work{What: "kernel " + k.Name}
	bytes := float64(k.InputElems)*inBits/8 + float64(k.WeightElems+k.BiasElems)*wBits/8 + float64(k.OutputElems)*outBits/8
	if k.Kind.IsMatmul() {
		w.MACs = m * kk * n * b
		// Every element of each operand is in some tile, each tile fits a
		// buffer half, and a tile's MACs are at most sqrt(in x wt x out)
		// (Loomis-Whitney): each bounds the tiles from below.
		w.Tiles = math.Max(math.Max(b*m*kk/in, b*kk*n/wt), math.Max(b*m*n/out, w.MACs/math.Sqrt(in*wt*out)))
		w.TilerJobs = b * math.Ceil(n/float64(d.ArrayCols))
		w.Cycles = w.MACs / float64(d.PEs())
		w.bigDim, w.bigName = m, "m"
		if kk > w.bigDim {
			w.bigDim, w.bigName = kk, "k"
		}
		if n > w.bigDim {
			w.bigDim, w.bigName = n, "n"
		}
	} else {
		rows := m * b
		w.Tiles = math.Max(rows/float64(d.Arrays), float64(k.InputElems)*inBits/8/float64(d.TileBytes(d.InputBufferBytes)))
		w.Cycles = float64(k.Ops) / float64(d.VectorLanes*d.Arrays)
		w.bigDim, w.bigName = m, "m"
	}
	w.Tiles = math.Ceil(math.Max(w.Tiles, 1))
	if bw := d.MemBytesPerSec(p) / d.ClockHz(p); bw > 0 {
		w.Cycles = math.Max(w.Cycles, bytes/bw)
	}
	w.Events = w.Tiles*eventsPerTile + bytes/workBurstBytes*eventsPerBurst + w.TilerJobs
	w.MemoryBytes = w.Tiles*float64(bytesPerTile) + w.TilerJobs*float64(bytesPerJob)
	return w
}

// EstimateKernels estimates simulating the kernels one after another with
// every plan held at once (RunJobs, a forward pass).
func EstimateKernels(ks []workload.Kernel, d hw.Design, p hw.Platform) Work {
	w := Work{What: fmt.Sprintf("the %d kernels", len(ks))}
	for _, k := range ks {
		w = w.Add(EstimateKernel(k, d, p))
	}
	return w
}

// Check returns nil when the work fits the limits, else one line that says
// what is too large, by how much, and what would fit.
func (w Work) Check(l Limits) error {
	l = l.WithDefaults()
	// The suggestion shrinks the largest dimension by the largest excess
	// (an approximation: most terms grow linearly with it).
	ratio := math.Max(math.Max(w.MACs/MaxMACs, w.Cycles/hw.MaxCycles),
		math.Max(w.MemoryBytes/float64(l.MaxMemoryBytes), w.Events/float64(l.MaxEvents)))
	shrink := func() string {
		if w.bigName == "" || !(ratio > 1) {
			return ""
		}
		return fmt.Sprintf("; about %s=%.0f would fit", w.bigName, math.Max(1, math.Floor(w.bigDim/ratio)))
	}
	switch {
	case !(w.MACs <= MaxMACs):
		return fmt.Errorf("compute: %s is too large to simulate: %.3g MACs, above the %.3g the simulator counts exactly%s",
			w.What, w.MACs, float64(MaxMACs), shrink())
	case !(w.Cycles <= hw.MaxCycles):
		return fmt.Errorf("compute: %s is too large to simulate: at least %.3g cycles, above the %.3g an event time holds exactly%s",
			w.What, w.Cycles, float64(hw.MaxCycles), shrink())
	case !(w.MemoryBytes <= float64(l.MaxMemoryBytes)):
		return fmt.Errorf("compute: %s is too large to simulate: about %.3g GiB of memory for %.3g tiles, above the limit of %.3g GiB%s, or raise the limit",
			w.What, w.MemoryBytes/(1<<30), w.Tiles, float64(l.MaxMemoryBytes)/(1<<30), shrink())
	case !(w.Events <= float64(l.MaxEvents)):
		return fmt.Errorf("compute: %s is too large to simulate: about %.3g events, above the limit of %.3g%s, or raise the limit",
			w.What, w.Events, float64(l.MaxEvents), shrink())
	}
	return nil
}

// checkRegions reports an operand of k larger than its region of off-chip
// memory before the kernel is planned (the plan's footprint, checked after
// planning, is at least the operand's bytes).
func checkRegions(k workload.Kernel, cfg planConfig) error {
	prec := cfg.design.Precision
	in, w := k.InputElems, k.WeightElems
	if k.Kind == workload.KindAttention {
		// Both operands are inputs; the right-hand one is laid out as weights.
		in = k.Batch * k.M * k.K
		w = k.InputElems - in
	}
	ops := []struct {
		op    Operand
		elems int64
		bits  int
	}{
		{Inputs, in, prec.ActBits},
		{Weights, w, prec.WeightBits},
		{Outputs, k.OutputElems, prec.ActBits},
	}
	for _, o := range ops {
		if b := float64(o.elems) * float64(o.bits) / 8; b > float64(cfg.regionBytes) {
			return fmt.Errorf("compute: kernel %s: its %s take %.0f bytes, more than the %d of their region of off-chip memory",
				k.Name, o.op, b, cfg.regionBytes)
		}
	}
	return nil
}
