package hw

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Override sets one field of a design to a value given as text, the one
// way a design is changed from outside: the JSON loader (ParseDesign), the
// command-line flags and the sweep axes all build overrides and call
// ApplyOverrides.
type Override struct {
	// Field is the field's name as a design file spells it
	// ("weight_buffer_bytes"), or "array" for rows and columns at once.
	Field string
	// Value is the value as text: "64x64", "2MiB", "512", "int4", "ws".
	Value string
}

// FieldError is an override that was refused: the field and what is wrong
// with its value. A caller that knows the field under another name (a
// flag) can write the message with that name.
type FieldError struct {
	// Field is the field's name (Override.Field).
	Field string
	// Msg says what is wrong and what is accepted, without the field's
	// name: `"64" is not RxC (e.g. 64x64)`, "must be in 1..1024, got 0".
	Msg string
}

// Error writes the field's name, then the message.
func (e *FieldError) Error() string { return e.Field + " " + e.Msg }

// fieldKind is how an override's text becomes a field's value.
type fieldKind int

const (
	// kindText is a name: the design's name, a precision, a dataflow, a shape.
	kindText fieldKind = iota
	// kindInt is a whole number.
	kindInt
	// kindSize is a whole number of bytes, or a size with a unit ("2MiB").
	kindSize
	// kindFloat is a real number.
	kindFloat
)

// designField is one field an override can set.
type designField struct {
	name string
	kind fieldKind
	// file reports whether a design file may hold the field ("array" is
	// a shorthand for flags and sweep axes only).
	file bool
	// set stores the parsed value: text for kindText, else v, already
	// checked against the field's range (Ranges).
	set func(d *Design, text string, v float64) error
}

// designFields is every field an override can set, in the order a design
// file documents them.
func designFields() []designField {
	num := func(name string, kind fieldKind, set func(d *Design, v float64)) designField {
		return designField{name: name, kind: kind, file: true, set: func(d *Design, _ string, v float64) error {
			set(d, v)
			return nil
		}}
	}
	return []designField{
		{name: "name", kind: kindText, file: true, set: func(d *Design, s string, _ float64) error {
			if strings.TrimSpace(s) == "" || strings.ContainsAny(s, "\n\r") {
				return &FieldError{"name", "must be one non-empty line"}
			}
			d.Name = s
			return nil
		}},
		{name: "precision", kind: kindText, file: true, set: func(d *Design, s string, _ float64) error {
			p, err := PrecisionByName(s)
			if err != nil {
				return &FieldError{"precision", fmt.Sprintf("%q is not known (accepted: %s)", s, PrecisionNames())}
			}
			d.Precision = p
			return nil
		}},
		{name: "board", kind: kindText, file: true, set: func(d *Design, s string, _ float64) error {
			p, err := PlatformByName(s)
			if err != nil {
				return &FieldError{"board", fmt.Sprintf("%q is not a built-in board (accepted: %s)", s, PlatformNames())}
			}
			d.Board = p.Name
			return nil
		}},
		num("dsps_per_mac", kindFloat, func(d *Design, v float64) { d.DSPsPerMACOverride = v }),
		{name: "array", kind: kindText, set: func(d *Design, s string, _ float64) error {
			r, c, err := ParseArrayShape(s)
			if err != nil {
				return err
			}
			d.ArrayRows, d.ArrayCols = r, c
			return nil
		}},
		num("array_rows", kindInt, func(d *Design, v float64) { d.ArrayRows = int(v) }),
		num("array_cols", kindInt, func(d *Design, v float64) { d.ArrayCols = int(v) }),
		num("arrays", kindInt, func(d *Design, v float64) { d.Arrays = int(v) }),
		{name: "dataflow", kind: kindText, file: true, set: func(d *Design, s string, _ float64) error {
			df, err := ParseDataflow(s)
			if err != nil {
				return &FieldError{"dataflow", fmt.Sprintf("%q is not known (accepted: os|ws)", s)}
			}
			d.Dataflow = df
			return nil
		}},
		{name: "array_style", kind: kindText, file: true, set: func(d *Design, s string, _ float64) error {
			st, err := ParseArrayStyle(s)
			if err != nil {
				return &FieldError{"array_style", fmt.Sprintf("%q is not known (accepted: fold|streaming|dot)", s)}
			}
			d.ArrayStyle = st
			return nil
		}},
		{name: "buffering", kind: kindText, file: true, set: func(d *Design, s string, _ float64) error {
			b, err := ParseBuffering(s)
			if err != nil {
				return &FieldError{"buffering", fmt.Sprintf("%q is not known (accepted: %s)", s, BufferingNames)}
			}
			d.Buffering = b
			return nil
		}},
		num("weight_buffer_bytes", kindSize, func(d *Design, v float64) { d.WeightBufferBytes = int64(v) }),
		num("input_buffer_bytes", kindSize, func(d *Design, v float64) { d.InputBufferBytes = int64(v) }),
		num("output_buffer_bytes", kindSize, func(d *Design, v float64) { d.OutputBufferBytes = int64(v) }),
		num("activation_buffer_bytes", kindSize, func(d *Design, v float64) { d.ActivationBufferBytes = int64(v) }),
		num("weight_store_bytes", kindSize, func(d *Design, v float64) { d.WeightStoreBytes = int64(v) }),
		num("buffer_read_bytes_per_cycle", kindInt, func(d *Design, v float64) { d.BufferReadBytesPerCycle = int(v) }),
		num("vector_lanes", kindInt, func(d *Design, v float64) { d.VectorLanes = int(v) }),
		num("hbm_ports", kindInt, func(d *Design, v float64) { d.HBMPorts = int(v) }),
		{name: "port_bits", kind: kindInt, file: true, set: func(d *Design, _ string, v float64) error {
			if v != 256 && v != 512 {
				return &FieldError{"port_bits", fmt.Sprintf("must be 256 or 512, got %s", formatNum(v))}
			}
			d.PortBits = int(v)
			return nil
		}},
		num("hbm_pcs", kindInt, func(d *Design, v float64) { d.HBMPCs = int(v) }),
		num("freq_hz", kindFloat, func(d *Design, v float64) { d.FreqHz = v }),
		num("launch_cycles", kindInt, func(d *Design, v float64) { d.LaunchCycles = int64(v) }),
		num("burst_bytes", kindSize, func(d *Design, v float64) { d.BurstBytes = int64(v) }),
		num("attention_block_tokens", kindInt, func(d *Design, v float64) { d.AttentionBlockTokens = int(v) }),
		num("transpose_v_width", kindInt, func(d *Design, v float64) { d.TransposeVWidth = int(v) }),
		num("weight_reuse_rows", kindInt, func(d *Design, v float64) { d.WeightReuseRows = int(v) }),
		num("weight_scale_block", kindInt, func(d *Design, v float64) { d.WeightScaleBlock = int(v) }),
		num("weight_scale_bits", kindInt, func(d *Design, v float64) { d.WeightScaleBits = int(v) }),
	}
}

// DesignFieldNames lists the fields an override can set, separated by '|'.
func DesignFieldNames() string {
	var names []string
	for _, f := range designFields() {
		names = append(names, f.name)
	}
	return strings.Join(names, "|")
}

// lookupField returns the field of that name.
func lookupField(name string) (designField, bool) {
	for _, f := range designFields() {
		if f.name == name {
			return f, true
		}
	}
	return designField{}, false
}

// ParseArrayShape reads an array shape "RxC" (e.g. "64x64"): rows and
// columns, each in 1..MaxArrayEdge. The error is a *FieldError of the
// field "array".
func ParseArrayShape(s string) (rows, cols int, err error) {
	rs, cs, ok := strings.Cut(strings.ToLower(strings.TrimSpace(s)), "x")
	r, err1 := strconv.Atoi(rs)
	c, err2 := strconv.Atoi(cs)
	if !ok || err1 != nil || err2 != nil {
		return 0, 0, &FieldError{"array", fmt.Sprintf("%q is not RxC (e.g. 64x64)", s)}
	}
	if r < 1 || c < 1 || r > MaxArrayEdge || c > MaxArrayEdge {
		return 0, 0, &FieldError{"array", fmt.Sprintf("%q: rows and columns must be in 1..%d", s, MaxArrayEdge)}
	}
	return r, c, nil
}

// parseValue reads the text of a numeric field and checks it against the
// field's range.
func parseValue(f designField, text string) (float64, error) {
	var v float64
	switch f.kind {
	case kindSize:
		b, err := ParseBytes(text, 0, math.MaxInt64)
		if err != nil {
			// A negative size is out of range rather than malformed.
			if _, e := ParseBytes(strings.TrimPrefix(strings.TrimSpace(text), "-"), 0, math.MaxInt64); e == nil {
				if r, ok := RangeOf(f.name); ok {
					return 0, &FieldError{f.name, fmt.Sprintf("%q must be in %s bytes", text, r.Bounds())}
				}
			}
			return 0, &FieldError{f.name, err.Error()}
		}
		v = float64(b)
	default:
		x, err := strconv.ParseFloat(strings.TrimSpace(text), 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return 0, &FieldError{f.name, fmt.Sprintf("must be a number, got %q", text)}
		}
		if f.kind == kindInt && x != math.Trunc(x) {
			return 0, &FieldError{f.name, fmt.Sprintf("must be a whole number, got %s", text)}
		}
		v = x
	}
	if err := CheckField(f.name, v); err != nil {
		var fe *FieldError
		if errors.As(err, &fe) {
			return 0, fe
		}
		return 0, err
	}
	return v, nil
}

// SetField sets one field of d from text: the value is parsed by the
// field's kind and checked against its range (Ranges). It does not check
// the design as a whole (see Validate).
func (d *Design) SetField(field, text string) error {
	f, ok := lookupField(field)
	if !ok {
		return fmt.Errorf("design field %q is not known (accepted: %s)", field, DesignFieldNames())
	}
	var v float64
	if f.kind != kindText {
		var err error
		if v, err = parseValue(f, text); err != nil {
			return err
		}
	}
	return f.set(d, text, v)
}

// ApplyOverrides returns d with each override applied in order, then
// validated (Validate; the board fit is the caller's, see Fit). An
// override of hbm_ports drops an hbm_pcs that d had below the new port
// count (each port needs a PC of its own), unless the overrides also set
// hbm_pcs.
func ApplyOverrides(d Design, ovs ...Override) (Design, error) {
	pcsGiven := false
	for _, o := range ovs {
		pcsGiven = pcsGiven || o.Field == "hbm_pcs"
	}
	for _, o := range ovs {
		if err := d.SetField(o.Field, o.Value); err != nil {
			return Design{}, err
		}
		if o.Field == "hbm_ports" && !pcsGiven && d.HBMPCs > 0 && d.HBMPCs < d.HBMPorts {
			d.HBMPCs = 0
		}
	}
	if err := d.Validate(); err != nil {
		return Design{}, err
	}
	return d, nil
}
