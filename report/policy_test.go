package report

import (
	"math"
	"strings"
	"testing"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sim/accel"
	"github.com/roofsim/roofsim/validation"
	"github.com/roofsim/roofsim/workload"
)

// smallPolicyRun simulates a small policy call (one camera, one vision and
// one text layer, 2 steps of a 10-action chunk, 6 executed) on int8.
func smallPolicyRun(t *testing.T) (validation.Comparison, *workload.Graph, workload.Scenario) {
	t.Helper()
	sc, err := workload.ScenarioByName(workload.ScenarioSmolVLAPolicy)
	if err != nil {
		t.Fatal(err)
	}
	sc.Cameras, sc.Model.Vision.Layers, sc.TextLayers = 1, 1, 1
	p := *sc.Policy
	p.NumSteps, p.ChunkSize, p.NActionSteps = 2, 10, 6
	sc.Policy = &p
	g, err := sc.Graph()
	if err != nil {
		t.Fatal(err)
	}
	d, err := hw.DesignByName("int8")
	if err != nil {
		t.Fatal(err)
	}
	res, err := accel.Run(d, hw.U280(), g, accel.DefaultOptions(d, hw.U280()))
	if err != nil {
		t.Fatal(err)
	}
	return validation.Compare(res), g, sc
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

func TestPolicySummary(t *testing.T) {
	res, g, sc := smallPolicyRun(t)
	lat := float64(res.Result.TotalCycles) / res.Result.FreqHz
	base, err := Policy(res, g, sc, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !near(base.LatencyMs, lat*1e3) || !near(base.PrefixMs+base.StepsMs, base.LatencyMs) ||
		!near(base.VisionMs+base.ConnectorMs+base.TextMs, base.PrefixMs) || !near(base.StepMs*2, base.StepsMs) {
		t.Errorf("times do not add up: %+v (pass %g ms)", base, lat*1e3)
	}
	if !near(base.ActionsPerSec, 10/lat) || !near(base.SyncHz, 6/lat) || !near(base.AsyncHz, AsyncChunkThreshold*6/lat) {
		t.Errorf("rates %+v, latency %g s", base, lat)
	}
	tests := []struct {
		name    string
		hz      float64
		keepsUp bool
	}{
		{"well below", base.AsyncHz / 4, true},
		{"at the limit", base.AsyncHz, true},
		{"above", base.AsyncHz * 1.5, false},
	}
	for _, tc := range tests {
		s, err := Policy(res, g, sc, tc.hz)
		if err != nil {
			t.Fatal(err)
		}
		margin := AsyncChunkThreshold*6/tc.hz*1e3 - s.LatencyMs
		if s.KeepsUp != tc.keepsUp || !near(s.MarginMs, margin) || (s.MarginMs < -1e-9) == tc.keepsUp {
			t.Errorf("%s (%g Hz): keeps up %v, margin %g ms, want %v, %g", tc.name, tc.hz, s.KeepsUp, s.MarginMs, tc.keepsUp, margin)
		}
		if want := 6 / (lat + 6/tc.hz); !near(s.SyncEffectiveHz, want) || s.SyncEffectiveHz >= tc.hz {
			t.Errorf("%s: synchronous effective rate %g, want %g (< %g)", tc.name, s.SyncEffectiveHz, want, tc.hz)
		}
	}
	if base.ExpertBoundMs <= 0 || base.ExpertBoundMs > base.StepsMs || len(base.ExpertLosses) == 0 {
		t.Errorf("expert bound %g ms of %g, losses %v", base.ExpertBoundMs, base.StepsMs, base.ExpertLosses)
	}
	for i := 1; i < len(base.ExpertLosses); i++ {
		if base.ExpertLosses[i].Ms > base.ExpertLosses[i-1].Ms {
			t.Errorf("losses not largest first: %v", base.ExpertLosses)
		}
	}
	errs := []struct {
		name string
		f    func() error
		want string
	}{
		{"negative hz", func() error { _, err := Policy(res, g, sc, -1); return err }, "control frequency must be a finite number >= 0 Hz, got -1"},
		{"no policy", func() error {
			vlm := sc
			vlm.Policy = nil
			_, err := Policy(res, g, vlm, 0)
			return err
		}, "has no policy"},
	}
	for _, e := range errs {
		if err := e.f(); err == nil || !strings.Contains(err.Error(), e.want) {
			t.Errorf("%s: err = %v, want %q", e.name, err, e.want)
		}
	}
}

func TestPolicyCompareTable(t *testing.T) {
	res, g, sc := smallPolicyRun(t)
	s, err := Policy(res, g, sc, 0)
	if err != nil {
		t.Fatal(err)
	}
	tb := PolicyCompareTable([]PolicyCompareRow{{Design: "int8", Summary: s}, {Design: "copy", Summary: s}})
	if len(tb.Rows) != 2 || tb.Rows[0][0] != "int8" || tb.Rows[1][1] != s.LatencyMs {
		t.Fatalf("rows %v", tb.Rows)
	}
	if limit := tb.Rows[0][len(tb.Columns)-1].(string); !strings.HasPrefix(limit, string(s.ExpertLosses[0].Loss)+" ") {
		t.Errorf("expert_limit %q does not start with the largest loss %s", limit, s.ExpertLosses[0].Loss)
	}
	parts := PolicyTables(s)
	if len(parts) != 2 || len(parts[0].Rows) != 7 || parts[0].Rows[6][1] != s.LatencyMs {
		t.Errorf("policy tables %v", parts)
	}
}
