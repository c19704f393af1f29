package optimize

import (
	"context"
	"testing"
	"time"
)

// BenchmarkStudy runs studies of 8 simulated candidates on the seed
// scenario's test space and reports the candidates (trials) evaluated per
// second, the simulated ones per second and the share of the trials the
// cheap filters (fit, bound) discarded without simulating.
func BenchmarkStudy(b *testing.B) {
	st := testSetup(b)
	var trials, sims, filtered int
	start := time.Now()
	for i := 0; b.Loop(); i++ {
		o := testOptions(8)
		o.Seed = int64(i)
		r, err := Run(context.Background(), st, o)
		if err != nil {
			b.Fatal(err)
		}
		trials += len(r.Trials)
		sims += r.Simulated()
		filtered += r.Filtered()
	}
	secs := time.Since(start).Seconds()
	b.ReportMetric(float64(trials)/secs, "candidates/s")
	b.ReportMetric(float64(sims)/secs, "simulated/s")
	b.ReportMetric(float64(filtered)/float64(trials), "filtered_share")
}
