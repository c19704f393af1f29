package optimize

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/c-bata/goptuna"
	"github.com/roofsim/roofsim/report/format"
	"github.com/roofsim/roofsim/sweep"
)

// Outcome is what became of a trial.
type Outcome string

// The outcomes. The first four were simulated; the others were discarded
// by the cheap filters without simulating.
const (
	// OutcomeOK: simulated and passed every check.
	OutcomeOK Outcome = "ok"
	// OutcomeFail: simulated, some kernel failed its roofline checks.
	OutcomeFail Outcome = "fail"
	// OutcomeError: the simulation refused the candidate.
	OutcomeError Outcome = "error"
	// OutcomePower: simulated and passed, but its estimated power is above
	// the board's limit.
	OutcomePower Outcome = "over_power"
	// OutcomeDoesNotFit: the board cannot hold the design (not simulated).
	OutcomeDoesNotFit Outcome = "does_not_fit"
	// OutcomeBound: its analytical bound is no better than the best
	// simulated candidate (not simulated).
	OutcomeBound Outcome = "bound"
	// OutcomeInvalid: the candidate could not be built (an idea that needs
	// two arrays on one), or a stopped worker left it unsampled.
	OutcomeInvalid Outcome = "invalid"
)

// Simulated reports whether the trial's candidate was simulated.
func (o Outcome) Simulated() bool {
	return o == OutcomeOK || o == OutcomeFail || o == OutcomeError || o == OutcomePower
}

// The user attributes a trial keeps in the storage.
const (
	attrValues    = "values"
	attrStage     = "stage"
	stageSimulate = "simulate"
	attrOutcome   = "outcome"
	attrKey       = "key"
	attrReason    = "reason"
	attrRow       = "row"
	attrDesign    = "design"
	attrIdeas     = "ideas"
	attrBound     = "bound"
	attrLatency   = "latency_ms"
	attrFPS       = "fps"
	attrEnergy    = "energy_mj"
	attrPower     = "power_w"
	attrSeconds   = "sim_seconds"
)

// evaluated is a trial's outcome before it is stored.
type evaluated struct {
	outcome  Outcome
	reason   string
	row      string // the sweep row, CSV-encoded
	bound    float64
	measured Measured
	design   string
	seconds  float64
	// overuse is, for a design that does not fit, its largest use of a
	// resource over what the board has (above 1).
	overuse float64
}

// attrs lists the user attributes that store ev.
func (ev evaluated) attrs(c Candidate) [][2]string {
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	a := [][2]string{{attrOutcome, string(ev.outcome)}, {attrKey, c.Key}, {attrIdeas, strings.Join(c.Ideas, "+")}}
	if ev.reason != "" {
		a = append(a, [2]string{attrReason, ev.reason})
	}
	if ev.row != "" {
		a = append(a, [2]string{attrRow, ev.row})
	}
	if ev.bound != 0 {
		a = append(a, [2]string{attrBound, f(ev.bound)})
	}
	if ev.outcome.Simulated() {
		a = append(a, [2]string{attrSeconds, f(ev.seconds)})
	}
	if ev.design != "" {
		m := ev.measured
		a = append(a, [2]string{attrDesign, ev.design}, [2]string{attrLatency, f(m.LatencyMs)}, [2]string{attrFPS, f(m.FPS)},
			[2]string{attrEnergy, f(m.EnergyMJ)}, [2]string{attrPower, f(m.PowerW)})
	}
	return a
}

// evaluate simulates a candidate with the sweep's evaluation of one point
// and measures its objective and energy.
func evaluate(o Objective, c Candidate, ev sweep.Evaluator) evaluated {
	start := time.Now()
	row, res := sweep.EvaluateResult(c.Point, ev)
	out := evaluated{row: string(row.Encode(format.CSV)), seconds: time.Since(start).Seconds()}
	switch row.Status() {
	case sweep.StatusOK:
	case sweep.StatusFail:
		out.outcome, out.reason = OutcomeFail, row.Reason()
		return out
	case sweep.StatusDoesNotFit:
		out.outcome, out.reason = OutcomeDoesNotFit, row.Reason()
		return out
	default:
		out.outcome, out.reason = OutcomeError, row.Reason()
		return out
	}
	m, err := o.measure(row, res)
	if err != nil {
		out.outcome, out.reason = OutcomeError, err.Error()
		return out
	}
	out.measured = m
	design, err := c.DesignJSON()
	if err != nil {
		out.outcome, out.reason = OutcomeError, err.Error()
		return out
	}
	out.design = string(design)
	out.outcome = OutcomeOK
	if m.PowerW > m.PowerLimitW {
		out.outcome = OutcomePower
		out.reason = fmt.Sprintf("estimated power %.1f W is above the board's limit of %.0f W (DS963)", m.PowerW, m.PowerLimitW)
	}
	return out
}

// Trial is one trial of a study as stored.
type Trial struct {
	// Number is the trial's number in the study (0-based, in creation order).
	Number int
	// State is goptuna's state (Running for a trial in flight or left by
	// a stopped worker).
	State goptuna.TrialState
	// Outcome is what became of it ("" while running).
	Outcome Outcome
	// Key names its candidate; Ideas are the ideas it switched on.
	Key   string
	Ideas string
	// Values are its parameters' values.
	Values map[string]string
	// Reason says why it is not ok.
	Reason string
	// Row is its sweep row, CSV-encoded (simulated and does_not_fit trials).
	Row string
	// Design is its design file (ok and over-power trials).
	Design string
	// Value is the objective's value (ok trials) and Bound its analytical
	// bound (filtered-through and bound-pruned trials), in the objective's unit.
	Value, Bound float64
	// LatencyMs, FPS, EnergyMJ, PowerW are its simulated figures.
	LatencyMs, FPS, EnergyMJ, PowerW float64
	// SimSeconds is the wall time of its simulation.
	SimSeconds float64
	// Start and End are when it was asked for and finished.
	Start, End time.Time
	// toSimulate is set once it passed the filters.
	toSimulate bool
}

// trialOf reads a stored trial.
func trialOf(ft goptuna.FrozenTrial) Trial {
	a := ft.UserAttrs
	num := func(k string) float64 {
		v, _ := strconv.ParseFloat(a[k], 64) // absent: 0
		return v
	}
	vals, _ := parseValues(a[attrValues]) // absent while sampling: nil
	t := Trial{Number: ft.Number, State: ft.State, Outcome: Outcome(a[attrOutcome]), Key: a[attrKey], Ideas: a[attrIdeas],
		Values: vals, Reason: a[attrReason], Row: a[attrRow], Design: a[attrDesign], Bound: num(attrBound),
		LatencyMs: num(attrLatency), FPS: num(attrFPS), EnergyMJ: num(attrEnergy), PowerW: num(attrPower),
		SimSeconds: num(attrSeconds), Start: ft.DatetimeStart, End: ft.DatetimeComplete,
		toSimulate: a[attrStage] == stageSimulate}
	if ft.State == goptuna.TrialStateComplete {
		t.Value = ft.Value
	}
	if ft.State == goptuna.TrialStateRunning {
		t.Outcome = ""
	}
	return t
}

// sortTrials puts trials in number order.
func sortTrials(ts []Trial) {
	slices.SortFunc(ts, func(a, b Trial) int { return a.Number - b.Number })
}

// simulated counts the trials simulated or being simulated.
func simulated(ts []Trial) int {
	n := 0
	for _, t := range ts {
		if t.Outcome.Simulated() || (t.State == goptuna.TrialStateRunning && t.toSimulate) {
			n++
		}
	}
	return n
}

// bestValue is the best value of the trials that passed.
func bestValue(o Objective, ts []Trial) (float64, bool) {
	best, ok := 0.0, false
	for _, t := range ts {
		if t.Outcome == OutcomeOK && (!ok || o.Better(t.Value, best)) {
			best, ok = t.Value, true
		}
	}
	return best, ok
}
