package report

import (
	"encoding/json"
	"fmt"
	"github.com/roofsim/roofsim/energy"
	"io"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"

	"github.com/roofsim/roofsim/sim/accel"
	"github.com/roofsim/roofsim/validation"
	"github.com/roofsim/roofsim/workload"
)

// ms converts kernel cycles at freqHz to milliseconds.
func ms(cycles int64, freqHz float64) float64 { return float64(cycles) / freqHz * 1e3 }

// rowHitRate is the share of column commands that found their row open.
func rowHitRate(kr accel.KernelResult) float64 {
	if kr.ColumnCommands == 0 {
		return 0
	}
	return float64(kr.RowHits) / float64(kr.ColumnCommands)
}

// RunTables prints a checked forward pass: a summary (latency, frame rate,
// achieved rates against the ceilings, the verdict), the stages with their
// share of the time, and the kernels next to their bounds: with kernels =
// AllKernels every kernel with every column, else the kernels that lose the
// most time against their bound (at most that many) in a table that fits
// one screen.
func RunTables(scenario string, c validation.Comparison, kernels int) []*Table {
	r := c.Result
	d, f := r.Design, r.FreqHz
	sum := &Table{Name: "summary",
		Title: fmt.Sprintf("Scenario %s on design %s (%s, %d x %dx%d %s), %s memory: simulated forward pass",
			scenario, d.Name, d.Precision.Name, d.Arrays, d.ArrayRows, d.ArrayCols, d.Dataflow, r.Memory),
		Columns: Cols("ceilings", "latency_ms:%.3f", "fps:%.2f", "tops:%.3f", "peak_tops:%.2f", "gbps:%.1f", "bw_gbps:%.1f", "efficiency:%.3f", "validation")}
	lat := c.Seconds()
	sum.Add("simulated", lat*1e3, c.FPS(), c.AchievedOpsPerSec()/1e12, c.Ceilings.PeakOpsPerSec/1e12,
		c.AchievedBytesPerSec()/1e9, c.Ceilings.BWBytesPerSec/1e9, float64(c.Total.BoundCycles)/float64(r.TotalCycles), c.Verdict())
	boundSec := float64(c.Total.BoundCycles) / f
	sum.Add("design bound", boundSec*1e3, 1/boundSec, c.Total.Ops/boundSec/1e12, c.Ceilings.PeakOpsPerSec/1e12,
		float64(c.Total.HBMBytes)/boundSec/1e9, c.Ceilings.BWBytesPerSec/1e9, 1.0, "")
	if c.HasSeed {
		s := c.Total.SeedBoundSec
		sum.Add("seed bound", s*1e3, 1/s, c.Total.Ops/s/1e12, c.Seed.PeakOpsPerSec/1e12, float64(c.Total.HBMBytes)/s/1e9,
			c.Seed.BWBytesPerSec/1e9, s/lat, "")
	}
	sum.Notes = []string{
		fmt.Sprintf("%d kernels, %d cycles at %.0f MHz; %d of them failed their checks", len(c.Kernels), r.TotalCycles, f/1e6, c.Failed),
	}
	if len(r.Parts) > 0 {
		var parts []string
		for _, pt := range r.Parts {
			parts = append(parts, fmt.Sprintf("%s on %d arrays and %d PCs: %.3f ms", pt.Name, pt.Arrays, len(pt.PCs), ms(pt.Cycles, f)))
		}
		sum.Notes = append(sum.Notes, "pipelined across frames: "+strings.Join(parts, "; ")+
			fmt.Sprintf("; a frame every %.3f ms (fps), each frame %.3f ms from start to end (latency)", c.FrameIntervalSeconds()*1e3, lat*1e3))
	}
	if r.FusedKernels > 0 {
		sum.Notes = append(sum.Notes, fmt.Sprintf("%d elementwise kernels fused into the matmul that feeds them: their rows show no time of their own", r.FusedKernels))
	}
	sum.Notes = append(sum.Notes,
		"design bound: the sum of every kernel's lower bound on this design (max of ops / peak and HBM bytes / memory ceiling)",
		"seed bound: the seed notebook's device ceilings (every operand through its 300 GB/s), beyond any design of this size",
		"efficiency: bound / simulated; gbps: HBM bytes moved / time",
	)

	st := &Table{Name: "stages", Title: "Per stage",
		Columns: Cols("stage", "kernels", "sim_ms:%.3f", "share:%.1f%%", "bound_ms:%.3f", "efficiency:%.3f", "seed_bound_ms:%.3f", "hbm_mb:%.2f", "tops:%.3f")}
	for _, s := range append(append([]validation.StageCheck(nil), c.Stages...), c.Total) {
		st.Add(s.Name, int64(s.Kernels), ms(s.Cycles, f), 100*float64(s.Cycles)/float64(r.TotalCycles), ms(s.BoundCycles, f),
			float64(s.BoundCycles)/float64(max(s.Cycles, 1)), s.SeedBoundSec*1e3, float64(s.HBMBytes)/1e6, s.Ops/(float64(s.Cycles)/f)/1e12)
	}

	kt := wideKernelTable(c)
	if kernels != AllKernels {
		kt = shortKernelTable(c, kernels)
	}
	return []*Table{sum, st, kt}
}

// runJSON is the JSON document of `roofsim run`.
type runJSON struct {
	Scenario          string           `json:"scenario"`
	Design            string           `json:"design"`
	Precision         string           `json:"precision"`
	Memory            string           `json:"memory"`
	LatencyMs         float64          `json:"latency_ms"`
	FPS               float64          `json:"fps"`
	FrameIntervalMs   float64          `json:"frame_interval_ms"`
	FusedKernels      int              `json:"fused_kernels"`
	PinnedWeightBytes int64            `json:"pinned_weight_bytes"`
	TotalCycles       int64            `json:"total_cycles"`
	BoundMs           float64          `json:"bound_ms"`
	SeedBoundMs       *float64         `json:"seed_bound_ms"`
	Efficiency        float64          `json:"efficiency"`
	AchievedTOPS      float64          `json:"achieved_tops"`
	PeakTOPS          float64          `json:"peak_tops"`
	AchievedGBps      float64          `json:"achieved_gbps"`
	CeilingGBps       float64          `json:"ceiling_gbps"`
	Validation        string           `json:"validation"`
	FailedKernels     int              `json:"failed_kernels"`
	PowerW            float64          `json:"power_w"`
	EnergyJ           float64          `json:"energy_j"`
	FramesPerJoule    float64          `json:"frames_per_joule"`
	EnergyStages      []energyJSON     `json:"energy_stages"`
	EnergyUnits       []energyJSON     `json:"energy_units"`
	Stages            []stageJSON      `json:"stages"`
	Policy            *PolicySummary   `json:"policy,omitempty"`
	Kernels           []kernelJSONItem `json:"kernels"`
}

// energyJSON is the energy of one stage or unit per frame (energy.Estimate).
type energyJSON struct {
	Name    string  `json:"name"`
	EnergyJ float64 `json:"energy_j"`
}

type stageJSON struct {
	Name        string  `json:"name"`
	Kernels     int     `json:"kernels"`
	SimMs       float64 `json:"sim_ms"`
	Share       float64 `json:"share"`
	BoundMs     float64 `json:"bound_ms"`
	SeedBoundMs float64 `json:"seed_bound_ms"`
	HBMBytes    int64   `json:"hbm_bytes"`
}

type kernelJSONItem struct {
	Name              string   `json:"name"`
	Stage             string   `json:"stage"`
	Kind              string   `json:"kind"`
	M                 int64    `json:"m"`
	K                 int64    `json:"k"`
	N                 int64    `json:"n"`
	Batch             int64    `json:"batch"`
	StartCycle        int64    `json:"start_cycle"`
	EndCycle          int64    `json:"end_cycle"`
	SimCycles         int64    `json:"sim_cycles"`
	BoundCycles       int64    `json:"bound_cycles"`
	RooflineCycles    int64    `json:"roofline_cycles"`
	Efficiency        float64  `json:"efficiency"`
	Bound             string   `json:"bound"`
	ComputeCycles     int64    `json:"compute_cycles"`
	FillDrainCycles   int64    `json:"fill_drain_cycles"`
	StallHBMCycles    int64    `json:"stall_hbm_cycles"`
	StallOnChipCycles int64    `json:"stall_onchip_cycles"`
	StallBufferCycles int64    `json:"stall_buffer_cycles"`
	StallVectorCycles int64    `json:"stall_vector_cycles"`
	MACs              int64    `json:"macs"`
	BytesRead         int64    `json:"bytes_read"`
	BytesWritten      int64    `json:"bytes_written"`
	OnChipBytes       int64    `json:"onchip_bytes"`
	IdealBytes        float64  `json:"ideal_bytes"`
	BytesReadPerPC    []int64  `json:"bytes_read_per_pc"`
	BytesWrittenPerPC []int64  `json:"bytes_written_per_pc"`
	RowHitRate        float64  `json:"row_hit_rate"`
	Placement         string   `json:"placement"`
	Loss              string   `json:"loss"`
	LossCycles        int64    `json:"loss_cycles"`
	Failures          []string `json:"failures"`
}

// WriteRunJSON writes a checked forward pass as one JSON document: every
// kernel in kernel order with kernels = AllKernels, else the kernels that
// lose the most time against their bound (at most that many), largest
// loss first.
func WriteRunJSON(w io.Writer, scenario string, c validation.Comparison, kernels int) error {
	return WriteRunJSONPolicy(w, scenario, c, kernels, nil)
}

// WriteRunJSONPolicy is WriteRunJSON with the summary of the pass's policy
// call under "policy" when pol is set.
func WriteRunJSONPolicy(w io.Writer, scenario string, c validation.Comparison, kernels int, pol *PolicySummary) error {
	r := c.Result
	f := r.FreqHz
	doc := runJSON{
		Scenario: scenario, Design: r.Design.Name, Precision: r.Design.Precision.Name, Memory: string(r.Memory),
		LatencyMs: c.Seconds() * 1e3, FPS: c.FPS(), FrameIntervalMs: c.FrameIntervalSeconds() * 1e3, TotalCycles: r.TotalCycles,
		FusedKernels: r.FusedKernels, PinnedWeightBytes: r.PinnedWeightBytes,
		BoundMs: ms(c.Total.BoundCycles, f), Efficiency: float64(c.Total.BoundCycles) / float64(r.TotalCycles),
		AchievedTOPS: c.AchievedOpsPerSec() / 1e12, PeakTOPS: c.Ceilings.PeakOpsPerSec / 1e12,
		AchievedGBps: c.AchievedBytesPerSec() / 1e9, CeilingGBps: c.Ceilings.BWBytesPerSec / 1e9,
		Validation: c.Verdict(), FailedKernels: c.Failed, Policy: pol,
	}
	if c.HasSeed {
		v := c.Total.SeedBoundSec * 1e3
		doc.SeedBoundMs = &v
	}
	e, err := energy.Of(r)
	if err != nil {
		return err
	}
	doc.PowerW, doc.EnergyJ, doc.FramesPerJoule = e.PowerW, e.EnergyJ, e.FramesPerJoule()
	for _, s := range e.Stages {
		doc.EnergyStages = append(doc.EnergyStages, energyJSON{s.Stage, s.EnergyJ})
	}
	for _, u := range e.Units {
		doc.EnergyUnits = append(doc.EnergyUnits, energyJSON{string(u.Unit), u.EnergyJ})
	}
	for _, s := range c.Stages {
		doc.Stages = append(doc.Stages, stageJSON{Name: s.Name, Kernels: s.Kernels, SimMs: ms(s.Cycles, f),
			Share: float64(s.Cycles) / float64(r.TotalCycles), BoundMs: ms(s.BoundCycles, f), SeedBoundMs: s.SeedBoundSec * 1e3, HBMBytes: s.HBMBytes})
	}
	for _, k := range topLosses(c.Kernels, kernels) {
		failures := k.Failures
		if failures == nil {
			failures = []string{}
		}
		doc.Kernels = append(doc.Kernels, kernelJSONItem{
			Name: k.Kernel.Name, Stage: string(k.Kernel.Stage), Kind: string(k.Kernel.Kind),
			M: k.Kernel.M, K: k.Kernel.K, N: k.Kernel.N, Batch: k.Kernel.Batch,
			StartCycle: k.StartCycle, EndCycle: k.EndCycle, SimCycles: k.Cycles, BoundCycles: k.BoundCycles,
			RooflineCycles: int64(k.Roofline.LowerBoundSec*f + 0.5), Efficiency: k.Efficiency, Bound: string(k.Bound),
			ComputeCycles: k.ComputeCycles, FillDrainCycles: k.FillDrainCycles, StallHBMCycles: k.StallHBMCycles, StallOnChipCycles: k.StallOnChipCycles,
			StallBufferCycles: k.StallBufferCycles, StallVectorCycles: k.StallVectorCycles, MACs: k.MACs,
			BytesRead: k.BytesRead, BytesWritten: k.BytesWritten, OnChipBytes: k.OnChipBytesRead + k.OnChipBytesWritten,
			IdealBytes: k.IdealBytes, BytesReadPerPC: k.BytesReadPerPC, BytesWrittenPerPC: k.BytesWrittenPerPC,
			RowHitRate: rowHitRate(k.KernelResult), Placement: validation.PlacementText(k.Placement),
			Loss: string(k.Loss), LossCycles: k.LossCycles, Failures: failures,
		})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// RunFigure draws the vision and text roofline charts of a simulated pass:
// the design's memory wall and compute ceiling, and for every distinct
// matmul kernel its analytical point (attainable performance at its OI) and
// its simulated point (ops over simulated time at the same OI).
func RunFigure(format string, c validation.Comparison) ([]byte, error) {
	roofs := []RoofLine{{Label: c.Result.Design.Name, PeakOpsPerSec: c.Ceilings.PeakOpsPerSec, Series: "roofline"}}
	panel := func(title string, stages ...workload.Stage) (*plot.Plot, error) {
		var pts []RoofPoint
		seen := map[string]bool{}
		for _, k := range c.Kernels {
			if !k.Kernel.Kind.IsMatmul() || !inStages(k.Kernel.Stage, stages) {
				continue
			}
			name := ShortName(k.Kernel.Name)
			if seen[name] {
				continue
			}
			seen[name] = true
			sim := float64(k.Kernel.Ops) / (float64(k.Cycles) / c.Result.FreqHz)
			pts = append(pts,
				RoofPoint{Series: "roofline", OI: k.Roofline.OI, OpsPerSec: k.Roofline.AttainableOpsPerSec},
				RoofPoint{Label: name, Series: "simulated", OI: k.Roofline.OI, OpsPerSec: sim})
		}
		return RooflineChart(title, c.Ceilings.BWBytesPerSec, roofs, pts)
	}
	vision, err := panel(fmt.Sprintf("Vision encoder, design %s: roofline vs simulated", c.Result.Design.Name), workload.StageVision, workload.StageConnector)
	if err != nil {
		return nil, err
	}
	text, err := panel(fmt.Sprintf("Text encoder, design %s: roofline vs simulated", c.Result.Design.Name), workload.StageText, workload.StageHead)
	if err != nil {
		return nil, err
	}
	return RenderFigure(format, 30*vg.Centimeter, 12*vg.Centimeter, [][]*plot.Plot{{vision, text}})
}

// CompareRow is one design of a comparison table: a checked pass and the
// scenario it ran.
type CompareRow struct {
	Scenario   string
	Comparison validation.Comparison
}

// CompareTable puts several checked passes side by side, one row each:
// the table a design review wants.
func CompareTable(rows []CompareRow) *Table {
	t := &Table{Name: "compare", Title: "Designs compared",
		Columns: Cols("design", "precision", "scenario", "arrays", "dataflow", "ports", "latency_ms:%.3f", "fps:%.2f", "tops:%.3f", "peak_tops:%.2f",
			"gbps:%.1f", "bw_gbps:%.1f", "dsps", "dsp_share:%.1f%%", "onchip_mib:%.2f", "onchip_share:%.1f%%",
			"bound_ms:%.3f", "efficiency:%.3f", "seed_bound_ms:%.3f", "validation", "power_w:%.2f", "mj_per_frame:%.1f", "fps_per_w:%.3f")}
	for _, r := range rows {
		c := r.Comparison
		d, p := c.Result.Design, c.Result.Platform
		seed := any(nil)
		if c.HasSeed {
			seed = c.Total.SeedBoundSec * 1e3
		}
		lat := c.Seconds()
		var powerW, mJ, fpsPerW any
		if e, err := energy.Of(c.Result); err == nil {
			powerW, mJ, fpsPerW = e.PowerW, e.EnergyJ*1e3, c.FPS()/e.PowerW
		}
		t.Add(d.Name, d.Precision.Name, r.Scenario, fmt.Sprintf("%dx%dx%d", d.Arrays, d.ArrayRows, d.ArrayCols), string(d.Dataflow),
			fmt.Sprintf("%dx%d", d.HBMPorts, d.PortBits), lat*1e3, c.FPS(), c.AchievedOpsPerSec()/1e12, c.Ceilings.PeakOpsPerSec/1e12,
			c.AchievedBytesPerSec()/1e9, c.Ceilings.BWBytesPerSec/1e9, int64(d.DSPs()), 100*float64(d.DSPs())/float64(p.DSPs),
			float64(d.BufferBytes())/(1<<20), 100*float64(d.BufferBytes())/float64(p.OnChipBytes()),
			ms(c.Total.BoundCycles, c.Result.FreqHz), float64(c.Total.BoundCycles)/float64(c.Result.TotalCycles), seed, c.Verdict(),
			powerW, mJ, fpsPerW)
	}
	t.Notes = []string{"efficiency: the design's lower bound / simulated; seed_bound_ms: the same kernels under the notebook's ceilings",
		"power_w, mj_per_frame, fps_per_w: the energy model's estimate of the board's average power (docs/energy.md)"}
	return t
}
