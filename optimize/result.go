package optimize

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/report"
	"github.com/roofsim/roofsim/report/format"
	"github.com/roofsim/roofsim/sweep"
)

// Result is a study's trials and what they found.
type Result struct {
	// Objective is what was optimized.
	Objective Objective
	// Setup is the search's space and workload.
	Setup *Setup
	// Trials are every trial of the study, in number order.
	Trials []Trial
	// Best is the index in Trials of the best passing trial (-1: none).
	Best int
	// Front are the indices in Trials of the passing trials that no other
	// dominates in (objective, DSPs, on-chip bytes), best objective first.
	Front []int
	// Counts counts the trials per outcome ("" for those still running).
	Counts map[Outcome]int
}

// resources are a trial's DSPs and on-chip bytes, from its row.
func resources(t Trial) (dsps, onchip int64) {
	cells, err := csvCells(t.Row)
	if err != nil {
		return 0, 0
	}
	cols := sweep.Columns()
	for i, c := range cols {
		switch c.Name {
		case "dsps":
			dsps, _ = strconv.ParseInt(cells[i], 10, 64)
		case "onchip_bytes":
			onchip, _ = strconv.ParseInt(cells[i], 10, 64)
		}
	}
	return dsps, onchip
}

// csvCells reads one CSV-encoded sweep row back.
func csvCells(line string) ([]string, error) {
	f, err := sweep.ReadFile("trial", append(sweep.FileHeader(format.CSV), line...))
	if err != nil {
		return nil, err
	}
	if len(f.Rows) != 1 {
		return nil, fmt.Errorf("not one row")
	}
	return f.Rows[0].Cells, nil
}

// newResult finds the best trial and the front.
func newResult(st *Setup, o Objective, ts []Trial) *Result {
	r := &Result{Objective: o, Setup: st, Trials: ts, Best: -1, Counts: map[Outcome]int{}}
	type ok struct {
		i            int
		dsps, onchip int64
	}
	var oks []ok
	for i, t := range ts {
		r.Counts[t.Outcome]++
		if t.Outcome != OutcomeOK {
			continue
		}
		d, m := resources(t)
		oks = append(oks, ok{i, d, m})
		if r.Best < 0 || o.Better(t.Value, ts[r.Best].Value) {
			r.Best = i
		}
	}
	noWorse := func(a, b ok) bool {
		va, vb := ts[a.i].Value, ts[b.i].Value
		return (va == vb || o.Better(va, vb)) && a.dsps <= b.dsps && a.onchip <= b.onchip
	}
	for _, a := range oks {
		kept := true
		for _, b := range oks {
			same := ts[a.i].Value == ts[b.i].Value && a.dsps == b.dsps && a.onchip == b.onchip
			if b.i != a.i && noWorse(b, a) && (!same || b.i < a.i) {
				kept = false
				break
			}
		}
		if kept {
			r.Front = append(r.Front, a.i)
		}
	}
	slices.SortFunc(r.Front, func(a, b int) int {
		va, vb := ts[a].Value, ts[b].Value
		if !o.Minimize() {
			va, vb = -va, -vb
		}
		return cmp.Or(cmp.Compare(va, vb), a-b)
	})
	return r
}

// Simulated is the number of trials simulated.
func (r *Result) Simulated() int { return simulated(r.Trials) }

// Filtered is the number of trials the cheap filters discarded.
func (r *Result) Filtered() int {
	return r.Counts[OutcomeDoesNotFit] + r.Counts[OutcomeBound] + r.Counts[OutcomeInvalid]
}

// CSV is every trial with a row (the simulated ones and those that do not
// fit) as a sweep file, in trial order: roofsim report reads it.
func (r *Result) CSV() []byte {
	out := sweep.FileHeader(format.CSV)
	for _, t := range r.Trials {
		if t.Row != "" {
			out = append(out, t.Row...)
		}
	}
	return out
}

// Convergence is the best value after each simulated trial, in trial order.
func (r *Result) Convergence() []report.ConvergencePoint {
	var out []report.ConvergencePoint
	t0 := r.start()
	best, have := 0.0, false
	for _, t := range r.Trials {
		if !t.Outcome.Simulated() {
			continue
		}
		c := report.ConvergencePoint{Evaluations: len(out) + 1, Seconds: t.End.Sub(t0).Seconds()}
		if t.Outcome == OutcomeOK {
			c.Value = t.Value
			if !have || r.Objective.Better(t.Value, best) {
				best, have = t.Value, true
			}
		}
		c.Best = best
		out = append(out, c)
	}
	return out
}

// start is when the study's first trial started.
func (r *Result) start() (t0 time.Time) {
	for i, t := range r.Trials {
		if i == 0 || t.Start.Before(t0) {
			t0 = t.Start
		}
	}
	return t0
}

// SearchPoints are the passing trials for the front figure.
func (r *Result) SearchPoints() []report.SearchPoint {
	var out []report.SearchPoint
	for i, t := range r.Trials {
		if t.Outcome != OutcomeOK {
			continue
		}
		d, m := resources(t)
		out = append(out, report.SearchPoint{Number: t.Number, Value: t.Value, DSPs: d, OnChipBytes: m,
			Front: slices.Contains(r.Front, i), Best: i == r.Best})
	}
	return out
}

// Label is the objective with its unit, for plots and tables.
func (r *Result) Label() string { return fmt.Sprintf("%s (%s)", r.Objective, r.Objective.Unit()) }

// Files are what WriteFiles writes into its directory.
var fileNames = struct{ best, trials, front, convergence string }{"best.json", "trials.csv", "front.png", "convergence.png"}

// WriteFiles writes the outputs into dir (created when missing): the
// best design (best.json), every trial with a row (trials.csv), the front
// (front.png) and the convergence (convergence.png). Each file is written
// whole under a temporary name and renamed, so a stopped run leaves no
// half-written output. It returns the paths written.
func (r *Result) WriteFiles(dir string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("-o: %w", err)
	}
	title := r.Setup.ScenarioName
	files := []struct {
		name string
		data func() ([]byte, error)
	}{
		{fileNames.trials, func() ([]byte, error) { return r.CSV(), nil }},
		{fileNames.best, func() ([]byte, error) {
			if r.Best < 0 {
				return nil, nil
			}
			return []byte(r.Trials[r.Best].Design), nil
		}},
		{fileNames.front, func() ([]byte, error) {
			if r.Best < 0 {
				return nil, nil
			}
			return report.OptimizeFrontFigure("png", title, r.Label(), r.SearchPoints())
		}},
		{fileNames.convergence, func() ([]byte, error) {
			if r.Simulated() == 0 {
				return nil, nil
			}
			return report.OptimizeConvergenceFigure("png", title, r.Label(), r.Convergence())
		}},
	}
	var paths []string
	for _, f := range files {
		b, err := f.data()
		if err != nil {
			return paths, fmt.Errorf("optimize: %s: %w", f.name, err)
		}
		if b == nil {
			continue
		}
		path := filepath.Join(dir, f.name)
		if err := writeWhole(path, b); err != nil {
			return paths, err
		}
		paths = append(paths, path)
	}
	return paths, nil
}

// writeWhole writes b to path through a temporary file and a rename.
func writeWhole(path string, b []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return fmt.Errorf("-o: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("-o: %w", err)
	}
	return nil
}

// Tables describe the study: the trials' outcomes, the best design (its
// values, figures and the command that runs it) and the front.
func (r *Result) Tables() []*report.Table {
	sum := &report.Table{Name: "optimize_summary", Title: "Study",
		Columns: report.Cols("trials", "simulated", "ok", "fail", "error", "over_power", "does_not_fit", "bound", "invalid", "filtered_share:%.1f%%")}
	n := len(r.Trials)
	share := 0.0
	if n > 0 {
		share = 100 * float64(r.Filtered()) / float64(n)
	}
	c := r.Counts
	sum.Add(int64(n), int64(r.Simulated()), int64(c[OutcomeOK]), int64(c[OutcomeFail]), int64(c[OutcomeError]), int64(c[OutcomePower]),
		int64(c[OutcomeDoesNotFit]), int64(c[OutcomeBound]), int64(c[OutcomeInvalid]), share)
	sum.Notes = []string{"does_not_fit, bound and invalid trials were discarded by the cheap filters without simulating"}
	tables := []*report.Table{sum}
	if r.Best < 0 {
		sum.Notes = append(sum.Notes, "no candidate passed")
		return tables
	}
	b := r.Trials[r.Best]
	best := &report.Table{Name: "optimize_best", Title: fmt.Sprintf("Best design: trial %d", b.Number),
		Columns: report.Cols("parameter", "value")}
	for _, p := range r.Setup.Space.Params {
		best.Add(p.Field, b.Values[p.Field])
	}
	ideas := b.Ideas
	if ideas == "" {
		ideas = "none"
	}
	best.Add("ideas", ideas)
	if r.Objective != Latency && r.Objective != FPS {
		best.Add(r.Label(), strconv.FormatFloat(b.Value, 'g', 6, 64))
	}
	best.Add("latency (ms)", strconv.FormatFloat(b.LatencyMs, 'f', 3, 64))
	best.Add("fps", strconv.FormatFloat(b.FPS, 'f', 3, 64))
	best.Add("energy (mJ per pass)", strconv.FormatFloat(b.EnergyMJ, 'f', 1, 64))
	best.Add("power (W)", strconv.FormatFloat(b.PowerW, 'f', 2, 64))
	d, m := resources(b)
	dspName := string(hw.DSP48E2)
	if p, err := hw.LoadPlatform(r.Setup.Space.Platform); err == nil {
		dspName = p.DSPName()
	}
	best.Add(dspName, strconv.FormatInt(d, 10))
	best.Add("on-chip (MiB)", strconv.FormatFloat(float64(m)/hw.MiB, 'f', 2, 64))
	best.Notes = []string{"run it: " + r.RunCommand("best.json")}
	front := &report.Table{Name: "optimize_front", Title: "Pareto front (" + string(r.Objective) + ", DSPs, on-chip memory)",
		Columns: report.Cols("trial", string(r.Objective)+":%.3f", "dsps", "onchip_mib:%.2f", "energy_mj:%.1f", "key")}
	for _, i := range r.Front {
		t := r.Trials[i]
		d, m := resources(t)
		front.Add(int64(t.Number), t.Value, d, float64(m)/hw.MiB, t.EnergyMJ, t.Key)
	}
	return append(tables, best, front)
}

// RunCommand is the roofsim run command that runs the best design from
// its design file.
func (r *Result) RunCommand(designFile string) string {
	args := []string{"roofsim run --design", designFile}
	if r.Setup.ScenarioName != "smolvla" {
		args = append(args, "--scenario", r.Setup.ScenarioName)
	}
	if r.Setup.Space.Platform != "u280" {
		args = append(args, "--platform", r.Setup.Space.Platform)
	}
	if r.Setup.Space.Memory != "hbm" {
		args = append(args, "--memory", string(r.Setup.Space.Memory))
	}
	if r.Best >= 0 && r.Trials[r.Best].Ideas != "" {
		args = append(args, "--ideas", strings.ReplaceAll(r.Trials[r.Best].Ideas, "+", ","))
	}
	return strings.Join(args, " ")
}
