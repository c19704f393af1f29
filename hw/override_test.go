package hw

import (
	"errors"
	"strings"
	"testing"
)

func TestApplyOverrides(t *testing.T) {
	int8, _ := DesignByName("int8")
	pcs := int8
	pcs.HBMPCs = 8
	pcs.HBMPorts = 8
	cases := []struct {
		name  string
		base  Design
		ovs   []Override
		check func(Design) bool
		err   string
	}{
		{"array shape", int8, []Override{{"array", "32x16"}}, func(d Design) bool { return d.ArrayRows == 32 && d.ArrayCols == 16 }, ""},
		{"size with unit", int8, []Override{{"weight_store_bytes", "2560KiB"}}, func(d Design) bool { return d.WeightStoreBytes == 2560*KiB }, ""},
		{"activation store 0", int8, []Override{{"activation_buffer_bytes", "0"}}, func(d Design) bool { return d.ActivationBufferBytes == 0 }, ""},
		{"dataflow", int8, []Override{{"dataflow", "weight-stationary"}}, func(d Design) bool { return d.Dataflow == WeightStationary }, ""},
		{"precision", int8, []Override{{"precision", "INT4"}}, func(d Design) bool { return d.Precision.Name == "int4" }, ""},
		{"ports drop fewer pcs", pcs, []Override{{"hbm_ports", "16"}}, func(d Design) bool { return d.HBMPorts == 16 && d.HBMPCs == 0 }, ""},
		{"ports keep pcs given", pcs, []Override{{"hbm_ports", "16"}, {"hbm_pcs", "4"}}, func(d Design) bool { return d.HBMPCs == 4 }, ""},
		{"bad shape", int8, []Override{{"array", "64"}}, nil, `array "64" is not RxC (e.g. 64x64)`},
		{"edge too large", int8, []Override{{"array", "1x70000"}}, nil, "rows and columns must be in 1..65536"},
		{"out of range", int8, []Override{{"arrays", "0"}}, nil, "arrays must be in 1..1024, got 0"},
		{"not whole", int8, []Override{{"hbm_ports", "1.5"}}, nil, "hbm_ports must be a whole number, got 1.5"},
		{"port bits", int8, []Override{{"port_bits", "384"}}, nil, "port_bits must be 256 or 512, got 384"},
		{"negative size", int8, []Override{{"activation_buffer_bytes", "-1MiB"}}, nil, `activation_buffer_bytes "-1MiB" must be in 0..1099511627776 bytes`},
		{"bad size", int8, []Override{{"weight_buffer_bytes", "lots"}}, nil, `weight_buffer_bytes "lots" is not a size`},
		{"unknown field", int8, []Override{{"rows", "3"}}, nil, `design field "rows" is not known (accepted: ` + DesignFieldNames()},
		{"unknown precision", int8, []Override{{"precision", "fp128"}}, nil, `precision "fp128" is not known`},
	}
	for _, c := range cases {
		got, err := ApplyOverrides(c.base, c.ovs...)
		checkOutcome(t, c.name, err, c.err)
		if c.err == "" && err == nil && !c.check(got) {
			t.Errorf("%s: got %+v", c.name, got)
		}
		var fe *FieldError
		if c.err != "" && !strings.HasPrefix(c.name, "unknown field") && !errors.As(err, &fe) {
			t.Errorf("%s: error %v is not a *FieldError", c.name, err)
		}
	}
	if int8.ArrayRows == 32 || int8.WeightStoreBytes != 0 {
		t.Error("ApplyOverrides changed its argument")
	}
}

func FuzzParseArrayShape(f *testing.F) {
	for _, s := range []string{"64x64", "16X32", "x", "0x4", "1x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, c, err := ParseArrayShape(s)
		if err == nil && (r <= 0 || c <= 0) {
			t.Errorf("ParseArrayShape(%q) = %d, %d accepted", s, r, c)
		}
	})
}
