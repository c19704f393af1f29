package hw

import (
	"fmt"
	"strings"
)

// Alveo U50 facts. Source: AMD DS965 (Alveo U50 data center accelerator
// cards data sheet: XCU50 device, 8 GB HBM2, 75 W maximum power), the
// UltraScale+ product table DS962/DS963 for the XCU50's VU35P-class die
// (two SLRs) and AMD UG1393 ("HBM Configuration and Use": 256 MB
// pseudo-channels on the U50 and U280, 14.375 GB/s theoretical per PC,
// the same HBM subsystem and switch as the U280's, PG276). The DSP, LUT,
// FF, BRAM18 and URAM counts are the xcu50-fsvh2104 capacities Vitis HLS
// reports (2,688 BRAM18, 5,952 DSP, 1,743,360 FF, 871,680 LUT, 640 URAM).
const (
	// U50SLRs: the XCU50 has two super logic regions (DS965).
	U50SLRs = 2
	// U50DSPs: 5,952 DSP48E2 slices (DS965).
	U50DSPs = 5952
	// U50LUTs: 871,680 CLB LUTs (DS965).
	U50LUTs = 871680
	// U50FFs: 1,743,360 CLB flip-flops (DS965).
	U50FFs = 1743360
	// U50BRAM18s: 1,344 36 Kb block RAMs = 2,688 BRAM18 = 47.3 Mb (DS965).
	U50BRAM18s = 2688
	// U50URAMs: 640 UltraRAM blocks = 180 Mb (DS965).
	U50URAMs = 640
	// U50MaxPowerW is the card's maximum total power in watts (DS965).
	U50MaxPowerW = 75
)

// Alveo U55C facts. Source: AMD DS978 (Alveo U55C data center accelerator
// cards data sheet: XCU55C device, 16 GB HBM2 at 460 GB/s, 150 W maximum
// power; the XCU55C has the XCU280's fabric: 3 SLRs, 9,024 DSPs, 2,016
// BRAM36, 960 URAM) and AMD UG1393 (512 MB pseudo-channels on the U55C).
const (
	// U55CMaxPowerW is the card's maximum total power in watts (DS978).
	U55CMaxPowerW = 150
	// U55CPCBytes: each of the 32 PCs holds 512 MiB (UG1393), twice the
	// U280's: 8-high stacks with twice the rows per bank.
	U55CPCBytes = 512 * MiB
	// U55CRowsPerBank: 512 MiB / (16 banks x 1 KiB pages) = 32,768 rows.
	U55CRowsPerBank = 32768
)

// U50 returns the built-in description of the AMD Alveo U50 card: the
// U280's HBM2 subsystem (32 PCs of 256 MiB behind the same segmented
// switch, UG1393) on a two-SLR device with two thirds of the U280's DSPs.
// Its 75 W power limit (DS965) is not modelled: a design's clock is the
// one it asks for.
func U50() Platform {
	return Platform{
		Name:         "u50",
		KernelFreqHz: U280KernelFreqHz,
		SLRs:         U50SLRs,
		DSPs:         U50DSPs,
		LUTs:         U50LUTs,
		FFs:          U50FFs,
		BRAM18s:      U50BRAM18s,
		URAMs:        U50URAMs,
		HBM:          U280HBM(),
	}
}

// U55C returns the built-in description of the AMD Alveo U55C card: the
// U280's fabric (DS978) with 16 GB of HBM2 in 32 PCs of 512 MiB (UG1393),
// at the same 14.4 GB/s per PC.
func U55C() Platform {
	p := U280()
	p.Name = "u55c"
	p.HBM.PCBytes = U55CPCBytes
	p.HBM.RowsPerBank = U55CRowsPerBank
	return p
}

// Platforms returns the built-in boards: the U280 (the default), the U50,
// the U55C and the Versal V80 (its NoC path to the HBM2E mapped onto the
// segmented-switch model, V80HBM).
func Platforms() []Platform { return []Platform{U280(), U50(), U55C(), V80()} }

// PlatformNames lists the built-in board names, separated by '|'.
func PlatformNames() string {
	var names []string
	for _, p := range Platforms() {
		names = append(names, p.Name)
	}
	return strings.Join(names, "|")
}

// PlatformByName returns the built-in board with the given name.
func PlatformByName(name string) (Platform, error) {
	for _, p := range Platforms() {
		if strings.EqualFold(p.Name, name) {
			return p, nil
		}
	}
	return Platform{}, fmt.Errorf("platform %q: %w (accepted: %s, or a .json file)", name, ErrUnknownPreset, PlatformNames())
}

// BoardPowerLimitW is the maximum total power of board p in watts, from
// its data sheet: 75 W for the U50 (DS965), 150 W for the U55C (DS978),
// 190 W for the V80 (its product brief), and the U280's 225 W (DS963) for
// the U280 and any other platform (a platform file starts from the U280).
func BoardPowerLimitW(p Platform) float64 {
	switch strings.ToLower(p.Name) {
	case "u50":
		return U50MaxPowerW
	case "u55c":
		return U55CMaxPowerW
	case "v80":
		return V80MaxPowerW
	}
	return U280BoardPowerLimitW
}
