//go:debug randseednop=0

package optimize

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/c-bata/goptuna"
	"github.com/roofsim/roofsim/sweep"
)

// testSpaceJSON is a small space over the seed scenario (whose passes
// simulate in a tenth of a second): arrays, shapes, ports and two ideas.
const testSpaceJSON = `{
  "name": "test",
  "params": {
    "arrays": {"min": 1, "max": 4},
    "array_rows": {"min": 16, "max": 128, "step": 16},
    "array_cols": {"min": 16, "max": 128, "step": 16},
    "vector_lanes": {"min": 16, "max": 128, "pow2": true},
    "hbm_ports": [8, 16, 32],
    "weight_buffer_bytes": {"min": "256KiB", "max": "2MiB", "pow2": true},
    "input_buffer_bytes": {"min": "256KiB", "max": "2MiB", "pow2": true},
    "output_buffer_bytes": {"min": "256KiB", "max": "2MiB", "pow2": true},
    "activation_buffer_bytes": [0, "4MiB"],
    "dataflow": ["os", "ws"]
  },
  "ideas": ["fuse", "prefetch"]
}`

func testSetup(t testing.TB) *Setup {
	t.Helper()
	s, err := ParseSpace([]byte(testSpaceJSON))
	if err != nil {
		t.Fatal(err)
	}
	st, err := NewSetup(s, "seed")
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func testOptions(budget int) Options {
	return Options{Objective: Latency, Budget: budget, Seed: 3, Jobs: 2, Workers: 1, Evaluator: sweep.Simulation{}}
}

// summary writes a study's trials as one line each: number, outcome, key
// and value, the whole of what a search decided.
func summary(r *Result) string {
	var b strings.Builder
	for _, t := range r.Trials {
		b.WriteString(strings.Join([]string{string(t.Outcome), t.Key, t.Reason}, " | "))
		b.WriteString("\n")
	}
	return b.String()
}

func TestSameSeedSameStudy(t *testing.T) {
	st := testSetup(t)
	a, err := Run(context.Background(), st, testOptions(8))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Run(context.Background(), st, testOptions(8))
	if err != nil {
		t.Fatal(err)
	}
	if a.Simulated() != 8 || b.Simulated() != 8 {
		t.Fatalf("simulated %d and %d candidates, want 8", a.Simulated(), b.Simulated())
	}
	if summary(a) != summary(b) {
		t.Fatalf("same seed, different studies:\n%s\nvs\n%s", summary(a), summary(b))
	}
	if a.Best < 0 {
		t.Fatal("no candidate passed")
	}
	o := testOptions(8)
	o.Seed = 4
	c, err := Run(context.Background(), st, o)
	if err != nil {
		t.Fatal(err)
	}
	if summary(c) == summary(a) {
		t.Fatal("another seed gave the same study")
	}
}

// stopAfter cancels a study once it has told n simulated trials.
type stopAfter struct {
	n, seen int
	cancel  func()
}

func (s *stopAfter) Start(int, int) {}
func (s *stopAfter) Finish()        {}
func (s *stopAfter) Trial(t Trial, _ float64, _ bool) {
	if t.Outcome.Simulated() {
		s.seen++
	}
	if s.seen >= s.n {
		s.cancel()
	}
}

func TestResumedStudyMatchesUninterrupted(t *testing.T) {
	st := testSetup(t)
	dir := t.TempDir()
	whole := testOptions(10)
	whole.Storage = "sqlite://" + filepath.Join(dir, "whole.db")
	want, err := Run(context.Background(), st, whole)
	if err != nil {
		t.Fatal(err)
	}

	part := testOptions(10)
	part.Storage = "sqlite://" + filepath.Join(dir, "part.db")
	ctx, cancel := context.WithCancel(context.Background())
	part.Progress = &stopAfter{n: 3, cancel: cancel}
	if _, err := Run(ctx, st, part); err == nil {
		t.Fatal("a cancelled study returned no error")
	}
	// The stopped study holds trials left running, as a killed one does.
	storage, closeFn, err := OpenStorage(part.Storage)
	if err != nil {
		t.Fatal(err)
	}
	id, err := storage.GetStudyIDFromName("roofsim")
	if err != nil {
		t.Fatal(err)
	}
	fts, err := storage.GetAllTrials(id)
	if err != nil {
		t.Fatal(err)
	}
	running := 0
	for _, ft := range fts {
		if ft.State == goptuna.TrialStateRunning {
			running++
		}
	}
	closeFn()
	if running == 0 || len(fts) >= len(want.Trials) {
		t.Fatalf("the stopped study has %d trials (%d running), the whole one %d: not stopped halfway", len(fts), running, len(want.Trials))
	}

	part.Progress, part.Resume = nil, true
	got, err := Run(context.Background(), st, part)
	if err != nil {
		t.Fatal(err)
	}
	if summary(got) != summary(want) {
		t.Fatalf("resumed study differs from the uninterrupted one:\n%s\nvs\n%s", summary(got), summary(want))
	}
	if got.Trials[got.Best].Design != want.Trials[want.Best].Design {
		t.Fatal("resumed study found another best design")
	}
}

func TestWorkersShareOneStudy(t *testing.T) {
	st := testSetup(t)
	o := testOptions(8)
	o.Workers, o.Jobs = 3, 1
	o.Storage = "sqlite://" + filepath.Join(t.TempDir(), "s.db")
	r, err := Run(context.Background(), st, o)
	if err != nil {
		t.Fatal(err)
	}
	if r.Simulated() != 8 {
		t.Fatalf("3 workers simulated %d candidates, want the budget of 8", r.Simulated())
	}
	seen := map[int]bool{}
	for _, tr := range r.Trials {
		if seen[tr.Number] {
			t.Fatalf("trial number %d twice", tr.Number)
		}
		seen[tr.Number] = true
		if tr.State == goptuna.TrialStateRunning {
			t.Fatalf("trial %d left running", tr.Number)
		}
	}
	// A second run of the same study finds the budget spent: no new trial.
	again, err := Run(context.Background(), st, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Trials) != len(r.Trials) {
		t.Fatalf("a finished study grew from %d to %d trials", len(r.Trials), len(again.Trials))
	}
	// Another search cannot continue it.
	o.Objective = Energy
	if _, err := Run(context.Background(), st, o); err == nil || !strings.Contains(err.Error(), "another search") {
		t.Fatalf("another objective on the same study: %v", err)
	}
}

// TestBoundIsBelowSimulation checks the bound filter's premise on real
// simulations: no simulated candidate beats its bound.
func TestBoundIsBelowSimulation(t *testing.T) {
	st := testSetup(t)
	for _, obj := range []Objective{Latency, FPS, Energy, FPSPerWatt} {
		o := testOptions(4)
		o.Objective = obj
		r, err := Run(context.Background(), st, o)
		if err != nil {
			t.Fatal(err)
		}
		for _, tr := range r.Trials {
			if tr.Outcome == OutcomeOK && obj.Better(tr.Value, tr.Bound) {
				t.Errorf("%s: trial %d simulated %g, better than its bound %g", obj, tr.Number, tr.Value, tr.Bound)
			}
		}
	}
}

func TestOutputs(t *testing.T) {
	st := testSetup(t)
	r, err := Run(context.Background(), st, testOptions(6))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	paths, err := r.WriteFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 4 {
		t.Fatalf("wrote %v, want 4 files", paths)
	}
	data, err := os.ReadFile(filepath.Join(dir, "trials.csv"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := sweep.ReadFile("trials.csv", data)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Rows) < r.Simulated() {
		t.Fatalf("trials.csv has %d rows for %d simulated trials", len(f.Rows), r.Simulated())
	}
	if len(r.Front) == 0 || r.Front[0] != r.Best {
		t.Fatalf("the front %v does not start with the best trial %d", r.Front, r.Best)
	}
	for _, i := range r.Front {
		if r.Trials[i].Outcome != OutcomeOK {
			t.Fatalf("front trial %d is %s", r.Trials[i].Number, r.Trials[i].Outcome)
		}
	}
	conv := r.Convergence()
	for i := 1; i < len(conv); i++ {
		if conv[i].Best != 0 && conv[i-1].Best != 0 && Latency.Better(conv[i-1].Best, conv[i].Best) {
			t.Fatalf("the best so far got worse at evaluation %d", conv[i].Evaluations)
		}
	}
}

func TestDefaultSpaceIsTheExample(t *testing.T) {
	b, err := os.ReadFile("../examples/optimize-space.json")
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != DefaultSpaceJSON {
		t.Fatal("examples/optimize-space.json differs from DefaultSpaceJSON: keep them equal")
	}
	if _, err := DefaultSpace(); err != nil {
		t.Fatal(err)
	}
}

func TestParseSpaceErrors(t *testing.T) {
	for _, tc := range []struct{ json, want string }{
		{``, "empty input"},
		{`{"params": {"arrays": [1]}`, "malformed JSON"},
		{`{"params": {"arrays": [1]}} x`, "data after the object"},
		{`{"paramz": {}}`, `unknown field "paramz"`},
		{`{"params": {}}`, "searches nothing"},
		{`{"params": {"rows": [1]}}`, "params.rows is not a searchable design field"},
		{`{"params": {"arrays": []}}`, "params.arrays must list at least one value"},
		{`{"params": {"arrays": [1, 1]}}`, "params.arrays[1] repeats 1"},
		{`{"params": {"arrays": [0]}}`, "params.arrays[0]: arrays must be in 1..1024, got 0"},
		{`{"params": {"arrays": {"min": 1}}}`, "needs both min and max"},
		{`{"params": {"arrays": {"min": 4, "max": 2}}}`, "max 2 is below min 4"},
		{`{"params": {"arrays": {"min": 1, "max": 4, "stp": 1}}}`, `unknown field "stp"`},
		{`{"params": {"arrays": {"min": 1, "max": 4, "step": 0}}}`, "step must be an integer of at least 1"},
		{`{"params": {"arrays": {"min": 1.5, "max": 4}}}`, "must be an integer"},
		{`{"params": {"vector_lanes": {"min": 3, "max": 64, "pow2": true}}}`, "must be powers of two"},
		{`{"params": {"weight_buffer_bytes": {"min": "1 furlong", "max": "2MiB"}}}`, "is not a size"},
		{`{"params": {"dataflow": ["os", "xs"]}}`, "dataflow"},
		{`{"params": {"dataflow": {"min": 1, "max": 2}}}`, "must be a JSON array of choices"},
		{`{"params": {"port_bits": [128]}}`, "port_bits must be in 256..512"},
		{`{"params": {"port_bits": [300]}}`, "port_bits must be 256 or 512"},
		{`{"params": {"freq_hz": {"min": 1e12, "max": 2e12}}}`, "freq_hz must be in"},
		{`{"ideas": ["warp"]}`, `"warp" is not a known idea`},
		{`{"ideas": ["fuse+prefetch"]}`, "one by one"},
		{`{"memory": "dram", "ideas": ["fuse"]}`, `memory "dram" is not known`},
		{`{"name": 3, "ideas": ["fuse"]}`, `"name" must be a JSON string`},
	} {
		_, err := ParseSpace([]byte(tc.json))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseSpace(%s): error %v, want one containing %q", tc.json, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("ParseSpace(%s): error on several lines: %q", tc.json, err)
		}
	}
}

func TestOptionErrors(t *testing.T) {
	st := testSetup(t)
	for _, tc := range []struct {
		edit func(*Options)
		want string
	}{
		{func(o *Options) { o.Sampler = "bayes" }, `--sampler "bayes" is not known`},
		{func(o *Options) { o.Storage = "postgres://db" }, "is not a storage URL"},
		{func(o *Options) { o.Budget = 0 }, "at least 1"},
	} {
		o := testOptions(2)
		tc.edit(&o)
		if _, err := Run(context.Background(), st, o); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error %v, want one containing %q", err, tc.want)
		}
	}
}
