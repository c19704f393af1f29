package compute

import (
	"math"

	"github.com/roofsim/roofsim/workload"
)

// KernelStats is the result of simulating one kernel. Cycles are of the
// kernel clock and count from the kernel's start.
type KernelStats struct {
	// Kernel is the kernel simulated.
	Kernel workload.Kernel
	// Plan is how it was mapped.
	Plan *Plan
	// FreqHz is the kernel clock.
	FreqHz float64
	// Cycles is the kernel's time: from its start to its last output
	// written back.
	Cycles int64
	// ComputeCycles is the busy cycles of the critical engine (the array or
	// vector unit that finished last): the closed-form count of its folds.
	ComputeCycles int64
	// StreamCycles is the part of ComputeCycles spent streaming operands;
	// FillDrainCycles is the rest.
	StreamCycles, FillDrainCycles int64
	// StallHBMCycles is the critical engine's wait for tiles still coming
	// from off-chip memory (the HBM model, or the ideal memory standing in
	// for it; the same name as accel.KernelResult's and the reports'
	// stall_hbm_cycles); StallOnChipCycles its wait for tiles still coming
	// from the activation store; StallBufferCycles its wait for a free output
	// buffer half.
	StallHBMCycles, StallOnChipCycles, StallBufferCycles int64
	// WritebackCycles is the time from the critical engine's last fold to
	// the last output written back.
	WritebackCycles int64
	// LaunchCycles is the design's kernel launch overhead, the first
	// cycles of the kernel, before it issues anything.
	LaunchCycles int64
	// Folds, MACs and PECycles sum over all arrays.
	Folds, MACs, PECycles int64
	// VectorOps sums the vector units' element operations.
	VectorOps int64
	// PEs is the number of PEs (or vector lanes) of the design.
	PEs int64
	// BytesRead and BytesWritten are the off-chip traffic per operand.
	BytesRead, BytesWritten [numOperands]int64
	// BytesReadPerPC and BytesWrittenPerPC split the off-chip traffic by
	// pseudo-channel (as the DMA's Router maps addresses).
	BytesReadPerPC, BytesWrittenPerPC []int64
	// OnChipBytesRead and OnChipBytesWritten are the bytes moved from the
	// on-chip stores into the buffers (the activation store and the weight
	// store) and from the output buffers into the activation store;
	// WeightStoreBytesRead is the weight store's part of OnChipBytesRead.
	OnChipBytesRead, OnChipBytesWritten, WeightStoreBytesRead int64
	// StallVectorCycles is, for a matmul with an Epilogue, the critical
	// array's wait for an output buffer half still held by an epilogue,
	// plus the epilogue work left after its last fold; both are in
	// ComputeCycles + StallCycles() = Cycles.
	StallVectorCycles int64
	// DMARequestsIssued and DMARequestsCompleted count memory requests.
	DMARequestsIssued, DMARequestsCompleted int64
	// PrefetchedBytes is the bytes of the kernel's weight tiles loaded
	// while the previous kernel ran (Options.PrefetchWeights); they are
	// counted in the kernel's traffic all the same.
	PrefetchedBytes int64
	// StartCycle and EndCycle are the kernel's first and end cycles on the
	// simulator's clock (Cycles = EndCycle - StartCycle).
	StartCycle, EndCycle uint64
	// Engines is each array's (or vector unit's) statistics.
	Engines []EngineStats
}

// StallCycles is the cycles beyond ComputeCycles: waiting for data (off
// chip and on chip), for buffer space, for the vector unit (epilogues), and
// for the last write-back, and the launch overhead.
func (s KernelStats) StallCycles() int64 {
	return s.StallHBMCycles + s.StallOnChipCycles + s.StallBufferCycles + s.StallVectorCycles + s.WritebackCycles + s.LaunchCycles
}

// Seconds is the kernel's time in seconds.
func (s KernelStats) Seconds() float64 { return float64(s.Cycles) / s.FreqHz }

// TotalBytesRead is the off-chip bytes read.
func (s KernelStats) TotalBytesRead() int64 {
	return s.BytesRead[Inputs] + s.BytesRead[Weights] + s.BytesRead[Side]
}

// TotalBytesWritten is the off-chip bytes written.
func (s KernelStats) TotalBytesWritten() int64 { return s.BytesWritten[Outputs] }

// Utilization is useful MACs over the PE-cycles of the whole design during
// the kernel: the fraction of the design's peak the kernel reached (arrays).
func (s KernelStats) Utilization() float64 {
	if s.Cycles == 0 || s.PEs == 0 {
		return 0
	}
	if s.Plan != nil && s.Plan.Engine == EngineVector {
		return float64(s.VectorOps) / (float64(s.PEs) * float64(s.Cycles))
	}
	return float64(s.MACs) / (float64(s.PEs) * float64(s.Cycles))
}

// MappingEfficiency is useful MACs over the PE-cycles of the folds'
// streams: the share of the PEs the tiling keeps busy while streaming (edge
// folds that do not fill the array lower it).
func (s KernelStats) MappingEfficiency() float64 {
	if s.PECycles == 0 {
		return 0
	}
	return float64(s.MACs) / float64(s.PECycles)
}

// OI is the achieved operational intensity: ops over the bytes actually
// moved.
func (s KernelStats) OI() float64 {
	b := s.TotalBytesRead() + s.TotalBytesWritten()
	if b == 0 {
		return math.Inf(1)
	}
	return float64(s.Kernel.Ops) / float64(b)
}

// stats gathers the statistics of the kernel that just ran (plan p): the
// traffic the DMA and the stores counted for it (its prefetched tiles
// included, wherever they moved) and its engines' counters.
func (s *Simulator) stats(p *Plan) KernelStats {
	seq := s.ctrl.seq
	d := s.dma.ownerStats(seq)
	var as, ws StoreStats
	if s.store != nil {
		as = s.store.ownerStats(seq)
	}
	if s.wstore != nil {
		ws = s.wstore.ownerStats(seq)
	}
	st := KernelStats{
		Kernel: p.Kernel, Plan: p, FreqHz: s.clock.FreqHz,
		Cycles:               int64(s.ctrl.endCycle - s.ctrl.start),
		StartCycle:           s.ctrl.start,
		EndCycle:             s.ctrl.endCycle,
		DMARequestsIssued:    d.RequestsIssued,
		DMARequestsCompleted: d.RequestsCompleted,
		OnChipBytesRead:      as.BytesRead + ws.BytesRead,
		OnChipBytesWritten:   as.BytesWritten,
		WeightStoreBytesRead: ws.BytesRead,
		PrefetchedBytes:      s.ctrl.prefetchedBytes,
		BytesRead:            d.BytesRead,
		BytesWritten:         d.BytesWritten,
		BytesReadPerPC:       d.BytesReadPerPC,
		BytesWrittenPerPC:    d.BytesWrittenPerPC,
	}
	if p.Engine == EngineArray {
		st.PEs = int64(s.design.PEs())
		for _, a := range s.arrays {
			st.Engines = append(st.Engines, a.Stats())
		}
	} else {
		st.PEs = int64(s.design.VectorLanes * s.design.Arrays)
		for _, v := range s.vectors {
			st.Engines = append(st.Engines, v.Stats())
		}
	}
	crit := -1
	for i, e := range st.Engines {
		st.Folds += e.Folds
		st.MACs += e.MACs
		st.PECycles += e.PECycles
		st.VectorOps += e.VectorOps
		if e.Works > 0 && (crit < 0 || e.FinishCycle > st.Engines[crit].FinishCycle) {
			crit = i
		}
	}
	if crit >= 0 {
		e := st.Engines[crit]
		st.ComputeCycles = e.BusyCycles
		st.StreamCycles = e.StreamCycles
		st.FillDrainCycles = e.BusyCycles - e.StreamCycles
		st.StallHBMCycles = e.StallHBMCycles
		st.StallOnChipCycles = e.StallOnChipCycles
		st.StallBufferCycles = e.StallBufferCycles
		st.StallVectorCycles = e.StallVectorCycles
		st.LaunchCycles = int64(s.ctrl.runStart - s.ctrl.start)
		st.WritebackCycles = st.Cycles - st.LaunchCycles - e.FinishCycle
		if p.Epilogue != nil {
			// The epilogues run on the vector units; what they leave after
			// the critical array's last fold is the vector unit's too.
			var vecEnd int64
			for _, v := range s.vectors {
				vs := v.Stats()
				st.VectorOps += vs.VectorOps
				if vs.Works > 0 {
					vecEnd = max(vecEnd, vs.FinishCycle)
				}
			}
			tail := max(0, vecEnd-e.FinishCycle)
			st.StallVectorCycles += tail
			st.WritebackCycles -= tail
		}
	}
	return st
}
