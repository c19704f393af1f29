package accel_test

import (
	"runtime"
	"testing"
	"time"

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
	var wall time.Duration
	runs := 0
	for b.Loop() {
		start := time.Now()
		if res, err = accel.Run(d, p, g, opts); err != nil {
			b.Fatal(err)
		}
		wall += time.Since(start)
		runs++
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(res.TotalCycles)/res.FreqHz*1e3, "sim-ms")
	b.ReportMetric(float64(res.Events), "events")
	b.ReportMetric(float64(res.Events)*float64(runs)/wall.Seconds(), "events/s")
	b.ReportMetric(float64(ms.HeapSys)/(1<<20), "heap-sys-MiB")
}

// BenchmarkPass runs the default pass (SmolVLA, 3 cameras, on the HBM
// model) of every preset design: `go test -bench Pass/bf16` runs one. The
// target is under 2 s per pass on one core (GOMAXPROCS=1); docs/speed.md
// has the figures.
func BenchmarkPass(b *testing.B) {
	for _, d := range hw.Designs() {
		b.Run(d.Name, func(b *testing.B) { benchRun(b, d.Name, "smolvla") })
	}
}

// BenchmarkSmolVLAInt8 is the speed target of the default run: SmolVLA (3
// cameras) on the int8 design with the HBM model, under 5 s per run on one
// core (GOMAXPROCS=1) and under 1 GB of memory.
func BenchmarkSmolVLAInt8(b *testing.B) { benchRun(b, "int8", "smolvla") }

// BenchmarkSmolVLAFP32 is the heaviest preset: its attention scores spill
// to HBM.
func BenchmarkSmolVLAFP32(b *testing.B) { benchRun(b, "fp32", "smolvla") }
