package validation

import (
	"fmt"
	"github.com/roofsim/roofsim/sim/compute"
	"math"
	"sort"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/roofline"
	"github.com/roofsim/roofsim/sim/accel"
	"github.com/roofsim/roofsim/sim/clock"
	"github.com/roofsim/roofsim/workload"
)

// Loss names a reason a simulated kernel is slower than its bound.
type Loss string

// The losses Compare names.
const (
	LossNone         Loss = "none"
	LossFillDrain    Loss = "fill/drain"
	LossTileEdges    Loss = "tile edges"
	LossIdleArrays   Loss = "idle arrays"
	LossHBMStalls    Loss = "HBM stalls"
	LossRefresh      Loss = "refresh"
	LossOnChipStalls Loss = "on-chip stalls"
	LossBufferStalls Loss = "buffer stalls"
	LossVectorUnit   Loss = "vector unit"
	LossImbalance    Loss = "channel imbalance"
	LossLaunch       Loss = "kernel launch"
)

// KernelCheck is one simulated kernel next to its roofline.
type KernelCheck struct {
	// Result is what the simulation measured.
	accel.KernelResult
	// Roofline is the seed notebook's model under the design's ceilings,
	// every operand moved through HBM once.
	Roofline roofline.Roofline
	// BoundHBMBytes is the ideal bytes of the operands the placement keeps
	// in HBM (all of them when nothing stays on chip), as the bound counts
	// them: computed here from the placement and checked against the
	// simulator's KernelResult.HBMIdealBytes (taken as it is when part of an
	// operand is on chip, which only the simulator knows).
	BoundHBMBytes float64
	// BoundCycles is the kernel's lower bound on this design in kernel
	// cycles: max(ops / peak, BoundHBMBytes / memory ceiling), rounded up.
	// It equals the roofline's lower bound when every operand is in HBM.
	BoundCycles int64
	// Bound is the ceiling BoundCycles is set by.
	Bound roofline.Bound
	// Efficiency is BoundCycles / Cycles (1 is the bound reached).
	Efficiency float64
	// TrafficBytes is the operand bytes the simulation moved: HBM plus the
	// on-chip activation store.
	TrafficBytes int64
	// Loss is the largest reason the kernel is slower than its bound and
	// LossCycles its size; Losses lists every reason with its cycles.
	Loss       Loss
	LossCycles int64
	Losses     []LossShare
	// Failures say what the kernel broke: a time below its bound, traffic
	// below its ideal bytes, MACs other than the kernel's.
	Failures []string
}

// LossShare is one named loss in cycles.
type LossShare struct {
	Loss   Loss
	Cycles int64
}

// StageCheck sums a stage of the simulated pass.
type StageCheck struct {
	Name        string
	Kernels     int
	Cycles      int64
	BoundCycles int64
	Ops         float64
	HBMBytes    int64
	// SeedBoundSec is the stage's lower bound under the seed notebook's
	// ceilings, in seconds (0 when the seed has no ceiling for the precision).
	SeedBoundSec float64
}

// Comparison is a simulated forward pass checked against the roofline.
type Comparison struct {
	// Result is the simulation.
	Result *accel.Result
	// Ceilings are the design's own; Seed the notebook's for the same
	// precision (HasSeed false when the notebook has none, e.g. w4a8).
	Ceilings hw.Ceilings
	Seed     hw.Ceilings
	HasSeed  bool
	// Kernels are the checked kernels in order.
	Kernels []KernelCheck
	// Stages are the per-stage sums in execution order; Total the pass's.
	Stages []StageCheck
	Total  StageCheck
	// Failed counts the kernels with failures.
	Failed int
}

// Passed reports whether every kernel passed its checks.
func (c Comparison) Passed() bool { return c.Failed == 0 }

// Verdict is "pass" or "fail".
func (c Comparison) Verdict() string {
	if c.Passed() {
		return "pass"
	}
	return "fail"
}

// Seconds is the forward pass's simulated time in seconds.
func (c Comparison) Seconds() float64 {
	return float64(c.Result.TotalCycles) / c.Result.FreqHz
}

// Compare checks every simulated kernel of res against its roofline on the
// same design: its lower bound, its traffic against its ideal bytes, its
// MACs against the kernel's; and names each kernel's largest loss.
func Compare(res *accel.Result) Comparison {
	d, p := res.Design, res.Platform
	c := Comparison{Result: res, Ceilings: d.Ceilings(p)}
	if s, err := hw.SeedCeilings(d.Precision); err == nil {
		c.Seed, c.HasSeed = s, true
	}
	byStage := map[workload.Stage]*StageCheck{}
	c.Total.Name = "total"
	for _, kr := range res.Kernels {
		kc := checkKernel(kr, d, p, res.FreqHz)
		if len(kc.Failures) > 0 {
			c.Failed++
		}
		c.Kernels = append(c.Kernels, kc)
		st, ok := byStage[kr.Kernel.Stage]
		if !ok {
			st = &StageCheck{Name: string(kr.Kernel.Stage)}
			byStage[kr.Kernel.Stage] = st
		}
		var seedSec float64
		if c.HasSeed {
			seedSec = roofline.Analyze(kr.Kernel, d.Precision, c.Seed).LowerBoundSec
		}
		for _, s := range []*StageCheck{st, &c.Total} {
			s.Kernels++
			s.Cycles += kr.Cycles
			s.BoundCycles += kc.BoundCycles
			s.Ops += float64(kr.Kernel.Ops)
			s.HBMBytes += kr.BytesRead + kr.BytesWritten
			s.SeedBoundSec += seedSec
		}
	}
	for _, s := range workload.Stages() {
		if st, ok := byStage[s]; ok {
			c.Stages = append(c.Stages, *st)
		}
	}
	return c
}

// hbmWriteBytes is the part of the HBM-placed ideal bytes that the kernel
// writes: its output when the output is in HBM.
func hbmWriteBytes(kr accel.KernelResult, p hw.Precision, hbmBytes float64) float64 {
	switch kr.Placement.Outputs {
	case accel.InHBM:
		_, w := roofline.HBMBytes(kr.Kernel, p, roofline.InHBM{Outputs: true})
		return w
	case accel.Mixed:
		return min(kr.HBMIdealWriteBytes, hbmBytes)
	}
	return 0
}

// hasMixed reports whether an operand is partly on chip and partly in HBM.
func hasMixed(pl accel.Placement) bool {
	return pl.Inputs == accel.Mixed || pl.Weights == accel.Mixed || pl.Outputs == accel.Mixed
}

// placedBytes is the ideal bytes of the operands placed in HBM (a Mixed
// operand counts as on chip).
func placedBytes(k workload.Kernel, pl accel.Placement, p hw.Precision) float64 {
	r, w := roofline.HBMBytes(k, p, roofline.InHBM{Inputs: pl.Inputs == accel.InHBM,
		Weights: pl.Weights == accel.InHBM, Outputs: pl.Outputs == accel.InHBM})
	return r + w
}

func checkKernel(kr accel.KernelResult, d hw.Design, plat hw.Platform, freqHz float64) KernelCheck {
	p, ceil := d.Precision, d.Ceilings(plat)
	k := kr.Kernel
	kc := KernelCheck{KernelResult: kr, Roofline: roofline.Analyze(k, p, ceil)}
	ideal := roofline.IdealBytes(k, p)
	if kr.IdealBytes != 0 && math.Abs(kr.IdealBytes-ideal) > 0.5 {
		kc.Failures = append(kc.Failures, fmt.Sprintf("the simulator counts %.0f ideal bytes, the roofline %.0f", kr.IdealBytes, ideal))
	}
	kc.BoundHBMBytes = placedBytes(k, kr.Placement, p)
	if hasMixed(kr.Placement) {
		// Part of an operand is on chip: only the simulator knows how much.
		// It is held to it below: its HBM traffic must cover it.
		kc.BoundHBMBytes = kr.HBMIdealBytes
	} else if kr.HBMIdealBytes != 0 && math.Abs(kr.HBMIdealBytes-kc.BoundHBMBytes) > 0.5 {
		kc.Failures = append(kc.Failures, fmt.Sprintf("the simulator counts %.0f ideal bytes in HBM, its placement %s gives %.0f",
			kr.HBMIdealBytes, PlacementText(kr.Placement), kc.BoundHBMBytes))
	}
	writes := hbmWriteBytes(kr, p, kc.BoundHBMBytes)
	placed := roofline.Design(float64(k.Ops), kc.BoundHBMBytes-writes, writes, d, plat)
	kc.Bound = placed.Bound
	kc.BoundCycles = int64(clock.New(freqHz).Cycles(placed.LowerBoundSec))
	if kr.Cycles > 0 {
		kc.Efficiency = float64(kc.BoundCycles) / float64(kr.Cycles)
	}
	kc.TrafficBytes = kr.BytesRead + kr.BytesWritten + kr.OnChipBytesRead + kr.OnChipBytesWritten

	if kr.Cycles < kc.BoundCycles {
		kc.Failures = append(kc.Failures, fmt.Sprintf("%d cycles is below the lower bound of %d", kr.Cycles, kc.BoundCycles))
	}
	if float64(kc.TrafficBytes) < ideal {
		kc.Failures = append(kc.Failures, fmt.Sprintf("%d bytes moved is below the ideal %.0f", kc.TrafficBytes, ideal))
	}
	if hbm := kr.BytesRead + kr.BytesWritten; float64(hbm) < kc.BoundHBMBytes {
		kc.Failures = append(kc.Failures, fmt.Sprintf("%d bytes of HBM traffic is below the %.0f its placement keeps in HBM", hbm, kc.BoundHBMBytes))
	}
	if kc.BoundHBMBytes > ideal+0.5 {
		kc.Failures = append(kc.Failures, fmt.Sprintf("%.0f ideal bytes in HBM is more than the kernel's %.0f", kc.BoundHBMBytes, ideal))
	}
	if k.Kind.IsMatmul() && kr.MACs != k.MACs() {
		kc.Failures = append(kc.Failures, fmt.Sprintf("%d MACs executed, the kernel has %d", kr.MACs, k.MACs()))
	}
	kc.Losses = losses(kr, kc.BoundCycles, placed)
	kc.Loss, kc.LossCycles = LossNone, 0
	if len(kc.Losses) > 0 && kc.Losses[0].Cycles > 0 {
		kc.Loss, kc.LossCycles = kc.Losses[0].Loss, kc.Losses[0].Cycles
	}
	return kc
}

// losses splits a kernel's time beyond its bound into named causes,
// largest first (ties in a fixed order).
func losses(kr accel.KernelResult, boundCycles int64, placed roofline.Roofline) []LossShare {
	var ls []LossShare
	add := func(l Loss, cycles int64) {
		if cycles > 0 {
			ls = append(ls, LossShare{l, cycles})
		}
	}
	if kr.Engine == compute.EngineVector {
		// The vector unit is slower than the arrays' peak the bound uses.
		add(LossVectorUnit, kr.ComputeCycles-min(boundCycles, kr.ComputeCycles))
	} else {
		add(LossFillDrain, kr.FillDrainCycles)
		if kr.PEs > 0 {
			edges := (kr.PECycles - kr.MACs) / kr.PEs
			add(LossTileEdges, edges)
			add(LossIdleArrays, kr.ComputeCycles-kr.FillDrainCycles-kr.PECycles/kr.PEs)
		}
	}
	refresh := int64(0)
	if kr.PCCycles > 0 {
		refresh = int64(float64(kr.StallHBMCycles) * float64(kr.RefreshCycles) / float64(kr.PCCycles))
	}
	add(LossHBMStalls, kr.StallHBMCycles-refresh)
	add(LossRefresh, refresh)
	add(LossOnChipStalls, kr.StallOnChipCycles)
	add(LossBufferStalls, kr.StallBufferCycles)
	add(LossVectorUnit, kr.StallVectorCycles)
	add(LossLaunch, kr.LaunchCycles)
	if placed.Bound == roofline.BoundMemory {
		add(LossImbalance, int64(float64(boundCycles)*(imbalance(kr)-1)))
	}
	order := map[Loss]int{LossFillDrain: 0, LossTileEdges: 1, LossIdleArrays: 2, LossHBMStalls: 3, LossRefresh: 4,
		LossOnChipStalls: 5, LossBufferStalls: 6, LossVectorUnit: 7, LossImbalance: 8, LossLaunch: 9}
	sort.SliceStable(ls, func(i, j int) bool {
		if ls[i].Cycles != ls[j].Cycles {
			return ls[i].Cycles > ls[j].Cycles
		}
		return order[ls[i].Loss] < order[ls[j].Loss]
	})
	return ls
}

// imbalance is the busiest pseudo-channel's traffic over the mean of the
// channels that carried any (1 when balanced or idle).
func imbalance(kr accel.KernelResult) float64 {
	var sum, most int64
	used := 0
	for i := range kr.BytesReadPerPC {
		b := kr.BytesReadPerPC[i]
		if i < len(kr.BytesWrittenPerPC) {
			b += kr.BytesWrittenPerPC[i]
		}
		if b > 0 {
			used++
			sum += b
			most = max(most, b)
		}
	}
	if used == 0 || sum == 0 {
		return 1
	}
	return float64(most) * float64(used) / float64(sum)
}
