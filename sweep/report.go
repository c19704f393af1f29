package sweep

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/roofsim/roofsim/hw"
)

// Record is a sweep row read back with its numbers parsed, for the report.
type Record struct {
	// Row is the row as read.
	Row Row
	// Index, Key, Status, Ideas and Precision are the row's cells.
	Index     int
	Key       string
	Status    Status
	Ideas     string
	Precision string
	// Workload labels the row's workload (scenario, cameras, frames and the
	// workload parameters that vary in the file): rows are compared only
	// within a workload.
	Workload string
	// params is the row's parameter cells (without index, key, status and
	// ideas): equal for a baseline and its idea rows.
	params string
	// Results (zero when the row has none).
	LatencyMs, FPS, TOPS, PeakTOPS, GBps, BWGBps, HBMMB, WeightMB float64
	MemoryShare, ComputeFloorMs, MemoryFloorMs, BoundMs           float64
	Efficiency, StallHBMShare                                     float64
	// PowerW, EnergyMJ (per frame) and FramesPerJ are the energy model's.
	PowerW, EnergyMJ, FramesPerJ float64
	StageMs                      [5]float64 // vision, connector, text, head, expert
	DSPs, OnChipBytes            int64
	Bound                        string
}

// stageNames are the stage columns of StageMs, in order.
func stageNames() [5]string { return [5]string{"vision", "connector", "text", "head", "expert"} }

// workloadColumns are the parameter columns that define a workload.
func workloadColumns() []string {
	return []string{"platform", "memory", "layout", "scenario", "cameras", "frames", "image_size", "lang_tokens", "text_layers", "lm_head"}
}

// Records parses rows for the report.
func Records(rows []Row) []Record {
	vary := map[string]bool{}
	for _, c := range workloadColumns() {
		i := columnIndex(c)
		for _, r := range rows {
			if r.Cells[i] != rows[0].Cells[i] {
				vary[c] = true
				break
			}
		}
	}
	at := map[string]int{}
	for i, c := range Columns() {
		at[c.Name] = i
	}
	num := func(r Row, c string) float64 {
		v, err := strconv.ParseFloat(r.Cells[at[c]], 64)
		if err != nil {
			return 0
		}
		return v
	}
	first := columnIndex(colIdeas) + 1
	last := columnIndex(firstResultColumn)
	out := make([]Record, 0, len(rows))
	get := func(r Row, c string) string { return r.Cells[at[c]] }
	for _, r := range rows {
		label := []string{get(r, "scenario"), "cameras=" + get(r, "cameras"), "frames=" + get(r, "frames")}
		for _, c := range workloadColumns() {
			if vary[c] && c != "scenario" && c != "cameras" && c != "frames" {
				label = append(label, c+"="+get(r, c))
			}
		}
		rec := Record{
			Row: r, Index: r.Index(), Key: r.Key(), Status: Status(get(r, colStatus)), Ideas: get(r, colIdeas), Precision: get(r, colPrecision),
			Workload: strings.Join(label, " "), params: strings.Join(r.Cells[first:last], "\x00"),
			LatencyMs: num(r, colLatency), FPS: num(r, "fps"), TOPS: num(r, "achieved_tops"), PeakTOPS: num(r, "peak_tops"),
			GBps: num(r, "gbps"), BWGBps: num(r, "bw_gbps"), HBMMB: num(r, "hbm_mb"), WeightMB: num(r, "weight_mb"),
			MemoryShare: num(r, "memory_bound_share"), ComputeFloorMs: num(r, "compute_floor_ms"), MemoryFloorMs: num(r, "memory_floor_ms"),
			BoundMs: num(r, "bound_ms"), Efficiency: num(r, "efficiency"), StallHBMShare: num(r, "stall_hbm_share"),
			DSPs: int64(num(r, colDSPs)), OnChipBytes: int64(num(r, colOnChip)), Bound: get(r, "bound"),
			PowerW: num(r, colPowerW), EnergyMJ: num(r, colEnergyMJ), FramesPerJ: num(r, colFramesPerJ),
		}
		for i, s := range stageNames() {
			rec.StageMs[i] = num(r, s+"_ms")
		}
		out = append(out, rec)
	}
	return out
}

// Workloads returns the workload labels in order of first appearance.
func Workloads(recs []Record) []string {
	var ws []string
	for _, r := range recs {
		if !slices.Contains(ws, r.Workload) {
			ws = append(ws, r.Workload)
		}
	}
	return ws
}

// OK returns the rows that ran and passed every check.
func OK(recs []Record) []Record {
	var out []Record
	for _, r := range recs {
		if r.Status == StatusOK && r.LatencyMs > 0 {
			out = append(out, r)
		}
	}
	return out
}

// dominates reports whether a is at least as good as b in latency, DSPs
// and on-chip bytes, and better in one.
func dominates(a, b Record) bool {
	le := a.LatencyMs <= b.LatencyMs && a.DSPs <= b.DSPs && a.OnChipBytes <= b.OnChipBytes
	lt := a.LatencyMs < b.LatencyMs || a.DSPs < b.DSPs || a.OnChipBytes < b.OnChipBytes
	return le && lt
}

// ParetoFront returns the rows of recs (one workload) that no other row
// dominates in (latency, DSPs, on-chip bytes), the lowest index kept of
// rows equal in all three, sorted by latency then index.
func ParetoFront(recs []Record) []Record {
	var front []Record
	for i, a := range recs {
		kept := true
		for j, b := range recs {
			if dominates(b, a) || (j < i && b.LatencyMs == a.LatencyMs && b.DSPs == a.DSPs && b.OnChipBytes == a.OnChipBytes) {
				kept = false
				break
			}
		}
		if kept {
			front = append(front, a)
		}
	}
	slices.SortStableFunc(front, func(a, b Record) int {
		return cmp.Or(cmp.Compare(a.LatencyMs, b.LatencyMs), a.Index-b.Index)
	})
	return front
}

// EnergyParetoFront returns the rows of recs (one workload) with an
// energy that no other such row beats in both latency and energy per
// frame (at least as good in both, better in one), the lowest index kept
// of equal rows, sorted by latency then index.
func EnergyParetoFront(recs []Record) []Record {
	in := Filter(recs, func(r Record) bool { return r.EnergyMJ > 0 })
	var front []Record
	for i, a := range in {
		kept := true
		for j, b := range in {
			le := b.LatencyMs <= a.LatencyMs && b.EnergyMJ <= a.EnergyMJ
			lt := b.LatencyMs < a.LatencyMs || b.EnergyMJ < a.EnergyMJ
			if (le && lt) || (j < i && b.LatencyMs == a.LatencyMs && b.EnergyMJ == a.EnergyMJ) {
				kept = false
				break
			}
		}
		if kept {
			front = append(front, a)
		}
	}
	slices.SortStableFunc(front, func(a, b Record) int {
		return cmp.Or(cmp.Compare(a.LatencyMs, b.LatencyMs), a.Index-b.Index)
	})
	return front
}

// PrecisionOrder sorts precisions in hw's order, unknown names last.
func PrecisionOrder(recs []Record) []string {
	var ps []string
	for _, p := range hw.Precisions() {
		if slices.ContainsFunc(recs, func(r Record) bool { return r.Precision == p.Name }) {
			ps = append(ps, p.Name)
		}
	}
	for _, r := range recs {
		if !slices.Contains(ps, r.Precision) {
			ps = append(ps, r.Precision)
		}
	}
	return ps
}

// Fastest returns the row of lowest latency (lowest index on a tie).
func Fastest(recs []Record) (Record, bool) {
	if len(recs) == 0 {
		return Record{}, false
	}
	best := recs[0]
	for _, r := range recs[1:] {
		if r.LatencyMs < best.LatencyMs {
			best = r
		}
	}
	return best, true
}

// Filter returns the records keep accepts, in order.
func Filter(recs []Record, keep func(Record) bool) []Record {
	var out []Record
	for _, r := range recs {
		if keep(r) {
			out = append(out, r)
		}
	}
	return out
}

// IdeaPair is an idea row next to its baseline: the row with the same
// parameters and no ideas.
type IdeaPair struct {
	// Idea is the idea set.
	Idea string
	// Base and With are the baseline and the idea row.
	Base, With Record
}

// SpeedUp is the baseline's latency over the idea row's.
func (p IdeaPair) SpeedUp() float64 { return p.Base.LatencyMs / p.With.LatencyMs }

// IdeaPairs pairs every passing idea row with its passing baseline, in
// row order.
func IdeaPairs(recs []Record) []IdeaPair {
	base := map[string]Record{}
	for _, r := range OK(recs) {
		if r.Ideas == "" {
			if _, dup := base[r.params]; !dup {
				base[r.params] = r
			}
		}
	}
	var pairs []IdeaPair
	for _, r := range OK(recs) {
		if r.Ideas == "" {
			continue
		}
		if b, found := base[r.params]; found {
			pairs = append(pairs, IdeaPair{Idea: r.Ideas, Base: b, With: r})
		}
	}
	return pairs
}

// Reason says in words why the idea row is faster (or not) than its
// baseline: which stage moved, which floor of the roofline moved (the
// memory floor, from the HBM bytes or the memory ceiling; the compute
// floor, from the peak) and how the memory-bound share and HBM stalls
// changed.
func (p IdeaPair) Reason() string {
	b, w := p.Base, p.With
	var parts []string
	rel := func(x, y float64) float64 {
		if x == 0 {
			return 0
		}
		return (y - x) / x
	}
	// A floor, traffic or share that changes by less than moved is not
	// named; a stage is named when its time changes by stageMoved of the
	// latency.
	const moved, stageMoved = 0.01, 0.001
	s := p.SpeedUp()
	switch {
	case math.Abs(s-1) < 0.005:
		parts = append(parts, "no change")
	case s < 1:
		parts = append(parts, fmt.Sprintf("slower (%.3fx)", s))
	}
	// The stage that moved most.
	bi, best := -1, 0.0
	for i := range b.StageMs {
		if d := b.StageMs[i] - w.StageMs[i]; math.Abs(d) > math.Abs(best) {
			bi, best = i, d
		}
	}
	if bi >= 0 && math.Abs(best) > stageMoved*b.LatencyMs {
		parts = append(parts, fmt.Sprintf("%s %s -> %s ms", stageNames()[bi], sig(b.StageMs[bi]), sig(w.StageMs[bi])))
	}
	mem := rel(b.MemoryFloorMs, w.MemoryFloorMs)
	if math.Abs(mem) > moved {
		why := []string{}
		if r := rel(b.HBMMB, w.HBMMB); math.Abs(r) > moved {
			why = append(why, fmt.Sprintf("HBM traffic %s -> %s MB", sig(b.HBMMB), sig(w.HBMMB)))
		}
		if r := rel(b.BWGBps, w.BWGBps); math.Abs(r) > moved {
			why = append(why, fmt.Sprintf("memory ceiling %s -> %s GB/s", sig(b.BWGBps), sig(w.BWGBps)))
		}
		txt := fmt.Sprintf("memory floor %s -> %s ms", sig(b.MemoryFloorMs), sig(w.MemoryFloorMs))
		if len(why) > 0 {
			txt += " (" + strings.Join(why, ", ") + ")"
		}
		parts = append(parts, txt)
	}
	if c := rel(b.ComputeFloorMs, w.ComputeFloorMs); math.Abs(c) > moved {
		// The floors split the bound by the ceiling of each kernel: with the
		// same peak the compute floor moves when kernels cross between them.
		why := fmt.Sprintf("peak %s -> %s TOP/s", sig(b.PeakTOPS), sig(w.PeakTOPS))
		if math.Abs(rel(b.PeakTOPS, w.PeakTOPS)) <= moved {
			why = "same peak: kernels crossed between the memory and compute floors"
		}
		parts = append(parts, fmt.Sprintf("compute floor %s -> %s ms (%s)", sig(b.ComputeFloorMs), sig(w.ComputeFloorMs), why))
	}
	if math.Abs(w.MemoryShare-b.MemoryShare) > moved {
		parts = append(parts, fmt.Sprintf("memory-bound share %.0f%% -> %.0f%%", 100*b.MemoryShare, 100*w.MemoryShare))
	}
	if math.Abs(w.StallHBMShare-b.StallHBMShare) > moved {
		parts = append(parts, fmt.Sprintf("HBM stalls %.0f%% -> %.0f%% of the time", 100*b.StallHBMShare, 100*w.StallHBMShare))
	}
	comp := rel(b.ComputeFloorMs, w.ComputeFloorMs)
	switch {
	case s >= 1.005 && mem >= -moved && comp >= -moved:
		parts = append(parts, "no roofline floor fell: the gain is in the simulated losses beyond the floors (fill/drain, stalls, first loads)")
	case s <= 0.995 && mem <= moved && comp <= moved:
		parts = append(parts, "no roofline floor rose: the loss is in the simulated losses beyond the floors (fill/drain, stalls, first loads)")
	}
	if math.Abs(s-1) < 0.005 && math.Abs(mem) > moved && b.MemoryShare < 0.5 {
		dir := "lower"
		if mem > 0 {
			dir = "higher"
		}
		parts = append(parts, fmt.Sprintf("the pass is compute-bound (memory-bound share %.0f%%), so a %s memory floor does not show", 100*b.MemoryShare, dir))
	}
	return strings.Join(parts, "; ")
}

// sig formats a positive number with about four significant digits and
// no exponent.
func sig(v float64) string {
	switch a := math.Abs(v); {
	case a >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case a >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	case a >= 1:
		return strconv.FormatFloat(v, 'f', 2, 64)
	case a >= 0.01:
		return strconv.FormatFloat(v, 'f', 3, 64)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}
