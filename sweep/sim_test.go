package sweep_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/roofsim/roofsim/report"
	"github.com/roofsim/roofsim/sweep"
)

// smallRealSpace is a space the real simulation runs in about a second:
// SmolVLA with 2 text layers and 256-pixel images (256 vision tokens), on
// the HBM model, with the ideas of this package and a design that does not
// fit.
const smallRealSpace = `{
  "name": "small",
  "base": {"scenario": "smolvla", "text_layers": 2, "image_size": 256, "cameras": 2},
  "axes": {"precision": ["int8", "w4a8"], "arrays": [3, 5]},
  "ideas": ["batch_cameras", "port512"]
}`

// Every simulated row of the real simulation passes the roofline checks;
// the ideas move the numbers the way they should; the file does not depend
// on the workers.
func TestSimulationSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the simulation")
	}
	pts := sweep.MustPoints(t, smallRealSpace)
	one := sweep.RunToBytes(t, pts, sweep.Simulation{}, 1, sweep.FormatCSV)
	if two := sweep.RunToBytes(t, pts, sweep.Simulation{}, 2, sweep.FormatCSV); !bytes.Equal(one, two) {
		t.Errorf("the real simulation's file differs between 1 and 2 workers")
	}
	file, err := sweep.ReadFile("small", one)
	if err != nil {
		t.Fatal(err)
	}
	recs := sweep.Records(file.Rows)
	for _, r := range recs {
		arrays := r.Row.Get("arrays")
		switch {
		case arrays == "5" && r.Status != sweep.StatusDoesNotFit:
			t.Errorf("%s: 5 arrays of 2048 DSPs fit? status %s", r.Key, r.Status)
		case arrays == "3" && r.Status != sweep.StatusOK:
			t.Errorf("%s: status %s: %s", r.Key, r.Status, r.Row.Reason())
		}
	}
	pairs := sweep.IdeaPairs(recs)
	if len(pairs) != 4 {
		t.Fatalf("%d idea pairs, want 4", len(pairs))
	}
	for _, p := range pairs {
		switch p.Idea {
		case "batch_cameras":
			// One weight pass for both cameras: less HBM traffic, not slower.
			if p.With.HBMMB >= p.Base.HBMMB || p.SpeedUp() < 1 {
				t.Errorf("%s: batch_cameras moved %.1f MB (baseline %.1f), speed-up %.3f", p.Base.Key, p.With.HBMMB, p.Base.HBMMB, p.SpeedUp())
			}
		case "port512":
			if p.With.BWGBps <= p.Base.BWGBps || p.With.MemoryFloorMs >= p.Base.MemoryFloorMs {
				t.Errorf("%s: port512 memory ceiling %.1f -> %.1f", p.Base.Key, p.Base.BWGBps, p.With.BWGBps)
			}
		}
		if p.Reason() == "" {
			t.Errorf("%s %s: no reason", p.Base.Key, p.Idea)
		}
	}
	var sb strings.Builder
	for _, tb := range report.SweepTables("small", file.Rows) {
		sb.WriteString(tb.Name + " ")
	}
	if got := sb.String(); got != "summary not_ok pareto pareto_energy best_per_precision ideas idea_pairs quantization " {
		t.Errorf("report tables %q", got)
	}
}

// BenchmarkSweepWorkers runs the same space with 1 and with 2 workers and
// reports the points per second of each and their ratio (the acceptance
// target is a ratio of at least 1.6 on a 2-core machine):
//
//	go test -run XXX -bench SweepWorkers ./sweep
func BenchmarkSweepWorkers(b *testing.B) {
	// 36 points of 0.1-0.5 s: enough that the last point's tail does not
	// weigh on the 2-worker rate.
	pts := sweep.MustPoints(b, `{
	  "base": {"scenario": "smolvla", "text_layers": 2, "image_size": 256},
	  "axes": {"precision": ["int8", "int4", "w4a8"], "port_bits": [256, 512], "cameras": [1, 2, 3], "frames": [1, 2]}
	}`)
	rate := func(workers int) float64 {
		var buf bytes.Buffer
		start := time.Now()
		if _, err := (sweep.Runner{Evaluator: sweep.Simulation{}, Workers: workers}).Run(context.Background(), pts, &buf, sweep.FormatCSV); err != nil {
			b.Fatal(err)
		}
		return float64(len(pts)) / time.Since(start).Seconds()
	}
	var r1, r2 float64
	for b.Loop() {
		r1 += rate(1)
		r2 += rate(2)
	}
	n := float64(b.N)
	b.ReportMetric(r1/n, "points/s-j1")
	b.ReportMetric(r2/n, "points/s-j2")
	b.ReportMetric(r2/r1, "j2/j1")
}
