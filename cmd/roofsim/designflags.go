package main

import (
	"errors"
	"fmt"

	"github.com/roofsim/roofsim/hw"
	"github.com/spf13/cobra"
)

// designFlag is a flag that overrides one design field; every command that
// edits a design takes the same flags, with the same names.
type designFlag struct {
	flag, field, typ, usage string
}

// designFlagTable lists the design flags in the order help prints them.
func designFlagTable() []designFlag {
	const size = "(bytes, or with KiB/MiB)"
	return []designFlag{
		{"array", "array", "RxC", "shape of one array, RxC PEs (e.g. 64x64)"},
		{"arrays", "arrays", "int", "number of arrays (a GEMM's column blocks are spread over them)"},
		{"dataflow", "dataflow", "os|ws", "dataflow: os (output-stationary) or ws (weight-stationary)"},
		{"weight-buffer", "weight_buffer_bytes", "size", "weight buffer per array, both halves " + size},
		{"input-buffer", "input_buffer_bytes", "size", "input buffer per array, both halves " + size},
		{"output-buffer", "output_buffer_bytes", "size", "output buffer per array, both halves " + size},
		{"activation-store", "activation_buffer_bytes", "size", "shared on-chip activation store " + size + "; 0 sends every activation through HBM"},
		{"weight-store", "weight_store_bytes", "size", "shared on-chip weight store " + size + ", taken from the board's BRAM+URAM; the pin_weights idea uses it"},
		{"buffer-read-bw", "buffer_read_bytes_per_cycle", "int", "bytes per cycle each buffer feeds its array; 0 is the array's full edge"},
		{"hbm-ports", "hbm_ports", "int", "HBM ports the design uses (one per pseudo-channel)"},
		{"port-bits", "port_bits", "int", "width of each HBM port: 256 or 512"},
		{"hbm-pcs", "hbm_pcs", "int", "pseudo-channels the data is spread over (0: one per port)"},
	}
}

// textValue is a flag kept as text, parsed later by hw.ApplyOverrides;
// typ is the value's form in help.
type textValue struct {
	s   *string
	typ string
}

func (v textValue) String() string     { return *v.s }
func (v textValue) Set(s string) error { *v.s = s; return nil }
func (v textValue) Type() string       { return v.typ }

// designFlags are the design overrides of a command, as text.
type designFlags struct {
	values map[string]*string // flag name -> text
}

// addDesignFlags registers the design flags of designFlagTable.
func addDesignFlags(cmd *cobra.Command, f *designFlags) {
	f.values = map[string]*string{}
	for _, df := range designFlagTable() {
		v := new(string)
		f.values[df.flag] = v
		cmd.Flags().Var(textValue{v, df.typ}, df.flag, df.usage)
	}
}

// overrides returns the design overrides of the flags given, in table
// order.
func (f *designFlags) overrides(cmd *cobra.Command) []hw.Override {
	var ovs []hw.Override
	for _, df := range designFlagTable() {
		if cmd.Flags().Changed(df.flag) {
			ovs = append(ovs, hw.Override{Field: df.field, Value: *f.values[df.flag]})
		}
	}
	return ovs
}

// apply returns d with the flags' overrides (and ovs before them), checked
// to fit platform p. An error names the flag: an override's, or
// designFlag (the flag d comes from) when no override was given.
func (f *designFlags) apply(cmd *cobra.Command, designFlag string, d hw.Design, p hw.Platform, ovs ...hw.Override) (hw.Design, error) {
	ovs = append(ovs, f.overrides(cmd)...)
	d, err := hw.ApplyOverrides(d, ovs...)
	if err != nil {
		return hw.Design{}, flagError(err)
	}
	if err := d.Fit(p); err != nil {
		if len(ovs) > 0 {
			return hw.Design{}, fmt.Errorf("%s: %w", flagNames(ovs), err)
		}
		return hw.Design{}, fmt.Errorf("%s: %w", designFlag, err)
	}
	return d, nil
}

// flagOf is the flag of a design field ("--activation-store"), or the
// field's name when no flag sets it.
func flagOf(field string) string {
	if field == "precision" {
		return "--precision"
	}
	for _, df := range designFlagTable() {
		if df.field == field {
			return "--" + df.flag
		}
	}
	return field
}

// flagError writes an override's error with the flag's name.
func flagError(err error) error {
	var fe *hw.FieldError
	if errors.As(err, &fe) {
		return fmt.Errorf("%s %s", flagOf(fe.Field), fe.Msg)
	}
	return err
}

// flagNames lists the flags of the overrides, separated by '/'.
func flagNames(ovs []hw.Override) string {
	s := ""
	for i, o := range ovs {
		if i > 0 {
			s += "/"
		}
		s += flagOf(o.Field)
	}
	return s
}
