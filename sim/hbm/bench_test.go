package hbm

import (
	"testing"
	"time"

	"github.com/roofsim/roofsim/sim/link"
	akita "github.com/sarchlab/akita/v3/sim"
)

// eventCount counts the events an engine runs.
type eventCount struct{ n int64 }

// Func counts one event per HookPosBeforeEvent.
func (c *eventCount) Func(ctx akita.HookCtx) {
	if ctx.Pos == akita.HookPosBeforeEvent {
		c.n++
	}
}

// benchStream runs cfg b.N times and reports the simulated bytes per wall
// second (SetBytes: MB/s, and sim-GB/s), the engine events per run and per
// wall second.
func benchStream(b *testing.B, cfg BenchConfig) {
	var wall time.Duration
	var events int64
	runs := 0
	for b.Loop() {
		var engine akita.Engine = link.NewEngine()
		if cfg.Params.Reference {
			engine = akita.NewSerialEngine()
		}
		c := &eventCount{}
		engine.AcceptHook(c)
		start := time.Now()
		r, err := runBenchmark(cfg, engine)
		if err != nil {
			b.Fatal(err)
		}
		wall += time.Since(start)
		events += c.n
		runs++
		b.SetBytes(int64(r.Bytes))
	}
	s := wall.Seconds()
	b.ReportMetric(float64(cfg.TotalBytes)*float64(runs)/s/1e9, "sim-GB/s")
	b.ReportMetric(float64(events)/float64(runs), "events")
	b.ReportMetric(float64(events)/s, "events/s")
}

// streamConfig is the 32-PC sequential 512 B read run of total bytes with
// ports of portBits.
func streamConfig(total int64, portBits int) BenchConfig {
	cfg := DefaultBenchConfig()
	cfg.TotalBytes = total
	cfg.Params.PortBits = portBits
	return cfg
}

// BenchmarkStream1GiB streams 1 GiB through 32 PCs in 512 B sequential
// reads (`roofsim hbm --bytes 1GiB`), with 256- and 512-bit ports; the
// target is under 0.5 s per run on one core (docs/speed.md).
func BenchmarkStream1GiB(b *testing.B) {
	b.Run("256bit", func(b *testing.B) { benchStream(b, streamConfig(1<<30, 256)) })
	b.Run("512bit", func(b *testing.B) { benchStream(b, streamConfig(1<<30, 512)) })
}

// BenchmarkStream64MiB is BenchmarkStream1GiB on 64 MiB, for profiling; the
// Reference sub-benchmark runs the reference path.
func BenchmarkStream64MiB(b *testing.B) {
	b.Run("256bit", func(b *testing.B) { benchStream(b, streamConfig(64<<20, 256)) })
	b.Run("512bit", func(b *testing.B) { benchStream(b, streamConfig(64<<20, 512)) })
	ref := streamConfig(64<<20, 256)
	ref.Params.Reference = true
	b.Run("reference", func(b *testing.B) { benchStream(b, ref) })
}

// BenchmarkRandom64 runs random 64 B reads on one PC with 64 bursts in
// flight (4 MiB), the controller's busiest scheduling case, and on all 32
// PCs (16 MiB); the target is at least 100 MB of simulated traffic per
// second.
func BenchmarkRandom64(b *testing.B) {
	one := DefaultBenchConfig()
	one.Pattern, one.SizeBytes, one.PCs, one.TotalBytes = PatternRandom, 64, 1, 4<<20
	b.Run("1pc", func(b *testing.B) { benchStream(b, one) })
	all := one
	all.PCs, all.TotalBytes = 32, 16<<20
	b.Run("32pc", func(b *testing.B) { benchStream(b, all) })
}
