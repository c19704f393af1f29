package accel_test

import (
	"runtime"
	"testing"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sim/accel"
	"github.com/roofsim/roofsim/workload"
)

// benchRun runs scenario sc on the preset design name with the default
// options and reports the simulated milliseconds, the events and the peak
// heap.
func benchRun(b *testing.B, name, scenario string) {
	d, err := hw.DesignByName(name)
	if err != nil {
		b.Fatal(err)
	}
	p := hw.U280()
	sc, err := workload.ScenarioByName(scenario)
	if err != nil {
		b.Fatal(err)
	}
	g, err := sc.Graph()
	if err != nil {
		b.Fatal(err)
	}
	opts := accel.DefaultOptions(d, p)
	var res *accel.Result
	for b.Loop() {
		if res, err = accel.Run(d, p, g, opts); err != nil {
			b.Fatal(err)
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(res.TotalCycles)/res.FreqHz*1e3, "sim-ms")
	b.ReportMetric(float64(res.Events), "events")
	b.ReportMetric(float64(ms.HeapSys)/(1<<20), "heap-sys-MiB")
}

// BenchmarkSmolVLAInt8 is the speed target of the default run: SmolVLA (3
// cameras) on the int8 design with the HBM model, under 5 s per run on one
// core (GOMAXPROCS=1) and under 1 GB of memory.
func BenchmarkSmolVLAInt8(b *testing.B) { benchRun(b, "int8", "smolvla") }

// BenchmarkSmolVLAFP32 is the heaviest preset: its attention scores spill
// to HBM.
func BenchmarkSmolVLAFP32(b *testing.B) { benchRun(b, "fp32", "smolvla") }
