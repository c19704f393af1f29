package report

import (
	"fmt"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/workload"
)

// ParamTables prints the seed notebook's section 3 for a scenario: the
// stored parameters per part and stage, and the memory the weights need in
// each precision, per stage and in all, against the board's on-chip memory
// (BRAM+URAM) and its HBM.
func ParamTables(rows []workload.ParamCount, p hw.Platform, precs []hw.Precision) []*Table {
	pt := &Table{Name: "params", Title: "Parameters", Columns: Cols("name", "stage", "level", "count", "millions:%.2f M")}
	for _, r := range rows {
		pt.Add(r.Name, string(r.Stage), string(r.Level), r.Count, float64(r.Count)/1e6)
	}

	stageCount := map[workload.Stage]int64{}
	for _, r := range rows {
		if r.Level == workload.ParamStage {
			stageCount[r.Stage] = r.Count
		}
	}
	total := workload.ParamTotalOf(rows)
	_, policy := stageCount[workload.StageExpert]
	if policy {
		vlm := stageCount[workload.StageVision] + stageCount[workload.StageConnector] + stageCount[workload.StageText] + stageCount[workload.StageHead]
		pt.Notes = []string{fmt.Sprintf("policy: the VLM (vision, connector, text, LM head) %d, the action expert %d, the projections %d; in all %d",
			vlm, stageCount[workload.StageExpert], stageCount[workload.StageProjections], total)}
	}
	onChip, hbm := p.OnChipBytes(), p.HBM.TotalBytes()
	cols := []string{"precision", "bytes", "gb:%.2f GB", "vision_mb:%.2f", "connector_mb:%.2f", "text_mb:%.2f", "head_mb:%.2f"}
	if policy {
		cols = append(cols, "expert_mb:%.2f", "projections_mb:%.2f")
	}
	mt := &Table{Name: "memory", Title: "Weight memory per precision",
		Columns: Cols(append(cols, "on_chip_share:%.1f%%", "fits_on_chip", "hbm_share:%.2f%%", "fits_hbm")...)}
	for _, pr := range precs {
		bytes := pr.WeightBytes(total)
		stageMB := func(s workload.Stage) float64 { return pr.WeightBytes(stageCount[s]) / 1e6 }
		vals := []any{pr.Name, int64(bytes), bytes / 1e9,
			stageMB(workload.StageVision), stageMB(workload.StageConnector), stageMB(workload.StageText), stageMB(workload.StageHead)}
		if policy {
			vals = append(vals, stageMB(workload.StageExpert), stageMB(workload.StageProjections))
		}
		mt.Add(append(vals, 100*bytes/float64(onChip), yesNo(bytes <= float64(onChip)), 100*bytes/float64(hbm), yesNo(bytes <= float64(hbm)))...)
	}
	mt.Notes = []string{fmt.Sprintf("GB and MB are decimal (10^9, 10^6 bytes); on chip: BRAM+URAM %.2f MiB; HBM %d GiB of %s",
		float64(onChip)/hw.MiB, hbm/hw.GiB, p.Name)}
	return []*Table{pt, mt}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
