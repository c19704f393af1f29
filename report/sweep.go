package report

import (
	"fmt"
	"github.com/roofsim/roofsim/ideas"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sweep"
)

// mib is bytes in MiB.
func mib(b int64) float64 { return float64(b) / hw.MiB }

// indexList writes ascending indices compactly: "3, 7-9, 12".
func indexList(idx []int) string {
	var parts []string
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && idx[j+1] == idx[j]+1 {
			j++
		}
		if j > i {
			parts = append(parts, fmt.Sprintf("%d-%d", idx[i], idx[j]))
		} else {
			parts = append(parts, strconv.Itoa(idx[i]))
		}
		i = j + 1
	}
	return strings.Join(parts, ", ")
}

// SweepTables builds the report of a sweep's rows: the status counts and
// the rows that are not ok, grouped by status and reason; per workload the Pareto front over latency,
// DSPs and on-chip memory; the best row per precision; each idea's
// speed-up over its baselines with the reason (and every pair); and the
// quantization table (the fastest baseline row of each precision).
func SweepTables(title string, rows []sweep.Row) []*Table {
	recs := sweep.Records(rows)
	var tables []*Table
	sum := sweep.Summarize(rows)
	st := &Table{Name: "summary", Title: fmt.Sprintf("Sweep %s: %s", title, sum),
		Columns: Cols("status", "rows", "meaning")}
	meaning := map[sweep.Status]string{
		sweep.StatusOK:         "simulated; every kernel passed its roofline checks",
		sweep.StatusFail:       "simulated; some kernel failed a roofline check (a model bug to look at)",
		sweep.StatusDoesNotFit: "the board cannot hold the design (not simulated)",
		sweep.StatusError:      "the simulation refused the point",
	}
	for _, s := range sweep.Statuses() {
		st.Add(string(s), int64(sum.ByStatus[s]), meaning[s])
	}
	tables = append(tables, st)

	notOK := &Table{Name: "not_ok", Title: "Rows that are not ok, grouped by status and reason",
		Columns: Cols("status", "rows", "indices", "first_key", "reason")}
	type group struct {
		status, reason string
		idx            []int
		key            string
	}
	var groups []*group
	for _, r := range recs {
		if r.Status == sweep.StatusOK {
			continue
		}
		reason := r.Row.Reason()
		at := slices.IndexFunc(groups, func(g *group) bool { return g.status == string(r.Status) && g.reason == reason })
		if at < 0 {
			groups = append(groups, &group{status: string(r.Status), reason: reason, key: r.Key})
			at = len(groups) - 1
		}
		groups[at].idx = append(groups[at].idx, r.Index)
	}
	slices.SortStableFunc(groups, func(a, b *group) int {
		return slices.Index(sweep.Statuses(), sweep.Status(a.status)) - slices.Index(sweep.Statuses(), sweep.Status(b.status))
	})
	for _, g := range groups {
		notOK.Add(g.status, int64(len(g.idx)), indexList(g.idx), g.key, g.reason)
	}
	notOK.Notes = []string{"indices: the rows' point indices (runs of consecutive points as a-b)"}
	if len(notOK.Rows) > 0 {
		tables = append(tables, notOK)
	}

	good := sweep.OK(recs)
	front := &Table{Name: "pareto", Title: "Pareto front: latency against DSPs and on-chip memory (ok rows, per workload)",
		Columns: Cols("workload", "index", "key", "precision", "array", "arrays", "dataflow", "port_bits", "hbm_pcs", "ideas",
			"latency_ms:%.3f", "fps:%.2f", "dsps", "onchip_mib:%.1f", "achieved_tops:%.3f", "bound", "efficiency:%.3f")}
	best := &Table{Name: "best_per_precision", Title: "Best design per precision (lowest latency, ideas included)",
		Columns: Cols("workload", "precision", "index", "key", "ideas", "latency_ms:%.3f", "fps:%.2f", "achieved_tops:%.3f",
			"peak_tops:%.2f", "dsps", "onchip_mib:%.1f", "bound", "efficiency:%.3f")}
	quant := &Table{Name: "quantization", Title: "Quantization: the fastest baseline (no ideas) of each precision",
		Columns: Cols("workload", "precision", "weight_mb:%.1f", "latency_ms:%.3f", "fps:%.2f", "achieved_tops:%.3f",
			"peak_tops:%.2f", "gbps:%.1f", "bound", "memory_bound_share:%.1f%%", "efficiency:%.3f", "key")}
	energyFront := &Table{Name: "pareto_energy", Title: "Pareto front: latency against energy per frame (ok rows, per workload)",
		Columns: Cols("workload", "index", "key", "precision", "ideas", "latency_ms:%.3f", "fps:%.2f", "power_w:%.2f",
			"energy_mj_per_frame:%.3f", "frames_per_joule:%.3f", "dsps")}
	for _, wl := range sweep.Workloads(good) {
		in := sweep.Filter(good, func(r sweep.Record) bool { return r.Workload == wl })
		for _, r := range sweep.EnergyParetoFront(in) {
			energyFront.Add(wl, int64(r.Index), r.Key, r.Precision, r.Ideas, r.LatencyMs, r.FPS, r.PowerW, r.EnergyMJ, r.FramesPerJ, r.DSPs)
		}
		for _, r := range sweep.ParetoFront(in) {
			front.Add(wl, int64(r.Index), r.Key, r.Precision, r.Row.Get("array"), r.Row.Get("arrays"), r.Row.Get("dataflow"),
				r.Row.Get("port_bits"), r.Row.Get("hbm_pcs"), r.Ideas, r.LatencyMs, r.FPS, r.DSPs, mib(r.OnChipBytes), r.TOPS, r.Bound, r.Efficiency)
		}
		for _, p := range sweep.PrecisionOrder(in) {
			if r, found := sweep.Fastest(sweep.Filter(in, func(r sweep.Record) bool { return r.Precision == p })); found {
				best.Add(wl, p, int64(r.Index), r.Key, r.Ideas, r.LatencyMs, r.FPS, r.TOPS, r.PeakTOPS, r.DSPs, mib(r.OnChipBytes), r.Bound, r.Efficiency)
			}
			if r, found := sweep.Fastest(sweep.Filter(in, func(r sweep.Record) bool { return r.Precision == p && r.Ideas == "" })); found {
				quant.Add(wl, p, r.WeightMB, r.LatencyMs, r.FPS, r.TOPS, r.PeakTOPS, r.GBps, r.Bound, 100*r.MemoryShare, r.Efficiency, r.Key)
			}
		}
	}
	front.Notes = []string{"a row is on the front when no other ok row of its workload is as fast with as few DSPs and as little on-chip memory, and better in one of them"}
	quant.Notes = []string{"weight_mb: the scenario's stored weights in the precision (10^6 bytes); bound: memory when memory-bound kernels take at least half the time"}
	energyFront.Notes = []string{"a row is on this front when no other ok row of its workload is as fast with as little energy per frame, and better in one; power from the energy model (docs/energy.md)"}
	tables = append(tables, front)
	if len(energyFront.Rows) > 0 {
		tables = append(tables, energyFront)
	}
	tables = append(tables, best)

	pairs := sweep.IdeaPairs(recs)
	ideaTab := &Table{Name: "ideas", Title: "Ideas: speed-up over the same design without them",
		Columns: Cols("idea", "pairs", "speedup_min:%.3f", "speedup_geomean:%.3f", "speedup_max:%.3f", "best_at", "reason_at_best", "what_it_does")}
	var sets []string
	for _, p := range pairs {
		if !slices.Contains(sets, p.Idea) {
			sets = append(sets, p.Idea)
		}
	}
	for _, set := range sets {
		ps := slices.DeleteFunc(slices.Clone(pairs), func(p sweep.IdeaPair) bool { return p.Idea != set })
		lo, hi, logSum := math.Inf(1), 0.0, 0.0
		at := ps[0]
		for _, p := range ps {
			s := p.SpeedUp()
			lo = math.Min(lo, s)
			logSum += math.Log(s)
			if s > hi {
				hi, at = s, p
			}
		}
		ideaTab.Add(set, int64(len(ps)), lo, math.Exp(logSum/float64(len(ps))), hi, at.Base.Key, at.Reason(), ideas.Summary(set))
	}
	ideaTab.Notes = []string{"pairs: idea rows compared with the ok row of the same parameters without ideas; speed-up = baseline latency / idea latency; the reason is that of the pair where the idea helps most (every pair is in idea_pairs)"}
	detail := &Table{Name: "idea_pairs", Title: "Every idea row next to its baseline",
		Columns: Cols("idea", "base_index", "base_key", "base_ms:%.3f", "idea_ms:%.3f", "speedup:%.3f", "base_hbm_mb:%.1f", "idea_hbm_mb:%.1f",
			"base_memory_share:%.1f%%", "idea_memory_share:%.1f%%", "reason")}
	for _, p := range pairs {
		detail.Add(p.Idea, int64(p.Base.Index), p.Base.Key, p.Base.LatencyMs, p.With.LatencyMs, p.SpeedUp(), p.Base.HBMMB, p.With.HBMMB,
			100*p.Base.MemoryShare, 100*p.With.MemoryShare, p.Reason())
	}
	if len(pairs) > 0 {
		tables = append(tables, ideaTab, detail)
	}
	return append(tables, quant)
}
