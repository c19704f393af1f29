package hw

import (
	"fmt"
	"math/bits"
)

// Super long lines (SLLs) between the XCU280's SLRs. AMD does not print
// the count in a data sheet (UG949, "Super Long Line (SLL) Routes", only
// says to query NUM_TOP_SLLS in Vivado); it follows from the Laguna sites
// that drive them: AutoBridge's XCU280 device model (Licheng-Guo/
// AutoBridge, DeviceU280: LAGUNA_PER_CR = 480, in the clock-region rows on
// either side of each SLR boundary, 8 clock regions across) gives 3,840
// Laguna sites along a boundary, and each site has six TX flip-flops, one
// per SLL it drives (Xilinx/RapidWright, SLRCrosserGenerator:
// LAGUNA_FLOPS_PER_SITE = 6): 23,040 SLLs per boundary, shared by both
// directions.
const (
	lagunaSitesPerClockRegion = 480
	clockRegionColumns        = 8
	sllsPerLagunaSite         = 6
	// SLLsPerBoundary is the signals that can cross one SLR boundary.
	SLLsPerBoundary = lagunaSitesPerClockRegion * clockRegionColumns * sllsPerLagunaSite
)

// AXIPortSignals is the wires of one AXI3 port of dataBits-wide data to an
// address space of addrBits and idBits-wide IDs (ARM IHI 0022, AXI3
// signals): per address channel (read and write) address, ID, AxLEN (4),
// AxSIZE (3), AxBURST (2), VALID and READY; the write channel data,
// strobes (one per byte), WLAST, VALID, READY; the read channel data, ID,
// RRESP (2), RLAST, VALID, READY; the write response ID, BRESP (2), VALID,
// READY. Cache, protection and QoS signals are left out (the HBM ports
// ignore them).
func AXIPortSignals(dataBits, addrBits, idBits int) int {
	addrChannel := addrBits + idBits + 4 + 3 + 2 + 2
	write := dataBits + dataBits/8 + 1 + 2
	read := dataBits + idBits + 2 + 1 + 2
	resp := idBits + 2 + 2
	return 2*addrChannel + write + read + resp
}

// BoundaryCrossing is the signals estimated to cross one SLR boundary.
type BoundaryCrossing struct {
	// Lower is the SLR below the boundary (the boundary is Lower/Lower+1).
	Lower int
	// AXISignals are the wires of the HBM ports whose arrays sit above
	// the HBM's SLR; StoreSignals those of the store slices that feed
	// arrays on the other side.
	AXISignals, StoreSignals int
}

// Signals is the boundary's total.
func (b BoundaryCrossing) Signals() int { return b.AXISignals + b.StoreSignals }

// hbmSLR is the SLR the XCU280's HBM stacks and their AXI switch attach
// to, the bottom one (AMD UG1314, U280 block diagram: the HBM sits next
// to SLR0, whose 32 AXI ports reach it).
const hbmSLR = 0

// EstimateCrossings counts the signals design d (placed as
// EstimateResources places it) sends across each SLR boundary of p: the
// AXI ports of every array not on the HBM's SLR cross every boundary
// between the two (ports dealt to the arrays in turn, each port's wires by
// AXIPortSignals at the design's port width), and each slice of the shared
// stores sends its read and write paths (storeWidthBits / SLRs bits each)
// across every boundary that separates it from an array (a store of no
// bytes sends nothing).
func (d Design) EstimateCrossings(p Platform, actStoreWidthBits, weightStoreWidthBits int64) []BoundaryCrossing {
	slrs := max(p.SLRs, 1)
	out := make([]BoundaryCrossing, slrs-1)
	for b := range out {
		out[b].Lower = b
	}
	if slrs == 1 {
		return out
	}
	addrBits := bits.Len64(uint64(max(p.HBM.PCBytes*int64(p.HBM.PseudoChannels)-1, 1)))
	idBits := bits.Len(uint(max(p.HBM.AXIIDs-1, 1)))
	port := AXIPortSignals(d.PortBits, addrBits, idBits)
	arraysOn := make([]bool, slrs)
	for i := range d.Arrays {
		arraysOn[i%slrs] = true
	}
	for j := range d.HBMPorts {
		if d.Arrays == 0 {
			break
		}
		slr := (j % d.Arrays) % slrs
		for b := min(slr, hbmSLR); b < max(slr, hbmSLR); b++ {
			out[b].AXISignals += port
		}
	}
	for _, st := range []struct{ bytes, widthBits int64 }{
		{d.ActivationBufferBytes, actStoreWidthBits}, {d.WeightStoreBytes, weightStoreWidthBits},
	} {
		w := st.widthBits
		if st.bytes <= 0 || w <= 0 {
			continue
		}
		slice := 2 * int(ceilDiv(w, int64(slrs))) // read and write paths
		for b := range out {
			for s := range slrs {
				if reachesAcross(s, b, arraysOn) {
					out[b].StoreSignals += slice
				}
			}
		}
	}
	return out
}

// reachesAcross reports whether a store slice on SLR s feeds an array on
// the other side of boundary b (between SLR b and b+1).
func reachesAcross(s, b int, arraysOn []bool) bool {
	for a, on := range arraysOn {
		if on && (s <= b) != (a <= b) {
			return true
		}
	}
	return false
}

// CrossingRisks lists the boundaries whose estimated signals exceed
// SLLsPerBoundary, as sentences; nil when none does.
func CrossingRisks(cs []BoundaryCrossing) []string {
	var out []string
	for _, c := range cs {
		if n := c.Signals(); n > SLLsPerBoundary {
			out = append(out, fmt.Sprintf("SLR%d/SLR%d boundary: about %d signals cross it (%d AXI, %d store), more than its %d SLLs (Laguna sites)",
				c.Lower, c.Lower+1, n, c.AXISignals, c.StoreSignals, SLLsPerBoundary))
		}
	}
	return out
}
