package energy_test

import (
	"math"
	"slices"
	"testing"

	"github.com/roofsim/roofsim/energy"
	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sim/accel"
	"github.com/roofsim/roofsim/workload"
)

// tinyRun simulates SmolVLA cut to one camera, one vision and one text
// layer on design name with memory model mem.
func tinyRun(t *testing.T, name string, mem accel.Memory) *accel.Result {
	t.Helper()
	d, err := hw.DesignByName(name)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := workload.ScenarioByName("smolvla")
	if err != nil {
		t.Fatal(err)
	}
	sc.Cameras, sc.Model.Vision.Layers, sc.TextLayers = 1, 1, 1
	g, err := sc.Graph()
	if err != nil {
		t.Fatal(err)
	}
	p := hw.U280()
	o := accel.DefaultOptions(d, p)
	o.Memory = mem
	res, err := accel.Run(d, p, g, o)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestConservationAndLowerBound: the units and the stages each add up to
// the total; the total is at least the MACs at the smallest MAC energy of
// the model plus the HBM bytes at its smallest energy per byte; power is
// energy over the frame interval.
func TestConservationAndLowerBound(t *testing.T) {
	var minMAC float64 = math.Inf(1)
	for _, p := range hw.Precisions() {
		j, err := hw.MACEnergyJ(p)
		if err != nil {
			t.Fatal(err)
		}
		minMAC = min(minMAC, j)
	}
	minByte := min(hw.HBMReadEnergyJPerByte, hw.HBMWriteEnergyJPerByte)
	for _, tc := range []struct {
		design string
		mem    accel.Memory
	}{
		{"int8", accel.MemoryHBM}, {"bf16", accel.MemoryHBM}, {"int8", accel.MemoryIdeal},
	} {
		t.Run(tc.design+"/"+string(tc.mem), func(t *testing.T) {
			res := tinyRun(t, tc.design, tc.mem)
			e, err := energy.Of(res)
			if err != nil {
				t.Fatal(err)
			}
			var units, stages float64
			for _, u := range e.Units {
				if u.EnergyJ < 0 {
					t.Errorf("%s: negative energy %g J", u.Unit, u.EnergyJ)
				}
				units += u.EnergyJ
			}
			for _, s := range e.Stages {
				stages += s.EnergyJ
			}
			if rel(units, e.EnergyJ) > 1e-12 || rel(stages, e.EnergyJ) > 1e-12 {
				t.Errorf("units add up to %g J and stages to %g J, total %g J", units, stages, e.EnergyJ)
			}
			var macs, bytes float64
			for _, k := range res.Kernels {
				macs += float64(k.MACs)
				bytes += float64(k.BytesRead + k.BytesWritten)
			}
			if macs == 0 || bytes == 0 {
				t.Fatalf("the run counted %g MACs and %g HBM bytes", macs, bytes)
			}
			if floor := macs*minMAC + bytes*minByte; e.EnergyJ < floor {
				t.Errorf("energy %g J is below MACs x %g J + bytes x %g J = %g J", e.EnergyJ, minMAC, minByte, floor)
			}
			if want := e.EnergyJ / (float64(res.FrameIntervalCycles) / res.FreqHz); rel(e.PowerW, want) > 1e-12 {
				t.Errorf("power %g W, energy over the frame interval is %g W", e.PowerW, want)
			}
			standby := e.Units[slices.Index(energy.Units(), energy.UnitHBMStandby)]
			if (tc.mem == accel.MemoryHBM) != (standby.EnergyJ > 0) {
				t.Errorf("memory %s: HBM standby energy %g J", tc.mem, standby.EnergyJ)
			}
			static := e.Units[slices.Index(energy.Units(), energy.UnitBoardStatic)]
			if want := res.Platform.BoardStaticW() * e.FrameIntervalSec; static.Unit != energy.UnitBoardStatic || rel(static.EnergyJ, want) > 1e-12 {
				t.Errorf("board static %+v, want %g J", static, want)
			}
		})
	}
}

// TestPowerLimit: the check fails exactly above the board's limit.
func TestPowerLimit(t *testing.T) {
	for _, tc := range []struct {
		powerW float64
		fail   bool
	}{{224.9, false}, {225, false}, {225.1, true}} {
		e := energy.Estimate{PowerW: tc.powerW, PowerLimitW: hw.U280BoardPowerLimitW}
		if err := e.CheckPowerLimit(); (err != nil) != tc.fail {
			t.Errorf("%g W: error %v, want failure %v", tc.powerW, err, tc.fail)
		}
	}
}

// TestHBMCoefficients recomputes the DRAMsim3-derived HBM energies from
// the IDD figures (pJ = V x mA x ns) for a pseudo-channel (half a channel).
func TestHBMCoefficients(t *testing.T) {
	for _, tc := range []struct {
		name      string
		got, want float64
	}{
		{"activate", hw.HBMActivateEnergyJ, 0.5 * 1.2 * (65*48 - 55*34 - 40*14) * 1e-12},
		{"read/byte", hw.HBMReadEnergyJPerByte, 1.2 * (390 - 55) * 2 * 1e-12 / 64},
		{"write/byte", hw.HBMWriteEnergyJPerByte, 1.2 * (500 - 55) * 2 * 1e-12 / 64},
		{"refresh", hw.HBMRefreshEnergyJ, 0.5 * 1.2 * (250 - 55) * 260 * 1e-12},
		{"standby", hw.HBMStandbyWPerPC, 0.5 * 1.2 * 55 * 1e-3},
	} {
		if rel(tc.got, tc.want) > 1e-12 {
			t.Errorf("%s: %g, want %g", tc.name, tc.got, tc.want)
		}
	}
}

func rel(a, b float64) float64 { return math.Abs(a-b) / math.Max(math.Abs(b), 1e-300) }

// TestKernelActivity works the counters of two hand-made kernels through
// the activity rules (see KernelActivity).
func TestKernelActivity(t *testing.T) {
	d, err := hw.DesignByName("int8") // 64x64 PEs, 8-bit weights and activations
	if err != nil {
		t.Fatal(err)
	}
	array := accel.KernelResult{Engine: "array", MACs: 1000, PECycles: 4096 * 10, BytesRead: 300, BytesWritten: 40,
		OnChipBytesRead: 200, OnChipBytesWritten: 60, ColumnCommands: 50, RowHits: 45, RefreshCycles: 468}
	vector := accel.KernelResult{Engine: "vector", VectorOps: 77, OnChipBytesRead: 100,
		Kernel: workload.Kernel{InputElems: 100, OutputElems: 50}}
	for _, tc := range []struct {
		name string
		kr   accel.KernelResult
		want energy.Activity
	}{
		// loaded 300+200, drained 40+60 written and read (200), edges 10
		// stream cycles x (64 + 64) bytes = 1280.
		{"array", array, energy.Activity{MACs: 1000, BufferBytes: 500 + 200 + 1280, StoreBytes: 260,
			HBMReadBytes: 300, HBMWriteBytes: 40, HBMActivates: 5, HBMRefreshes: 2}},
		// loaded 100, inputs 100 and outputs 50 bytes.
		{"vector", vector, energy.Activity{VectorOps: 77, BufferBytes: 100 + 150, StoreBytes: 100}},
	} {
		if got := energy.KernelActivity(tc.kr, d, 234); got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
}
