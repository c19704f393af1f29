package hw

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b)) }

func TestU280Facts(t *testing.T) {
	p := U280()
	cases := []struct {
		name      string
		got, want float64
	}{
		{"PC bandwidth 14.4 GB/s", p.HBM.PCBytesPerSec(), 14.4e9},
		{"HBM peak 460.8 GB/s", p.HBM.PeakBytesPerSec(), 460.8e9},
		{"HBM capacity 8 GiB", float64(p.HBM.TotalBytes()), 8 * GiB},
		{"BRAM 8.86 MiB", float64(p.BRAMBytes()), 4032 * 18 * 1024 / 8},
		{"URAM 33.75 MiB", float64(p.URAMBytes()), 33.75 * MiB},
		{"DSPs per SLR", float64(p.DSPsPerSLR()), 3008},
		{"burst holds the bus 2 cycles", float64(p.HBM.BurstCycles()), 2},
	}
	for _, c := range cases {
		if !near(c.got, c.want) {
			t.Errorf("%s: got %g, want %g", c.name, c.got, c.want)
		}
	}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestTimingCycles(t *testing.T) {
	c := HBM2Timing().Cycles(900e6)
	cases := []struct {
		name      string
		got, want int
	}{
		// ceil(ns x 0.9): a constraint is never shortened.
		{"CL 14 ns", c.CL, 13}, {"CWL 4.4 ns", c.CWL, 4}, {"tRCD 14 ns", c.RCD, 13}, {"tRP 14 ns", c.RP, 13},
		{"tRAS 34 ns", c.RAS, 31}, {"tCCD_S", c.CCDS, 1}, {"tCCD_L", c.CCDL, 2},
		{"tRRD_S 4 ns", c.RRDS, 4}, {"tRRD_L 6 ns", c.RRDL, 6}, {"tFAW 30 ns", c.FAW, 27},
		{"tWR 16 ns", c.WR, 15}, {"tWTR_S 6 ns", c.WTRS, 6}, {"tWTR_L 8 ns", c.WTRL, 8},
		{"tRFC 260 ns", c.RFC, 234}, {"tREFI 3900 ns", c.REFI, 3510},
	}
	for _, tc := range cases {
		if tc.got != tc.want {
			t.Errorf("%s: got %d cycles, want %d", tc.name, tc.got, tc.want)
		}
	}
}

func TestPrecisions(t *testing.T) {
	cases := []struct {
		name       string
		bytesOf10  float64
		macsPerDSP float64
	}{
		{"fp32", 40, 0.2}, {"bf16", 20, 0.5}, {"int8", 10, 2}, {"int4", 5, 4},
	}
	for _, c := range cases {
		p, err := PrecisionByName(c.name)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.WeightBytes(10); got != c.bytesOf10 {
			t.Errorf("%s: 10 weights take %g bytes, want %g", c.name, got, c.bytesOf10)
		}
		if got := p.ActBytes(10); got != c.bytesOf10 {
			t.Errorf("%s: 10 activations take %g bytes, want %g", c.name, got, c.bytesOf10)
		}
		if !near(p.MACsPerDSP(), c.macsPerDSP) {
			t.Errorf("%s: %g MACs per DSP, want %g", c.name, p.MACsPerDSP(), c.macsPerDSP)
		}
	}
	w4a8, _ := PrecisionByName("W4A8")
	if w4a8.WeightBytes(2) != 1 || w4a8.ActBytes(2) != 2 || !w4a8.Mixed() {
		t.Errorf("w4a8: weights 4 bits and activations 8 bits, got %+v", w4a8)
	}
	if _, err := PrecisionByName("fp8"); !errors.Is(err, ErrUnknownPreset) || !strings.Contains(err.Error(), "fp32|bf16|int8|int4|w4a8") {
		t.Errorf("unknown precision: got %v", err)
	}
}

func TestPresetsFitAndCeilings(t *testing.T) {
	u := U280()
	want := map[string]struct {
		dsps    int
		peakOps float64
	}{
		"fp32": {3 * 16 * 32 * 5, 3 * 16 * 32 * 2 * 300e6},
		"bf16": {3 * 32 * 32 * 2, 3 * 32 * 32 * 2 * 300e6},
		"int8": {3 * 64 * 64 / 2, 3 * 64 * 64 * 2 * 300e6},
		"int4": {3 * 128 * 64 / 4, 3 * 128 * 64 * 2 * 300e6},
		"w4a8": {3 * 64 * 64 / 2, 3 * 64 * 64 * 2 * 300e6},
	}
	for _, d := range Designs() {
		if err := d.Fit(u); err != nil {
			t.Errorf("preset %s does not fit: %v", d.Name, err)
		}
		w := want[d.Name]
		if d.DSPs() != w.dsps {
			t.Errorf("%s: %d DSPs, want %d", d.Name, d.DSPs(), w.dsps)
		}
		c := d.Ceilings(u)
		if !near(c.PeakOpsPerSec, w.peakOps) {
			t.Errorf("%s: peak %g, want %g", d.Name, c.PeakOpsPerSec, w.peakOps)
		}
		// 32 ports x 256 bits x 300 MHz = 307.2 GB/s, below the HBM's 460.8.
		if !near(c.BWBytesPerSec, 307.2e9) {
			t.Errorf("%s: memory ceiling %g, want 307.2e9", d.Name, c.BWBytesPerSec)
		}
	}
	d, _ := DesignByName("int8")
	d.PortBits = 512
	if got := d.MemBytesPerSec(u); !near(got, 460.8e9) {
		t.Errorf("512-bit ports: memory ceiling %g, want the HBM peak 460.8e9", got)
	}
	d.HBMPCs = 8
	if got := d.MemBytesPerSec(u); !near(got, 8*14.4e9) {
		t.Errorf("8 PCs: memory ceiling %g, want %g", got, 8*14.4e9)
	}
}

func TestSeedCeilings(t *testing.T) {
	want := map[string]float64{"fp32": 5.41e12, "bf16": 5.41e12, "int8": 18.6e12, "int4": 37.2e12}
	for _, p := range SeedPrecisions() {
		c, err := SeedCeilings(p)
		if err != nil {
			t.Fatal(err)
		}
		if c.PeakOpsPerSec != want[p.Name] || c.BWBytesPerSec != 300e9 || c.PeakBWBytesPerSec != 460e9 {
			t.Errorf("%s: seed ceilings %+v", p.Name, c)
		}
	}
	w4a8, _ := PrecisionByName("w4a8")
	if _, err := SeedCeilings(w4a8); err == nil {
		t.Error("the seed has no w4a8 ceiling; want an error")
	}
}

func TestFitErrors(t *testing.T) {
	u := U280()
	base, _ := DesignByName("int8")
	cases := []struct {
		name   string
		change func(*Design)
		want   string
	}{
		{"too many DSPs", func(d *Design) { d.ArrayRows, d.ArrayCols = 128, 128 }, "needs 24576 slices of DSP48E2, the board has 9024 (over by 15552)"},
		{"too much on-chip memory", func(d *Design) { d.InputBufferBytes = 16 * MiB }, "of BRAM+URAM"},
		{"too many ports", func(d *Design) { d.HBMPorts = 33 }, "needs 33 ports of HBM ports, the board has 32 (over by 1)"},
		{"zero rows", func(d *Design) { d.ArrayRows = 0 }, "array_rows must be in 1..65536, got 0"},
		{"negative buffer", func(d *Design) { d.WeightBufferBytes = -1 }, "weight_buffer_bytes must be in 1.."},
		{"negative weight store", func(d *Design) { d.WeightStoreBytes = -1 }, "weight_store_bytes must be in 0.."},
		{"weight store beyond the board", func(d *Design) { d.WeightStoreBytes = 4 * MiB }, "of BRAM+URAM, the board has"},
		{"odd port width", func(d *Design) { d.PortBits = 128 }, "port_bits must be 256 or 512, got 128"},
		{"unknown dataflow", func(d *Design) { d.Dataflow = "rs" }, `dataflow "rs" is not known (accepted: os|ws)`},
		{"clock above the AXI limit", func(d *Design) { d.FreqHz = 500e6 }, "above the AXI ports' limit"},
		{"unknown buffering", func(d *Design) { d.Buffering = "triple" }, `buffering "triple" is not known (accepted: double|single|stream)`},
		{"burst not whole beats", func(d *Design) { d.BurstBytes = 48 }, "burst_bytes must be whole beats of the 256-bit ports (a multiple of 32 B), got 48"},
		{"burst above 4 KiB", func(d *Design) { d.BurstBytes = 8192 }, "burst_bytes must be in 0 or 32..4096, got 8192"},
		// 32 ports x 4 KiB = 128 KiB.
		{"stream FIFO below one burst per port", func(d *Design) { d.Buffering, d.OutputBufferBytes = StreamBuffered, 64*KiB },
			"buffering stream: output_buffer_bytes 65536 is smaller than one burst per port (hbm_ports 32 x burst 4096 B = 131072 B); give at least 131072"},
		{"stream weight FIFO below one burst per port", func(d *Design) { d.Buffering, d.BurstBytes, d.WeightBufferBytes = StreamBuffered, 512, 16*KiB-32 },
			"buffering stream: weight_buffer_bytes 16352 is smaller than one burst per port (hbm_ports 32 x burst 512 B = 16384 B)"},
	}
	for _, c := range cases {
		d := base
		c.change(&d)
		err := d.Fit(u)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error containing %q", c.name, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error spans lines: %q", c.name, err)
		}
	}
}

func TestParseDesign(t *testing.T) {
	good := `{"name":"mine","precision":"int4","array_rows":32,"array_cols":32,
		"weight_buffer_bytes":1024,"input_buffer_bytes":2048,"output_buffer_bytes":4096}`
	d, err := ParseDesign([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if d.Arrays != 1 || d.Dataflow != OutputStationary || d.HBMPorts != 32 || d.PortBits != 256 || d.Precision.Name != "int4" {
		t.Errorf("defaults not applied: %+v", d)
	}
	bad := []struct{ name, in, want string }{
		{"malformed", `{"name":`, "malformed JSON"},
		{"empty", ``, "empty input"},
		{"unknown field", `{"name":"x","rows":3}`, `unknown field "rows"`},
		{"wrong type", `{"name":"x","array_rows":"many"}`, `field "array_rows" must be a JSON int`},
		{"unknown precision", `{"name":"x","precision":"fp128"}`, `precision "fp128"`},
		{"missing precision", `{"name":"x","array_rows":1,"array_cols":1}`, "precision is required"},
		{"zero buffer", `{"name":"x","precision":"int8","array_rows":1,"array_cols":1,"weight_buffer_bytes":0}`, "weight_buffer_bytes must be in 1..1099511627776, got 0"},
		{"trailing data", good + `{}`, "data after the object"},
	}
	for _, c := range bad {
		_, err := ParseDesign([]byte(c.in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error containing %q", c.name, err, c.want)
		}
	}
}

func TestParsePlatformOverrides(t *testing.T) {
	p, err := ParsePlatform([]byte(`{"hbm":{"timing":{"cl_ns":20}},"dsps":6000}`))
	if err != nil {
		t.Fatal(err)
	}
	if p.DSPs != 6000 || p.HBM.Timing.CLNs != 20 || p.HBM.Timing.TRCDNs != 14 || p.HBM.PseudoChannels != 32 {
		t.Errorf("overrides not merged onto the U280: %+v", p)
	}
	if _, err := ParsePlatform([]byte(`{"hbm":{"timing":{"trfc_ns":5000}}}`)); err == nil || !strings.Contains(err.Error(), "trfc_ns") {
		t.Errorf("tRFC above tREFI: got %v", err)
	}
	if _, err := ParsePlatform([]byte(`{"hbm":{"bank_groups":3}}`)); err == nil || !strings.Contains(err.Error(), "bank_groups") {
		t.Errorf("bank groups not dividing banks: got %v", err)
	}
}

func TestLoadPresetOrFile(t *testing.T) {
	if _, err := LoadDesign("int8"); err != nil {
		t.Error(err)
	}
	_, err := LoadDesign("int9")
	if !errors.Is(err, ErrUnknownPreset) || !strings.Contains(err.Error(), "fp32|bf16|int8|int4|w4a8") {
		t.Errorf("unknown design: got %v", err)
	}
	if _, err := LoadDesign("testdata/does-not-exist.json"); err == nil {
		t.Error("missing file: want an error")
	}
	if _, err := LoadPlatform("u280"); err != nil {
		t.Error(err)
	}
}

func FuzzParseDesign(f *testing.F) {
	f.Add([]byte(`{"name":"mine","precision":"int4","array_rows":32,"array_cols":32,"weight_buffer_bytes":1024,"input_buffer_bytes":2048,"output_buffer_bytes":4096}`))
	f.Add([]byte(`{"name":"x","arrays":-1}`))
	f.Add([]byte(`[]`))
	u := U280()
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := ParseDesign(b)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("multi-line error %q", err)
			}
			return
		}
		// A parsed design is valid; its derived numbers are finite.
		_ = d.Fit(u)
		if d.PEs() <= 0 && d.ArrayRows > 0 && d.ArrayCols > 0 && d.Arrays > 0 {
			t.Errorf("overflowing PE count accepted: %+v", d)
		}
	})
}

func FuzzParsePlatform(f *testing.F) {
	f.Add([]byte(`{"hbm":{"timing":{"cl_ns":20}},"dsps":6000}`))
	f.Add([]byte(`{"hbm":{"pseudo_channels":0}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParsePlatform(b)
		if err != nil {
			return
		}
		if p.HBM.PeakBytesPerSec() <= 0 || math.IsInf(p.HBM.PeakBytesPerSec(), 0) {
			t.Errorf("accepted platform with peak bandwidth %g", p.HBM.PeakBytesPerSec())
		}
		// Every accepted timing converts to a small cycle count.
		c, err := p.HBM.Timing.CyclesChecked(p.HBM.ClockHz)
		if err != nil || c.REFI <= 0 || c.REFI > 1<<20 || c.CL > 1<<20 {
			t.Errorf("accepted timing converts to %+v, %v", c, err)
		}
	})
}

// TestWeightStore checks the weight store field: counted in the design's
// on-chip memory (and so in Fit), parsed from JSON, left out of the JSON of
// a design without one.
func TestWeightStore(t *testing.T) {
	u := U280()
	d, _ := DesignByName("int8")
	base := d.BufferBytes()
	d.WeightStoreBytes = 2 * MiB
	if got := d.BufferBytes(); got != base+2*MiB {
		t.Errorf("buffer bytes %d with a 2 MiB weight store, want %d", got, base+2*MiB)
	}
	if err := d.Fit(u); err != nil {
		t.Errorf("the int8 preset with a 2 MiB weight store should fit the %d bytes of BRAM+URAM: %v", u.OnChipBytes(), err)
	}
	d.WeightStoreBytes = u.OnChipBytes() - base + 1
	if err := d.Fit(u); err == nil || !strings.Contains(err.Error(), "(over by 1)") {
		t.Errorf("a weight store one byte too large: %v", err)
	}
	p, err := ParseDesign([]byte(`{"name":"ws","precision":"int4","array_rows":8,"array_cols":8,
		"weight_buffer_bytes":1024,"input_buffer_bytes":1024,"output_buffer_bytes":1024,"weight_store_bytes":4096}`))
	if err != nil || p.WeightStoreBytes != 4096 {
		t.Errorf("parsed weight_store_bytes %d (%v), want 4096", p.WeightStoreBytes, err)
	}
	b, err := json.Marshal(Designs()[0])
	if err != nil || strings.Contains(string(b), "weight_store_bytes") {
		t.Errorf("a preset's JSON mentions the weight store it lacks: %s (%v)", b, err)
	}
}
