package hw

import (
	"fmt"
	"math"
	"sort"
)

// Resources counts programmable-logic resources: DSP48E2 slices, 18 Kb
// block RAMs (a BRAM36 counts as two), 288 Kb UltraRAMs, LUTs and FFs.
type Resources struct {
	DSPs, BRAM18s, URAMs, LUTs, FFs int64
}

// Add returns r + o.
func (r Resources) Add(o Resources) Resources {
	return Resources{r.DSPs + o.DSPs, r.BRAM18s + o.BRAM18s, r.URAMs + o.URAMs, r.LUTs + o.LUTs, r.FFs + o.FFs}
}

// Items lists the resources with their names, in a fixed order; dsp names
// the DSP slice (Platform.DSPName).
func (r Resources) Items(dsp string) []ResourceItem {
	return []ResourceItem{{dsp, r.DSPs}, {"BRAM18", r.BRAM18s}, {"URAM", r.URAMs}, {"LUT", r.LUTs}, {"FF", r.FFs}}
}

// ResourceItem is one named resource count.
type ResourceItem struct {
	Name  string
	Count int64
}

// Block RAM and UltraRAM geometry of UltraScale+ (AMD UG573, "Block RAM
// Resources" and "UltraRAM"): the simple-dual-port width x depth shapes one
// block can take. A buffer of width W bits and depth D words takes, per
// shape, ceil(W / width) x ceil(D / depth) blocks; the cheapest shape wins.
var (
	// bram18Shapes are the BRAM18 SDP shapes (depth x width): 512x36,
	// 1Kx18, 2Kx9, 4Kx4, 8Kx2, 16Kx1.
	bram18Shapes = [][2]int64{{512, 36}, {1024, 18}, {2048, 9}, {4096, 4}, {8192, 2}, {16384, 1}}
	// bram36Shapes are the BRAM36 SDP shapes: 512x72, 1Kx36, 2Kx18, 4Kx9,
	// 8Kx4, 16Kx2, 32Kx1; one BRAM36 is two BRAM18 sites.
	bram36Shapes = [][2]int64{{512, 72}, {1024, 36}, {2048, 18}, {4096, 9}, {8192, 4}, {16384, 2}, {32768, 1}}
)

// URAM geometry (AMD UG573): one shape, 4K words of 72 bits, cascaded in
// depth and placed side by side in width.
const (
	uramDepthWords = 4096
	uramWidthBits  = 72
)

// Per-DSP fabric cost of a DSP-based MAC array: the marginal LUTs and FFs
// of one more compute engine of AMD's DPUCAHX8H on the Alveo U50LV (PG367
// v1.0, "Resource Utilization": 4 PE 193,675 LUT / 338,966 FF / 2,080
// DSP; 5 PE 238,433 / 420,289 / 2,598), divided by that engine's DSPs:
// (238,433 - 193,675) / 518 = 86.4 LUTs and (420,289 - 338,966) / 518 =
// 157.0 FFs per DSP. The engine's operand routing, accumulators and
// control are in these figures; the DPU's fixed parts (scheduler,
// instruction fetch, AXI masters) cancel in the difference and are not.
const (
	LUTsPerArrayDSP = (238433.0 - 193675.0) / (2598.0 - 2080.0)
	FFsPerArrayDSP  = (420289.0 - 338966.0) / (2598.0 - 2080.0)
)

// BufferShape is an on-chip buffer as hardware sees it: words of WidthBits
// read (or written) in one cycle, DepthWords of them, in Banks identical
// copies (2 for a double buffer's halves).
type BufferShape struct {
	WidthBits, DepthWords, Banks int64
}

// BRAM18Blocks is the BRAM18 sites the buffer takes when built of block
// RAM: per bank, the cheaper of the best BRAM18 shape and the best BRAM36
// shape (two sites each).
func (b BufferShape) BRAM18Blocks() int64 {
	if b.WidthBits <= 0 || b.DepthWords <= 0 {
		return 0
	}
	best := int64(math.MaxInt64)
	for _, s := range bram18Shapes {
		best = min(best, ceilDiv(b.WidthBits, s[1])*ceilDiv(b.DepthWords, s[0]))
	}
	for _, s := range bram36Shapes {
		best = min(best, 2*ceilDiv(b.WidthBits, s[1])*ceilDiv(b.DepthWords, s[0]))
	}
	return best * b.Banks
}

// URAMBlocks is the UltraRAMs the buffer takes when built of UltraRAM.
func (b BufferShape) URAMBlocks() int64 {
	if b.WidthBits <= 0 || b.DepthWords <= 0 {
		return 0
	}
	return ceilDiv(b.WidthBits, uramWidthBits) * ceilDiv(b.DepthWords, uramDepthWords) * b.Banks
}

// deepEnoughForURAM reports whether the buffer is at least one URAM deep
// (the depth a URAM cascade fills; shallower buffers waste most of each
// URAM and go to block RAM).
func (b BufferShape) deepEnoughForURAM() bool { return b.DepthWords >= uramDepthWords }

// shapeOf is a buffer of bytes in banks of widthBits-wide words.
func shapeOf(bytes int64, widthBits int64, banks int64) BufferShape {
	if bytes <= 0 || widthBits <= 0 {
		return BufferShape{}
	}
	return BufferShape{WidthBits: widthBits, DepthWords: ceilDiv(bytes*8, widthBits*banks), Banks: banks}
}

func ceilDiv(a, b int64) int64 { return (a + b - 1) / b }

// UnitResources is what one unit of a design takes, and where.
type UnitResources struct {
	// Unit names it ("array 0", "weight buffer 0", "activation store").
	Unit string
	// SLR is the SLR it is placed on.
	SLR int
	// Shape is its memory shape (zero for units without memory).
	Shape BufferShape
	Resources
}

// SLRUsage is one SLR's used and available resources.
type SLRUsage struct {
	SLR         int
	Used, Avail Resources
}

// ResourceEstimate is a design's resources per unit and per SLR.
type ResourceEstimate struct {
	Design string
	// DSPName names the platform's DSP slice (Platform.DSPName).
	DSPName string
	Units   []UnitResources
	SLRs    []SLRUsage
	// Crossings is the signals estimated to cross each SLR boundary
	// (EstimateCrossings).
	Crossings []BoundaryCrossing
}

// SLRResources is what one SLR of p has: the device's totals spread evenly
// over its SLRs (the XCU280's three SLRs are equal: 3,008 DSPs, 1,344
// BRAM18, 320 URAM, 434,560 LUTs each; DS963).
func (p Platform) SLRResources() Resources {
	n := int64(p.SLRs)
	return Resources{DSPs: int64(p.DSPs) / n, BRAM18s: int64(p.BRAM18s) / n, URAMs: int64(p.URAMs) / n,
		LUTs: int64(p.LUTs) / n, FFs: int64(p.FFs) / n}
}

// EstimateResources places the design on platform p and counts what each
// unit takes: array i on SLR i mod SLRs with its DSPs (rows x cols x DSPs
// per MAC) and the fabric around them (LUTsPerArrayDSP, FFsPerArrayDSP),
// its three double buffers as BRAM/URAM blocks of the width the array
// reads per cycle (weights: cols x weight bits; inputs: rows x activation
// bits; outputs: cols x activation bits), and the shared activation and
// weight stores split evenly over the SLRs, each slice a share of
// actStoreWidthBits (the activation store) or weightStoreWidthBits (the
// weight store) bits, the width of its path to the arrays. The vector units, the DMA, the AXI masters and control
// are not counted: no per-unit figure for them was found (docs/energy.md).
func (d Design) EstimateResources(p Platform, actStoreWidthBits, weightStoreWidthBits int64) ResourceEstimate {
	e := ResourceEstimate{Design: d.Name, DSPName: p.DSPName(), Crossings: d.EstimateCrossings(p, actStoreWidthBits, weightStoreWidthBits)}
	slrs := max(p.SLRs, 1)
	for i := range d.Arrays {
		slr := i % slrs
		dsps := int64(d.DSPsPerArray())
		e.Units = append(e.Units, UnitResources{Unit: fmt.Sprintf("array %d", i), SLR: slr, Resources: Resources{
			DSPs: dsps, LUTs: int64(math.Round(float64(dsps) * LUTsPerArrayDSP)), FFs: int64(math.Round(float64(dsps) * FFsPerArrayDSP)),
		}})
		for _, b := range []struct {
			name  string
			bytes int64
			width int64
		}{
			{"weight buffer", d.WeightBufferBytes, int64(d.ArrayCols * d.Precision.WeightBits)},
			{"input buffer", d.InputBufferBytes, int64(d.ArrayRows * d.Precision.ActBits)},
			{"output buffer", d.OutputBufferBytes, int64(d.ArrayCols * d.Precision.ActBits)},
		} {
			e.Units = append(e.Units, UnitResources{Unit: fmt.Sprintf("%s %d", b.name, i), SLR: slr, Shape: shapeOf(b.bytes, b.width, 2)})
		}
	}
	for _, s := range []struct {
		name  string
		bytes int64
		width int64
	}{{"activation store", d.ActivationBufferBytes, actStoreWidthBits}, {"weight store", d.WeightStoreBytes, weightStoreWidthBits}} {
		if s.bytes <= 0 {
			continue
		}
		for slr := range slrs {
			sh := shapeOf(ceilDiv(s.bytes, int64(slrs)), ceilDiv(s.width, int64(slrs)), 1)
			e.Units = append(e.Units, UnitResources{Unit: fmt.Sprintf("%s %d", s.name, slr), SLR: slr, Shape: sh})
		}
	}
	avail := p.SLRResources()
	placeMemories(e.Units, avail.URAMs)
	for slr := range slrs {
		u := SLRUsage{SLR: slr, Avail: avail}
		for _, x := range e.Units {
			if x.SLR == slr {
				u.Used = u.Used.Add(x.Resources)
			}
		}
		e.SLRs = append(e.SLRs, u)
	}
	return e
}

// placeMemories maps each buffer of units onto UltraRAM or block RAM, per
// SLR: the buffers deep enough for UltraRAM take it, largest first (ties
// in unit order), while the SLR's uramPerSLR blocks last; every other
// buffer takes block RAM.
func placeMemories(units []UnitResources, uramPerSLR int64) {
	order := make([]int, 0, len(units))
	for i, u := range units {
		if u.Shape.DepthWords > 0 {
			order = append(order, i)
		}
	}
	sort.SliceStable(order, func(a, b int) bool {
		return units[order[a]].Shape.URAMBlocks() > units[order[b]].Shape.URAMBlocks()
	})
	left := map[int]int64{}
	for _, i := range order {
		u := &units[i]
		if _, ok := left[u.SLR]; !ok {
			left[u.SLR] = uramPerSLR
		}
		if n := u.Shape.URAMBlocks(); u.Shape.deepEnoughForURAM() && n <= left[u.SLR] {
			u.URAMs = n
			left[u.SLR] -= n
			continue
		}
		u.BRAM18s = u.Shape.BRAM18Blocks()
	}
}

// Total is the design's resources over all SLRs.
func (e ResourceEstimate) Total() Resources {
	var t Resources
	for _, s := range e.SLRs {
		t = t.Add(s.Used)
	}
	return t
}

// ErrDoesNotFit is wrapped by the error of a design that does not fit.
var ErrDoesNotFit = fmt.Errorf("does not fit")

// Fit returns an error naming the first resource and SLR that the design
// needs more of than the SLR has.
func (e ResourceEstimate) Fit() error {
	for _, s := range e.SLRs {
		used, avail := s.Used.Items(e.DSPName), s.Avail.Items(e.DSPName)
		for i := range used {
			if used[i].Count > avail[i].Count {
				return fmt.Errorf("design %q %w: SLR%d needs %d %s, it has %d (over by %d; block counts from the buffers' width and depth, UG573)",
					e.Design, ErrDoesNotFit, s.SLR, used[i].Count, used[i].Name, avail[i].Count, used[i].Count-avail[i].Count)
			}
		}
	}
	return nil
}

// Utilisation levels above which timing closure usually fails, per
// resource, as a share of the SLR: the guideline column of AMD's
// report_failfast (Xilinx/XilinxTclStore, tclapp/xilinx/designutils/
// report_failfast.tcl, the design-closure check UG949 and UG1292 point
// to; it runs per SLR with -by_slr): LUT 70%, FD 50%, DSP48 80%,
// RAMB/FIFO 80%, URAM 80%, and the average of the DSP, RAMB and URAM
// shares 70%.
const (
	ClosureLUTShare     = 0.70
	ClosureFFShare      = 0.50
	ClosureDSPShare     = 0.80
	ClosureBRAMShare    = 0.80
	ClosureURAMShare    = 0.80
	ClosureHardAvgShare = 0.70
)

// TimingRisks lists, per SLR, the resources above their closure level
// (ClosureLUTShare ...) and a DSP/RAMB/URAM average above
// ClosureHardAvgShare, then the SLR boundaries crossed by more signals
// than they have SLLs (CrossingRisks), as sentences; nil when none is. A
// resource over its SLR's capacity is Fit's error, not a risk.
func (e ResourceEstimate) TimingRisks() []string {
	var out []string
	levels := []float64{ClosureDSPShare, ClosureBRAMShare, ClosureURAMShare, ClosureLUTShare, ClosureFFShare}
	for _, s := range e.SLRs {
		used, avail := s.Used.Items(e.DSPName), s.Avail.Items(e.DSPName)
		var hardSum float64
		for i := range used {
			if avail[i].Count == 0 {
				continue
			}
			share := float64(used[i].Count) / float64(avail[i].Count)
			if i < 3 {
				hardSum += share
			}
			if share > levels[i] && used[i].Count <= avail[i].Count {
				out = append(out, fmt.Sprintf("SLR%d %s at %.0f%%, above the %.0f%% at which timing closure usually fails (report_failfast)",
					s.SLR, used[i].Name, 100*share, 100*levels[i]))
			}
		}
		if avg := hardSum / 3; avg > ClosureHardAvgShare {
			out = append(out, fmt.Sprintf("SLR%d DSP/BRAM/URAM average at %.0f%%, above the %.0f%% at which timing closure usually fails (report_failfast)",
				s.SLR, 100*avg, 100*ClosureHardAvgShare))
		}
	}
	return append(out, CrossingRisks(e.Crossings)...)
}
