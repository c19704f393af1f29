package calib

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/roofsim/roofsim/decode"
	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sim/accel"
	"github.com/roofsim/roofsim/validation"
	"github.com/roofsim/roofsim/workload"
)

// Units of a Model case's figure.
const (
	// UnitMs is milliseconds of wall time on the board: a latency, a time
	// to first token or a time per output token.
	UnitMs = "ms"
	// UnitTokensPerSec is generated tokens per second.
	UnitTokensPerSec = "tokens/s"
)

// Metrics of a Model case: which figure of roofsim's run it compares.
const (
	// MetricLatency is one forward pass over the scenario (no decode
	// steps), in ms: what roofsim run prints as latency_ms.
	MetricLatency = "latency"
	// MetricTTFT is the time to first token, the prefill over the prompt,
	// in ms (decode.Result.TTFTSec).
	MetricTTFT = "ttft"
	// MetricTPOT is the mean time per output token over the decode steps,
	// in ms (decode.Result.DecodeSec over the steps).
	MetricTPOT = "tpot"
	// MetricTokensPerSec is the decode throughput, batch x steps over the
	// decode time, in tokens/s (decode.Result.TokensPerSec).
	MetricTokensPerSec = "tokens_per_s"
)

// metricUnits is the unit of each metric.
var metricUnits = map[string]string{
	MetricLatency: UnitMs, MetricTTFT: UnitMs, MetricTPOT: UnitMs, MetricTokensPerSec: UnitTokensPerSec,
}

// Model is a whole model or layer stack measured on a board, run through
// roofsim's own path for it, as roofsim run --scenario S --design FILE
// [--batch B --seq N --generate G --decode-sample K --layout L] runs it: the scenario's
// graph on the cycle-level accelerator model (sim/accel) with the design's
// default options (no ideas), and with Generate the prefill and the
// sampled decode steps (package decode; tpot and tokens_per_s skip the
// prefill's simulation, which they do not use).
type Model struct {
	// Scenario is a preset scenario (workload.ScenarioNames); or empty
	// with HFConfig set.
	Scenario string `json:"scenario,omitempty"`
	// HFConfig is a Hugging Face transformer config.json, inline (the
	// suite is embedded in the binary, so it names no file); its model is
	// run as workload.TransformerScenario runs it.
	HFConfig json.RawMessage `json:"hf_config,omitempty"`
	// Batch is the sequences run together (0: the scenario's, 1).
	Batch int `json:"batch,omitempty"`
	// Seq is the prompt length in tokens (0: the scenario's default).
	Seq int `json:"seq,omitempty"`
	// Generate is the decode steps after the prefill (0: none).
	Generate int `json:"generate,omitempty"`
	// DecodeSample is the decode steps simulated, evenly spaced with the
	// first and the last, the others interpolated (decode.Options.Sample);
	// required (>= 1) with Generate, so that a case says how it samples.
	DecodeSample int `json:"decode_sample,omitempty"`
	// Layout is how the weights and spilled activations map onto the
	// design's PCs, as roofsim run --layout takes it (accel.LayoutMap:
	// interleave or contiguous); empty is run's default, interleave.
	Layout string `json:"layout,omitempty"`
	// Metric is the figure compared: latency, ttft, tpot or tokens_per_s.
	Metric string `json:"metric"`
	// Design is the roofsim design as a design file holds it
	// (hw.ParseDesign).
	Design json.RawMessage `json:"design"`
}

// validate reports the first unusable field of the Model case named name
// with unit unit on platform p.
func (m *Model) validate(name, unit string, p hw.Platform) error {
	want, ok := metricUnits[m.Metric]
	switch {
	case !ok:
		return fmt.Errorf("case %s: model metric %q is not known (accepted: %s|%s|%s|%s)", name, m.Metric,
			MetricLatency, MetricTTFT, MetricTPOT, MetricTokensPerSec)
	case unit != want:
		return fmt.Errorf("case %s: unit %q does not go with model metric %s (accepted: %s)", name, unit, m.Metric, want)
	case (m.Metric == MetricLatency) != (m.Generate == 0):
		return fmt.Errorf("case %s: model metric %s needs generate %s, got %d", name, m.Metric,
			map[bool]string{true: "0", false: ">= 1"}[m.Metric == MetricLatency], m.Generate)
	case m.Generate > 0 && m.DecodeSample < 1:
		return fmt.Errorf("case %s: model decode_sample must be >= 1 steps with generate, got %d", name, m.DecodeSample)
	case m.Generate == 0 && m.DecodeSample != 0:
		return fmt.Errorf("case %s: model decode_sample goes with generate", name)
	}
	if m.Layout != "" {
		if _, err := accel.ParseLayoutMap(m.Layout); err != nil {
			return fmt.Errorf("case %s: model %w", name, err)
		}
	}
	if _, err := m.scenario(name); err != nil {
		return fmt.Errorf("case %s: %w", name, err)
	}
	if _, err := caseDesign("model", m.Design, p); err != nil {
		return fmt.Errorf("case %s: %w", name, err)
	}
	return nil
}

// scenario builds the case's workload: the preset or the config's
// transformer (named name), with Batch, Seq and Generate applied, validated.
func (m *Model) scenario(name string) (workload.Scenario, error) {
	var sc workload.Scenario
	switch {
	case (m.Scenario == "") == (len(m.HFConfig) == 0):
		return sc, fmt.Errorf("model: give a scenario or an hf_config, one of them")
	case m.Scenario != "":
		s, err := workload.ScenarioByName(m.Scenario)
		if err != nil {
			return sc, fmt.Errorf("model: %w", err)
		}
		sc = s
	default:
		t, err := workload.ParseTransformerConfig(m.HFConfig)
		if err != nil {
			return sc, fmt.Errorf("model: hf_config: %w", err)
		}
		sc = workload.TransformerScenario(name, t)
	}
	for _, f := range []struct {
		name string
		v    int
		set  func(v int)
	}{
		{"batch", m.Batch, func(v int) { sc.Frames = v }},
		{"seq", m.Seq, func(v int) { sc.Seq = v }},
		{"generate", m.Generate, func(v int) { sc.Generate = v }},
	} {
		switch {
		case f.v < 0:
			return sc, fmt.Errorf("model: %s must be > 0, got %d", f.name, f.v)
		case f.v > 0 && sc.HF == nil:
			return sc, fmt.Errorf("model: %s: scenario %s is not a Hugging Face transformer config", f.name, sc.Name)
		case f.v > 0:
			f.set(f.v)
		}
	}
	if err := sc.Validate(); err != nil {
		return sc, fmt.Errorf("model: %w", err)
	}
	return sc, nil
}

// caseDesign parses a case's design and checks that platform p holds it
// (and that it was built for p, when it names a board); kind prefixes the
// errors.
func caseDesign(kind string, raw json.RawMessage, p hw.Platform) (hw.Design, error) {
	if len(raw) == 0 {
		return hw.Design{}, fmt.Errorf("%s: a design is required", kind)
	}
	d, err := hw.ParseDesign(raw)
	if err != nil {
		return hw.Design{}, fmt.Errorf("%s: %w", kind, err)
	}
	if d.Board != "" && d.Board != p.Name {
		return hw.Design{}, fmt.Errorf("%s: design %q is built for board %s, the case runs on %s", kind, d.Name, d.Board, p.Name)
	}
	if err := d.Fit(p); err != nil {
		return hw.Design{}, fmt.Errorf("%s: %w", kind, err)
	}
	return d, nil
}

// runModel simulates Model case c on platform p: the scenario's single
// pass (metric latency) or its generation (the others), and the metric's
// figure; Bound is the metric.
func runModel(c Case, p hw.Platform) (Result, error) {
	r := Result{Case: c}
	m := c.Model
	sc, err := m.scenario(c.Name)
	if err != nil {
		return r, fmt.Errorf("calib: case %s: %w", c.Name, err)
	}
	d, err := caseDesign("model", m.Design, p)
	if err != nil {
		return r, fmt.Errorf("calib: case %s: %w", c.Name, err)
	}
	o := accel.DefaultOptions(d, p)
	o.Layout.Map = accel.LayoutMap(m.Layout)
	if m.Metric == MetricLatency {
		g, err := sc.Graph()
		if err != nil {
			return r, fmt.Errorf("calib: case %s: %w", c.Name, err)
		}
		res, err := accel.Run(d, p, g, o)
		if err != nil {
			return r, fmt.Errorf("calib: case %s: %w", c.Name, err)
		}
		cmp := validation.Compare(res)
		if cmp.Failed > 0 {
			return r, fmt.Errorf("calib: case %s: %d kernels broke their checks", c.Name, cmp.Failed)
		}
		r.Simulated = cmp.Seconds() * 1e3
	} else {
		// TPOT and tokens/s need only the decode steps, each its own run.
		noPrefill := m.Metric != MetricTTFT
		dr, err := decode.Run(d, p, sc, o, decode.Options{Sample: m.DecodeSample, NoPrefill: noPrefill}, nil)
		if err != nil {
			return r, fmt.Errorf("calib: case %s: %w", c.Name, err)
		}
		if n := dr.Failed(); n > 0 {
			return r, fmt.Errorf("calib: case %s: %d kernels broke their checks", c.Name, n)
		}
		switch m.Metric {
		case MetricTTFT:
			r.Simulated = dr.TTFTSec() * 1e3
		case MetricTPOT:
			r.Simulated = dr.DecodeSec() / float64(len(dr.Steps)) * 1e3
		default:
			r.Simulated = dr.TokensPerSec()
		}
	}
	r.Bound = []string{m.Metric}
	r.Ratio = r.Simulated / c.Measured
	r.ErrorPct = math.Abs(r.Simulated-c.Measured) / c.Measured * 100
	return r, nil
}
