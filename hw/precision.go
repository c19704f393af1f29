package hw

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Precision is the arithmetic an accelerator computes in: how many bits
// each weight and each activation element takes, and how many DSP48E2
// slices one multiply-accumulate (MAC) costs.
type Precision struct {
	// Name is the precision's lower-case name: fp32, bf16, int8, int4 or w4a8.
	Name string
	// WeightBits is the size of one weight element in bits.
	WeightBits int
	// ActBits is the size of one activation (input or output) element in bits.
	ActBits int
	// DSPsPerMAC is the number of DSP48E2 slices one MAC unit costs; below 1
	// when several MACs pack into one DSP.
	DSPsPerMAC float64
}

// DSP cost of one MAC per precision, the defaults of docs/design.md#macs-per-dsp.
const (
	// FP32DSPsPerMAC: a Vitis HLS FP32 multiply-add is fmul (3 DSPs) plus
	// fadd (2 DSPs) (AMD UG1399, floating-point operator resource tables).
	FP32DSPsPerMAC = 5
	// BF16DSPsPerMAC: a BF16 multiply fits one 27x18 multiplier and its FP32
	// accumulation takes about one more.
	BF16DSPsPerMAC = 2
	// INT8DSPsPerMAC: two INT8 MACs sharing an operand per DSP48E2 (AMD WP486).
	INT8DSPsPerMAC = 0.5
	// INT4DSPsPerMAC: four INT4 MACs per DSP48E2 with packing (AMD WP521).
	INT4DSPsPerMAC = 0.25
	// W4A8DSPsPerMAC: INT4 weights times INT8 activations pack like INT8
	// (two products sharing the activation operand, AMD WP486).
	W4A8DSPsPerMAC = 0.5
	// FP16DSPsPerMAC: an IEEE half-precision multiply-add is hmul (1
	// DSP48E2: the 11x11-bit significand product fits one 27x18
	// multiplier) plus hadd (1 DSP48E2 for the aligned significand add)
	// in the full-DSP-usage configurations of AMD PG060 (Floating-Point
	// Operator v7.1, UltraScale+ resource tables; DSP48E2 per AMD UG579).
	FP16DSPsPerMAC = 2
	// FP64DSPsPerMAC: a double-precision multiply-add is dmul (11
	// DSP48E2: the 53x53-bit significand product tiled over 27x18
	// multipliers) plus dadd (3 DSP48E2), full DSP usage in AMD PG060's
	// UltraScale+ resource tables (Vitis HLS binds dmul and dadd to these
	// cores; AMD UG1399).
	FP64DSPsPerMAC = 14
)

// Precisions returns the built-in precisions in the seed notebook's order,
// followed by the mixed w4a8 (INT4 weights, INT8 activations).
func Precisions() []Precision {
	return []Precision{
		{Name: "fp32", WeightBits: 32, ActBits: 32, DSPsPerMAC: FP32DSPsPerMAC},
		{Name: "bf16", WeightBits: 16, ActBits: 16, DSPsPerMAC: BF16DSPsPerMAC},
		{Name: "int8", WeightBits: 8, ActBits: 8, DSPsPerMAC: INT8DSPsPerMAC},
		{Name: "int4", WeightBits: 4, ActBits: 4, DSPsPerMAC: INT4DSPsPerMAC},
		{Name: "w4a8", WeightBits: 4, ActBits: 8, DSPsPerMAC: W4A8DSPsPerMAC},
	}
}

// HLSPrecisions returns the precisions of HLS and BLAS-style designs
// beside the built-in ones: IEEE FP16 and FP64. They have no preset
// design; a design file names them.
func HLSPrecisions() []Precision {
	return []Precision{
		{Name: "fp16", WeightBits: 16, ActBits: 16, DSPsPerMAC: FP16DSPsPerMAC},
		{Name: "fp64", WeightBits: 64, ActBits: 64, DSPsPerMAC: FP64DSPsPerMAC},
	}
}

// SeedPrecisions returns the four precisions of the seed notebook:
// FP32, BF16, INT8 and INT4.
func SeedPrecisions() []Precision { return Precisions()[:4] }

// PrecisionNames lists the accepted precision names, separated by '|'.
func PrecisionNames() string {
	names := make([]string, 0, 7)
	for _, p := range append(Precisions(), HLSPrecisions()...) {
		names = append(names, p.Name)
	}
	return strings.Join(names, "|")
}

// PrecisionByName returns the built-in or HLS precision with the given
// name (case-insensitive).
func PrecisionByName(name string) (Precision, error) {
	for _, p := range append(Precisions(), HLSPrecisions()...) {
		if strings.EqualFold(p.Name, name) {
			return p, nil
		}
	}
	return Precision{}, fmt.Errorf("precision %q: %w (accepted: %s)", name, ErrUnknownPreset, PrecisionNames())
}

// MACsPerDSP is the number of MACs one DSP48E2 slice performs per cycle.
func (p Precision) MACsPerDSP() float64 { return 1 / p.DSPsPerMAC }

// WeightBytes is the size of n weight elements in bytes (INT4: half a byte each).
func (p Precision) WeightBytes(n int64) float64 { return float64(n) * float64(p.WeightBits) / 8 }

// ActBytes is the size of n activation elements in bytes.
func (p Precision) ActBytes(n int64) float64 { return float64(n) * float64(p.ActBits) / 8 }

// Mixed reports whether weights and activations have different sizes.
func (p Precision) Mixed() bool { return p.WeightBits != p.ActBits }

// String returns the precision's name.
func (p Precision) String() string { return p.Name }

// MarshalJSON writes the precision as its name.
func (p Precision) MarshalJSON() ([]byte, error) { return json.Marshal(p.Name) }

// UnmarshalJSON reads a precision name and looks up the built-in precision.
func (p *Precision) UnmarshalJSON(b []byte) error {
	var name string
	if err := json.Unmarshal(b, &name); err != nil {
		return fmt.Errorf("precision must be a string (%s)", PrecisionNames())
	}
	q, err := PrecisionByName(name)
	if err != nil {
		return err
	}
	*p = q
	return nil
}
