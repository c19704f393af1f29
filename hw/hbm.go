package hw

import "fmt"

// HBM describes a board's HBM2 memory system as the user kernels see it:
// pseudo-channels (PCs) behind AXI ports and a segmented switch.
type HBM struct {
	// Stacks is the number of HBM2 stacks (2 on the U280; PG276).
	Stacks int `json:"stacks"`
	// PseudoChannels is the number of 64-bit pseudo-channels in all
	// (32 on the U280: 2 stacks x 8 channels x 2; PG276).
	PseudoChannels int `json:"pseudo_channels"`
	// PCBits is the data width of one pseudo-channel in bits (64; PG276).
	PCBits int `json:"pc_bits"`
	// ClockHz is the HBM command clock in Hz (900 MHz; PG276). Data moves on
	// both edges: 2 x ClockHz transfers per second per pin.
	ClockHz float64 `json:"clock_hz"`
	// PCBytes is the capacity of one pseudo-channel in bytes (256 MiB; PG276).
	PCBytes int64 `json:"pc_bytes"`
	// BanksPerPC is the number of banks in one pseudo-channel (16; JESD235).
	BanksPerPC int `json:"banks_per_pc"`
	// BankGroups is the number of bank groups per pseudo-channel (4; JESD235).
	BankGroups int `json:"bank_groups"`
	// PageBytes is the row (page) size of a pseudo-channel in bytes (1 KiB; PG276).
	PageBytes int `json:"page_bytes"`
	// RowsPerBank is the number of rows per bank (16,384; PG276).
	RowsPerBank int `json:"rows_per_bank"`
	// BurstBytes is the bytes moved by one BL4 burst on the 64-bit bus, which
	// is also the AXI beat of a 256-bit port (32 B; PG276).
	BurstBytes int `json:"burst_bytes"`
	// AXIPortBits is the native width of one AXI3 port of the HBM
	// subsystem (256 bits; PG276).
	AXIPortBits int `json:"axi_port_bits"`
	// AXIMaxFreqHz is the highest clock of an AXI port in Hz (450 MHz; PG276).
	AXIMaxFreqHz float64 `json:"axi_max_freq_hz"`
	// AXIIDs is the number of AXI IDs (outstanding transaction tags) per port
	// (64; PG276).
	AXIIDs int `json:"axi_ids"`
	// AXIMaxBurstBeats is the longest AXI3 burst in beats (16; AXI3 spec).
	AXIMaxBurstBeats int `json:"axi_max_burst_beats"`
	// SwitchGroupPorts is the number of AXI ports (and of PCs) in one group
	// of the segmented switch; traffic inside a group has no penalty
	// (4 ports x 4 PCs; PG276, "Switch Network").
	SwitchGroupPorts int `json:"switch_group_ports"`
	// LateralBWFraction is the share of a port's bandwidth a lateral link
	// between neighbouring switch groups carries (at most half; PG276).
	LateralBWFraction float64 `json:"lateral_bw_fraction"`
	// LateralLatencyCycles is the latency a lateral hop adds, in cycles of the
	// HBM clock. PG276 says only that crossing adds latency; 2 cycles per hop
	// is roofsim's assumption.
	LateralLatencyCycles int `json:"lateral_latency_cycles"`
	// Timing is the JEDEC-class timing of the HBM2 devices.
	Timing HBMTiming `json:"timing"`
}

// U280HBM returns the U280's HBM2 subsystem (AMD PG276, UG1393).
func U280HBM() HBM {
	return HBM{
		Stacks:               2,
		PseudoChannels:       32,
		PCBits:               64,
		ClockHz:              900e6,
		PCBytes:              256 * MiB,
		BanksPerPC:           16,
		BankGroups:           4,
		PageBytes:            1 * KiB,
		RowsPerBank:          16384,
		BurstBytes:           32,
		AXIPortBits:          256,
		AXIMaxFreqHz:         450e6,
		AXIIDs:               64,
		AXIMaxBurstBeats:     16,
		SwitchGroupPorts:     4,
		LateralBWFraction:    0.5,
		LateralLatencyCycles: 2,
		Timing:               HBM2Timing(),
	}
}

// TotalBytes is the capacity of all pseudo-channels in bytes (8 GiB on the U280).
func (h HBM) TotalBytes() int64 { return int64(h.PseudoChannels) * h.PCBytes }

// PCBytesPerSec is the peak bandwidth of one pseudo-channel in bytes per
// second: width x 2 transfers per clock x clock (14.4 GB/s on the U280).
func (h HBM) PCBytesPerSec() float64 { return float64(h.PCBits) / 8 * 2 * h.ClockHz }

// PeakBytesPerSec is the peak bandwidth of all pseudo-channels in bytes per
// second (460.8 GB/s on the U280).
func (h HBM) PeakBytesPerSec() float64 { return float64(h.PseudoChannels) * h.PCBytesPerSec() }

// BurstCycles is the number of HBM clock cycles one burst holds the data bus:
// BurstBytes / (PCBits/8) transfers at two transfers per cycle (2 on the U280).
func (h HBM) BurstCycles() int {
	transfers := h.BurstBytes / (h.PCBits / 8)
	return (transfers + 1) / 2
}

// Validate reports the first field of the HBM description that is not
// usable: a value outside its range (Ranges) or sizes that do not divide.
func (h HBM) Validate() error {
	err := checkFields([]fieldValue{
		{"hbm.stacks", float64(h.Stacks)}, {"hbm.pseudo_channels", float64(h.PseudoChannels)},
		{"hbm.pc_bits", float64(h.PCBits)}, {"hbm.clock_hz", h.ClockHz}, {"hbm.pc_bytes", float64(h.PCBytes)},
		{"hbm.banks_per_pc", float64(h.BanksPerPC)}, {"hbm.bank_groups", float64(h.BankGroups)},
		{"hbm.page_bytes", float64(h.PageBytes)}, {"hbm.rows_per_bank", float64(h.RowsPerBank)},
		{"hbm.burst_bytes", float64(h.BurstBytes)}, {"hbm.axi_port_bits", float64(h.AXIPortBits)},
		{"hbm.axi_max_freq_hz", h.AXIMaxFreqHz}, {"hbm.axi_ids", float64(h.AXIIDs)},
		{"hbm.axi_max_burst_beats", float64(h.AXIMaxBurstBeats)}, {"hbm.switch_group_ports", float64(h.SwitchGroupPorts)},
		{"hbm.lateral_bw_fraction", h.LateralBWFraction}, {"hbm.lateral_latency_cycles", float64(h.LateralLatencyCycles)},
	})
	if err != nil {
		return err
	}
	checks := []struct {
		ok   bool
		what string
	}{
		{h.PCBits%8 == 0, fmt.Sprintf("hbm.pc_bits must be a multiple of 8, got %d", h.PCBits)},
		{h.BanksPerPC%h.BankGroups == 0, fmt.Sprintf("hbm.bank_groups must divide banks_per_pc (%d), got %d", h.BanksPerPC, h.BankGroups)},
		{h.BurstBytes%(h.PCBits/8) == 0, fmt.Sprintf("hbm.burst_bytes must be a multiple of pc_bits/8 (%d), got %d", h.PCBits/8, h.BurstBytes)},
		{h.AXIPortBits%8 == 0, fmt.Sprintf("hbm.axi_port_bits must be a multiple of 8, got %d", h.AXIPortBits)},
		{h.PseudoChannels%h.SwitchGroupPorts == 0, fmt.Sprintf("hbm.switch_group_ports must divide pseudo_channels (%d), got %d", h.PseudoChannels, h.SwitchGroupPorts)},
	}
	for _, c := range checks {
		if !c.ok {
			return fmt.Errorf("%s", c.what)
		}
	}
	if err := h.Timing.Validate(); err != nil {
		return err
	}
	if _, err := h.Timing.CyclesChecked(h.ClockHz); err != nil {
		return err
	}
	return nil
}

// HBMTiming holds the HBM2 device timing parameters. Values in nanoseconds
// are those of DRAMsim3's HBM2 configuration (JEDEC JESD235-class parts);
// tCCD is given in clock cycles (tCK) as the standard does. Cycles converts
// them to cycles of the HBM command clock.
type HBMTiming struct {
	// CLNs is the read latency (CAS latency): read command to first data, in ns.
	CLNs float64 `json:"cl_ns"`
	// CWLNs is the write latency: write command to first data, in ns.
	// DRAMsim3's HBM2 uses a write latency of 4 tCK (4.4 ns at 900 MHz).
	CWLNs float64 `json:"cwl_ns"`
	// TRCDNs is the activate-to-read/write delay, in ns.
	TRCDNs float64 `json:"trcd_ns"`
	// TRPNs is the precharge period, in ns.
	TRPNs float64 `json:"trp_ns"`
	// TRASNs is the minimum activate-to-precharge time, in ns.
	TRASNs float64 `json:"tras_ns"`
	// TCCDSCycles is the column-to-column delay between different bank
	// groups, in HBM clock cycles.
	TCCDSCycles int `json:"tccd_s_cycles"`
	// TCCDLCycles is the column-to-column delay within a bank group, in HBM
	// clock cycles.
	TCCDLCycles int `json:"tccd_l_cycles"`
	// TRRDSNs is the activate-to-activate delay between different bank
	// groups, in ns.
	TRRDSNs float64 `json:"trrd_s_ns"`
	// TRRDLNs is the activate-to-activate delay within a bank group, in ns.
	TRRDLNs float64 `json:"trrd_l_ns"`
	// TFAWNs is the four-activate window: at most four activates in any
	// window of this length, in ns.
	TFAWNs float64 `json:"tfaw_ns"`
	// TWRNs is the write recovery time (end of write data to precharge), in ns.
	TWRNs float64 `json:"twr_ns"`
	// TWTRSNs is the write-to-read turnaround between different bank groups
	// (end of write data to read command), in ns.
	TWTRSNs float64 `json:"twtr_s_ns"`
	// TWTRLNs is the write-to-read turnaround within a bank group, in ns.
	TWTRLNs float64 `json:"twtr_l_ns"`
	// TRTWCycles is the read-to-write bus turnaround (gap between the end of
	// read data and the start of write data), in HBM clock cycles.
	TRTWCycles int `json:"trtw_cycles"`
	// TRFCNs is the all-bank refresh cycle time, in ns.
	TRFCNs float64 `json:"trfc_ns"`
	// TREFINs is the average refresh interval, in ns.
	TREFINs float64 `json:"trefi_ns"`
}

// HBM2Timing returns the HBM2 timing of docs/design.md#hbm2-timing (DRAMsim3's HBM2
// configuration): CL 14, tRCD 14, tRP 14, tRAS 34, tCCD_S 1 tCK, tCCD_L 2 tCK,
// tRRD_S 4, tRRD_L 6, tFAW 30, tWR 16, tWTR_S 6, tWTR_L 8, tRFC 260,
// tREFI 3900 (ns).
func HBM2Timing() HBMTiming {
	return HBMTiming{
		CLNs:        14,
		CWLNs:       4.4,
		TRCDNs:      14,
		TRPNs:       14,
		TRASNs:      34,
		TCCDSCycles: 1,
		TCCDLCycles: 2,
		TRRDSNs:     4,
		TRRDLNs:     6,
		TFAWNs:      30,
		TWRNs:       16,
		TWTRSNs:     6,
		TWTRLNs:     8,
		TRTWCycles:  2,
		TRFCNs:      260,
		TREFINs:     3900,
	}
}

// Validate reports the first timing value outside its range (Ranges) and
// a refresh longer than half the refresh interval.
func (t HBMTiming) Validate() error {
	err := checkFields([]fieldValue{
		{"hbm.timing.cl_ns", t.CLNs}, {"hbm.timing.cwl_ns", t.CWLNs}, {"hbm.timing.trcd_ns", t.TRCDNs},
		{"hbm.timing.trp_ns", t.TRPNs}, {"hbm.timing.tras_ns", t.TRASNs},
		{"hbm.timing.tccd_s_cycles", float64(t.TCCDSCycles)}, {"hbm.timing.tccd_l_cycles", float64(t.TCCDLCycles)},
		{"hbm.timing.trrd_s_ns", t.TRRDSNs}, {"hbm.timing.trrd_l_ns", t.TRRDLNs}, {"hbm.timing.tfaw_ns", t.TFAWNs},
		{"hbm.timing.twr_ns", t.TWRNs}, {"hbm.timing.twtr_s_ns", t.TWTRSNs}, {"hbm.timing.twtr_l_ns", t.TWTRLNs},
		{"hbm.timing.trtw_cycles", float64(t.TRTWCycles)}, {"hbm.timing.trfc_ns", t.TRFCNs},
		{"hbm.timing.trefi_ns", t.TREFINs},
	})
	if err != nil {
		return err
	}
	// A refresh takes 5-15% of tREFI on real parts (HBM2 260 of 3900 ns);
	// above half, the memory would mostly refresh and the model spend its
	// events on refreshes.
	if t.TRFCNs > t.TREFINs/2 {
		return fmt.Errorf("hbm.timing.trfc_ns (%g) must be at most half of trefi_ns (%g)", t.TRFCNs, t.TREFINs)
	}
	return nil
}

// HBMTimingCycles is HBMTiming converted to whole cycles of the HBM command
// clock, each value rounded up (a constraint is never shortened).
type HBMTimingCycles struct {
	CL, CWL, RCD, RP, RAS, CCDS, CCDL, RRDS, RRDL, FAW, WR, WTRS, WTRL, RTW, RFC, REFI int
}

// Cycles converts the timing to cycles of a clock of freqHz (the HBM
// command clock), rounding each nanosecond value up to a whole cycle. The
// timing and the clock must be valid (HBM.Validate checks the conversion);
// a value that does not convert is 0.
func (t HBMTiming) Cycles(freqHz float64) HBMTimingCycles {
	c, _ := t.convert(freqHz)
	return c
}

// CyclesChecked is Cycles with an error naming the first value that is
// not a cycle count of the clock (negative, not finite, or above
// MaxCycles).
func (t HBMTiming) CyclesChecked(freqHz float64) (HBMTimingCycles, error) { return t.convert(freqHz) }

func (t HBMTiming) convert(freqHz float64) (HBMTimingCycles, error) {
	var first error
	c := func(field string, ns float64) int {
		v, err := NsToCycles(ns, freqHz)
		if err != nil && first == nil {
			first = fmt.Errorf("hbm.timing.%s: %w", field, err)
		}
		return int(v)
	}
	out := HBMTimingCycles{
		CL: c("cl_ns", t.CLNs), CWL: c("cwl_ns", t.CWLNs), RCD: c("trcd_ns", t.TRCDNs), RP: c("trp_ns", t.TRPNs),
		RAS: c("tras_ns", t.TRASNs), CCDS: t.TCCDSCycles, CCDL: t.TCCDLCycles,
		RRDS: c("trrd_s_ns", t.TRRDSNs), RRDL: c("trrd_l_ns", t.TRRDLNs), FAW: c("tfaw_ns", t.TFAWNs),
		WR: c("twr_ns", t.TWRNs), WTRS: c("twtr_s_ns", t.TWTRSNs), WTRL: c("twtr_l_ns", t.TWTRLNs),
		RTW: t.TRTWCycles, RFC: c("trfc_ns", t.TRFCNs), REFI: c("trefi_ns", t.TREFINs),
	}
	return out, first
}
