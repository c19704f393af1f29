package sweep

import (
	"strings"
	"testing"
)

func TestParetoFront(t *testing.T) {
	rec := func(i int, lat float64, dsps, onchip int64) Record {
		return Record{Index: i, LatencyMs: lat, DSPs: dsps, OnChipBytes: onchip}
	}
	recs := []Record{
		rec(0, 100, 6000, 40),
		rec(1, 200, 4000, 40),
		rec(2, 200, 4000, 24), // dominates 1
		rec(3, 100, 6000, 40), // ties 0: the lower index stays
		rec(4, 400, 2000, 40),
		rec(5, 90, 9000, 50),
		rec(6, 300, 4000, 24), // dominated by 2
		rec(7, 95, 6000, 60),
	}
	var got []int
	for _, r := range ParetoFront(recs) {
		got = append(got, r.Index)
	}
	want := []int{5, 7, 0, 2, 4}
	if len(got) != len(want) {
		t.Fatalf("front %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("front %v, want %v (sorted by latency)", got, want)
		}
	}
	// No row of the front is dominated, every other row is.
	for _, a := range recs {
		onFront := false
		for _, f := range ParetoFront(recs) {
			onFront = onFront || f.Index == a.Index
		}
		dominated := false
		for _, b := range recs {
			dominated = dominated || dominates(b, a)
		}
		if onFront && dominated {
			t.Errorf("row %d is on the front but dominated", a.Index)
		}
	}
}

func TestIdeaReason(t *testing.T) {
	base := Record{Key: "b", LatencyMs: 100, StageMs: [5]float64{60, 5, 35, 0, 0}, MemoryFloorMs: 40, ComputeFloorMs: 50,
		HBMMB: 1000, BWGBps: 307.2, PeakTOPS: 7.37, MemoryShare: 0.6, StallHBMShare: 0.3}
	for _, tc := range []struct {
		name string
		edit func(r *Record)
		want []string
	}{
		{"fewer bytes", func(r *Record) {
			r.LatencyMs, r.StageMs[0], r.MemoryFloorMs, r.HBMMB, r.MemoryShare = 80, 40, 20, 500, 0.3
		}, []string{"vision 60.0 -> 40.0 ms", "memory floor 40.0 -> 20.0 ms (HBM traffic 1000 -> 500 MB)", "memory-bound share 60% -> 30%"}},
		{"wider ports", func(r *Record) {
			r.LatencyMs, r.StageMs[2], r.MemoryFloorMs, r.BWGBps, r.StallHBMShare = 90, 25, 26.7, 460.8, 0.1
		}, []string{"text 35.0 -> 25.0 ms", "memory floor 40.0 -> 26.7 ms (memory ceiling 307 -> 461 GB/s)", "HBM stalls 30% -> 10% of the time"}},
		{"no change", func(r *Record) { r.LatencyMs = 100.1 }, []string{"no change"}},
		{"losses only", func(r *Record) { r.LatencyMs, r.StageMs[0] = 90, 50 },
			[]string{"vision 60.0 -> 50.0 ms", "no roofline floor fell: the gain is in the simulated losses beyond the floors"}},
		{"gain despite traffic", func(r *Record) { r.LatencyMs, r.StageMs[0], r.HBMMB, r.MemoryFloorMs = 99, 59, 1500, 60 },
			[]string{"vision 60.0 -> 59.0 ms", "memory floor 40.0 -> 60.0 ms (HBM traffic 1000 -> 1500 MB)", "no roofline floor fell"}},
		{"slower", func(r *Record) { r.LatencyMs, r.StageMs[0], r.HBMMB, r.MemoryFloorMs = 110, 70, 1500, 60 },
			[]string{"slower (0.909x)", "vision 60.0 -> 70.0 ms", "memory floor 40.0 -> 60.0 ms (HBM traffic 1000 -> 1500 MB)"}},
		{"faster peak", func(r *Record) { r.LatencyMs, r.StageMs[0], r.ComputeFloorMs, r.PeakTOPS = 80, 40, 25, 14.74 },
			[]string{"vision 60.0 -> 40.0 ms", "compute floor 50.0 -> 25.0 ms (peak 7.37 -> 14.7 TOP/s)"}},
		{"kernels cross the floors", func(r *Record) {
			r.LatencyMs, r.StageMs[0], r.ComputeFloorMs, r.MemoryFloorMs, r.BWGBps = 95, 55, 60, 20, 460.8
		},
			[]string{"memory floor 40.0 -> 20.0 ms (memory ceiling 307 -> 461 GB/s)", "compute floor 50.0 -> 60.0 ms (same peak: kernels crossed between the memory and compute floors)"}},
		{"compute-bound", func(r *Record) { r.MemoryShare = 0.2; r.MemoryFloorMs = 20 },
			[]string{"no change", "the pass is compute-bound (memory-bound share 20%), so a lower memory floor does not show"}},
	} {
		w := base
		tc.edit(&w)
		b := base
		if tc.name == "compute-bound" {
			b.MemoryShare = 0.2
		}
		got := IdeaPair{Idea: "x", Base: b, With: w}.Reason()
		for _, s := range tc.want {
			if !strings.Contains(got, s) {
				t.Errorf("%s: reason %q lacks %q", tc.name, got, s)
			}
		}
	}
}

// fakeRows runs the test space with the fake evaluator.
func fakeRows(t *testing.T, js string) []Row {
	t.Helper()
	var rows []Row
	for _, p := range mustPoints(t, js) {
		rows = append(rows, Evaluate(p, fakeEvaluator{}))
	}
	return rows
}

// reportSpaceJSON has ok rows of several precisions, designs and ideas
// under the fake evaluator, and rows of every other status.
const reportSpaceJSON = `{
  "base": {"scenario": "smolvla", "text_layers": 1, "image_size": 64, "memory": "ideal"},
  "axes": {"precision": ["bf16", "int8", "int4"], "arrays": [1, 2, 3, 5], "activation_buffer": [0, "16MiB"], "hbm_ports": [7, 32]},
  "ideas": ["port512", "batch_cameras+port512"]
}`

// Every ok row that is not on the front is dominated by a front row of its
// workload, and the best per precision is the fastest.
func TestReportTablesConsistent(t *testing.T) {
	rows := fakeRows(t, reportSpaceJSON)
	recs := Records(rows)
	good := OK(recs)
	front := ParetoFront(good)
	for _, r := range good {
		in := false
		for _, f := range front {
			in = in || f.Index == r.Index
		}
		if in {
			continue
		}
		beaten := false
		for _, f := range front {
			beaten = beaten || dominates(f, r) || (f.LatencyMs == r.LatencyMs && f.DSPs == r.DSPs && f.OnChipBytes == r.OnChipBytes)
		}
		if !beaten {
			t.Errorf("row %d is neither on the front nor beaten by it", r.Index)
		}
	}
	for _, p := range []string{"bf16", "int8", "int4"} {
		best, _ := Fastest(Filter(good, func(r Record) bool { return r.Precision == p }))
		for _, r := range good {
			if r.Precision == p && r.LatencyMs < best.LatencyMs {
				t.Errorf("%s: row %d is faster than the best %d", p, r.Index, best.Index)
			}
		}
	}
	pairs := IdeaPairs(recs)
	for _, p := range pairs {
		if p.Base.Ideas != "" || p.With.Ideas == "" || p.Base.params != p.With.params || p.Base.Status != StatusOK || p.With.Status != StatusOK {
			t.Errorf("pair %s / %s is not a baseline and its idea row", p.Base.Key, p.With.Key)
		}
	}
	if len(pairs) == 0 {
		t.Error("no idea pairs")
	}
}

// TestEnergyParetoFront: the rows no other row beats in both latency and
// energy per frame, rows without an energy left out, ties to the lower
// index, sorted by latency.
func TestEnergyParetoFront(t *testing.T) {
	rec := func(i int, lat, mj float64) Record { return Record{Index: i, LatencyMs: lat, EnergyMJ: mj} }
	recs := []Record{
		rec(0, 100, 2000),
		rec(1, 200, 1500),
		rec(2, 150, 2500), // dominated by 0
		rec(3, 100, 2000), // ties 0
		rec(4, 50, 0),     // no energy: left out
		rec(5, 300, 1000),
		rec(6, 90, 3000),
	}
	var got []int
	for _, r := range EnergyParetoFront(recs) {
		got = append(got, r.Index)
	}
	if want := []int{6, 0, 1, 5}; len(got) != len(want) || got[0] != 6 || got[1] != 0 || got[2] != 1 || got[3] != 5 {
		t.Errorf("front %v, want %v", got, want)
	}
}
