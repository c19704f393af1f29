package optimize

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/c-bata/goptuna"
	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/ideas"
	"github.com/roofsim/roofsim/sweep"
	"github.com/roofsim/roofsim/workload"
)

// Setup is what every candidate of a study shares: the space, the board,
// the base design and the workload.
type Setup struct {
	// Space is the space searched.
	Space *Space
	// Platform is the board.
	Platform hw.Platform
	// Base is the design the candidates start from.
	Base hw.Design
	// Scenario is the workload.
	Scenario workload.Scenario
	// ScenarioName names the workload in rows ("smolvla" or a file).
	ScenarioName string
}

// NewSetup loads the space's platform and base design and the scenario
// (a preset name or a Hugging Face config.json).
func NewSetup(s *Space, scenario string) (*Setup, error) {
	plat, err := hw.LoadPlatform(s.Platform)
	if err != nil {
		return nil, fmt.Errorf("space: platform: %w", err)
	}
	d, err := hw.LoadDesign(s.Design)
	if err != nil {
		return nil, fmt.Errorf("space: design: %w", err)
	}
	if scenario == "" {
		scenario = workload.ScenarioSmolVLA
	}
	sc, err := workload.LoadScenario(scenario)
	if err != nil {
		return nil, fmt.Errorf("--scenario: %w", err)
	}
	st := &Setup{Space: s, Platform: plat, Base: d, Scenario: sc, ScenarioName: scenario}
	for _, idea := range s.Ideas {
		if idea == "pipeline_slr" {
			continue // needs two arrays: a candidate with one is refused on its own
		}
		base := ideas.Config{Platform: plat, Design: d, Scenario: sc}
		if _, err := sweep.NewPoint(0, idea, []string{idea}, base, s.Memory, "", scenario); err != nil {
			return nil, fmt.Errorf("space: ideas: %s cannot apply to scenario %s: %w", idea, scenario, err)
		}
	}
	return st, nil
}

// Candidate is one design the search proposed.
type Candidate struct {
	// Number is its trial's number in the study (0-based).
	Number int
	// Values maps each parameter's field to its value as text, and each
	// idea of the space to "on" or "off".
	Values map[string]string
	// Ideas are the ideas switched on, in registry order.
	Ideas []string
	// Key names the candidate by its values ("arrays=3 array_rows=64 ...
	// ideas=fuse+prefetch").
	Key string
	// Point is the candidate as the sweep evaluates it.
	Point sweep.Point
}

// ideaParam is the name of an idea's switch in the study.
func ideaParam(name string) string { return "idea." + name }

// suggest asks the trial's sampler for a value of every parameter and
// idea switch, in the space's order.
func (st *Setup) suggest(t goptuna.Trial) (map[string]string, error) {
	vals := map[string]string{}
	for _, p := range st.Space.Params {
		switch {
		case len(p.Choices) > 0:
			v, err := t.SuggestCategorical(p.Field, p.Choices)
			if err != nil {
				return nil, err
			}
			vals[p.Field] = v
		default:
			// The position in the range, as an integer: goptuna v0.9.0's
			// step distribution and its random sampler leave out the top
			// of a range, so the range is one wider and its extra
			// position is the top value.
			n := int(p.Values())
			i, err := t.SuggestInt(indexParam(p.Field), 0, n)
			if err != nil {
				return nil, err
			}
			vals[p.Field] = strconv.FormatInt(p.At(min(i, n-1)), 10)
		}
	}
	for _, idea := range st.Space.Ideas {
		v, err := t.SuggestCategorical(ideaParam(idea), []string{"off", "on"})
		if err != nil {
			return nil, err
		}
		vals[ideaParam(idea)] = v
	}
	return vals, nil
}

// indexParam is the name of a numeric range's position in the study.
func indexParam(field string) string { return field + ".index" }

// Build makes the candidate of the given values: the base design with
// each parameter's value (hw.ApplyOverrides), named after the trial, and
// the ideas switched on. An error is a candidate that cannot be built (an
// idea that needs two arrays on one, say).
func (st *Setup) Build(number int, vals map[string]string) (Candidate, error) {
	c := Candidate{Number: number, Values: vals}
	ovs := []hw.Override{{Field: "name", Value: fmt.Sprintf("opt-%d", number)}}
	var kv []string
	for _, p := range st.Space.Params {
		v, ok := vals[p.Field]
		if !ok {
			return c, fmt.Errorf("trial %d has no value of %s", number, p.Field)
		}
		ovs = append(ovs, hw.Override{Field: p.Field, Value: v})
		kv = append(kv, p.Field+"="+v)
	}
	for _, idea := range st.Space.Ideas {
		switch vals[ideaParam(idea)] {
		case "on":
			c.Ideas = append(c.Ideas, idea)
		case "off":
		default:
			return c, fmt.Errorf("trial %d has no switch of idea %s", number, idea)
		}
	}
	names := "none"
	if len(c.Ideas) > 0 {
		names = strings.Join(c.Ideas, "+")
	}
	c.Key = strings.TrimSpace(strings.Join(kv, " ") + " ideas=" + names)
	d, err := hw.ApplyOverrides(st.Base, ovs...)
	if err != nil {
		return c, err
	}
	base := ideas.Config{Platform: st.Platform, Design: d, Scenario: st.Scenario}
	p, err := sweep.NewPoint(number, c.Key, c.Ideas, base, st.Space.Memory, "", st.ScenarioName)
	if err != nil {
		return c, err
	}
	c.Point = p
	return c, nil
}

// valuesJSON encodes a candidate's values for the study's storage (keys
// sorted, so equal values give equal text).
func valuesJSON(vals map[string]string) string {
	b, _ := json.Marshal(vals) // a map of strings always encodes; its keys sorted
	return string(b)
}

// parseValues decodes valuesJSON's text.
func parseValues(s string) (map[string]string, error) {
	var m map[string]string
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return nil, fmt.Errorf("the stored values %q: %w", s, err)
	}
	return m, nil
}

// DesignJSON is the candidate's design (its ideas' design edits included)
// as a design file that roofsim run --design reads.
func (c Candidate) DesignJSON() ([]byte, error) {
	b, err := json.MarshalIndent(c.Point.Config.Design, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("optimize: design of trial %d: %w", c.Number, err)
	}
	return append(b, '\n'), nil
}

// baseParams are the internal values (goptuna's representation: a choice's
// index, an integer, a power's exponent) of the base design's fields,
// each clamped into its range (the nearest choice, step or power of two),
// with every idea off: the first trial of a study is this design, so the
// search starts from a known design and the bound filter has a reference
// after one simulation.
func (st *Setup) baseParams() (map[string]float64, error) {
	b, err := json.Marshal(st.Base)
	if err != nil {
		return nil, fmt.Errorf("optimize: base design: %w", err)
	}
	var fields map[string]any
	if err := json.Unmarshal(b, &fields); err != nil {
		return nil, fmt.Errorf("optimize: base design: %w", err)
	}
	text := func(f string) string {
		switch v := fields[f].(type) {
		case string:
			return v
		case float64:
			return strconv.FormatFloat(v, 'f', -1, 64)
		}
		return "0" // a field the file leaves out: its zero
	}
	out := map[string]float64{}
	for _, p := range st.Space.Params {
		v := text(p.Field)
		switch {
		case len(p.Choices) > 0:
			out[p.Field] = float64(nearestChoice(p.Choices, v))
		default:
			x, _ := strconv.ParseFloat(v, 64) // text of a number field: a number
			if p.Field == "freq_hz" && x == 0 {
				x = st.Base.ClockHz(st.Platform) // 0 is the platform's clock
			}
			best, dist := 0, math.Inf(1)
			for i := range int(p.Values()) {
				if d := math.Abs(float64(p.At(i)) - x); d < dist {
					best, dist = i, d
				}
			}
			out[indexParam(p.Field)] = float64(best)
		}
	}
	for _, idea := range st.Space.Ideas {
		out[ideaParam(idea)] = 0 // "off"
	}
	return out, nil
}

// nearestChoice is the index of v in choices, or of the numerically
// nearest choice (the first for a text that is not there).
func nearestChoice(choices []string, v string) int {
	best, dist := 0, math.Inf(1)
	x, errX := strconv.ParseFloat(v, 64)
	for i, c := range choices {
		if c == v {
			return i
		}
		if y, err := strconv.ParseFloat(c, 64); err == nil && errX == nil && math.Abs(x-y) < dist {
			best, dist = i, math.Abs(x-y)
		}
	}
	return best
}
