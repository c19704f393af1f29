package sweep

import (
	"github.com/roofsim/roofsim/ideas"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/roofsim/roofsim/hw"
)

func TestParseSpace(t *testing.T) {
	s, err := ParseSpace([]byte(`{
	  "name": "all",
	  "base": {"platform": "u280", "design": "int8", "scenario": "smolvla", "memory": "ideal",
	           "cameras": 2, "frames": 1, "image_size": 256, "lang_tokens": 0, "text_layers": 4, "lm_head": true},
	  "axes": {"design": ["int8", "int4"], "precision": ["int8", "w4a8"], "array": ["64x64", "32X16"], "arrays": [1, 3],
	           "dataflow": ["os", "weight-stationary"], "weight_buffer": ["1MiB", 4096], "input_buffer": ["4M"],
	           "output_buffer": [2097152], "activation_buffer": [0, "16MiB"], "hbm_ports": [16, 32], "port_bits": [256, 512],
	           "hbm_pcs": [32], "cameras": [1, 3], "frames": [1, 2]},
	  "ideas": ["port512", "port512+batch_cameras"]
	}`))
	if err != nil {
		t.Fatal(err)
	}
	one := func(v int) *int { return &v }
	wantBase := Base{Platform: "u280", Design: "int8", Scenario: "smolvla", Memory: "ideal", Cameras: one(2), Frames: one(1),
		ImageSize: one(256), LangTokens: one(0), TextLayers: one(4), LMHead: true}
	if !reflect.DeepEqual(s.Base, wantBase) {
		t.Errorf("base %+v, want %+v", s.Base, wantBase)
	}
	a := s.Axes
	if len(a.Precision) != 2 || a.Precision[1].Name != "w4a8" || a.Array[1] != (ArrayShape{32, 16}) ||
		a.Dataflow[1] != hw.WeightStationary || a.WeightBuffer[0] != hw.MiB || a.WeightBuffer[1] != 4096 ||
		a.InputBuffer[0] != 4*hw.MiB || a.OutputBuffer[0] != 2*hw.MiB || a.ActivationBuffer[0] != 0 || a.ActivationBuffer[1] != 16*hw.MiB {
		t.Errorf("axes %+v", a)
	}
	if want := [][]string{{"batch_cameras"}, {"port512"}}; !reflect.DeepEqual(s.Ideas[:1], want[1:]) ||
		!reflect.DeepEqual(s.Ideas[1], []string{"batch_cameras", "port512"}) {
		t.Errorf("ideas %v: want [[port512] [batch_cameras port512]] (registry order inside a set)", s.Ideas)
	}
	var names []string
	for _, ax := range s.axes() {
		names = append(names, ax.name)
	}
	if !reflect.DeepEqual(names, AxisNames()) {
		t.Errorf("axes in order %v, want %v", names, AxisNames())
	}
}

func TestParseSpaceErrors(t *testing.T) {
	tests := []struct {
		name, js, want string
	}{
		{"empty", ``, "space: empty input: expected a JSON object"},
		{"not an object", `[1]`, "space: the space must be a JSON object, got array"},
		{"null", `null`, "space: the space must be a JSON object, got null"},
		{"trailing", `{} {}`, "space: malformed JSON: data after the object at byte 3"},
		{"syntax", `{"axes": }`, "space: malformed JSON at byte 10"},
		{"unknown top", `{"axis": {}}`, `space: unknown field "axis" in the space (accepted: name|base|axes|ideas)`},
		{"unknown base", `{"base": {"precision": "int8"}}`, `space: unknown field "precision" in base (accepted: platform|design|scenario|memory|layout|cameras|frames|image_size|lang_tokens|text_layers|lm_head)`},
		{"unknown axis", `{"axes": {"ports": [1]}}`, `space: unknown field "ports" in axes (accepted: design|precision|array|arrays|dataflow|weight_buffer|input_buffer|output_buffer|activation_buffer|hbm_ports|port_bits|hbm_pcs|cameras|frames)`},
		{"base not object", `{"base": 3}`, "space: base must be a JSON object, got number"},
		{"name type", `{"name": 3}`, "space: name must be a JSON string, got 3"},
		{"axis not list", `{"axes": {"arrays": 3}}`, "space: axes.arrays must be a JSON array, got 3"},
		{"axis null", `{"axes": {"arrays": null}}`, "space: axes.arrays must be a JSON array, got null"},
		{"axis empty", `{"axes": {"arrays": []}}`, "space: axes.arrays must list at least one value"},
		{"int type", `{"axes": {"arrays": ["3"]}}`, `space: axes.arrays[0] must be an integer, got "3"`},
		{"int fraction", `{"axes": {"arrays": [1.5]}}`, "space: axes.arrays[0] must be an integer, got 1.5"},
		{"int range", `{"axes": {"arrays": [1, 0]}}`, "space: axes.arrays[1] must be in 1..1024, got 0"},
		{"port bits", `{"axes": {"port_bits": [256, 384]}}`, "space: axes.port_bits[1] must be 256 or 512, got 384"},
		{"precision", `{"axes": {"precision": ["int8", "fp8"]}}`, `space: axes.precision[1] "fp8" is not known (accepted: fp32|bf16|int8|int4|w4a8|fp16|fp64)`},
		{"dataflow", `{"axes": {"dataflow": ["rs"]}}`, `space: axes.dataflow[0] "rs" is not known (accepted: os|ws)`},
		{"array", `{"axes": {"array": ["64"]}}`, `space: axes.array[0] "64" is not RxC (e.g. 64x64)`},
		{"array zero", `{"axes": {"array": ["0x64"]}}`, `space: axes.array[0] "0x64": rows and columns must be in 1..65536`},
		{"size unit", `{"axes": {"weight_buffer": ["2 parsecs"]}}`, `space: axes.weight_buffer[0]: "2 parsecs" is not a size`},
		{"size zero", `{"axes": {"weight_buffer": [0]}}`, "space: axes.weight_buffer[0] must be in 1..1099511627776 bytes, got 0"},
		{"size type", `{"axes": {"input_buffer": [true]}}`, "space: axes.input_buffer[0] must be a size (bytes, or a string such as \"2MiB\"), got true"},
		{"cameras", `{"axes": {"cameras": [17]}}`, "space: axes.cameras[0] must be in 1..16, got 17"},
		{"base frames", `{"base": {"frames": 0}}`, "space: base.frames must be in 1..64, got 0"},
		{"lm_head", `{"base": {"lm_head": "yes"}}`, `space: base.lm_head must be true or false, got "yes"`},
		{"memory", `{"base": {"memory": "ddr4"}}`, `space: base.memory "ddr4" is not known (accepted: hbm|ideal)`},
		{"duplicate value", `{"axes": {"weight_buffer": ["1MiB", 1048576]}}`, "space: axes.weight_buffer[1] repeats the value 1MiB"},
		{"idea unknown", `{"ideas": ["port512", "warp_drive"]}`, `space: ideas[1] "warp_drive" is not a known idea (accepted: ` + ideas.Names() + `, or several joined by '+')`},
		{"idea twice", `{"ideas": ["port512+port512"]}`, `space: ideas[0] "port512+port512" names port512 twice`},
		{"idea set twice", `{"ideas": ["port512+all_pcs", "all_pcs+port512"]}`, "space: ideas[1] repeats the idea set port512+all_pcs"},
		{"idea type", `{"ideas": [1]}`, "space: ideas[0] must be a JSON string, got 1"},
		{"design with space", `{"axes": {"design": ["my design.json"]}}`, `space: axes.design[0] "my design.json" must not be empty or contain spaces`},
		{"duplicate key", `{"axes": {"arrays": [1]}, "axes": {"arrays": [2]}}`, `space: duplicate key "axes"`},
		{"nested duplicate key", `{"base": {"frames": 1, "frames": 2}}`, `space: duplicate key "base.frames"`},
		{"too many points", `{"axes": {"arrays": [1,2,3,4,5,6,7,8,9,10], "hbm_ports": [1,2,3,4,5,6,7,8,9,10], "hbm_pcs": [1,2,3,4,5,6,7,8,9,10],
			"frames": [1,2,3,4,5,6,7,8,9,10], "cameras": [1,2,3,4,5,6,7,8,9,10,11]}}`, "space: more than 100000 points"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseSpace([]byte(tc.js))
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("err = %v\nwant prefix %s", err, tc.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
		})
	}
}

func TestSetAxis(t *testing.T) {
	s, err := ParseSpace([]byte(`{"axes": {"port_bits": [256], "arrays": [1, 2]}}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetAxis("port_bits", "--port-bits", []string{"512", " 256"}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetAxis("weight_buffer", "--weight-buffer", []string{"1MiB", "4096"}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetAxis("precision", "--precision", []string{"int4"}); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(s.Axes.PortBits, []int{512, 256}) || !reflect.DeepEqual(s.Axes.WeightBuffer, []int64{hw.MiB, 4096}) ||
		!reflect.DeepEqual(s.Axes.Arrays, []int{1, 2}) || len(s.Axes.Precision) != 1 {
		t.Errorf("axes after SetAxis: %+v", s.Axes)
	}
	for _, tc := range []struct {
		name   string
		values []string
		want   string
	}{
		{"port_bits", []string{"128"}, "--x[0] must be 256 or 512, got 128"},
		{"arrays", []string{"two"}, `--x[0] must be an integer, got "two"`},
		{"cameras", []string{""}, `--x[0] must be an integer, got ""`},
		{"ports", []string{"1"}, `axis "ports" is not known (accepted: design|precision|`},
		{"array", []string{"64"}, `--x[0] "64" is not RxC (e.g. 64x64)`},
		{"dataflow", []string{"1"}, `--x[0] "1" is not known (accepted: os|ws)`},
	} {
		if err := s.SetAxis(tc.name, "--x", tc.values); err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("SetAxis(%s, %q) err %v, want %s", tc.name, tc.values, err, tc.want)
		}
	}
}

func TestParseShard(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Shard
		err  string
	}{
		{"0/1", Shard{0, 1}, ""},
		{"2/4", Shard{2, 4}, ""},
		{" 3 / 4 ", Shard{3, 4}, ""},
		{"4/4", Shard{}, `"4/4": N must be in`},
		{"-1/4", Shard{}, "N must be in"},
		{"1/0", Shard{}, "N must be in"},
		{"1", Shard{}, `"1" is not I/N`},
		{"a/b", Shard{}, "is not I/N"},
	} {
		got, err := ParseShard(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseShard(%q) err %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseShard(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

func TestParseSize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
	}{{"4096", 4096}, {"2MiB", 2 * hw.MiB}, {"2M", 2 * hw.MiB}, {"3 KiB", 3 * hw.KiB}, {"1KB", 1000}, {"1GiB", hw.GiB}, {"64B", 64}} {
		if got, err := ParseSize(tc.in, 1); err != nil || got != tc.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
	for _, b := range []int64{0, 1, 4096, 3 * hw.KiB, 2 * hw.MiB, 2 * hw.GiB, 1000} {
		v, err := ParseSize(FormatSize(b), 0)
		if err != nil || v != b {
			t.Errorf("FormatSize(%d) = %q reads back as %d, %v", b, FormatSize(b), v, err)
		}
	}
}

func TestPointsOrderAndConfig(t *testing.T) {
	pts := mustPoints(t, `{
	  "base": {"scenario": "smolvla", "text_layers": 2},
	  "axes": {"precision": ["int8", "int4"], "port_bits": [256, 512], "cameras": [1, 3]},
	  "ideas": ["batch_cameras", "port512+batch_cameras"]
	}`)
	if len(pts) != 2*2*2*3 {
		t.Fatalf("%d points, want 24", len(pts))
	}
	wantKeys := []string{
		"precision=int8 port_bits=256 cameras=1 ideas=none",
		"precision=int8 port_bits=256 cameras=1 ideas=batch_cameras",
		"precision=int8 port_bits=256 cameras=1 ideas=batch_cameras+port512",
		"precision=int8 port_bits=256 cameras=3 ideas=none",
	}
	for i, k := range wantKeys {
		if pts[i].Key != k {
			t.Errorf("point %d key %q, want %q", i, pts[i].Key, k)
		}
	}
	if k := pts[23].Key; k != "precision=int4 port_bits=512 cameras=3 ideas=batch_cameras+port512" {
		t.Errorf("last key %q", k)
	}
	keys := map[string]bool{}
	for i, p := range pts {
		if p.Index != i || p.Row().Index() != i || p.Row().Key() != p.Key {
			t.Errorf("point %d has index %d, row index %d", i, p.Index, p.Row().Index())
		}
		if keys[p.Key] {
			t.Errorf("key %q twice", p.Key)
		}
		keys[p.Key] = true
		c := p.Config
		// Without a base design, each point starts from its precision's preset.
		preset, _ := hw.DesignByName(c.Design.Precision.Name)
		if c.Design.ArrayRows != preset.ArrayRows || c.Design.ArrayCols != preset.ArrayCols {
			t.Errorf("%s: array %dx%d, want the %s preset's", p.Key, c.Design.ArrayRows, c.Design.ArrayCols, preset.Name)
		}
		if c.Scenario.TextLayers != 2 || c.Options.Memory != MemoryHBM {
			t.Errorf("%s: text layers %d, memory %q", p.Key, c.Scenario.TextLayers, c.Options.Memory)
		}
		wantBits := 256
		if strings.Contains(p.Key, "port_bits=512") || strings.Contains(p.Key, "port512") {
			wantBits = 512
		}
		if c.Design.PortBits != wantBits {
			t.Errorf("%s: port bits %d, want %d", p.Key, c.Design.PortBits, wantBits)
		}
		if c.Scenario.BatchCameras != strings.Contains(p.Key, "batch_cameras") {
			t.Errorf("%s: batch cameras %v", p.Key, c.Scenario.BatchCameras)
		}
		// Parameters are the point's coordinates, before the ideas.
		if got := p.Row().Get("port_bits"); got != map[bool]string{true: "512", false: "256"}[strings.Contains(p.Key, "port_bits=512")] {
			t.Errorf("%s: port_bits cell %s", p.Key, got)
		}
	}
	// An idea row has its baseline's parameters.
	base, idea := pts[0].Row(), pts[2].Row()
	first, last := columnIndex(colIdeas)+1, columnIndex(firstResultColumn)
	if !reflect.DeepEqual(base.Cells[first:last], idea.Cells[first:last]) {
		t.Errorf("idea row parameters %v differ from the baseline's %v", idea.Cells[first:last], base.Cells[first:last])
	}
	if idea.Get(colIdeas) != "batch_cameras+port512" || base.Get(colIdeas) != "" {
		t.Errorf("ideas cells %q, %q", base.Get(colIdeas), idea.Get(colIdeas))
	}
}

func TestPointsDesignRules(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "d.json")
	if err := os.WriteFile(file, []byte(`{"name": "mine", "precision": "int8", "array_rows": 32, "array_cols": 32, "arrays": 2,
		"weight_buffer_bytes": 1048576, "input_buffer_bytes": 1048576, "output_buffer_bytes": 1048576, "hbm_pcs": 32}`), 0o644); err != nil {
		t.Fatal(err)
	}
	// A base design keeps its shape when the precision changes (as roofsim gemm --design --precision).
	pts := mustPoints(t, `{"base": {"design": "`+file+`"}, "axes": {"precision": ["int4"], "hbm_ports": [8], "weight_buffer": ["512KiB"]}}`)
	d := pts[0].Config.Design
	if d.Name != "mine" || d.Precision.Name != "int4" || d.ArrayRows != 32 || d.Arrays != 2 || d.HBMPorts != 8 || d.HBMPCs != 32 || d.WeightBufferBytes != 512*hw.KiB {
		t.Errorf("design %+v", d)
	}
	if pts[0].Key != "precision=int4 weight_buffer=512KiB hbm_ports=8" || pts[0].Row().Get("design") != "mine" {
		t.Errorf("key %q design cell %q", pts[0].Key, pts[0].Row().Get("design"))
	}
	// A design axis, and the ports' PCs reset when there are fewer PCs than ports.
	pts = mustPoints(t, `{"axes": {"design": ["fp32", "`+file+`"], "hbm_ports": [16]}}`)
	if len(pts) != 2 || pts[0].Config.Design.Name != "fp32" || pts[1].Config.Design.Name != "mine" || pts[1].Config.Design.HBMPCs != 32 {
		t.Errorf("design axis points %+v", pts)
	}
	// No axes: one point, key "base".
	pts = mustPoints(t, `{}`)
	if len(pts) != 1 || pts[0].Key != "base" || pts[0].Config.Design.Name != hw.DefaultDesignName || pts[0].Config.Scenario.Name != "smolvla" {
		t.Errorf("empty space: %+v", pts)
	}
}

func TestPointsErrors(t *testing.T) {
	for _, tc := range []struct{ js, want string }{
		{`{"base": {"scenario": "seed"}, "axes": {"cameras": [1, 2]}}`, `space: point "cameras=1": axes.cameras: the seed scenario has fixed shapes`},
		{`{"base": {"scenario": "seed", "cameras": 2}}`, "space: base.cameras: the seed scenario has fixed shapes"},
		{`{"base": {"scenario": "seed"}, "ideas": ["batch_cameras"]}`, `space: point "ideas=batch_cameras": batch_cameras: the seed scenario has no per-camera kernels`},
		{`{"base": {"design": "int9"}}`, `space: base.design: design "int9": unknown preset`},
		{`{"axes": {"design": ["int8", "nope.json"]}}`, "space: axes.design[1]: design file: open nope.json"},
		{`{"base": {"platform": "vhk158"}}`, `space: base.platform: platform "vhk158": unknown preset`},
		{`{"base": {"scenario": "pi0"}}`, `space: base.scenario: scenario "pi0" is not known`},
		{`{"base": {"text_layers": 40}}`, "space: base: scenario smolvla: text_layers must be in 1..32, got 40"},
		{`{"base": {"image_size": 500}}`, "space: base: scenario smolvla: image_size 500 must be a multiple of patch 16"},
	} {
		s, err := ParseSpace([]byte(tc.js))
		if err == nil {
			_, err = s.Points()
		}
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s:\n err %v\nwant %s", tc.js, err, tc.want)
		}
	}
}

func TestShardSelect(t *testing.T) {
	pts := mustPoints(t, testSpaceJSON)
	seen := make([]int, len(pts))
	for i := range 5 {
		for _, p := range (Shard{Index: i, Count: 5}).Select(pts) {
			if p.Index%5 != i {
				t.Errorf("shard %d/5 has point %d", i, p.Index)
			}
			seen[p.Index]++
		}
	}
	for i, n := range seen {
		if n != 1 {
			t.Errorf("point %d is in %d shards", i, n)
		}
	}
	if got := (Shard{}).Select(pts); len(got) != len(pts) {
		t.Errorf("the zero shard has %d points, want all %d", len(got), len(pts))
	}
}

func FuzzParseSpace(f *testing.F) {
	f.Add([]byte(testSpaceJSON))
	f.Add([]byte(`{"axes": {"weight_buffer": ["1MiB", 4096], "port_bits": [512]}, "ideas": ["port512+all_pcs"]}`))
	f.Add([]byte(`{"base": {"cameras": 2, "lm_head": true}}`))
	f.Add([]byte(`{"axes": {"array": ["64x64"], "arrays": [1e3]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParseSpace(b)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
			return
		}
		if err := s.Validate(); err != nil {
			t.Errorf("a parsed space does not validate: %v", err)
		}
		for _, ax := range s.axes() {
			if len(ax.values) == 0 || len(ax.values) > MaxAxisValues {
				t.Errorf("axis %s has %d values", ax.name, len(ax.values))
			}
		}
	})
}
