package sweep

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/ideas"
	"github.com/roofsim/roofsim/sim/accel"
	"github.com/roofsim/roofsim/workload"
)

// Point is one configuration of a space.
type Point struct {
	// Index is the point's position in the whole space: axes in canonical
	// order (AxisNames, the first slowest), the idea sets innermost (the
	// baseline first).
	Index int
	// Key names the point by its swept values and idea set, e.g.
	// "precision=int4 port_bits=512 ideas=none"; unique in the space.
	Key string
	// Ideas is the idea set applied (empty for the baseline).
	Ideas []string
	// Config is what the point runs: the axes' values, then the ideas.
	Config ideas.Config
	// params is the row with the point's parameter cells filled in.
	params Row
}

// Row returns a row with the point's index, key and parameter cells.
func (p Point) Row() Row {
	r := newRow()
	copy(r.Cells, p.params.Cells)
	return r
}

// Shard selects the points of one slice of a space: those whose index
// modulo Count is Index (round-robin, so every shard gets a share of every
// axis). The zero Shard (Count 0) is the whole space.
type Shard struct {
	// Index is the slice, 0..Count-1.
	Index int
	// Count is the number of slices.
	Count int
}

// ParseShard reads "I/N": the I-th (0-based) of N slices.
func ParseShard(s string) (Shard, error) {
	is, ns, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(strings.TrimSpace(is))
	n, err2 := strconv.Atoi(strings.TrimSpace(ns))
	if !ok || err1 != nil || err2 != nil {
		return Shard{}, fmt.Errorf("%q is not I/N (the I-th of N slices, I from 0, e.g. 0/4)", s)
	}
	if n < 1 || n > MaxPoints || i < 0 || i >= n {
		return Shard{}, fmt.Errorf("%q: N must be in 1..%d and I in 0..N-1", s, MaxPoints)
	}
	return Shard{Index: i, Count: n}, nil
}

// Contains reports whether the point of index i belongs to the shard.
func (s Shard) Contains(i int) bool { return s.Count <= 1 || i%s.Count == s.Index }

// Select returns the points of the shard, in order.
func (s Shard) Select(pts []Point) []Point {
	var out []Point
	for _, p := range pts {
		if s.Contains(p.Index) {
			out = append(out, p)
		}
	}
	return out
}

// loader loads each platform, design and scenario argument once.
type loader struct {
	designs map[string]hw.Design
}

func (l *loader) design(arg, field string) (hw.Design, error) {
	if d, ok := l.designs[arg]; ok {
		return d, nil
	}
	d, err := hw.LoadDesign(arg)
	if err != nil {
		return hw.Design{}, fmt.Errorf("%s: %w", field, err)
	}
	l.designs[arg] = d
	return d, nil
}

// Points builds every point of the space, in index order: it loads the
// platform, designs and scenario, applies the axes and the idea sets, and
// validates each point's design and scenario (the board fit is not checked
// here: a design that does not fit is a row of its own). An error names the
// field or the point.
func (s *Space) Points() ([]Point, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	b := s.Base
	platArg := b.Platform
	if platArg == "" {
		platArg = "u280"
	}
	plat, err := hw.LoadPlatform(platArg)
	if err != nil {
		return nil, fmt.Errorf("space: base.platform: %w", err)
	}
	scenArg := b.Scenario
	if scenArg == "" {
		scenArg = workload.ScenarioSmolVLA
	}
	scen, err := workload.LoadScenario(scenArg)
	if err != nil {
		return nil, fmt.Errorf("space: base.scenario: %w", err)
	}
	if err := applyBaseScenario(&scen, b); err != nil {
		return nil, fmt.Errorf("space: %w", err)
	}
	memory := b.Memory
	if memory == "" {
		memory = MemoryHBM
	}
	ld := &loader{designs: map[string]hw.Design{}}
	if b.Design != "" {
		if _, err := ld.design(b.Design, "base.design"); err != nil {
			return nil, fmt.Errorf("space: %w", err)
		}
	}
	for i, a := range s.Axes.Design {
		if _, err := ld.design(a, fmt.Sprintf("axes.design[%d]", i)); err != nil {
			return nil, fmt.Errorf("space: %w", err)
		}
	}

	axes := s.axes()
	sets := append([][]string{nil}, s.Ideas...)
	total := len(sets)
	for _, ax := range axes {
		total *= len(ax.values)
	}
	pts := make([]Point, 0, total)
	pos := make([]int, len(axes)) // the current value of each axis
	for n := 0; n < total/len(sets); n++ {
		rem := n
		for a := len(axes) - 1; a >= 0; a-- {
			pos[a] = rem % len(axes[a].values)
			rem /= len(axes[a].values)
		}
		var kv []string
		chosen := map[string]int{}
		for a, ax := range axes {
			kv = append(kv, ax.name+"="+ax.values[pos[a]])
			chosen[ax.name] = pos[a]
		}
		base, err := s.configure(plat, scen, ld, axes, chosen)
		if err != nil {
			return nil, fmt.Errorf("space: point %q: %w", strings.Join(kv, " "), err)
		}
		for _, set := range sets {
			key := strings.Join(kv, " ")
			if len(s.Ideas) > 0 {
				names := "none"
				if len(set) > 0 {
					names = strings.Join(set, "+")
				}
				key = strings.TrimSpace(key + " ideas=" + names)
			}
			if key == "" {
				key = "base"
			}
			p, err := NewPoint(len(pts), key, set, base, memory, s.Base.Layout, scenArg)
			if err != nil {
				return nil, fmt.Errorf("space: point %q: %w", key, err)
			}
			pts = append(pts, p)
		}
	}
	return pts, nil
}

// NewPoint builds one point from a configuration before ideas: it applies
// the idea set (ideas.Apply, the options being the design's defaults with
// memory and layout) and fills the row's parameter cells from base, so a
// point outside any space (an optimizer's candidate) gives the same row as
// a sweep's. scenario names the workload in the row.
func NewPoint(index int, key string, set []string, base ideas.Config, memory accel.Memory, layout accel.LayoutMap, scenario string) (Point, error) {
	cfg, err := ideas.Apply(base, set, optionsFunc(memory, layout))
	if err != nil {
		return Point{}, err
	}
	r := paramRow(base, memory, layout, scenario)
	r.set(colIndex, index)
	r.set(colKey, key)
	r.set(colIdeas, strings.Join(set, "+"))
	return Point{Index: index, Key: key, Ideas: set, Config: cfg, params: r}, nil
}

// applyBaseScenario applies the base's scenario overrides.
func applyBaseScenario(sc *workload.Scenario, b Base) error {
	if b.Cameras != nil {
		if sc.Seed != nil {
			return fmt.Errorf("base.cameras: the seed scenario has fixed shapes (use the smolvla scenario)")
		}
		sc.Cameras = *b.Cameras
	}
	if b.Frames != nil {
		sc.Frames = *b.Frames
	}
	if b.ImageSize != nil {
		sc.ImageSize = *b.ImageSize
	}
	if b.LangTokens != nil {
		sc.LangTokens = *b.LangTokens
	}
	if b.TextLayers != nil {
		sc.TextLayers = *b.TextLayers
	}
	if b.LMHead {
		sc.IncludeLMHead = true
	}
	if err := sc.Validate(); err != nil {
		return fmt.Errorf("base: %w", err)
	}
	return nil
}

// designField is the design field an axis overrides (hw.Override), or ""
// for an axis that is not a design field.
func designField(axis string) string {
	return map[string]string{
		"precision": "precision", "array": "array", "arrays": "arrays", "dataflow": "dataflow",
		"weight_buffer": "weight_buffer_bytes", "input_buffer": "input_buffer_bytes", "output_buffer": "output_buffer_bytes",
		"activation_buffer": "activation_buffer_bytes", "hbm_ports": "hbm_ports", "port_bits": "port_bits", "hbm_pcs": "hbm_pcs",
	}[axis]
}

// configure builds the configuration of one combination of axis values
// (chosen maps a swept axis to its value's position), before ideas.
func (s *Space) configure(plat hw.Platform, scen workload.Scenario, ld *loader, axes []axis, chosen map[string]int) (ideas.Config, error) {
	a := s.Axes
	at := func(name string) (int, bool) { i, ok := chosen[name]; return i, ok }

	var d hw.Design
	var err error
	fromPreset := false
	switch i, ok := at("design"); {
	case ok:
		d, err = ld.design(a.Design[i], "axes.design")
	case s.Base.Design != "":
		d, err = ld.design(s.Base.Design, "base.design")
	default:
		prec := hw.DefaultDesignName
		if i, ok := at("precision"); ok {
			prec = a.Precision[i].Name
		}
		d, err = hw.DesignByName(prec)
		fromPreset = true
	}
	if err != nil {
		return ideas.Config{}, err
	}
	var ovs []hw.Override
	for _, ax := range axes {
		i, ok := chosen[ax.name]
		field := designField(ax.name)
		if !ok || field == "" || (ax.name == "precision" && fromPreset) {
			continue
		}
		ovs = append(ovs, hw.Override{Field: field, Value: ax.values[i]})
	}
	if d, err = hw.ApplyOverrides(d, ovs...); err != nil {
		return ideas.Config{}, err
	}
	if d.Board != "" && !strings.EqualFold(d.Board, plat.Name) {
		return ideas.Config{}, fmt.Errorf("design %q is for board %s, the space's platform is %s (set base.platform to %s)", d.Name, d.Board, plat.Name, d.Board)
	}
	sc := scen
	if i, ok := at("cameras"); ok {
		if sc.Seed != nil {
			return ideas.Config{}, fmt.Errorf("axes.cameras: the seed scenario has fixed shapes (use the smolvla scenario)")
		}
		sc.Cameras = a.Cameras[i]
	}
	if i, ok := at("frames"); ok {
		sc.Frames = a.Frames[i]
	}
	if err := sc.Validate(); err != nil {
		return ideas.Config{}, err
	}
	return ideas.Config{Platform: plat, Design: d, Scenario: sc}, nil
}

// optionsFunc builds a point's options before ideas: the design's
// defaults with the space's memory model and base layout.
func optionsFunc(memory accel.Memory, layout accel.LayoutMap) ideas.OptionsFunc {
	return func(d hw.Design, p hw.Platform) accel.Options {
		o := accel.DefaultOptions(d, p)
		o.Memory = memory
		if layout != "" {
			o.Layout.Map = layout
		}
		return o
	}
}

// paramRow fills the parameter cells of a configuration (before ideas).
func paramRow(c ideas.Config, memory accel.Memory, layout accel.LayoutMap, scenario string) Row {
	r := newRow()
	d, sc := c.Design, c.Scenario
	r.set("platform", c.Platform.Name)
	r.set("design", d.Name)
	r.set(colPrecision, d.Precision.Name)
	r.set("array", fmt.Sprintf("%dx%d", d.ArrayRows, d.ArrayCols))
	r.set("arrays", d.Arrays)
	r.set("dataflow", string(d.Dataflow))
	r.set("weight_buffer_bytes", d.WeightBufferBytes)
	r.set("input_buffer_bytes", d.InputBufferBytes)
	r.set("output_buffer_bytes", d.OutputBufferBytes)
	r.set("activation_buffer_bytes", d.ActivationBufferBytes)
	r.set("hbm_ports", d.HBMPorts)
	r.set("port_bits", d.PortBits)
	r.set("hbm_pcs", d.PCs())
	r.set("memory", string(memory))
	r.set("layout", string(layoutName(layout)))
	r.set("scenario", scenario)
	r.set("cameras", sc.Cameras)
	r.set("frames", sc.Frames)
	r.set("image_size", sc.ImageSize)
	r.set("lang_tokens", sc.LangTokens)
	r.set("text_layers", sc.TextLayers)
	r.set("lm_head", sc.IncludeLMHead)
	return r
}

// layoutName is the layout a row shows: interleave when the base names none.
func layoutName(l accel.LayoutMap) accel.LayoutMap {
	if l == "" {
		return accel.LayoutInterleave
	}
	return l
}
