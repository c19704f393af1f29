package hw

import (
	"math"
	"os"
	"strings"
	"testing"
)

// TestRangesTable checks the table itself: one entry per field, sane
// bounds, a reason, and the U280 and every preset inside it.
func TestRangesTable(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Ranges() {
		if seen[r.Field] {
			t.Errorf("%s: listed twice", r.Field)
		}
		seen[r.Field] = true
		if !(r.Min <= r.Max) || r.Why == "" {
			t.Errorf("%s: bad range %v or no reason", r.Field, r)
		}
	}
	if err := U280().Validate(); err != nil {
		t.Errorf("u280 outside the ranges: %v", err)
	}
	for _, d := range Designs() {
		if err := d.Validate(); err != nil {
			t.Errorf("preset outside the ranges: %v", err)
		}
	}
}

// TestRangesKeepCyclesExact checks that the extreme accepted clock and
// timing give cycle counts far below MaxCycles.
func TestRangesKeepCyclesExact(t *testing.T) {
	c, err := NsToCycles(MaxRefreshIntervalNs, MaxHBMClockHz)
	if err != nil || c > 1<<20 {
		t.Errorf("the longest timing at the fastest clock: %d cycles, %v", c, err)
	}
}

// TestPlatformRanges runs the reproductions and the edges of the
// ranges: each bad value is refused with one line naming the field, the
// value and the accepted range.
func TestPlatformRanges(t *testing.T) {
	cases := []struct {
		name, in string
		want     string // "" accepts
	}{
		{"repro 1: cl 1e12 ns", `{"name":"x","hbm":{"timing":{"cl_ns":1e12}}}`, "hbm.timing.cl_ns must be in 0..10000, got 1000000000000 ns"},
		{"repro 3: 1 Hz HBM clock", `{"name":"x","hbm":{"clock_hz":1}}`, "hbm.clock_hz must be in 100000000..4000000000, got 1 Hz"},
		{"repro 4: kernel clock 1e300", `{"name":"x","kernel_freq_hz":1e300}`, "kernel_freq_hz must be in 1000000..2000000000, got 1e+300 Hz"},
		{"repro 5: cl 1e300 ns", `{"name":"x","hbm":{"timing":{"cl_ns":1e300}}}`, "hbm.timing.cl_ns must be in 0..10000, got 1e+300 ns"},
		{"repro 5: kernel clock 1e-300", `{"name":"x","kernel_freq_hz":1e-300}`, "kernel_freq_hz must be in 1000000..2000000000, got 1e-300 Hz"},
		{"tREFI 0 would refresh forever", `{"name":"x","hbm":{"timing":{"trefi_ns":0,"trfc_ns":0}}}`, "hbm.timing.trefi_ns must be in 100..100000"},
		{"negative DSPs", `{"name":"x","dsps":-1}`, "dsps must be in 1..1048576, got -1"},
		{"zero PCs", `{"name":"x","hbm":{"pseudo_channels":0}}`, "hbm.pseudo_channels must be in 1..1024, got 0"},
		{"lower edge clocks", `{"name":"x","kernel_freq_hz":1e6,"hbm":{"clock_hz":1e8}}`, ""},
		{"upper edge clocks", `{"name":"x","kernel_freq_hz":2e9,"hbm":{"clock_hz":4e9,"timing":{"cl_ns":10000}}}`, ""},
		{"refresh over half the interval", `{"name":"x","hbm":{"timing":{"trfc_ns":2000,"trefi_ns":3900}}}`, "trfc_ns (2000) must be at most half of trefi_ns (3900)"},
		{"refresh half the interval", `{"name":"x","hbm":{"timing":{"trfc_ns":1950,"trefi_ns":3900}}}`, ""},
		{"duplicate key", `{"name":"x","dsps":6000,"dsps":7000}`, `duplicate key "dsps"`},
		{"nested duplicate key", `{"name":"x","hbm":{"timing":{"cl_ns":20,"cl_ns":21}}}`, `duplicate key "hbm.timing.cl_ns"`},
		{"same key in two objects", `{"name":"x","hbm":{"stacks":2,"timing":{"cl_ns":20}},"slrs":3}`, ""},
		{"array", `[1,2]`, "must hold a JSON object, got array"},
	}
	for _, c := range cases {
		_, err := ParsePlatform([]byte(c.in))
		checkOutcome(t, c.name, err, c.want)
	}
}

func TestDesignRanges(t *testing.T) {
	const base = `"name":"x","precision":"int8","array_rows":4,"array_cols":4,"weight_buffer_bytes":1024,"input_buffer_bytes":1024,"output_buffer_bytes":1024`
	cases := []struct {
		name, in, want string
	}{
		{"design file holding an array", `[{"name":"x"}]`, "must hold a JSON object, got array"},
		{"freq 1e300", `{` + base + `,"freq_hz":1e300}`, "freq_hz must be in 0 or 1000000..2000000000, got 1e+300 Hz"},
		{"freq 0 takes the platform's", `{` + base + `,"freq_hz":0}`, ""},
		{"dsps per mac 1e-9", `{` + base + `,"dsps_per_mac":1e-9}`, "dsps_per_mac must be in 0 or 0.015625..64"},
		{"duplicate key", `{` + base + `,"arrays":2,"arrays":3}`, `duplicate key "arrays"`},
		{"string for a number", `{` + base + `,"arrays":"2"}`, `field "arrays" must be a JSON integer`},
		{"activation store may be 0", `{` + base + `,"activation_buffer_bytes":0}`, ""},
	}
	for _, c := range cases {
		_, err := ParseDesign([]byte(c.in))
		checkOutcome(t, c.name, err, c.want)
	}
}

// checkOutcome checks that err is nil when want is empty, else one line
// containing want.
func checkOutcome(t *testing.T, name string, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Errorf("%s: got %v, want it accepted", name, err)
	case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
		t.Errorf("%s: got %v, want an error containing %q", name, err, want)
	case err != nil && strings.Contains(err.Error(), "\n"):
		t.Errorf("%s: multi-line error %q", name, err)
	}
}

func TestNsToCycles(t *testing.T) {
	cases := []struct {
		ns, hz float64
		want   int64
		ok     bool
	}{
		{14, 900e6, 13, true},
		{4.4, 900e6, 4, true},
		{0, 900e6, 0, true},
		{1e300, 900e6, 0, false},
		{math.NaN(), 900e6, 0, false},
		{-1, 900e6, 0, false},
		{1, math.Inf(1), 0, false},
	}
	for _, c := range cases {
		got, err := NsToCycles(c.ns, c.hz)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("NsToCycles(%g, %g) = %d, %v; want %d, ok %v", c.ns, c.hz, got, err, c.want, c.ok)
		}
	}
	if _, err := SecondsToCycles(1e10, 1e9); err == nil {
		t.Error("1e19 cycles: want an overflow error")
	}
}

// TestRangesDocumented checks that docs/reliability.md lists every field
// of the table with its accepted values.
func TestRangesDocumented(t *testing.T) {
	b, err := os.ReadFile("../docs/reliability.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range Ranges() {
		if row := "| `" + r.Field + "` | " + r.String() + " |"; !strings.Contains(string(b), row) {
			t.Errorf("docs/reliability.md lacks the row %q", row)
		}
	}
}
