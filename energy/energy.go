// Package energy turns a simulated forward pass into energy and power:
// each counter the simulation kept (MACs, vector operations, buffer and
// store bytes, HBM bytes over the DRAM core and the interposer I/O,
// activates and refreshes) times its energy from
// hw (each coefficient with its source there), plus the HBM's standby
// power over the frame. docs/energy.md describes the model and what it
// leaves out.
package energy

import (
	"fmt"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sim/accel"
	"github.com/roofsim/roofsim/workload"
)

// Unit is a consumer of energy in the model.
type Unit string

// The units of the model, in report order.
const (
	UnitMACs        Unit = "array MACs"
	UnitVector      Unit = "vector ops"
	UnitBuffers     Unit = "array buffers"
	UnitStores      Unit = "on-chip stores"
	UnitHBMRead     Unit = "HBM reads"
	UnitHBMWrite    Unit = "HBM writes"
	UnitHBMIO       Unit = "HBM I/O"
	UnitHBMActivate Unit = "HBM activates"
	UnitHBMRefresh  Unit = "HBM refreshes"
	UnitHBMStandby  Unit = "HBM standby"
	UnitBoardStatic Unit = "board static"
)

// Units lists the units in report order.
func Units() []Unit {
	return []Unit{UnitMACs, UnitVector, UnitBuffers, UnitStores, UnitHBMRead, UnitHBMWrite, UnitHBMIO, UnitHBMActivate, UnitHBMRefresh, UnitHBMStandby, UnitBoardStatic}
}

// StageBackground is the stage name of the energy no kernel owns (the HBM
// standby and the board's static power over the frame).
const StageBackground = "background"

// UnitEnergy is one unit's activity and energy in one frame.
type UnitEnergy struct {
	Unit Unit
	// Count is its activity in CountUnit (MACs, ops, bytes, commands, s).
	Count     float64
	CountUnit string
	// EnergyJ is its energy per frame in joules.
	EnergyJ float64
}

// StageEnergy is the energy of one stage's kernels in one frame.
type StageEnergy struct {
	Stage   string
	EnergyJ float64
}

// Estimate is the energy and power of a simulated forward pass.
type Estimate struct {
	// Units is the energy per unit (in Units order); Stages per stage (in
	// the order the kernels run, then StageBackground). Both add up to EnergyJ.
	Units  []UnitEnergy
	Stages []StageEnergy
	// EnergyJ is the energy of one frame in joules.
	EnergyJ float64
	// FrameIntervalSec is the time between two frames in the steady state
	// (the latency, unless pipelined).
	FrameIntervalSec float64
	// PowerW is the average power: EnergyJ / FrameIntervalSec.
	PowerW float64
	// PowerLimitW is the board's power limit.
	PowerLimitW float64
}

// FramesPerJoule is 1 / EnergyJ.
func (e Estimate) FramesPerJoule() float64 { return 1 / e.EnergyJ }

// CheckPowerLimit returns an error when the estimated power is above the
// board's limit.
func (e Estimate) CheckPowerLimit() error {
	if e.PowerW > e.PowerLimitW {
		return fmt.Errorf("energy: estimated power %.1f W is above the board's limit of %.0f W (its data sheet)", e.PowerW, e.PowerLimitW)
	}
	return nil
}

// Activity is the counted activity of one kernel (or a whole pass) that
// energy is charged for.
type Activity struct {
	MACs, VectorOps             float64
	BufferBytes, StoreBytes     float64
	HBMReadBytes, HBMWriteBytes float64
	HBMActivates, HBMRefreshes  float64
}

// KernelActivity is what kernel kr of design d did, from its counters:
//   - buffer bytes: every byte loaded into the arrays' buffers (from HBM
//     and from the stores) is written once; an array reads its edge each
//     stream cycle (rows activations and cols weights; stream cycles are
//     PECycles / (rows x cols)); a vector kernel reads its inputs and
//     writes its outputs; every output byte leaving (to HBM or a store) is
//     written to and read from an output buffer;
//   - store bytes: OnChipBytesRead + OnChipBytesWritten;
//   - HBM activates: the column commands that did not hit an open row
//     (each follows exactly one activate in the controller), refreshes:
//     RefreshCycles / tRFC.
func KernelActivity(kr accel.KernelResult, d hw.Design, rfcCycles int64) Activity {
	p := d.Precision
	a := Activity{
		MACs: float64(kr.MACs), VectorOps: float64(kr.VectorOps),
		StoreBytes:   float64(kr.OnChipBytesRead + kr.OnChipBytesWritten),
		HBMReadBytes: float64(kr.BytesRead), HBMWriteBytes: float64(kr.BytesWritten),
		HBMActivates: float64(kr.ColumnCommands - kr.RowHits),
	}
	if rfcCycles > 0 {
		a.HBMRefreshes = float64(kr.RefreshCycles) / float64(rfcCycles)
	}
	loaded := float64(kr.BytesRead + kr.OnChipBytesRead)
	drained := float64(kr.BytesWritten + kr.OnChipBytesWritten)
	a.BufferBytes = loaded + 2*drained
	if pes := int64(d.ArrayRows * d.ArrayCols); kr.Engine == "array" && pes > 0 {
		edgeBytes := p.ActBytes(int64(d.ArrayRows)) + p.WeightBytes(int64(d.ArrayCols))
		a.BufferBytes += float64(kr.PECycles) / float64(pes) * edgeBytes
	} else if kr.FusedInto == "" {
		a.BufferBytes += p.ActBytes(kr.Kernel.InputElems) + p.ActBytes(kr.Kernel.OutputElems)
	}
	return a
}

// unitEnergies is a's energy per unit (standby excluded), in Units order.
func unitEnergies(a Activity, macJ float64) []UnitEnergy {
	return []UnitEnergy{
		{UnitMACs, a.MACs, "MACs", a.MACs * macJ},
		{UnitVector, a.VectorOps, "ops", a.VectorOps * hw.VectorOpEnergyJ},
		{UnitBuffers, a.BufferBytes, "bytes", a.BufferBytes * hw.BufferEnergyJPerByte},
		{UnitStores, a.StoreBytes, "bytes", a.StoreBytes * hw.StoreEnergyJPerByte},
		{UnitHBMRead, a.HBMReadBytes, "bytes", a.HBMReadBytes * hw.HBMReadEnergyJPerByte},
		{UnitHBMWrite, a.HBMWriteBytes, "bytes", a.HBMWriteBytes * hw.HBMWriteEnergyJPerByte},
		{UnitHBMIO, a.HBMReadBytes + a.HBMWriteBytes, "bytes", (a.HBMReadBytes + a.HBMWriteBytes) * hw.HBMIOEnergyJPerByte},
		{UnitHBMActivate, a.HBMActivates, "activates", a.HBMActivates * hw.HBMActivateEnergyJ},
		{UnitHBMRefresh, a.HBMRefreshes, "refreshes", a.HBMRefreshes * hw.HBMRefreshEnergyJ},
	}
}

// Of estimates the energy and power of the forward pass res: the kernels'
// activity times the hw coefficients, by unit and by stage, plus the
// standby power of every pseudo-channel of the board and the board's
// static power (hw.Platform.BoardStaticW) over the frame interval (stage
// StageBackground).
func Of(res *accel.Result) (Estimate, error) {
	if res == nil || res.FreqHz <= 0 || max(res.FrameIntervalCycles, res.TotalCycles) <= 0 {
		return Estimate{}, fmt.Errorf("energy: the result has no frame time")
	}
	interval := res.FrameIntervalCycles
	if interval <= 0 {
		interval = res.TotalCycles // not pipelined: a frame every latency
	}
	d, p := res.Design, res.Platform
	macJ, err := hw.MACEnergyJ(d.Precision)
	if err != nil {
		return Estimate{}, err
	}
	rfc := int64(p.HBM.Timing.Cycles(p.HBM.ClockHz).RFC)
	e := Estimate{FrameIntervalSec: float64(interval) / res.FreqHz, PowerLimitW: hw.BoardPowerLimitW(p)}
	stageIndex := map[workload.Stage]int{}
	e.Units = unitEnergies(Activity{}, macJ)
	for _, kr := range res.Kernels {
		si, ok := stageIndex[kr.Kernel.Stage]
		if !ok {
			si = len(e.Stages)
			stageIndex[kr.Kernel.Stage] = si
			e.Stages = append(e.Stages, StageEnergy{Stage: string(kr.Kernel.Stage)})
		}
		for i, u := range unitEnergies(KernelActivity(kr, d, rfc), macJ) {
			e.Units[i].Count += u.Count
			e.Units[i].EnergyJ += u.EnergyJ
			e.Stages[si].EnergyJ += u.EnergyJ
		}
	}
	standbyW := 0.0
	if res.Memory == accel.MemoryHBM {
		standbyW = float64(p.HBM.PseudoChannels) * hw.HBMStandbyWPerPC
	}
	staticW := p.BoardStaticW()
	e.Units = append(e.Units, UnitEnergy{UnitHBMStandby, e.FrameIntervalSec, "s", standbyW * e.FrameIntervalSec},
		UnitEnergy{UnitBoardStatic, e.FrameIntervalSec, "s", staticW * e.FrameIntervalSec})
	e.Stages = append(e.Stages, StageEnergy{StageBackground, (standbyW + staticW) * e.FrameIntervalSec})
	for _, u := range e.Units {
		e.EnergyJ += u.EnergyJ
	}
	e.PowerW = e.EnergyJ / e.FrameIntervalSec
	return e, nil
}
