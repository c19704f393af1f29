package optimize

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/c-bata/goptuna"
	"github.com/roofsim/roofsim/report/format"
	"github.com/roofsim/roofsim/sweep"
)

// Options configure a study.
type Options struct {
	// Objective is what the search optimizes.
	Objective Objective
	// Budget is the number of candidates to simulate (those the cheap
	// filters discard do not count).
	Budget int
	// MaxTrials bounds the trials, filtered ones included (0: 20 x
	// Budget), so that a space where nothing fits ends.
	MaxTrials int
	// Time stops asking for new candidates after this much wall time (0:
	// no limit); the candidates being simulated finish.
	Time time.Duration
	// Seed seeds the sampler: each trial's sampler is seeded from Seed and
	// the trial's number, so a study's candidates depend only on the seed
	// and the trials before them.
	Seed int64
	// Jobs is the number of candidates one worker simulates at once (at
	// least 1): it asks for Jobs candidates that pass the filters, from
	// the same history, simulates them in parallel, then reports them.
	Jobs int
	// Workers is the number of independent workers in this process (at
	// least 1), each asking the study for its next batch when its last
	// is done, as separate processes sharing a storage do.
	Workers int
	// Sampler is the search algorithm: "tpe" (default) or "random".
	Sampler string
	// Storage is where the study's trials live (OpenStorage's URL); ""
	// keeps them in memory.
	Storage string
	// Study names the study in the storage.
	Study string
	// Resume retakes the trials a stopped worker left running (their
	// candidates are simulated again) before asking for new ones. Use it
	// when no other worker of the study runs.
	Resume bool
	// Evaluator simulates a candidate (sweep.Simulation in roofsim).
	Evaluator sweep.Evaluator
	// Progress, when not nil, is told about every trial.
	Progress Progress
}

// Progress is told how a study goes. Its methods are called from one
// goroutine at a time.
type Progress interface {
	// Start is called once with the simulations already done and the budget.
	Start(done, budget int)
	// Trial is called for every finished trial with the best value so far
	// (ok is false while no candidate has passed).
	Trial(t Trial, best float64, ok bool)
	// Finish is called once when the study ends.
	Finish()
}

// Samplers lists the accepted samplers.
const Samplers = "tpe|random"

// study runs one study's workers.
type study struct {
	st   *Setup
	o    Options
	gs   *goptuna.Study
	snap *snapshot
	mu   sync.Mutex // serialises the storage's use: asking, telling and Progress
	t0   time.Time
}

// snapshot is a storage whose GetAllTrials answers from a list taken once
// while a trial is sampled: the sampler reads every trial for each
// parameter, and a database answers that slowly. Only finished trials
// matter to the sampler, and none finishes while the lock is held.
type snapshot struct {
	goptuna.Storage
	trials []goptuna.FrozenTrial
}

// GetAllTrials implements goptuna.Storage.
func (s *snapshot) GetAllTrials(studyID int) ([]goptuna.FrozenTrial, error) {
	if s.trials != nil {
		return s.trials, nil
	}
	return s.Storage.GetAllTrials(studyID)
}

// Run optimizes: it opens (or continues) the study in o.Storage, runs
// o.Workers workers until the study holds o.Budget simulated candidates,
// o.MaxTrials trials or o.Time is up, and returns every trial of the
// study. When ctx is cancelled the workers stop at once; the candidates
// being simulated are left running in the storage, as a killed process
// leaves them (o.Resume retakes them).
func Run(ctx context.Context, st *Setup, o Options) (*Result, error) {
	if o.Budget < 1 || o.Jobs < 1 || o.Workers < 1 {
		return nil, fmt.Errorf("optimize: budget, jobs and workers must be at least 1")
	}
	if o.MaxTrials == 0 {
		o.MaxTrials = 20 * o.Budget
	}
	storage, closeFn, err := OpenStorage(o.Storage)
	if err != nil {
		return nil, err
	}
	defer closeFn()
	snap := &snapshot{Storage: storage}
	gs, err := openStudy(snap, st, o)
	if err != nil {
		return nil, err
	}
	s := &study{st: st, o: o, gs: gs, snap: snap, t0: time.Now()}
	trials, err := s.trials()
	if err != nil {
		return nil, err
	}
	if o.Progress != nil {
		o.Progress.Start(simulated(trials), o.Budget)
		defer o.Progress.Finish()
	}
	errs := make([]error, o.Workers)
	var wg sync.WaitGroup
	for w := range o.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[w] = s.worker(ctx, w)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	trials, err = s.trials()
	if err != nil {
		return nil, err
	}
	return newResult(st, o.Objective, trials), nil
}

// trials reads every trial of the study, in number order.
func (s *study) trials() ([]Trial, error) {
	fts, err := s.gs.GetTrials()
	if err != nil {
		return nil, fmt.Errorf("optimize: reading the trials: %w", err)
	}
	return trialsOf(fts), nil
}

// trialsOf reads stored trials, in number order.
func trialsOf(fts []goptuna.FrozenTrial) []Trial {
	out := make([]Trial, 0, len(fts))
	for _, ft := range fts {
		out = append(out, trialOf(ft))
	}
	sortTrials(out)
	return out
}

// pending is a candidate asked for and to be simulated.
type pending struct {
	id   int
	cand Candidate
	res  evaluated
}

// worker asks for batches of candidates and simulates them until the
// study is done.
func (s *study) worker(ctx context.Context, w int) error {
	o := s.o
	if w == 0 && o.Resume {
		if err := s.retake(ctx); err != nil {
			return err
		}
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		if o.Time > 0 && time.Since(s.t0) > o.Time {
			return nil
		}
		batch, done, err := s.askBatch()
		if err != nil || done {
			return err
		}
		if err := s.simulate(ctx, batch); err != nil {
			return err
		}
	}
}

// askBatch asks the sampler for candidates until o.Jobs of them pass the
// cheap filters (or the budget is reached), reporting each filtered one at
// once. done is true when the study needs no more simulations.
func (s *study) askBatch() ([]*pending, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var batch []*pending
	for len(batch) < s.o.Jobs {
		fts, err := s.snap.Storage.GetAllTrials(s.gs.ID)
		if err != nil {
			return nil, false, fmt.Errorf("optimize: reading the trials: %w", err)
		}
		trials := trialsOf(fts)
		if simulated(trials) >= s.o.Budget || len(trials) >= s.o.MaxTrials {
			return batch, len(batch) == 0, nil
		}
		best, haveBest := bestValue(s.o.Objective, trials)
		id, err := s.gs.Storage.CreateNewTrial(s.gs.ID)
		if err != nil {
			return nil, false, fmt.Errorf("optimize: creating a trial: %w", err)
		}
		number, err := s.gs.Storage.GetTrialNumberFromID(id)
		if err != nil {
			return nil, false, fmt.Errorf("optimize: trial %d: %w", id, err)
		}
		if number == 0 {
			if err := s.startFromBase(id); err != nil {
				return nil, false, err
			}
		}
		s.snap.trials = fts
		vals, err := s.st.suggest(goptuna.Trial{Study: s.gs, ID: id})
		s.snap.trials = nil
		if err != nil {
			return nil, false, fmt.Errorf("optimize: sampling trial %d: %w", number, err)
		}
		if err := s.setAttr(id, attrValues, valuesJSON(vals)); err != nil {
			return nil, false, err
		}
		cand, ev, pass := s.filter(number, vals, best, haveBest)
		if !pass {
			if err := s.tell(id, cand, ev); err != nil {
				return nil, false, err
			}
			continue
		}
		if err := s.setAttr(id, attrStage, stageSimulate); err != nil {
			return nil, false, err
		}
		batch = append(batch, &pending{id: id, cand: cand, res: ev})
	}
	return batch, false, nil
}

// startFromBase fixes the first trial's values to the base design's
// (Setup.baseParams), through goptuna's fixed parameters.
func (s *study) startFromBase(id int) error {
	base, err := s.st.baseParams()
	if err != nil {
		return err
	}
	b, err := json.Marshal(base)
	if err != nil {
		return fmt.Errorf("optimize: base design: %w", err)
	}
	if err := s.gs.Storage.SetTrialSystemAttr(id, "fixed_params", string(b)); err != nil {
		return fmt.Errorf("optimize: first trial: %w", err)
	}
	return nil
}

// filter builds a candidate and runs the cheap filters: pass is false for
// a candidate that cannot be built, does not fit the board or whose bound
// is no better than the best simulated value.
func (s *study) filter(number int, vals map[string]string, best float64, haveBest bool) (Candidate, evaluated, bool) {
	cand, err := s.st.Build(number, vals)
	if err != nil {
		return cand, evaluated{outcome: OutcomeInvalid, reason: err.Error()}, false
	}
	bound, err := Bound(s.o.Objective, cand.Point.Config)
	if err != nil {
		return cand, evaluated{outcome: OutcomeInvalid, reason: err.Error()}, false
	}
	ev := evaluated{bound: bound}
	if err := boardFit(cand.Point.Config); err != nil {
		row := sweep.DoesNotFit(cand.Point, err)
		ev.outcome, ev.reason, ev.row = OutcomeDoesNotFit, err.Error(), string(row.Encode(format.CSV))
		ev.overuse = overuse(cand.Point.Config)
		return cand, ev, false
	}
	if haveBest && !s.o.Objective.Better(bound, best) {
		ev.outcome = OutcomeBound
		ev.reason = fmt.Sprintf("its bound %s %s is no better than the best simulated %s", strconv.FormatFloat(bound, 'g', 6, 64), s.o.Objective.Unit(), strconv.FormatFloat(best, 'g', 6, 64))
		return cand, ev, false
	}
	return cand, ev, true
}

// simulate evaluates a batch in parallel and reports each candidate in
// trial order. When ctx is cancelled meanwhile the batch is left running
// in the storage.
func (s *study) simulate(ctx context.Context, batch []*pending) error {
	var wg sync.WaitGroup
	for _, p := range batch {
		wg.Add(1)
		go func() {
			defer wg.Done()
			bound := p.res.bound
			p.res = evaluate(s.o.Objective, p.cand, s.o.Evaluator)
			p.res.bound = bound
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range batch {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := s.tell(p.id, p.cand, p.res); err != nil {
			return err
		}
	}
	return nil
}

// retake simulates again the candidates that a stopped worker left
// running, and marks failed the trials it left before their values were
// stored.
func (s *study) retake(ctx context.Context) error {
	fts, err := s.gs.GetTrials()
	if err != nil {
		return fmt.Errorf("optimize: reading the trials: %w", err)
	}
	var batch []*pending
	for _, ft := range fts {
		if ft.State != goptuna.TrialStateRunning {
			continue
		}
		vals, err := parseValues(ft.UserAttrs[attrValues])
		var cand Candidate
		if err == nil && ft.UserAttrs[attrStage] == stageSimulate {
			cand, err = s.st.Build(ft.Number, vals)
		}
		if err != nil || ft.UserAttrs[attrStage] != stageSimulate {
			ev := evaluated{outcome: OutcomeInvalid, reason: "left unfinished by a stopped worker before it was sampled"}
			if err := s.tell(ft.ID, cand, ev); err != nil {
				return err
			}
			continue
		}
		bound, err := Bound(s.o.Objective, cand.Point.Config)
		if err != nil {
			return fmt.Errorf("optimize: trial %d: %w", ft.Number, err)
		}
		batch = append(batch, &pending{id: ft.ID, cand: cand, res: evaluated{bound: bound}})
	}
	for len(batch) > 0 {
		n := min(len(batch), s.o.Jobs)
		if err := s.simulate(ctx, batch[:n]); err != nil {
			return err
		}
		batch = batch[n:]
	}
	return nil
}

// setAttr stores one user attribute of a trial.
func (s *study) setAttr(id int, key, value string) error {
	if err := s.gs.Storage.SetTrialUserAttr(id, key, value); err != nil {
		return fmt.Errorf("optimize: storing trial %d's %s: %w", id, key, err)
	}
	return nil
}

// tell stores a trial's outcome: its attributes, its value and its state
// (complete for a candidate that passed, pruned for one the filters
// discarded, failed for a simulation that did not pass), then tells the
// Progress.
func (s *study) tell(id int, cand Candidate, ev evaluated) error {
	for _, kv := range ev.attrs(cand) {
		if err := s.setAttr(id, kv[0], kv[1]); err != nil {
			return err
		}
	}
	st := goptuna.TrialStateFail
	switch ev.outcome {
	case OutcomeOK:
		st = goptuna.TrialStateComplete
		if err := s.gs.Storage.SetTrialValue(id, ev.measured.Value); err != nil {
			return fmt.Errorf("optimize: trial %d's value: %w", id, err)
		}
	case OutcomeBound, OutcomeDoesNotFit:
		// The sampler ranks pruned trials after every complete one, among
		// themselves by this value: the bound, worsened by the share a
		// design that does not fit takes of its scarcest resource, so that
		// the search is drawn to the edge of what fits, not to either side.
		st = goptuna.TrialStatePruned
		v := ev.bound
		if ev.overuse > 1 {
			v = s.o.Objective.worsen(v, ev.overuse)
		}
		if err := s.gs.Storage.SetTrialIntermediateValue(id, 0, v); err != nil {
			return fmt.Errorf("optimize: trial %d's bound: %w", id, err)
		}
		if err := s.gs.Storage.SetTrialValue(id, v); err != nil {
			return fmt.Errorf("optimize: trial %d's bound: %w", id, err)
		}
	case OutcomeInvalid:
		st = goptuna.TrialStatePruned
	}
	if err := s.gs.Storage.SetTrialState(id, st); err != nil {
		return fmt.Errorf("optimize: trial %d's state: %w", id, err)
	}
	if s.o.Progress != nil {
		ft, err := s.gs.Storage.GetTrial(id)
		if err != nil {
			return fmt.Errorf("optimize: trial %d: %w", id, err)
		}
		trials, err := s.trials()
		if err != nil {
			return err
		}
		best, ok := bestValue(s.o.Objective, trials)
		s.o.Progress.Trial(trialOf(ft), best, ok)
	}
	return nil
}
