package hw

import (
	"fmt"
	"math"
	"strconv"
)

// Range is the accepted values of one numeric input field: Min..Max in
// Unit (and 0 when ZeroOK, where 0 means "the default" or "none"). The
// ranges come from the hardware: wide enough for boards well beyond the
// U280, narrow enough that no accepted value overflows a cycle count or an
// event time (docs/reliability.md explains each).
type Range struct {
	// Field is the field's name as a file spells it, with its path
	// ("kernel_freq_hz", "hbm.timing.cl_ns", "array_rows").
	Field string
	// Min and Max bound the value, both included, in Unit.
	Min, Max float64
	// Unit is the value's unit ("Hz", "ns", "bytes", "cycles", "" for a count).
	Unit string
	// ZeroOK also accepts 0 (a default or "none") below Min.
	ZeroOK bool
	// Why says where the bounds come from.
	Why string
}

// Bounds of the ranges that several fields share.
const (
	// MinClockHz and MaxKernelClockHz bound a kernel (fabric) clock: FPGA
	// fabric clocks run at tens to hundreds of MHz (the U280's kernels at
	// 300 MHz, its AXI ports at most 450 MHz; PG276); 2 GHz leaves room.
	MinClockHz       = 1e6
	MaxKernelClockHz = 2e9
	// MinHBMClockHz and MaxHBMClockHz bound a DRAM command clock: HBM2 runs
	// at 900 MHz-1.2 GHz, HBM3 up to 3.2 GHz (6.4 Gb/s per pin).
	MinHBMClockHz = 100e6
	MaxHBMClockHz = 4e9
	// MaxTimingNs bounds a DRAM timing: every JEDEC HBM/DDR constraint is
	// well below 10 us (tRFC 260-550 ns); at 4 GHz it is 40,000 cycles.
	MaxTimingNs = 10e3
	// MaxRefreshIntervalNs bounds tREFI (3.9 us for HBM2, 7.8 us for DDR4).
	MaxRefreshIntervalNs = 100e3
	// MaxSizeBytes bounds a memory or buffer size: 1 TiB, far above any
	// on-chip memory and any pseudo-channel.
	MaxSizeBytes = 1 << 40
	// MaxArrayEdge bounds the rows and columns of an array and the lanes of
	// a vector unit; MaxArrays the arrays of a design; MaxPorts the AXI
	// ports, pseudo-channels and PCs of a design or a board.
	MaxArrayEdge = 1 << 16
	MaxArrays    = 1 << 10
	MaxPorts     = 1 << 10
	// MaxLatencyCycles bounds a pipeline latency given in cycles.
	MaxLatencyCycles = 1 << 16
)

// Ranges is the table of every numeric field of a platform (its HBM and
// timing included) and a design, with its accepted range.
func Ranges() []Range {
	const (
		clk    = "FPGA fabric clocks are 100-500 MHz; 1 MHz..2 GHz covers any board"
		timing = "JEDEC DRAM timings are below 1 us; 10 us is 40,000 cycles at 4 GHz"
		size   = "1 TiB is far above any on-chip memory or pseudo-channel"
		count  = "far above any FPGA (the largest have about 15,000 DSPs, 4,000,000 LUTs)"
		lat    = "a pipeline is tens of cycles; 65,536 keeps every sum far from overflow"
	)
	return []Range{
		{"kernel_freq_hz", MinClockHz, MaxKernelClockHz, "Hz", false, clk},
		{"slrs", 1, 16, "", false, "multi-die FPGAs have 1-4 SLRs"},
		{"dsps", 1, 1 << 20, "", false, count},
		{"luts", 0, 1 << 26, "", false, count},
		{"ffs", 0, 1 << 27, "", false, count},
		{"bram18s", 0, 1 << 20, "", false, count},
		{"urams", 0, 1 << 20, "", false, count},

		{"hbm.stacks", 1, 16, "", false, "boards carry 1-8 HBM stacks"},
		{"hbm.pseudo_channels", 1, MaxPorts, "", false, "HBM3 has 32 per stack; one simulated controller each"},
		{"hbm.pc_bits", 8, 1024, "bits", false, "a pseudo-channel is 64 bits (HBM2) or 32 (HBM3)"},
		{"hbm.clock_hz", MinHBMClockHz, MaxHBMClockHz, "Hz", false, "HBM2 900 MHz-1.2 GHz, HBM3 up to 3.2 GHz"},
		{"hbm.pc_bytes", MiB, MaxSizeBytes, "bytes", false, "256 MiB on the U280; " + size},
		{"hbm.banks_per_pc", 1, 256, "", false, "16 (HBM2) to 64 banks"},
		{"hbm.bank_groups", 1, 64, "", false, "4 (HBM2) to 8 bank groups"},
		{"hbm.page_bytes", 32, 64 * KiB, "bytes", false, "DRAM pages are 512 B-8 KiB"},
		{"hbm.rows_per_bank", 1, 1 << 24, "", false, "16,384 on the U280; row addresses are at most 18 bits"},
		{"hbm.burst_bytes", 1, 4 * KiB, "bytes", false, "a burst is 32-64 B; an AXI transfer at most 4 KiB"},
		{"hbm.axi_port_bits", 8, 4096, "bits", false, "AXI data widths are 32-1024 bits"},
		{"hbm.axi_max_freq_hz", MinClockHz, MaxKernelClockHz, "Hz", false, clk},
		{"hbm.axi_ids", 1, 4096, "", false, "64 per port on the U280; AXI IDs are at most 12 bits"},
		{"hbm.axi_max_burst_beats", 1, 256, "", false, "16 for AXI3, 256 for AXI4"},
		{"hbm.switch_group_ports", 1, MaxPorts, "", false, "4 on the U280"},
		{"hbm.lateral_bw_fraction", 0.001, 1, "", false, "a share of a port's bandwidth, above zero"},
		{"hbm.lateral_latency_cycles", 0, MaxLatencyCycles, "cycles", false, lat},

		{"hbm.timing.cl_ns", 0, MaxTimingNs, "ns", false, timing},
		{"hbm.timing.cwl_ns", 0, MaxTimingNs, "ns", false, timing},
		{"hbm.timing.trcd_ns", 0, MaxTimingNs, "ns", false, timing},
		{"hbm.timing.trp_ns", 0, MaxTimingNs, "ns", false, timing},
		{"hbm.timing.tras_ns", 0, MaxTimingNs, "ns", false, timing},
		{"hbm.timing.tccd_s_cycles", 0, MaxLatencyCycles, "cycles", false, lat},
		{"hbm.timing.tccd_l_cycles", 0, MaxLatencyCycles, "cycles", false, lat},
		{"hbm.timing.trrd_s_ns", 0, MaxTimingNs, "ns", false, timing},
		{"hbm.timing.trrd_l_ns", 0, MaxTimingNs, "ns", false, timing},
		{"hbm.timing.tfaw_ns", 0, MaxTimingNs, "ns", false, timing},
		{"hbm.timing.twr_ns", 0, MaxTimingNs, "ns", false, timing},
		{"hbm.timing.twtr_s_ns", 0, MaxTimingNs, "ns", false, timing},
		{"hbm.timing.twtr_l_ns", 0, MaxTimingNs, "ns", false, timing},
		{"hbm.timing.trtw_cycles", 0, MaxLatencyCycles, "cycles", false, lat},
		{"hbm.timing.trfc_ns", 0, MaxTimingNs, "ns", false, timing},
		{"hbm.timing.trefi_ns", 100, MaxRefreshIntervalNs, "ns", false,
			"tREFI is 3.9 us (HBM2) or 7.8 us (DDR4); above zero, or refresh would never end"},

		{"dsps_per_mac", 1.0 / 64, 64, "", true, "0.25 (INT4 packing) to 5 (FP32); 0 takes the precision's"},
		{"array_rows", 1, MaxArrayEdge, "", false, "an array edge of 65,536 PEs is far above any FPGA"},
		{"array_cols", 1, MaxArrayEdge, "", false, "an array edge of 65,536 PEs is far above any FPGA"},
		{"arrays", 1, MaxArrays, "", false, "one array per SLR or a few per SLR"},
		{"weight_buffer_bytes", 1, MaxSizeBytes, "bytes", false, size},
		{"input_buffer_bytes", 1, MaxSizeBytes, "bytes", false, size},
		{"output_buffer_bytes", 1, MaxSizeBytes, "bytes", false, size},
		{"activation_buffer_bytes", 0, MaxSizeBytes, "bytes", false, size + "; 0 keeps activations in HBM"},
		{"weight_store_bytes", 0, MaxSizeBytes, "bytes", false, size + "; 0 has no weight store"},
		{"buffer_read_bytes_per_cycle", 0, 1 << 20, "bytes/cycle", false, "0 is as wide as the array's edge"},
		{"vector_lanes", 1, MaxArrayEdge, "", false, "64 in the presets"},
		{"hbm_ports", 1, MaxPorts, "", false, "32 AXI ports on the U280"},
		{"port_bits", 256, 512, "bits", false, "the U280's ports are 256 bits, or 512 with a width converter"},
		{"hbm_pcs", 1, MaxPorts, "", true, "0 spreads over as many PCs as ports"},
		{"freq_hz", MinClockHz, MaxKernelClockHz, "Hz", true, clk + "; 0 takes the platform's"},
		{"launch_cycles", 0, 1 << 24, "cycles", false, "an XRT kernel start takes microseconds, thousands of cycles; 0 has none"},
		{"burst_bytes", 32, DefaultBurstBytes, "bytes", true, "an AXI burst is 1-256 beats and may not cross 4 KiB; 0 is 4 KiB"},
		{"attention_block_tokens", 0, 1 << 16, "tokens", false, "an attention kernel's block is tens of positions (64 on the Unified Engine); 0 has none"},
		{"transpose_v_width", 0, MaxArrayEdge, "", false, "one-hot dots as long as the array's (64 on the Unified Engine); 0 has none"},
		{"weight_reuse_rows", 0, 1 << 20, "rows", false, "1 re-reads the weights for every row (a dot unit streaming them); 0 lets the buffers decide"},
		{"weight_scale_block", 0, 1 << 16, "weights", false, "block formats scale 16-256 weights (IF4 and MXFP4: 64 and 32); 0 has no scales"},
		{"weight_scale_bits", 0, 64, "bits", false, "a scale is 8-32 bits (bf16: 16); 0 has no scales"},

		// The HBM model's parameters (sim/hbm Params).
		{"switch_freq_hz", MinClockHz, MaxHBMClockHz, "Hz", false, "the switch runs at the AXI clock, 450 MHz on the U280"},
		{"outstanding", 1, 4096, "", false, "AXI IDs are at most 12 bits"},
		{"queue_depth", 1, 4096, "", false, "controller reorder windows are 16-64 bursts"},
		{"interleave_bytes", 0, MaxSizeBytes, "bytes", false, size + "; 0 maps each PC to one range"},
		{"lateral_links", 1, 64, "", false, "a few links between neighbouring switch groups"},
		{"port_req_latency_cycles", 0, MaxLatencyCycles, "cycles", false, lat},
		{"port_rsp_latency_cycles", 0, MaxLatencyCycles, "cycles", false, lat},
		{"switch_req_latency_cycles", 0, MaxLatencyCycles, "cycles", false, lat},
		{"switch_rsp_latency_cycles", 0, MaxLatencyCycles, "cycles", false, lat},
	}
}

// RangeOf returns the range of field (a Field of Ranges) and whether it is
// in the table.
func RangeOf(field string) (Range, bool) {
	for _, r := range Ranges() {
		if r.Field == field {
			return r, true
		}
	}
	return Range{}, false
}

// formatNum writes v as an integer when it is one, else in %g form.
func formatNum(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// Bounds writes the accepted values without the unit: "1..1024",
// "0 or 1000000..2000000000".
func (r Range) Bounds() string {
	s := formatNum(r.Min) + ".." + formatNum(r.Max)
	if r.ZeroOK {
		s = "0 or " + s
	}
	return s
}

// String writes the accepted values with the unit: "1000000..2000000000 Hz".
func (r Range) String() string {
	if r.Unit == "" {
		return r.Bounds()
	}
	return r.Bounds() + " " + r.Unit
}

// Contains reports whether v is accepted (a finite value in the range).
func (r Range) Contains(v float64) bool {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return false
	}
	return (r.ZeroOK && v == 0) || (v >= r.Min && v <= r.Max)
}

// Check returns nil when v is accepted, else a *FieldError naming the
// field, the value and the accepted range.
func (r Range) Check(v float64) error {
	if r.Contains(v) {
		return nil
	}
	unit := ""
	if r.Unit != "" {
		unit = " " + r.Unit
	}
	return &FieldError{r.Field, fmt.Sprintf("must be in %s, got %s%s", r.Bounds(), formatNum(v), unit)}
}

// CheckField checks v against the range of field in Ranges. A field not in
// the table is a programming error, reported as such.
func CheckField(field string, v float64) error {
	r, ok := RangeOf(field)
	if !ok {
		return fmt.Errorf("hw: no range for field %q (a bug)", field)
	}
	return r.Check(v)
}

// fieldValue is a field's name and its value, for checking a list of
// fields against their ranges.
type fieldValue struct {
	field string
	v     float64
}

// checkFields checks each value against its range and returns the first
// error.
func checkFields(fs []fieldValue) error {
	for _, f := range fs {
		if err := CheckField(f.field, f.v); err != nil {
			return err
		}
	}
	return nil
}

// NsToCycles converts a duration in ns to whole cycles of a clock of
// freqHz, rounding up (a constraint is never shortened). It fails on a
// negative or non-finite duration or clock and on a result above
// MaxCycles.
func NsToCycles(ns, freqHz float64) (int64, error) {
	return toCycles(ns*freqHz/1e9, fmt.Sprintf("%g ns at %g Hz", ns, freqHz))
}

// SecondsToCycles converts a duration in seconds to whole cycles of a
// clock of freqHz, rounding up, with the checks of NsToCycles.
func SecondsToCycles(s, freqHz float64) (int64, error) {
	return toCycles(s*freqHz, fmt.Sprintf("%g s at %g Hz", s, freqHz))
}

// MaxCycles bounds every cycle count and cycle timestamp of a simulation:
// 2^52 cycles (15 days at 3.5 GHz) keep cycle/freq exact in a float64
// event time and leave int64 sums far from overflow.
const MaxCycles = 1 << 52

// toCycles rounds x cycles up to a whole count. The small tolerance keeps
// 14 ns at 900 MHz (12.6 cycles) at 13 and an exact 4.4 ns at 4 cycles
// despite binary rounding.
func toCycles(x float64, what string) (int64, error) {
	if math.IsNaN(x) || x < 0 || x > MaxCycles {
		return 0, fmt.Errorf("%s is not a cycle count in 0..%d", what, int64(MaxCycles))
	}
	return int64(math.Ceil(x - 1e-9)), nil
}
