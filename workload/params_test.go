package workload

import (
	"fmt"
	"testing"
)

func paramMap(rows []ParamCount) map[string]int64 {
	m := make(map[string]int64, len(rows))
	for _, r := range rows {
		m[r.Name] = r.Count
	}
	return m
}

func TestParamsSmolVLA(t *testing.T) {
	s := smolvla(t)
	rows := s.Params()
	got := paramMap(rows)
	tests := []struct {
		name string
		want int64
	}{
		{"vision.patch_embed", 768*3*16*16 + 768},
		{"vision.position_embedding", 1024 * 768},
		{"vision.post_layernorm", 2 * 768},
		{"vision", 86_433_024},
		{"connector.proj", 12288 * 960},
		{"connector", 11_796_480},
		{"text.embed_tokens", 49280 * 960},
		{"text.final_norm", 960},
		{"text", 204_626_880},
		{"head.lm_head", 47_308_800},
		{"head", 47_308_800},
		{"total", 350_165_184},
	}
	for _, tc := range tests {
		if got[tc.name] != tc.want {
			t.Errorf("%s = %d, want %d", tc.name, got[tc.name], tc.want)
		}
	}
	if ParamTotalOf(rows) != 350_165_184 {
		t.Errorf("ParamTotalOf = %d", ParamTotalOf(rows))
	}
	checkParamSums(t, rows)

	// Running the LM head does not change what is stored; running fewer
	// text layers does.
	s.IncludeLMHead = true
	if got := ParamTotalOf(s.Params()); got != 350_165_184 {
		t.Errorf("with the LM head run: total %d, want 350165184", got)
	}
	s.TextLayers = 32
	perLayer := int64(960*960*2 + 960*320*2 + 3*960*2560 + 2*960)
	if got := paramMap(s.Params())["text"]; got != 204_626_880+16*perLayer {
		t.Errorf("32 text layers: text %d, want %d", got, 204_626_880+16*perLayer)
	}
	s.Model.Text.TiedEmbeddings = true
	if got := paramMap(s.Params())["head"]; got != 0 {
		t.Errorf("tied LM head: %d parameters, want 0", got)
	}
}

// checkParamSums checks that each stage row is the sum of its parts and
// the total the sum of the stages.
func checkParamSums(t *testing.T, rows []ParamCount) {
	t.Helper()
	parts := map[Stage]int64{}
	hasParts := map[Stage]bool{}
	var stages int64
	for _, r := range rows {
		switch r.Level {
		case ParamPart:
			parts[r.Stage] += r.Count
			hasParts[r.Stage] = true
		case ParamStage:
			if hasParts[r.Stage] && parts[r.Stage] != r.Count {
				t.Errorf("stage %s = %d, its parts sum to %d", r.Stage, r.Count, parts[r.Stage])
			}
			stages += r.Count
		case ParamTotal:
			if r.Count != stages {
				t.Errorf("total %d, the stages sum to %d", r.Count, stages)
			}
		default:
			t.Errorf("row %s: unknown level %q", r.Name, r.Level)
		}
	}
}

func TestParamsSeed(t *testing.T) {
	s := SeedScenario()
	rows := s.Params()
	want := []struct {
		name   string
		count  int64
		millio string // the notebook's printout, {:.2f} M
	}{
		{"vision", 85_054_464, "85.05"},
		{"text", 157_347_840, "157.35"},
		{"connector", 11_796_480, "11.80"},
		{"head", 47_308_800, "47.31"},
		{"total", 301_507_584, "301.51"},
	}
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want %d", len(rows), len(want))
	}
	for i, w := range want {
		r := rows[i]
		if r.Name != w.name || r.Count != w.count {
			t.Errorf("row %d = %s %d, want %s %d", i, r.Name, r.Count, w.name, w.count)
		}
		if got := fmt.Sprintf("%.2f", float64(r.Count)/1e6); got != w.millio {
			t.Errorf("%s = %s M, the notebook prints %s M", w.name, got, w.millio)
		}
	}
	checkParamSums(t, rows)
}
