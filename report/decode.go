package report

import (
	"fmt"
	"sort"

	"github.com/roofsim/roofsim/decode"
	"github.com/roofsim/roofsim/validation"
)

// largestLoss is the loss that costs comparison c the most cycles over
// all its kernels ("none" when it reaches its bound).
func largestLoss(c validation.Comparison) string {
	by := map[validation.Loss]int64{}
	for _, k := range c.Kernels {
		for _, l := range k.Losses {
			by[l.Loss] += l.Cycles
		}
	}
	best, most := string(validation.LossNone), int64(0)
	keys := make([]string, 0, len(by))
	for l := range by {
		keys = append(keys, string(l))
	}
	sort.Strings(keys)
	for _, l := range keys {
		if n := by[validation.Loss(l)]; n > most {
			best, most = l, n
		}
	}
	return best
}

// DecodeTables are a generation's tables: the summary (time to first
// token, time per output token at the first, middle and last step, tokens
// per second, HBM bytes per token, the middle step's bound and efficiency),
// then the decode steps that were simulated, with the first, middle and
// last (interpolated or not).
func DecodeTables(scenario string, r decode.Result) []*Table {
	first, mid, last := r.At()
	d := r.Prefill.Result.Design
	sum := &Table{Name: "generation",
		Title: fmt.Sprintf("Scenario %s on design %s: prefill, then %d decode steps of %d sequence(s)", scenario, d.Name, len(r.Steps), r.Batch),
		Columns: Cols("ttft_ms:%.3f", "tpot_first_ms:%.3f", "tpot_mid_ms:%.3f", "tpot_last_ms:%.3f", "tokens_per_s:%.1f",
			"hbm_mb_per_token:%.2f", "bound_tpot_ms:%.3f", "efficiency:%.3f", "largest_loss", "validation")}
	verdict := "pass"
	if r.Failed() > 0 {
		verdict = "fail"
	}
	loss := ""
	if last.Check != nil {
		loss = largestLoss(*last.Check)
	}
	sum.Add(r.TTFTSec()*1e3, first.Seconds*1e3, mid.Seconds*1e3, last.Seconds*1e3, r.TokensPerSec(),
		mid.HBMBytes()/float64(r.Batch)/1e6, mid.Bound.LowerBoundSec*1e3, mid.Bound.LowerBoundSec/mid.Seconds, loss, verdict)
	simulated := 0
	for _, st := range r.Steps {
		if st.Simulated {
			simulated++
		}
	}
	sum.Notes = []string{
		"ttft: the prefill over the prompt; tpot: one decode step, one token per sequence; tokens_per_s: batch x steps / decode time",
		"hbm_mb_per_token: what the middle step must read from HBM (its weights but the pinned ones, and its KV cache but the part the activation store holds) per sequence; bound_tpot: that step's roofline (roofline.DecodeStep)",
		fmt.Sprintf("%d of %d decode steps simulated (--decode-sample), the others interpolated linearly; largest_loss: the last step's; %d kernels failed their checks",
			simulated, len(r.Steps), r.Failed()),
	}
	st := &Table{Name: "decode_steps", Title: "Decode steps (simulated, and the middle one)",
		Columns: Cols("step", "context", "simulated", "tpot_ms:%.3f", "weight_mb:%.2f", "kv_mb:%.3f", "kv_on_chip_mb:%.3f", "bound_ms:%.3f", "efficiency:%.3f", "largest_loss")}
	for _, s := range r.Steps {
		if !s.Simulated && s.Step != mid.Step {
			continue
		}
		loss := "(interpolated)"
		if s.Check != nil {
			loss = largestLoss(*s.Check)
		}
		st.Add(int64(s.Step), int64(s.Context), fmt.Sprint(s.Simulated), s.Seconds*1e3, s.WeightBytes/1e6, s.KVBytes/1e6, s.KVOnChipBytes/1e6,
			s.Bound.LowerBoundSec*1e3, s.Bound.LowerBoundSec/s.Seconds, loss)
	}
	return []*Table{sum, st}
}
