package hbm

import "testing"

// BenchmarkStream1GiB streams 1 GiB through 32 PCs in 512 B sequential
// reads (256-bit ports); the target is under 5 s per iteration on one core.
func BenchmarkStream1GiB(b *testing.B) {
	cfg := DefaultBenchConfig()
	cfg.TotalBytes = 1 << 30
	for i := 0; i < b.N; i++ {
		r, err := RunBenchmark(cfg)
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(r.Bytes))
	}
}

// BenchmarkStream64MiB is BenchmarkStream1GiB on 64 MiB, for profiling.
func BenchmarkStream64MiB(b *testing.B) {
	cfg := DefaultBenchConfig()
	cfg.TotalBytes = 64 << 20
	for i := 0; i < b.N; i++ {
		r, err := RunBenchmark(cfg)
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(r.Bytes))
	}
}

// BenchmarkRandom64 runs random 64 B reads on one PC with 64 bursts in
// flight (1 MiB), the controller's busiest scheduling case.
func BenchmarkRandom64(b *testing.B) {
	cfg := DefaultBenchConfig()
	cfg.Pattern, cfg.SizeBytes, cfg.PCs, cfg.TotalBytes = PatternRandom, 64, 1, 4<<20
	for i := 0; i < b.N; i++ {
		r, err := RunBenchmark(cfg)
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(r.Bytes))
	}
}
