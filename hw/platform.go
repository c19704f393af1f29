package hw

import (
	"errors"
	"fmt"
)

// Byte sizes used in the hardware descriptions.
const (
	KiB = 1024
	MiB = 1024 * KiB
	GiB = 1024 * MiB
)

// Platform is an FPGA board: its programmable-logic resources, its kernel
// clock and its HBM2 memory system.
type Platform struct {
	// Name identifies the platform, e.g. "u280".
	Name string `json:"name"`
	// KernelFreqHz is the clock of the user kernels (the accelerator), in Hz.
	KernelFreqHz float64 `json:"kernel_freq_hz"`
	// SLRs is the number of super logic regions (dies) of the device.
	SLRs int `json:"slrs"`
	// DSPs is the number of DSP slices on the device (of kind DSPKind).
	DSPs int `json:"dsps"`
	// DSPKind names the device's DSP slice: DSP48E2 (UltraScale+, the
	// default when empty) or DSP58 (Versal). roofsim costs a MAC in DSP48E2
	// terms on both (a DSP58 is a superset of the DSP48E2, AM004); the kind
	// only names the resource in reports and errors.
	DSPKind DSPKind `json:"dsp_kind,omitempty"`
	// LUTs is the number of 6-input look-up tables on the device.
	LUTs int `json:"luts"`
	// FFs is the number of flip-flops on the device.
	FFs int `json:"ffs"`
	// BRAM18s is the number of 18 Kb block RAMs on the device.
	BRAM18s int `json:"bram18s"`
	// URAMs is the number of 288 Kb UltraRAM blocks on the device.
	URAMs int `json:"urams"`
	// HBM is the board's high-bandwidth memory.
	HBM HBM `json:"hbm"`
}

// U280 facts. Source: AMD DS963 (UltraScale+ FPGA product table, XCU280),
// AMD UG1314 (Alveo U280 data center accelerator card user guide) and
// AMD PG276 (AXI HBM controller).
const (
	// U280KernelFreqHz is the kernel clock roofsim assumes for accelerator
	// designs (300 MHz, the default Vitis kernel clock on the U280 platform).
	U280KernelFreqHz = 300e6
	// U280SLRs: the XCU280 is built from three super logic regions (UG1314).
	U280SLRs = 3
	// U280DSPs: 9,024 DSP48E2 slices, 3,008 per SLR (DS963).
	U280DSPs = 9024
	// U280LUTs: 1,303,680 CLB LUTs (DS963).
	U280LUTs = 1303680
	// U280FFs: 2,607,360 CLB flip-flops (DS963).
	U280FFs = 2607360
	// U280BRAM18s: 2,016 36 Kb block RAMs = 4,032 BRAM18 = 70.9 Mb (DS963).
	U280BRAM18s = 4032
	// U280URAMs: 960 UltraRAM blocks of 288 Kb = 270 Mb (DS963).
	U280URAMs = 960
	// BRAM18Bits is the capacity of one BRAM18 block in bits (UG573).
	BRAM18Bits = 18 * 1024
	// URAMBits is the capacity of one UltraRAM block in bits (UG573).
	URAMBits = 288 * 1024
)

// U280 returns the built-in description of the AMD Alveo U280 board.
func U280() Platform {
	return Platform{
		Name:         "u280",
		KernelFreqHz: U280KernelFreqHz,
		SLRs:         U280SLRs,
		DSPs:         U280DSPs,
		LUTs:         U280LUTs,
		FFs:          U280FFs,
		BRAM18s:      U280BRAM18s,
		URAMs:        U280URAMs,
		HBM:          U280HBM(),
	}
}

// DSPKind is a kind of DSP slice.
type DSPKind string

// The DSP slices of the built-in boards.
const (
	// DSP48E2 is the UltraScale+ DSP slice (AMD UG579).
	DSP48E2 DSPKind = "DSP48E2"
	// DSP58 is the Versal DSP engine (AMD AM004).
	DSP58 DSPKind = "DSP58"
)

// ParseDSPKind accepts DSP48E2 or DSP58 ("" is DSP48E2).
func ParseDSPKind(s string) (DSPKind, error) {
	switch DSPKind(s) {
	case "", DSP48E2:
		return DSP48E2, nil
	case DSP58:
		return DSP58, nil
	}
	return "", fmt.Errorf("platform: dsp_kind %q: accepted: DSP48E2|DSP58", s)
}

// DSPName is the name of p's DSP slice (DSP48E2 when DSPKind is empty).
func (p Platform) DSPName() string {
	if p.DSPKind == "" {
		return string(DSP48E2)
	}
	return string(p.DSPKind)
}

// DSPsPerSLR is the number of DSP slices in one SLR (the device's DSPs
// spread evenly over its SLRs).
func (p Platform) DSPsPerSLR() int { return p.DSPs / p.SLRs }

// BRAMBytes is the total block RAM capacity in bytes (8.86 MiB on the U280).
func (p Platform) BRAMBytes() int64 { return int64(p.BRAM18s) * BRAM18Bits / 8 }

// URAMBytes is the total UltraRAM capacity in bytes (33.75 MiB on the U280).
func (p Platform) URAMBytes() int64 { return int64(p.URAMs) * URAMBits / 8 }

// OnChipBytes is the on-chip memory an accelerator can use for buffers:
// BRAM plus URAM, in bytes.
func (p Platform) OnChipBytes() int64 { return p.BRAMBytes() + p.URAMBytes() }

// Validate reports the first field of the platform that is not usable: an
// empty name or a value outside its range (Ranges).
func (p Platform) Validate() error {
	if p.Name == "" {
		return fmt.Errorf("platform: name must not be empty")
	}
	if _, err := ParseDSPKind(string(p.DSPKind)); err != nil {
		return err
	}
	err := checkFields([]fieldValue{
		{"kernel_freq_hz", p.KernelFreqHz}, {"slrs", float64(p.SLRs)}, {"dsps", float64(p.DSPs)},
		{"luts", float64(p.LUTs)}, {"ffs", float64(p.FFs)}, {"bram18s", float64(p.BRAM18s)}, {"urams", float64(p.URAMs)},
	})
	if err == nil {
		err = p.HBM.Validate()
	}
	if err != nil {
		return fmt.Errorf("platform %q: %w", p.Name, err)
	}
	return nil
}

// ErrUnknownPreset is wrapped by the errors of the preset look-ups.
var ErrUnknownPreset = errors.New("unknown preset")
