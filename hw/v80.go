package hw

// Alveo V80 facts. The V80 carries the XCV80 (part
// xcv80-lsva4737-2MHP-e-S), a Versal HBM series device of the VH1782
// class: three SLRs, DSP58 engines, two HBM2E stacks behind the Versal
// NoC rather than the UltraScale+ segmented switch.
//
// Sources:
//   - Fabric: the "Available" column of a Vivado 2025.1 report_utilization
//     for a design on xcv80-lsva4737-2MHP-e-S (Registers 5,148,416; CLB
//     LUTs 2,574,208; Block RAM Tile 3,741; URAM 1,925; DSP Slices
//     10,848), the same totals a design-space study lists for DS950's
//     Table 16, column VH1782. The block RAM and UltraRAM agree with the
//     V80 data sheet DS1013 ("Adaptive SoC Resources": 132 Mb block RAM,
//     541 Mb UltraRAM): 3,741 x 36 Kb = 131.5 Mb, 1,925 x 288 Kb = 541.4 Mb.
//   - SLRs: AVED V80 NoC Configuration ("a three super logic region (SLR)
//     device"; xilinx.github.io/AVED).
//   - HBM: AMD PG313 ("Integrated HBM Controller": up to two HBM2E stacks
//     of 8 or 16 GB, 8 memory channels per stack, each split into two
//     64-bit pseudo-channels, controller and PHY up to 1600 MHz,
//     3200 MT/s, 819 GB/s for two stacks); AVED V80 Memory Resources
//     (32 GB in two 16 GB stacks, each pseudo-channel addresses 1 GB; the
//     AVED block design maps each HBMx_PCy to a 0x4000_0000-byte range).
//   - Path from the fabric to the HBM: AVED V80 NoC Configuration (64
//     HBM_NMUs, 256-bit, "64 NMUs * 12,800MB/s = 819.2 GB/s" at 400 MHz;
//     two HBM_NSUs per pseudo-channel) and PG313 (HBM_NMU AXI4, 32-256-bit
//     data, AxLen up to 256; an NMU accepts up to 64 reads and 64 writes;
//     the HBM HNoC's 8x8 crossbar switches: a route inside one switch
//     takes no lateral bandwidth, a route to a farther switch uses one of
//     the four physical bi-directional HNoC channels).
//   - Power: 190 W TDP, AMD's V80 product brief and product page
//     (A-V80-P64G-PQ-G), as quoted in several public sources; DS1013's own
//     table was not at hand.
const (
	// V80SLRs: the XCV80 has three SLRs (AVED V80 NoC Configuration).
	V80SLRs = 3
	// V80DSPs: 10,848 DSP58 engines (Vivado report_utilization,
	// xcv80-lsva4737-2MHP-e-S). A DSP58 is a superset of the DSP48E2
	// (AM004); roofsim costs a MAC in DSP48E2 terms (hw.Precision).
	V80DSPs = 10848
	// V80LUTs: 2,574,208 CLB LUTs (Vivado report_utilization).
	V80LUTs = 2574208
	// V80FFs: 5,148,416 CLB registers (Vivado report_utilization).
	V80FFs = 5148416
	// V80BRAM18s: 3,741 36 Kb block RAM tiles = 7,482 BRAM18 (Vivado
	// report_utilization; 131.5 Mb, DS1013's 132 Mb).
	V80BRAM18s = 2 * 3741
	// V80URAMs: 1,925 UltraRAM blocks of 288 Kb = 541 Mb (Vivado
	// report_utilization; DS1013).
	V80URAMs = 1925
	// V80MaxPowerW is the card's thermal design power in watts (AMD V80
	// product brief: up to 190 W).
	V80MaxPowerW = 190

	// V80HBMClockHz: the HBM2E controller and PHY run at up to 1600 MHz,
	// 3200 MT/s per pin (PG313): 64 bit x 3.2 GT/s = 25.6 GB/s per PC.
	V80HBMClockHz = 1600e6
	// V80PCBytes: each of the 32 PCs addresses 1 GiB (PG313 for a 16 GB
	// stack; the AVED address map gives each PC 0x4000_0000 bytes).
	V80PCBytes = 1 * GiB
	// V80RowsPerBank: 1 GiB / (16 banks x 1 KiB pages) = 65,536 rows. As
	// for the U55C, roofsim keeps the 16 banks of a pseudo-channel and
	// puts the larger capacity into rows.
	V80RowsPerBank = 65536
	// V80NMUFreqHz is the clock of an HBM_NMU's AXI interface roofsim
	// uses: 400 MHz, the clock at which AVED says the 64 256-bit HBM_NMUs
	// carry the HBM's 819.2 GB/s (12.8 GB/s each). It is the rate AVED
	// names, not a data-sheet maximum.
	V80NMUFreqHz = 400e6
	// V80NMUBits: an HBM_NMU's AXI data width is 32 to 256 bits (PG313).
	V80NMUBits = 256
	// V80NMUOutstanding: an NMU accepts up to 64 AXI reads and 64 AXI
	// writes (PG313, "NoC Master Unit").
	V80NMUOutstanding = 64
	// V80NMUMaxBurstBeats: HBM_NMUs take AXI4 bursts of up to 256 beats
	// (PG313, "AXI Support and Restrictions for HBM_NMUs").
	V80NMUMaxBurstBeats = 256
	// V80SwitchGroupPCs: one HBM 8x8 crossbar switch serves 8 HBM_NMUs
	// and 8 HBM_NSUs; with two HBM_NSUs per pseudo-channel (AVED) that is
	// 4 PCs. A route inside the switch is a full crossbar with no lateral
	// bandwidth (PG313, "Local Point to Point").
	V80SwitchGroupPCs = 4
)

// V80HBM returns the V80's HBM2E as roofsim's HBM model sees it: 32 PCs
// of 1 GiB at 25.6 GB/s each (819.2 GB/s), behind groups of 4 PCs that
// are full crossbars (PG313's 8x8 switches) chained by lateral links.
//
// What is approximated (docs/design.md, "Other boards"): the model has one
// 256-bit port per PC where the V80 has two HBM_NMUs per PC, so a port
// capped at the HBM port's rate (hbm.Params.HBMPortLimit) passes half a
// PC's bandwidth; a lateral link carries a full port's 12.8 GB/s (the
// range's maximum) where PG313's HNoC channel carries 16 GB/s at a 1 GHz
// NoC clock, and the model has 2 links per direction (hbm.Params) where
// PG313 has 4 channels; the hop latency (2 HBM cycles) and the switch's
// dead cycle on a change of write master are the U280's (PG276), not
// figures for the NoC. The DRAM timing is the HBM2 set: no HBM2E timing
// source was found (PG313 gives none, DRAMsim3 has no HBM2E part).
func V80HBM() HBM {
	h := U280HBM()
	h.ClockHz = V80HBMClockHz
	h.PCBytes = V80PCBytes
	h.RowsPerBank = V80RowsPerBank
	h.AXIPortBits = V80NMUBits
	h.AXIMaxFreqHz = V80NMUFreqHz
	h.AXIIDs = V80NMUOutstanding
	h.AXIMaxBurstBeats = V80NMUMaxBurstBeats
	h.SwitchGroupPorts = V80SwitchGroupPCs
	h.LateralBWFraction = 1
	return h
}

// V80 returns the built-in description of the AMD Alveo V80 card: the
// XCV80's fabric (three SLRs, 10,848 DSP58) and its 32 GB of HBM2E
// (V80HBM). The kernel clock is the U280's 300 MHz: the V80 has no Vitis
// platform whose default clock roofsim could take, and a design's clock
// is the one it asks for.
func V80() Platform {
	return Platform{
		Name:         "v80",
		KernelFreqHz: U280KernelFreqHz,
		SLRs:         V80SLRs,
		DSPs:         V80DSPs,
		DSPKind:      DSP58,
		LUTs:         V80LUTs,
		FFs:          V80FFs,
		BRAM18s:      V80BRAM18s,
		URAMs:        V80URAMs,
		HBM:          V80HBM(),
	}
}
