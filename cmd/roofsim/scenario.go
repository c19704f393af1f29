package main

import (
	"fmt"
	"strings"

	"github.com/roofsim/roofsim/workload"
	"github.com/spf13/cobra"
)

// scenarioFlags select and adjust the workload.
type scenarioFlags struct {
	name    string
	cameras int
	frames  int
	lmHead  bool
}

func addScenarioFlags(cmd *cobra.Command, s *scenarioFlags) {
	cmd.Flags().StringVar(&s.name, "scenario", workload.ScenarioSmolVLA,
		"scenario: "+strings.Join(workload.ScenarioNames(), "|")+", or a Hugging Face config.json of a SmolVLM/Idefics3 model")
	cmd.Flags().IntVar(&s.cameras, "cameras", 0, "camera images per frame (default: the scenario's, 3 for smolvla)")
	cmd.Flags().IntVar(&s.frames, "frames", 0, "frames run together as one batch (default: the scenario's, 1)")
	cmd.Flags().BoolVar(&s.lmHead, "lm-head", false, "also run the LM head (SmolVLA does not run it at inference)")
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
	if err := sc.Validate(); err != nil {
		return workload.Scenario{}, err
	}
	return sc, nil
}

// kernels returns the scenario's kernel list: the ops of its graph.
func (s *scenarioFlags) kernels(cmd *cobra.Command) (workload.Scenario, []workload.Kernel, error) {
	sc, g, err := s.graph(cmd)
	if err != nil {
		return workload.Scenario{}, nil, err
	}
	return sc, g.Ops, nil
}

// graph returns the scenario's tensor graph.
func (s *scenarioFlags) graph(cmd *cobra.Command) (workload.Scenario, *workload.Graph, error) {
	sc, err := s.load(cmd)
	if err != nil {
		return workload.Scenario{}, nil, err
	}
	g, err := sc.Graph()
	if err != nil {
		return workload.Scenario{}, nil, err
	}
	return sc, g, nil
}
