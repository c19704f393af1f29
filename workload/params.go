package workload

// ParamLevel says what a ParamCount row sums.
type ParamLevel string

// Parameter-count row levels.
const (
	// ParamPart is one part of a stage (e.g. the vision layers).
	ParamPart ParamLevel = "part"
	// ParamStage is a stage's subtotal (the sum of its parts).
	ParamStage ParamLevel = "stage"
	// ParamTotal is the sum of the stages.
	ParamTotal ParamLevel = "total"
)

// ParamCount is a number of stored parameters (elements, independent of
// precision).
type ParamCount struct {
	// Name is the part ("vision.patch_embed"), the stage ("vision") or
	// "total".
	Name string `json:"name"`
	// Stage is the stage the row belongs to; empty for the total.
	Stage Stage `json:"stage"`
	// Level says whether the row is a part, a stage subtotal or the total.
	Level ParamLevel `json:"level"`
	// Count is the number of parameters.
	Count int64 `json:"count"`
}

// Params returns the scenario's stored parameters. For smolvla each stage's
// parts come first, then the stage's subtotal, in the order vision,
// connector, text, head, then the total; the text stage counts the token
// embeddings, the TextLayers layers run and the final norm; the LM head is
// counted whether it runs or not (it is stored), and is 0 when tied to the
// embeddings. A policy scenario adds the stages expert (its layers and
// final norm) and projections (state, action and time projections) before
// the total. For seed the rows are the notebook's section 3 (stage rows
// vision, text, connector, head, then the total) with its calc_params_*
// formulas. Params expects a valid scenario (see Validate); it does not
// panic on an invalid one, but its counts are then meaningless.
func (s Scenario) Params() []ParamCount {
	if s.HF != nil {
		return s.hfParams()
	}
	if s.Seed != nil {
		return s.seedParams()
	}
	v, t := s.Model.Vision, s.Model.Text
	vh, vffn := int64(v.Hidden), int64(v.FFN)
	visionLayer := 4*(vh*vh+vh) + (vh*vffn + vffn) + (vffn*vh + vh) + 2*2*vh

	th, tffn := int64(t.Hidden), int64(t.FFN)
	qd, kvd := int64(t.QDim()), int64(t.KVDim())
	textLayer := th*qd + 2*th*kvd + qd*th + 3*th*tffn + 2*th
	if t.AttentionBias {
		textLayer += qd + 2*kvd + th
	}
	if t.MLPBias {
		textLayer += 2*tffn + th
	}
	head := int64(t.Vocab) * th
	if t.TiedEmbeddings {
		head = 0
	}

	var rows []ParamCount
	var total int64
	stage := func(st Stage, parts ...ParamCount) {
		var sum int64
		for _, p := range parts {
			p.Stage, p.Level = st, ParamPart
			rows = append(rows, p)
			sum += p.Count
		}
		rows = append(rows, ParamCount{Name: string(st), Stage: st, Level: ParamStage, Count: sum})
		total += sum
	}
	stage(StageVision,
		ParamCount{Name: "vision.patch_embed", Count: int64(v.PatchElems())*vh + vh},
		ParamCount{Name: "vision.position_embedding", Count: int64(v.Positions()) * vh},
		ParamCount{Name: "vision.layers", Count: int64(v.Layers) * visionLayer},
		ParamCount{Name: "vision.post_layernorm", Count: 2 * vh},
	)
	stage(StageConnector,
		ParamCount{Name: "connector.proj", Count: int64(s.Model.ConnectorIn()) * int64(s.Model.ConnectorOut())},
	)
	stage(StageText,
		ParamCount{Name: "text.embed_tokens", Count: int64(t.Vocab) * th},
		ParamCount{Name: "text.layers", Count: int64(s.TextLayers) * textLayer},
		ParamCount{Name: "text.final_norm", Count: th},
	)
	stage(StageHead, ParamCount{Name: "head.lm_head", Count: head})
	if s.Policy != nil {
		expert, proj := s.policyParams()
		stage(StageExpert, expert...)
		stage(StageProjections, proj...)
	}
	return append(rows, ParamCount{Name: "total", Level: ParamTotal, Count: total})
}

// seedParams is the notebook's section 3: calc_params_vision,
// calc_params_text (which assumes four norm vectors per layer and no
// biases), CONN_IN x CONN_OUT and VOCAB x T_D, without embeddings, patch
// embedding or position embedding.
func (s Scenario) seedParams() []ParamCount {
	v, t := s.Model.Vision, s.Model.Text
	d, ffn := int64(v.Hidden), int64(v.FFN)
	vision := int64(v.Layers) * (4*(d*d+d) + (2*(d*ffn) + ffn + d) + 4*d)

	td, tffn := int64(t.Hidden), int64(t.FFN)
	qd, kvd := int64(t.QDim()), int64(t.KVDim())
	text := int64(s.TextLayers) * ((qd*td + kvd*td + kvd*td + qd*td) + 3*(td*tffn) + 4*td)

	conn := int64(s.Model.ConnectorIn()) * int64(s.Model.ConnectorOut())
	head := int64(t.Vocab) * td
	return []ParamCount{
		{Name: string(StageVision), Stage: StageVision, Level: ParamStage, Count: vision},
		{Name: string(StageText), Stage: StageText, Level: ParamStage, Count: text},
		{Name: string(StageConnector), Stage: StageConnector, Level: ParamStage, Count: conn},
		{Name: string(StageHead), Stage: StageHead, Level: ParamStage, Count: head},
		{Name: "total", Level: ParamTotal, Count: vision + text + conn + head},
	}
}

// ParamTotalOf returns the Count of the total row of Params' result (0 if it
// has none).
func ParamTotalOf(rows []ParamCount) int64 {
	for _, r := range rows {
		if r.Level == ParamTotal {
			return r.Count
		}
	}
	return 0
}
