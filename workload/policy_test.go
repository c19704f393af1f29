package workload

import (
	"fmt"
	"strings"
	"testing"
)

func policyScenario(t *testing.T) Scenario {
	t.Helper()
	s, err := ScenarioByName(ScenarioSmolVLAPolicy)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestPolicyParams checks the policy's counts against lerobot/smolvla_base's
// checkpoint: expert 98,245,840, projections 1,635,152, whole policy
// 450,046,176 with the VLM's 350,165,184.
func TestPolicyParams(t *testing.T) {
	rows := policyScenario(t).Params()
	want := map[string]int64{
		"expert": 98245840, "projections": 1635152, "total": 450046176,
		"expert.final_norm": 720, "policy.state_proj": 31680, "policy.action_time_mlp_in": 1037520,
	}
	got := map[string]int64{}
	var vlm int64
	for _, r := range rows {
		got[r.Name] = r.Count
		if r.Level == ParamStage && r.Stage != StageExpert && r.Stage != StageProjections {
			vlm += r.Count
		}
	}
	for n, w := range want {
		if got[n] != w {
			t.Errorf("%s = %d, want %d", n, got[n], w)
		}
	}
	if vlm != 350165184 {
		t.Errorf("VLM stages sum to %d, want 350165184", vlm)
	}
	if vlmOnly := ParamTotalOf(smolvla(t).Params()); vlmOnly != vlm {
		t.Errorf("smolvla total %d, policy's VLM stages %d", vlmOnly, vlm)
	}
}

// TestPolicyGraphShapes checks the expert's kernels against the model's
// shapes: 50-token GEMMs of width 720, attention 50 x (P + 50) on
// self-attention layers (even) and 50 x P on cross-attention layers (odd),
// cross layers projecting the prefix cache 320 -> 320.
func TestPolicyGraphShapes(t *testing.T) {
	s := policyScenario(t)
	g, err := s.Graph()
	if err != nil {
		t.Fatal(err)
	}
	p := int64(s.TextTokens())
	byName := map[string]Kernel{}
	for _, k := range g.Ops {
		byName[k.Name] = k
	}
	type shape struct{ m, k, n, batch int64 }
	tests := []struct {
		name string
		want shape
	}{
		{"text.state_proj", shape{1, 32, 960, 1}},
		{"expert.s0.action_in", shape{50, 32, 720, 1}},
		{"expert.s0.time_concat", shape{50, 1, 1440, 1}},
		{"expert.s0.time_mlp_in", shape{50, 1440, 720, 1}},
		{"expert.s0.time_mlp_out", shape{50, 720, 720, 1}},
		{"expert.s3.l0.q", shape{50, 720, 960, 1}},
		{"expert.s3.l0.k", shape{50, 720, 320, 1}},
		{"expert.s3.l0.v", shape{50, 720, 320, 1}},
		{"expert.s3.l0.qk", shape{50, 64, p + 50, 15}},
		{"expert.s3.l0.softmax", shape{750, 1, p + 50, 1}},
		{"expert.s3.l0.av", shape{50, p + 50, 64, 15}},
		{"expert.s3.l0.o", shape{50, 960, 720, 1}},
		{"expert.s3.l0.gate", shape{50, 720, 2048, 1}},
		{"expert.s3.l0.up", shape{50, 720, 2048, 1}},
		{"expert.s3.l0.down", shape{50, 2048, 720, 1}},
		{"expert.s9.l1.k", shape{p, 320, 320, 1}},
		{"expert.s9.l1.v", shape{p, 320, 320, 1}},
		{"expert.s9.l1.qk", shape{50, 64, p, 15}},
		{"expert.s9.l1.av", shape{50, p, 64, 15}},
		{"expert.s9.l15.qk", shape{50, 64, p, 15}},
		{"expert.s9.l14.qk", shape{50, 64, p + 50, 15}},
		{"expert.s9.action_out", shape{50, 720, 32, 1}},
		{"expert.s9.euler", shape{50, 1, 32, 1}},
	}
	for _, tc := range tests {
		k, ok := byName[tc.name]
		if !ok {
			t.Errorf("no kernel %s", tc.name)
			continue
		}
		if got := (shape{k.M, k.K, k.N, k.Batch}); got != tc.want {
			t.Errorf("%s: m,k,n,batch = %v, want %v", tc.name, got, tc.want)
		}
	}
	// The cache: a cross layer's k projection reads text layer 1's keys,
	// a self layer's keys are [text layer 0's keys; the chunk's].
	if k := byName["expert.s2.l1.k"]; k.Inputs[0] != "text.l1.k.out" {
		t.Errorf("expert.s2.l1.k reads %v, want text.l1.k.out", k.Inputs)
	}
	keys, ok := g.Tensor("expert.s2.l0.keys")
	if !ok || strings.Join(keys.Concat, ",") != "text.l0.k.out,expert.s2.l0.k.out" {
		t.Errorf("expert.s2.l0.keys = %+v", keys)
	}
	// Every step reads the cache: text.l0.k.out's consumers include one
	// kernel of each step.
	cache, _ := g.Tensor("text.l0.k.out")
	steps := map[string]bool{}
	for _, c := range cache.Consumers {
		if name := g.Ops[c].Name; strings.HasPrefix(name, "expert.") {
			steps[strings.Split(name, ".")[1]] = true
		}
	}
	if len(steps) != SmolVLAFlowSteps {
		t.Errorf("text.l0.k.out is read by %d steps, want %d", len(steps), SmolVLAFlowSteps)
	}
	// The steps chain: step 1 reads step 0's Euler update.
	if k := byName["expert.s1.action_in"]; k.Inputs[0] != "expert.s0.euler.out" {
		t.Errorf("expert.s1.action_in reads %v", k.Inputs)
	}
	prefix, perStep, err := PolicySplit(g, SmolVLAFlowSteps)
	if err != nil {
		t.Fatal(err)
	}
	vlm, err := SmolVLAScenario(SmolVLAModel()).Graph()
	if err != nil {
		t.Fatal(err)
	}
	// The prefix is the VLM's pass plus state_proj.
	if prefix != len(vlm.Ops)+1 || prefix+SmolVLAFlowSteps*perStep != len(g.Ops) {
		t.Errorf("split %d + 10 x %d of %d ops; the VLM has %d", prefix, perStep, len(g.Ops), len(vlm.Ops))
	}
	// Per step: 5 ops before the layers, 3 after, 8 self layers of 17 ops
	// (norm1 q k v qk softmax av o res1 norm2 gate up silu_mul down res2, 15),
	// 8 cross layers of as many.
	if want := 5 + 3 + 16*15; perStep != want {
		t.Errorf("%d ops per step, want %d", perStep, want)
	}
}

// TestPolicyConfigChangesGraph checks that the policy's fields change the
// graph as lerobot's code does.
func TestPolicyConfigChangesGraph(t *testing.T) {
	count := func(s Scenario, pred func(Kernel) bool) int {
		t.Helper()
		g, err := s.Graph()
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, k := range g.Ops {
			if pred(k) {
				n++
			}
		}
		return n
	}
	base := policyScenario(t)
	isExpert := func(k Kernel) bool { return k.Stage == StageExpert }
	perStep := count(base, isExpert) / SmolVLAFlowSteps
	tests := []struct {
		name   string
		change func(p *Policy, s *Scenario)
		check  func(s Scenario) error
	}{
		{"num_steps 4", func(p *Policy, _ *Scenario) { p.NumSteps = 4 }, func(s Scenario) error {
			if n := count(s, isExpert); n != 4*perStep {
				return fmt.Errorf("%d expert ops, want %d", n, 4*perStep)
			}
			return nil
		}},
		{"chunk 20", func(p *Policy, _ *Scenario) { p.ChunkSize, p.NActionSteps = 20, 20 }, func(s Scenario) error {
			if n := count(s, func(k Kernel) bool { return k.Name == "expert.s0.l0.q" && k.M == 20 }); n != 1 {
				return fmt.Errorf("no 20-row q")
			}
			return nil
		}},
		{"self_attn mode", func(p *Policy, _ *Scenario) { p.AttentionMode = AttentionSelf }, func(s Scenario) error {
			if n := count(s, func(k Kernel) bool { return strings.HasSuffix(k.Name, ".k") && k.Stage == StageExpert && k.M == 50 }); n != 16*10 {
				return fmt.Errorf("%d chunk k projections, want 160", n)
			}
			return nil
		}},
		{"self every 4", func(p *Policy, _ *Scenario) { p.SelfAttnEveryNLayers = 4 }, func(s Scenario) error {
			if n := count(s, func(k Kernel) bool { return k.Name == "expert.s0.l2.qk" && k.N == 241 }); n != 1 {
				return fmt.Errorf("layer 2 is not a cross layer")
			}
			return nil
		}},
		{"width 0.5", func(p *Policy, _ *Scenario) { p.ExpertWidthMultiplier = 0.5 }, func(s Scenario) error {
			// 480 wide, FFN 4 x 320 = 1280.
			if n := count(s, func(k Kernel) bool { return k.Name == "expert.s0.l0.gate" && k.K == 480 && k.N == 1280 }); n != 1 {
				return fmt.Errorf("no 480 x 1280 gate")
			}
			return nil
		}},
		{"action dim 14", func(p *Policy, _ *Scenario) { p.MaxActionDim = 14 }, func(s Scenario) error {
			if n := count(s, func(k Kernel) bool { return k.Name == "expert.s0.action_out" && k.N == 14 }); n != 1 {
				return fmt.Errorf("no 14-wide action_out")
			}
			return nil
		}},
		{"8 vlm layers", func(_ *Policy, s *Scenario) { s.TextLayers = 8 }, func(s Scenario) error {
			if n := count(s, func(k Kernel) bool { return strings.HasSuffix(k.Name, ".l7.down") && k.Stage == StageExpert }); n != 10 {
				return fmt.Errorf("%d expert layer-7 downs, want 10", n)
			}
			if n := count(s, func(k Kernel) bool { return strings.Contains(k.Name, ".l8.") && k.Stage != StageVision }); n != 0 {
				return fmt.Errorf("%d kernels of layer 8", n)
			}
			return nil
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := base
			p := *base.Policy
			tc.change(&p, &s)
			s.Policy = &p
			if err := tc.check(s); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestPolicyValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(s *Scenario)
		want   string
	}{
		{"steps", func(s *Scenario) { s.Policy.NumSteps = 0 }, "num_steps must be in 1..1000, got 0"},
		{"n_action_steps", func(s *Scenario) { s.Policy.NActionSteps = 51 }, "n_action_steps must be in 1..50, got 51"},
		{"mode", func(s *Scenario) { s.Policy.AttentionMode = "both" }, `attention_mode "both" is not supported (accepted: cross_attn|self_attn)`},
		{"width", func(s *Scenario) { s.Policy.ExpertWidthMultiplier = 0.7 }, "expert_width_multiplier 0.7 gives an expert width of 672"},
		{"state tokens", func(s *Scenario) { s.StateTokens = 2 }, "state_tokens must be 1 in a policy scenario"},
		{"seed", func(s *Scenario) { s.Seed = &SeedShapes{1, 1, 1} }, "policy: the seed scenario has no policy"},
	}
	for _, tc := range tests {
		s := policyScenario(t)
		p := *s.Policy
		s.Policy = &p
		tc.change(&s)
		err := s.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: err = %v, want one line containing %q", tc.name, err, tc.want)
		}
	}
}
