package optimize

import (
	"fmt"
	"math"
	"strconv"

	"github.com/c-bata/goptuna"
	"github.com/roofsim/roofsim/energy"
	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/ideas"
	"github.com/roofsim/roofsim/report"
	"github.com/roofsim/roofsim/sim/accel"
	"github.com/roofsim/roofsim/sweep"
	"github.com/roofsim/roofsim/workload"
)

// Objective is what the search optimizes.
type Objective string

// The objectives.
const (
	// Latency is the simulated forward pass in ms (minimized).
	Latency Objective = "latency"
	// FPS is frames per second (maximized).
	FPS Objective = "fps"
	// Energy is the energy of one pass in mJ (minimized).
	Energy Objective = "energy"
	// FPSPerWatt is frames per second per watt, i.e. frames per joule
	// (maximized).
	FPSPerWatt Objective = "fps_per_watt"
)

// ParseObjective reads an objective's name.
func ParseObjective(s string) (Objective, error) {
	switch o := Objective(s); o {
	case Latency, FPS, Energy, FPSPerWatt:
		return o, nil
	}
	return "", fmt.Errorf("objective %q is not known (accepted: latency|fps|energy|fps_per_watt)", s)
}

// Minimize reports whether lower values are better.
func (o Objective) Minimize() bool { return o == Latency || o == Energy }

// Unit is the objective's unit.
func (o Objective) Unit() string {
	return map[Objective]string{Latency: "ms", FPS: "frames/s", Energy: "mJ", FPSPerWatt: "frames/J"}[o]
}

// direction is the study's direction.
func (o Objective) direction() goptuna.StudyDirection {
	if o.Minimize() {
		return goptuna.StudyDirectionMinimize
	}
	return goptuna.StudyDirectionMaximize
}

// Better reports whether a is strictly better than b.
func (o Objective) Better(a, b float64) bool {
	if o.Minimize() {
		return a < b
	}
	return a > b
}

// Measured is what a simulated candidate gave: its objective and the
// figures of the front.
type Measured struct {
	// Value is the objective's value, in Unit.
	Value float64
	// LatencyMs, FPS: from the sweep row.
	LatencyMs, FPS float64
	// EnergyMJ is the energy of one pass in mJ, PowerW the average power
	// and PowerLimitW the board's limit, in W.
	EnergyMJ, PowerW, PowerLimitW float64
}

// measure reads a simulated candidate's objective from its row and its
// energy from the pass.
func (o Objective) measure(row sweep.Row, res *accel.Result) (Measured, error) {
	var m Measured
	var err error
	if m.LatencyMs, err = strconv.ParseFloat(row.Get("latency_ms"), 64); err != nil {
		return m, fmt.Errorf("the row has no latency: %w", err)
	}
	if m.FPS, err = strconv.ParseFloat(row.Get("fps"), 64); err != nil {
		return m, fmt.Errorf("the row has no fps: %w", err)
	}
	e, err := energy.Of(res)
	if err != nil {
		return m, err
	}
	m.EnergyMJ, m.PowerW, m.PowerLimitW = e.EnergyJ*1e3, e.PowerW, e.PowerLimitW
	switch o {
	case Latency:
		m.Value = m.LatencyMs
	case FPS:
		m.Value = m.FPS
	case Energy:
		m.Value = m.EnergyMJ
	case FPSPerWatt:
		m.Value = m.FPS / m.PowerW
	}
	return m, nil
}

// worsen makes value worse by factor f (above 1).
func (o Objective) worsen(value, f float64) float64 {
	if o.Minimize() {
		return value * f
	}
	return value / f
}

// overuse is the largest share of a board resource the design asks for:
// its totals (hw.Design.Usage) and its per-SLR estimate; above 1 it does
// not fit.
func overuse(c ideas.Config) float64 {
	worst := 0.0
	for _, u := range c.Design.Usage(c.Platform) {
		if u.Avail > 0 {
			worst = math.Max(worst, u.Used/u.Avail)
		}
	}
	for _, slr := range report.DesignResources(c.Design, c.Platform).SLRs {
		used, avail := slr.Used.Items(""), slr.Avail.Items("")
		for i := range used {
			if avail[i].Count > 0 {
				worst = math.Max(worst, float64(used[i].Count)/float64(avail[i].Count))
			}
		}
	}
	return worst
}

// boardFit is the cheap fit filter: the design's totals against the board
// (hw.Design.Fit: DSPs, BRAM+URAM bytes, ports, PCs, clock) and its
// BRAM/URAM blocks, DSPs, LUTs and FFs per SLR (the estimate of roofsim hw
// --require-fit).
func boardFit(c ideas.Config) error {
	if err := c.Design.Fit(c.Platform); err != nil {
		return err
	}
	return report.DesignResources(c.Design, c.Platform).Fit()
}

// Bound is the best value of the objective any simulation of the
// candidate could reach: the pass takes at least max(its MACs' operations
// / compute ceiling, the weights not in its weight store / memory ceiling)
// (every weight tensor is read at least once from HBM unless pinned on
// chip; the ceilings of roofline.Design), and uses at least its MACs'
// energy and the HBM standby over that time. With the ideal memory model
// only the compute term holds.
func Bound(o Objective, c ideas.Config) (float64, error) {
	d, p := c.Design, c.Platform
	w, err := work(c.Scenario)
	if err != nil {
		return 0, err
	}
	sec := 2 * w.macs / d.PeakOpsPerSec(p)
	ideal := c.Options.Memory == accel.MemoryIdeal
	if !ideal {
		bytes := d.Precision.WeightBytes(w.weightElems) - float64(d.WeightStoreBytes)
		sec = math.Max(sec, math.Max(bytes, 0)/d.MemBytesPerSec(p))
	}
	macJ, err := hw.MACEnergyJ(d.Precision)
	if err != nil {
		return 0, err
	}
	joules := w.macs * macJ
	if !ideal {
		joules += float64(p.HBM.PseudoChannels) * hw.HBMStandbyWPerPC * sec
	}
	frames := float64(c.Scenario.Frames)
	switch o {
	case Latency:
		return sec * 1e3, nil
	case FPS:
		return frames / sec, nil
	case Energy:
		return joules * 1e3, nil
	}
	return frames / joules, nil
}

// passWork is what a pass must do whatever the design.
type passWork struct {
	// macs are the multiply-accumulates of the matmuls.
	macs float64
	// weightElems are the stored weights, each weight tensor once.
	weightElems int64
}

// work counts the pass's MACs and weights.
func work(sc workload.Scenario) (passWork, error) {
	var w passWork
	g, err := sc.Graph()
	if err != nil {
		return w, err
	}
	for _, t := range g.Tensors {
		if t.Role == workload.RoleWeight {
			w.weightElems += t.Elems()
		}
	}
	ks, err := sc.Kernels()
	if err != nil {
		return w, err
	}
	for _, k := range ks {
		if k.Kind == workload.KindGEMM || k.Kind == workload.KindAttention {
			w.macs += float64(k.Ops) / 2
		}
	}
	return w, nil
}
