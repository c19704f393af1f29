package main

import (
	"fmt"
	"strings"

	"github.com/roofsim/roofsim/decode"
	"github.com/roofsim/roofsim/workload"
	"github.com/spf13/cobra"
)

// scenarioFlags select and adjust the workload.
type scenarioFlags struct {
	name    string
	cameras int
	frames  int
	lmHead  bool
	steps   int
	chunk   int
	batch   int
	seq     int
	image   int
	gen     int
	sample  int
}

func addScenarioFlags(cmd *cobra.Command, s *scenarioFlags) {
	cmd.Flags().StringVar(&s.name, "scenario", workload.ScenarioSmolVLA,
		"scenario: "+strings.Join(workload.ScenarioNames(), "|")+", a Hugging Face config.json (model_type "+strings.Join(workload.TransformerFamilies(), "|")+"|idefics3|smolvlm), or a lerobot SmolVLA policy config.json")
	cmd.Flags().IntVar(&s.cameras, "cameras", 0, "camera images per frame (default: the scenario's, 3 for smolvla)")
	cmd.Flags().IntVar(&s.frames, "frames", 0, "frames run together as one batch (default: the scenario's, 1)")
	cmd.Flags().BoolVar(&s.lmHead, "lm-head", false, "also run the LM head (SmolVLA does not run it at inference)")
	cmd.Flags().IntVar(&s.steps, "steps", 0, "policy scenarios: flow-matching steps per call, num_steps (default: the scenario's, 10)")
	cmd.Flags().IntVar(&s.chunk, "chunk", 0, "policy scenarios: actions per chunk, chunk_size (default: the scenario's, 50); n_action_steps is capped at it")
	cmd.Flags().IntVar(&s.batch, "batch", 0, "Hugging Face model scenarios: sequences (or images) run together (default 1)")
	cmd.Flags().IntVar(&s.seq, "seq", 0, fmt.Sprintf("Hugging Face model scenarios: prompt or sequence length in tokens (default %d, at most the model's positions)", workload.DefaultSeq))
	cmd.Flags().IntVar(&s.image, "image-size", 0, "vision models and smolvla: image side in pixels (default: the config's image_size)")
	cmd.Flags().IntVar(&s.gen, "generate", 0, "decoder scenarios (run): decode steps after the prefill, one token per sequence over the growing KV cache")
	cmd.Flags().IntVar(&s.sample, "decode-sample", decode.DefaultSample, "run --generate: decode steps simulated, evenly spaced with the first and last, the others interpolated; 0 simulates all")
}

// applyHF applies --batch, --seq, --image-size and --generate.
func (s *scenarioFlags) applyHF(cmd *cobra.Command, sc *workload.Scenario) error {
	for _, f := range []struct {
		name string
		v    int
		set  func(v int)
		hf   bool
	}{
		{"batch", s.batch, func(v int) { sc.Frames = v }, true},
		{"seq", s.seq, func(v int) { sc.Seq = v }, true},
		{"image-size", s.image, func(v int) { sc.ImageSize = v }, false},
		{"generate", s.gen, func(v int) { sc.Generate = v }, true},
	} {
		if !cmd.Flags().Changed(f.name) {
			continue
		}
		if f.hf && sc.HF == nil {
			return fmt.Errorf("--%s: scenario %s is not a Hugging Face transformer config (use --frames for smolvla's batch)", f.name, sc.Name)
		}
		if f.v <= 0 {
			return fmt.Errorf("--%s must be > 0, got %d", f.name, f.v)
		}
		f.set(f.v)
	}
	if cmd.Flags().Changed("decode-sample") && s.sample < 0 {
		return fmt.Errorf("--decode-sample must be >= 0 steps (0: all), got %d", s.sample)
	}
	return nil
}

// load returns the scenario with the flags applied, validated.
func (s *scenarioFlags) load(cmd *cobra.Command) (workload.Scenario, error) {
	sc, err := workload.LoadScenario(s.name)
	if err != nil {
		return workload.Scenario{}, fmt.Errorf("--scenario: %w", err)
	}
	if cmd.Flags().Changed("cameras") {
		if s.cameras <= 0 {
			return workload.Scenario{}, fmt.Errorf("--cameras must be > 0, got %d", s.cameras)
		}
		if sc.Seed != nil {
			return workload.Scenario{}, fmt.Errorf("--cameras: the seed scenario has fixed shapes (use --scenario smolvla)")
		}
		sc.Cameras = s.cameras
	}
	if cmd.Flags().Changed("frames") {
		if s.frames <= 0 {
			return workload.Scenario{}, fmt.Errorf("--frames must be > 0, got %d", s.frames)
		}
		sc.Frames = s.frames
	}
	if s.lmHead {
		sc.IncludeLMHead = true
	}
	if err := s.applyPolicy(cmd, &sc); err != nil {
		return workload.Scenario{}, err
	}
	if err := s.applyHF(cmd, &sc); err != nil {
		return workload.Scenario{}, err
	}
	if err := sc.Validate(); err != nil {
		return workload.Scenario{}, err
	}
	return sc, nil
}

// applyPolicy applies --steps and --chunk to the scenario's policy (a
// copy, so the preset is not shared).
func (s *scenarioFlags) applyPolicy(cmd *cobra.Command, sc *workload.Scenario) error {
	for _, f := range []struct {
		name string
		v    int
		set  func(p *workload.Policy, v int)
	}{
		{"steps", s.steps, func(p *workload.Policy, v int) { p.NumSteps = v }},
		{"chunk", s.chunk, func(p *workload.Policy, v int) { p.ChunkSize, p.NActionSteps = v, min(p.NActionSteps, v) }},
	} {
		if !cmd.Flags().Changed(f.name) {
			continue
		}
		if sc.Policy == nil {
			return fmt.Errorf("--%s: scenario %s has no policy (use --scenario %s or a lerobot SmolVLA config.json)", f.name, sc.Name, workload.ScenarioSmolVLAPolicy)
		}
		if f.v <= 0 {
			return fmt.Errorf("--%s must be > 0, got %d", f.name, f.v)
		}
		p := *sc.Policy
		f.set(&p, f.v)
		sc.Policy = &p
	}
	return nil
}

// kernels returns the scenario's kernel list: the ops of its graph.
func (s *scenarioFlags) kernels(cmd *cobra.Command) (workload.Scenario, []workload.Kernel, error) {
	sc, g, err := s.graph(cmd)
	if err != nil {
		return workload.Scenario{}, nil, err
	}
	return sc, g.Ops, nil
}

// graph returns the scenario's tensor graph: the prefill of a decoder.
// Only run simulates decode steps: --generate elsewhere is an error.
func (s *scenarioFlags) graph(cmd *cobra.Command) (workload.Scenario, *workload.Graph, error) {
	sc, err := s.load(cmd)
	if err != nil {
		return workload.Scenario{}, nil, err
	}
	if sc.Generate > 0 && cmd.Name() != "run" {
		return workload.Scenario{}, nil, fmt.Errorf("--generate: %s works on the prefill; run simulates the decode steps", cmd.Name())
	}
	g, err := sc.Graph()
	if err != nil {
		return workload.Scenario{}, nil, err
	}
	return sc, g, nil
}
