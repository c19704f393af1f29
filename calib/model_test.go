package calib

import (
	"math"
	"strings"
	"testing"

	"github.com/roofsim/roofsim/decode"
	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sim/accel"
	"github.com/roofsim/roofsim/validation"
	"github.com/roofsim/roofsim/workload"
)

// smolLM2 is SmolLM2-135M's config.json (workload/testdata/hf), small
// enough for a test's prefill and decode steps.
const smolLM2 = `{"architectures": ["LlamaForCausalLM"], "hidden_act": "silu", "hidden_size": 576,
	"intermediate_size": 1536, "max_position_embeddings": 8192, "model_type": "llama", "num_attention_heads": 9,
	"num_hidden_layers": 30, "num_key_value_heads": 3, "rms_norm_eps": 1e-05, "rope_theta": 100000,
	"tie_word_embeddings": true, "torch_dtype": "bfloat16", "vocab_size": 49152}`

// modelCase is a Model case on the U280: SmolLM2-135M, a 16-token prompt
// and 4 decode steps of which 2 are simulated, on a 64x64 int8 design.
const modelCase = `{"name": "m", "source": "s", "citation": "c 1", "board": "u280", "workload": "w", "kind": "measured",
	"measured": 3, "unit": "ms", "approximates": "a", "mapping": "m", "model": {"hf_config": ` + smolLM2 + `,
	"seq": 16, "generate": 4, "decode_sample": 2, "metric": "tpot",
	"design": {"name": "d", "precision": "int8", "array_rows": 64, "array_cols": 64, "arrays": 3, "dataflow": "os",
	"weight_buffer_bytes": 2097152, "input_buffer_bytes": 4194304, "output_buffer_bytes": 2097152,
	"vector_lanes": 64, "hbm_ports": 32, "port_bits": 256, "board": "u280"}}}`

// TestModelCaseRefuses: a Model case parses, and bad ones are refused
// with the field named.
func TestModelCaseRefuses(t *testing.T) {
	if _, err := parseCases([]byte("[" + modelCase + "]")); err != nil {
		t.Fatalf("good case refused: %v", err)
	}
	gemm := `"gemm": {"m": 1, "k": 64, "n": 64, "design": {}}, "model"`
	checkEdits(t, modelCase, []caseEdit{
		{`"unit": "ms"`, `"unit": "tokens/s"`, "does not go with model metric tpot"},
		{`"unit": "ms"`, `"unit": "GB/s"`, "does not go with its design"},
		{`"unit": "ms"`, `"unit": "s"`, "unit \"s\" is not known"},
		{`"model"`, gemm, "only one of them"},
		{`"metric": "tpot"`, `"metric": "tbt"`, "metric \"tbt\""},
		{`"metric": "tpot"`, `"metric": "latency"`, "needs generate 0"},
		{`"generate": 4, "decode_sample": 2, "metric": "tpot"`, `"metric": "ttft"`, "needs generate >= 1"},
		{`"generate": 4, "decode_sample": 2, "metric": "tpot"`, `"metric": "latency"`, ""},
		{`"generate": 4, "decode_sample": 2, "metric": "tpot"`, `"decode_sample": 2, "metric": "latency"`, "goes with generate"},
		{`"decode_sample": 2, `, ``, "decode_sample must be >= 1"},
		{`"seq": 16`, `"seq": -1`, "seq must be > 0"},
		{`"seq": 16`, `"seq": 9000`, "seq"},
		{`"hf_config": ` + smolLM2, `"scenario": "smolvla"`, "not a Hugging Face transformer"},
		{`"hf_config": ` + smolLM2 + `,`, `"scenario": "smolvla", "hf_config": ` + smolLM2 + `,`, "one of them"},
		{`"hf_config": ` + smolLM2, `"scenario": "gpt9"`, "gpt9"},
		{`"model_type": "llama"`, `"model_type": "mamba"`, "hf_config"},
		{`"array_rows": 64`, `"array_rows": 4000`, "does not fit"},
		{`"board": "u280"}`, `"board": "u50"}`, "built for board"},
		{`"metric": "tpot",`, `"metric": "tpot", "steps": 2,`, "unknown field"},
		{`"metric": "tpot",`, `"metric": "tpot", "layout": "contiguous",`, ""},
		{`"metric": "tpot",`, `"metric": "tpot", "layout": "striped",`, "layout \"striped\""},
	})
}

// TestRunModel runs a Model case with each metric and recomputes its
// figure from roofsim's own run of the same scenario and design: the
// single pass's latency, and the generation's time to first token, time
// per output token and tokens per second (decode.Run with the case's
// sample).
func TestRunModel(t *testing.T) {
	for _, c := range []struct{ metric, unit, gen string }{
		{MetricLatency, UnitMs, ``},
		{MetricTTFT, UnitMs, `"generate": 4, "decode_sample": 2, `},
		{MetricTPOT, UnitMs, `"generate": 4, "decode_sample": 2, `},
		{MetricTokensPerSec, UnitTokensPerSec, `"generate": 4, "decode_sample": 2, `},
	} {
		t.Run(c.metric, func(t *testing.T) {
			js := strings.Replace(modelCase, `"generate": 4, "decode_sample": 2, "metric": "tpot"`, c.gen+`"metric": "`+c.metric+`"`, 1)
			js = strings.Replace(js, `"unit": "ms"`, `"unit": "`+c.unit+`"`, 1)
			cs, err := parseCases([]byte("[" + js + "]"))
			if err != nil {
				t.Fatal(err)
			}
			r, err := Run(cs[0])
			if err != nil {
				t.Fatal(err)
			}
			m := cs[0].Model
			p, err := hw.PlatformByName("u280")
			if err != nil {
				t.Fatal(err)
			}
			d, err := hw.ParseDesign(m.Design)
			if err != nil {
				t.Fatal(err)
			}
			tr, err := workload.ParseTransformerConfig([]byte(smolLM2))
			if err != nil {
				t.Fatal(err)
			}
			sc := workload.TransformerScenario("again", tr)
			sc.Seq, sc.Generate = 16, m.Generate
			var want float64
			if c.metric == MetricLatency {
				g, err := sc.Graph()
				if err != nil {
					t.Fatal(err)
				}
				res, err := accel.Run(d, p, g, accel.DefaultOptions(d, p))
				if err != nil {
					t.Fatal(err)
				}
				want = validation.Compare(res).Seconds() * 1e3
			} else {
				dr, err := decode.Run(d, p, sc, accel.DefaultOptions(d, p), decode.Options{Sample: 2}, nil)
				if err != nil {
					t.Fatal(err)
				}
				simulated := 0
				for _, st := range dr.Steps {
					if st.Simulated {
						simulated++
					}
				}
				if len(dr.Steps) != 4 || simulated != 2 {
					t.Fatalf("%d steps, %d simulated; want 4 and 2", len(dr.Steps), simulated)
				}
				want = map[string]float64{MetricTTFT: dr.TTFTSec() * 1e3, MetricTPOT: dr.DecodeSec() / 4 * 1e3,
					MetricTokensPerSec: 4 / dr.DecodeSec()}[c.metric]
			}
			if !(want > 0) || math.Abs(r.Simulated-want) > 1e-9*want || r.Bound[0] != c.metric ||
				math.Abs(r.Ratio-want/cs[0].Measured) > 1e-12 || math.Abs(r.ErrorPct-math.Abs(want-cs[0].Measured)/cs[0].Measured*100) > 1e-9 {
				t.Errorf("simulated %g (%v), ratio %.4f, error %.2f%%; want %g", r.Simulated, r.Bound, r.Ratio, r.ErrorPct, want)
			}
		})
	}
}
