package hw

import (
	"fmt"
	"strings"
)

// DefaultDesignName is the design roofsim uses when none is named.
const DefaultDesignName = "int8"

// Buffer sizes of the built-in designs, per array (three arrays take
// 24 MiB of the U280's 42.6 MiB of BRAM+URAM), and the shared activation
// store.
const (
	presetWeightBufferBytes = 2 * MiB
	presetInputBufferBytes  = 4 * MiB
	presetOutputBufferBytes = 2 * MiB
	// presetActivationBufferBytes is the shared activation store: with the
	// arrays' 24 MiB it takes 40 of the U280's 42.6 MiB of BRAM+URAM.
	presetActivationBufferBytes = 16 * MiB
	presetVectorLanes           = 64
	presetArrays                = U280SLRs // one array per SLR
)

// Designs returns the built-in designs, one per precision. Each has one
// array per SLR, sized so that an array takes 2,048-2,560 of the SLR's
// 3,008 DSPs (the rest is left to the vector unit, control and routing),
// 8 MiB of buffers per array, a 16 MiB activation store shared by the
// arrays, and 32 256-bit AXI ports, one per PC.
func Designs() []Design {
	mk := func(p Precision, rows, cols int) Design {
		return Design{
			Name:                  p.Name,
			Precision:             p,
			ArrayRows:             rows,
			ArrayCols:             cols,
			Arrays:                presetArrays,
			Dataflow:              OutputStationary,
			WeightBufferBytes:     presetWeightBufferBytes,
			InputBufferBytes:      presetInputBufferBytes,
			OutputBufferBytes:     presetOutputBufferBytes,
			ActivationBufferBytes: presetActivationBufferBytes,
			VectorLanes:           presetVectorLanes,
			HBMPorts:              32,
			PortBits:              256,
		}
	}
	ps := Precisions()
	return []Design{
		mk(ps[0], 16, 32),  // fp32: 512 PEs x 5 DSPs = 2,560 DSPs per array
		mk(ps[1], 32, 32),  // bf16: 1,024 PEs x 2 DSPs = 2,048 DSPs per array
		mk(ps[2], 64, 64),  // int8: 4,096 PEs x 0.5 DSP = 2,048 DSPs per array
		mk(ps[3], 128, 64), // int4: 8,192 PEs x 0.25 DSP = 2,048 DSPs per array
		mk(ps[4], 64, 64),  // w4a8: 4,096 PEs x 0.5 DSP = 2,048 DSPs per array
	}
}

// DesignNames lists the built-in design names, separated by '|'.
func DesignNames() string {
	var names []string
	for _, d := range Designs() {
		names = append(names, d.Name)
	}
	return strings.Join(names, "|")
}

// DesignByName returns the built-in design with the given name.
func DesignByName(name string) (Design, error) {
	for _, d := range Designs() {
		if strings.EqualFold(d.Name, name) {
			return d, nil
		}
	}
	return Design{}, fmt.Errorf("design %q: %w (accepted: %s, or a .json file)", name, ErrUnknownPreset, DesignNames())
}

// DesignForPrecision returns the built-in design of precision p.
func DesignForPrecision(p Precision) (Design, error) {
	return DesignByName(p.Name)
}
