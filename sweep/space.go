package sweep

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sim/accel"
	"github.com/roofsim/roofsim/workload"
)

// Limits of a space.
const (
	// MaxPoints bounds the points of a space (all shards together).
	MaxPoints = 100000
	// MaxAxisValues bounds the values of one axis.
	MaxAxisValues = 256
	// MaxSpaceFileBytes bounds the size of a space file.
	MaxSpaceFileBytes = 1 << 20
	// maxSizeBytes bounds a buffer-size value (hw's range, 1 TiB).
	maxSizeBytes = hw.MaxSizeBytes
	// maxPorts bounds the hbm_ports and hbm_pcs values (hw's range).
	maxPorts = hw.MaxPorts
	// maxArrays bounds the arrays values (hw's range).
	maxArrays = hw.MaxArrays
	// maxArrayEdge bounds the rows and columns of an array (hw's range).
	maxArrayEdge = hw.MaxArrayEdge
)

// Memory models a point can run with (Base.Memory).
const (
	// MemoryHBM is the cycle-level HBM2 model (the default).
	MemoryHBM = accel.MemoryHBM
	// MemoryIdeal is the ideal memory: fixed latency, the design's port
	// bandwidth.
	MemoryIdeal = accel.MemoryIdeal
)

// Space is a design space: a base configuration, axes whose cartesian
// product gives the points, and the ideas each point is also run with.
type Space struct {
	// Name names the space in reports (optional).
	Name string
	// Base is what every point starts from.
	Base Base
	// Axes are the swept parameters.
	Axes Axes
	// Ideas are the idea sets each point also runs with, besides the
	// baseline (no idea); each set is one or more idea names in registry
	// order.
	Ideas [][]string
}

// Base is the configuration every point starts from. Empty fields take the
// defaults named on each.
type Base struct {
	// Platform is a platform preset or .json file ("u280").
	Platform string
	// Design is a design preset or .json file; empty means each point
	// starts from the built-in design of its precision.
	Design string
	// Scenario is a scenario preset or Hugging Face config.json
	// ("smolvla").
	Scenario string
	// Memory is the off-chip memory model: "hbm" (default) or "ideal".
	Memory string
	// Layout is how weights and spilled activations spread over the PCs:
	// "interleave" (default) or "contiguous" (the naive allocation, the
	// baseline of the placement idea).
	Layout string
	// Cameras, Frames, ImageSize, LangTokens and TextLayers, when set,
	// override the scenario's.
	Cameras, Frames, ImageSize, LangTokens, TextLayers *int
	// LMHead also runs the LM head.
	LMHead bool
}

// Axes are the swept parameters; an empty axis is not swept. They are
// enumerated in the order of the fields (the first slowest).
type Axes struct {
	// Design lists design presets or .json files.
	Design []string
	// Precision lists precisions (fp32|bf16|int8|int4|w4a8).
	Precision []hw.Precision
	// Array lists array shapes, rows x columns.
	Array []ArrayShape
	// Arrays lists numbers of arrays.
	Arrays []int
	// Dataflow lists dataflows (os|ws).
	Dataflow []hw.Dataflow
	// WeightBuffer, InputBuffer, OutputBuffer list per-array buffer sizes
	// in bytes; ActivationBuffer the shared activation store's (0 allowed).
	WeightBuffer, InputBuffer, OutputBuffer, ActivationBuffer []int64
	// HBMPorts lists numbers of HBM ports (one per PC).
	HBMPorts []int
	// PortBits lists port widths (256|512).
	PortBits []int
	// HBMPCs lists numbers of pseudo-channels the data is spread over.
	HBMPCs []int
	// Cameras lists camera counts.
	Cameras []int
	// Frames lists batches of frames.
	Frames []int
}

// ArrayShape is the shape of one systolic array.
type ArrayShape struct {
	// Rows and Cols are the PE rows and columns.
	Rows, Cols int
}

// String formats the shape as "RxC".
func (a ArrayShape) String() string { return fmt.Sprintf("%dx%d", a.Rows, a.Cols) }

// ParseArrayShape reads "RxC" (e.g. "64x64").
func ParseArrayShape(s string) (ArrayShape, error) {
	rs, cs, ok := strings.Cut(strings.ToLower(strings.TrimSpace(s)), "x")
	r, err1 := strconv.Atoi(rs)
	c, err2 := strconv.Atoi(cs)
	if !ok || err1 != nil || err2 != nil {
		return ArrayShape{}, fmt.Errorf("%q is not RxC (e.g. 64x64)", s)
	}
	if r <= 0 || c <= 0 || r > maxArrayEdge || c > maxArrayEdge {
		return ArrayShape{}, fmt.Errorf("%q: rows and columns must be in 1..%d", s, maxArrayEdge)
	}
	return ArrayShape{r, c}, nil
}

// ParseSize reads a size: bytes, or a number with the unit B, KiB (K), MiB
// (M), GiB (G), KB, MB or GB (hw.ParseBytes). It must be in lo..maxSizeBytes.
func ParseSize(s string, lo int64) (int64, error) {
	return hw.ParseBytes(s, lo, maxSizeBytes)
}

// FormatSize writes a size in bytes as the shortest exact KiB/MiB/GiB form
// ("2MiB"), or in bytes.
func FormatSize(b int64) string {
	switch {
	case b != 0 && b%hw.GiB == 0:
		return fmt.Sprintf("%dGiB", b/hw.GiB)
	case b != 0 && b%hw.MiB == 0:
		return fmt.Sprintf("%dMiB", b/hw.MiB)
	case b != 0 && b%hw.KiB == 0:
		return fmt.Sprintf("%dKiB", b/hw.KiB)
	}
	return strconv.FormatInt(b, 10)
}

// The JSON fields of a space file, in the order they are documented.
func topFields() []string { return []string{"name", "base", "axes", "ideas"} }
func baseFields() []string {
	return []string{"platform", "design", "scenario", "memory", "layout", "cameras", "frames", "image_size", "lang_tokens", "text_layers", "lm_head"}
}
func axisFields() []string {
	return []string{"design", "precision", "array", "arrays", "dataflow", "weight_buffer", "input_buffer", "output_buffer",
		"activation_buffer", "hbm_ports", "port_bits", "hbm_pcs", "cameras", "frames"}
}

// AxisNames lists the axes in their enumeration order.
func AxisNames() []string { return slices.Clone(axisFields()) }

// LoadSpace reads a space file (at most MaxSpaceFileBytes).
func LoadSpace(path string) (*Space, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("space file: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxSpaceFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("space file: %w", err)
	}
	if len(b) > MaxSpaceFileBytes {
		return nil, fmt.Errorf("space file %s: larger than %d bytes", path, MaxSpaceFileBytes)
	}
	s, err := ParseSpace(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// ParseSpace reads a space from JSON, strictly: unknown fields, wrong types
// and out-of-range values are errors naming the field (e.g.
// "axes.port_bits[1]") and the accepted values. It checks every value, but
// not the points (see Space.Points).
func ParseSpace(b []byte) (*Space, error) {
	if err := hw.CheckDuplicateKeys(b); err != nil {
		return nil, fmt.Errorf("space: %w", err)
	}
	top, err := object(b, "the space", topFields())
	if err != nil {
		return nil, fmt.Errorf("space: %w", err)
	}
	s := &Space{}
	if raw, ok := top["name"]; ok {
		if err := str(raw, "name", &s.Name); err != nil {
			return nil, fmt.Errorf("space: %w", err)
		}
		if strings.ContainsAny(s.Name, "\n\r") {
			return nil, fmt.Errorf("space: name must be one line")
		}
	}
	if raw, ok := top["base"]; ok {
		if err := s.parseBase(raw); err != nil {
			return nil, fmt.Errorf("space: %w", err)
		}
	}
	if raw, ok := top["axes"]; ok {
		if err := s.parseAxes(raw); err != nil {
			return nil, fmt.Errorf("space: %w", err)
		}
	}
	if raw, ok := top["ideas"]; ok {
		var names []string
		if err := list(raw, "ideas", func(i int, r json.RawMessage) error {
			var v string
			if err := str(r, fmt.Sprintf("ideas[%d]", i), &v); err != nil {
				return err
			}
			names = append(names, v)
			return nil
		}); err != nil {
			return nil, fmt.Errorf("space: %w", err)
		}
		sets, err := ParseIdeaSets(names, "ideas")
		if err != nil {
			return nil, fmt.Errorf("space: %w", err)
		}
		s.Ideas = sets
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return s, nil
}

// object decodes one JSON object into its raw fields, refusing fields not
// in accepted and trailing data.
func object(b []byte, what string, accepted []string) (map[string]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	var m map[string]json.RawMessage
	if err := dec.Decode(&m); err != nil {
		return nil, jsonError(what, err)
	}
	if m == nil {
		return nil, fmt.Errorf("%s must be a JSON object, got null", what)
	}
	if dec.More() {
		return nil, fmt.Errorf("malformed JSON: data after the object at byte %d", dec.InputOffset())
	}
	var unknown []string
	for k := range m {
		if !slices.Contains(accepted, k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return nil, fmt.Errorf("unknown field %q in %s (accepted: %s)", unknown[0], what, strings.Join(accepted, "|"))
	}
	return m, nil
}

// jsonError turns a decoder error into a one-line message naming what was
// being read.
func jsonError(what string, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Errorf("malformed JSON at byte %d: %v", se.Offset, se)
	case errors.As(err, &te):
		return fmt.Errorf("%s must be a JSON %s, got %s", what, hw.JSONKind(te.Type.Kind()), te.Value)
	case errors.Is(err, io.EOF):
		return fmt.Errorf("empty input: expected a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("malformed JSON: unexpected end of input")
	}
	return fmt.Errorf("%s: %v", what, err)
}

// str decodes a JSON string.
func str(raw json.RawMessage, field string, dst *string) error {
	if err := json.Unmarshal(raw, dst); err != nil {
		return fmt.Errorf("%s must be a JSON string, got %s", field, short(raw))
	}
	return nil
}

// integer decodes a JSON integer in lo..hi.
func integer(raw json.RawMessage, field string, lo, hi int, dst *int) error {
	var f float64
	if err := json.Unmarshal(raw, &f); err != nil || f != math.Trunc(f) {
		return fmt.Errorf("%s must be an integer, got %s", field, short(raw))
	}
	if f < float64(lo) || f > float64(hi) {
		return fmt.Errorf("%s must be in %d..%d, got %s", field, lo, hi, short(raw))
	}
	*dst = int(f)
	return nil
}

// optInt decodes a JSON integer in lo..hi into a new int.
func optInt(raw json.RawMessage, field string, lo, hi int) (*int, error) {
	v := new(int)
	if err := integer(raw, field, lo, hi, v); err != nil {
		return nil, err
	}
	return v, nil
}

// size decodes a size: a JSON integer of bytes or a string with a unit.
func size(raw json.RawMessage, field string, lo int64, dst *int64) error {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		var f float64
		if err := json.Unmarshal(raw, &f); err != nil || f != math.Trunc(f) {
			return fmt.Errorf("%s must be a size (bytes, or a string such as \"2MiB\"), got %s", field, short(raw))
		}
		if f < float64(lo) || f > maxSizeBytes {
			return fmt.Errorf("%s must be in %d..%d bytes, got %s", field, lo, int64(maxSizeBytes), short(raw))
		}
		*dst = int64(f)
		return nil
	}
	v, err := ParseSize(s, lo)
	if err != nil {
		return fmt.Errorf("%s: %v", field, err)
	}
	*dst = v
	return nil
}

// list decodes a JSON array, calling each for every element.
func list(raw json.RawMessage, field string, each func(i int, r json.RawMessage) error) error {
	var rs []json.RawMessage
	if err := json.Unmarshal(raw, &rs); err != nil || rs == nil {
		return fmt.Errorf("%s must be a JSON array, got %s", field, short(raw))
	}
	if len(rs) == 0 {
		return fmt.Errorf("%s must list at least one value", field)
	}
	if len(rs) > MaxAxisValues {
		return fmt.Errorf("%s has %d values, more than the %d accepted", field, len(rs), MaxAxisValues)
	}
	for i, r := range rs {
		if err := each(i, r); err != nil {
			return err
		}
	}
	return nil
}

// short quotes a raw JSON value for an error message, cut to 40 bytes.
func short(raw json.RawMessage) string {
	s := strings.Join(strings.Fields(string(raw)), " ")
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return s
}

func (s *Space) parseBase(raw json.RawMessage) error {
	m, err := object(raw, "base", baseFields())
	if err != nil {
		return err
	}
	b := &s.Base
	for _, f := range baseFields() {
		r, ok := m[f]
		if !ok {
			continue
		}
		field := "base." + f
		switch f {
		case "platform":
			err = str(r, field, &b.Platform)
		case "design":
			err = str(r, field, &b.Design)
		case "scenario":
			err = str(r, field, &b.Scenario)
		case "memory":
			err = str(r, field, &b.Memory)
		case "layout":
			err = str(r, field, &b.Layout)
		case "cameras":
			b.Cameras, err = optInt(r, field, 1, workload.MaxCameras)
		case "frames":
			b.Frames, err = optInt(r, field, 1, workload.MaxFrames)
		case "image_size":
			b.ImageSize, err = optInt(r, field, 1, 1<<16)
		case "lang_tokens":
			b.LangTokens, err = optInt(r, field, 0, workload.MaxPrefixTokens)
		case "text_layers":
			b.TextLayers, err = optInt(r, field, 1, 1<<10)
		case "lm_head":
			if json.Unmarshal(r, &b.LMHead) != nil {
				err = fmt.Errorf("%s must be true or false, got %s", field, short(r))
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (s *Space) parseAxes(raw json.RawMessage) error {
	m, err := object(raw, "axes", axisFields())
	if err != nil {
		return err
	}
	for _, f := range axisFields() {
		if r, ok := m[f]; ok {
			if err := s.parseAxis(f, "axes."+f, r); err != nil {
				return err
			}
		}
	}
	return nil
}

// SetAxis replaces the values of the named axis (one of AxisNames) with
// values given as text, as flags give them (e.g. "512", "2MiB", "int4");
// field names the source in errors (e.g. "--port-bits"). Call Validate
// after the last change.
func (s *Space) SetAxis(name, field string, values []string) error {
	if !slices.Contains(axisFields(), name) {
		return fmt.Errorf("axis %q is not known (accepted: %s)", name, strings.Join(axisFields(), "|"))
	}
	// The axes of names and shapes take every value as text ("64" is a
	// shape to refuse with its own message, not a number).
	text := slices.Contains([]string{"design", "precision", "array", "dataflow"}, name)
	raws := make([]json.RawMessage, len(values))
	for i, v := range values {
		v = strings.TrimSpace(v)
		if _, err := strconv.ParseInt(v, 10, 64); err == nil && !text {
			raws[i] = json.RawMessage(v)
		} else {
			b, _ := json.Marshal(v) // a string always marshals
			raws[i] = b
		}
	}
	b, _ := json.Marshal(raws) // raw numbers and strings always marshal
	return s.parseAxis(name, field, b)
}

// parseAxis reads the JSON array raw into the named axis, replacing its
// values; field names it in errors.
func (s *Space) parseAxis(name, field string, raw json.RawMessage) error {
	a := &s.Axes
	ints := func(lo, hi int, dst *[]int) func(int, json.RawMessage) error {
		*dst = nil
		return func(i int, r json.RawMessage) error {
			var v int
			if err := integer(r, fmt.Sprintf("%s[%d]", field, i), lo, hi, &v); err != nil {
				return err
			}
			*dst = append(*dst, v)
			return nil
		}
	}
	sizes := func(lo int64, dst *[]int64) func(int, json.RawMessage) error {
		*dst = nil
		return func(i int, r json.RawMessage) error {
			var v int64
			if err := size(r, fmt.Sprintf("%s[%d]", field, i), lo, &v); err != nil {
				return err
			}
			*dst = append(*dst, v)
			return nil
		}
	}
	strs := func(each func(i int, v string) error) func(int, json.RawMessage) error {
		return func(i int, r json.RawMessage) error {
			var v string
			if err := str(r, fmt.Sprintf("%s[%d]", field, i), &v); err != nil {
				return err
			}
			return each(i, v)
		}
	}
	var each func(int, json.RawMessage) error
	switch name {
	case "design":
		a.Design = nil
		each = strs(func(_ int, v string) error { a.Design = append(a.Design, v); return nil })
	case "precision":
		a.Precision = nil
		each = strs(func(i int, v string) error {
			p, err := hw.PrecisionByName(v)
			if err != nil {
				return fmt.Errorf("%s[%d] %q is not known (accepted: %s)", field, i, v, hw.PrecisionNames())
			}
			a.Precision = append(a.Precision, p)
			return nil
		})
	case "array":
		a.Array = nil
		each = strs(func(i int, v string) error {
			sh, err := ParseArrayShape(v)
			if err != nil {
				return fmt.Errorf("%s[%d] %v", field, i, err)
			}
			a.Array = append(a.Array, sh)
			return nil
		})
	case "arrays":
		each = ints(1, maxArrays, &a.Arrays)
	case "dataflow":
		a.Dataflow = nil
		each = strs(func(i int, v string) error {
			df, err := hw.ParseDataflow(v)
			if err != nil {
				return fmt.Errorf("%s[%d] %q is not known (accepted: os|ws)", field, i, v)
			}
			a.Dataflow = append(a.Dataflow, df)
			return nil
		})
	case "weight_buffer":
		each = sizes(1, &a.WeightBuffer)
	case "input_buffer":
		each = sizes(1, &a.InputBuffer)
	case "output_buffer":
		each = sizes(1, &a.OutputBuffer)
	case "activation_buffer":
		each = sizes(0, &a.ActivationBuffer)
	case "hbm_ports":
		each = ints(1, maxPorts, &a.HBMPorts)
	case "port_bits":
		a.PortBits = nil
		each = func(i int, r json.RawMessage) error {
			var v int
			if err := integer(r, fmt.Sprintf("%s[%d]", field, i), 0, 1<<20, &v); err != nil || (v != 256 && v != 512) {
				return fmt.Errorf("%s[%d] must be 256 or 512, got %s", field, i, short(r))
			}
			a.PortBits = append(a.PortBits, v)
			return nil
		}
	case "hbm_pcs":
		each = ints(1, maxPorts, &a.HBMPCs)
	case "cameras":
		each = ints(1, workload.MaxCameras, &a.Cameras)
	case "frames":
		each = ints(1, workload.MaxFrames, &a.Frames)
	default:
		return fmt.Errorf("axis %q is not known (accepted: %s)", name, strings.Join(axisFields(), "|"))
	}
	return list(raw, field, each)
}

// axis is one swept parameter: its name and its values as key text.
type axis struct {
	name   string
	values []string
}

// axes returns the swept axes in enumeration order with each value's key
// text.
func (s *Space) axes() []axis {
	var out []axis
	add := func(name string, n int, text func(i int) string) {
		if n == 0 {
			return
		}
		ax := axis{name: name}
		for i := range n {
			ax.values = append(ax.values, text(i))
		}
		out = append(out, ax)
	}
	a := s.Axes
	add("design", len(a.Design), func(i int) string { return a.Design[i] })
	add("precision", len(a.Precision), func(i int) string { return a.Precision[i].Name })
	add("array", len(a.Array), func(i int) string { return a.Array[i].String() })
	add("arrays", len(a.Arrays), func(i int) string { return strconv.Itoa(a.Arrays[i]) })
	add("dataflow", len(a.Dataflow), func(i int) string { return string(a.Dataflow[i]) })
	add("weight_buffer", len(a.WeightBuffer), func(i int) string { return FormatSize(a.WeightBuffer[i]) })
	add("input_buffer", len(a.InputBuffer), func(i int) string { return FormatSize(a.InputBuffer[i]) })
	add("output_buffer", len(a.OutputBuffer), func(i int) string { return FormatSize(a.OutputBuffer[i]) })
	add("activation_buffer", len(a.ActivationBuffer), func(i int) string { return FormatSize(a.ActivationBuffer[i]) })
	add("hbm_ports", len(a.HBMPorts), func(i int) string { return strconv.Itoa(a.HBMPorts[i]) })
	add("port_bits", len(a.PortBits), func(i int) string { return strconv.Itoa(a.PortBits[i]) })
	add("hbm_pcs", len(a.HBMPCs), func(i int) string { return strconv.Itoa(a.HBMPCs[i]) })
	add("cameras", len(a.Cameras), func(i int) string { return strconv.Itoa(a.Cameras[i]) })
	add("frames", len(a.Frames), func(i int) string { return strconv.Itoa(a.Frames[i]) })
	return out
}

// Validate checks what can be checked without building the points: known
// memory model, values unique within each axis, key text free of the
// characters keys are built with, and the number of points.
func (s *Space) Validate() error {
	switch s.Base.Memory {
	case "", MemoryHBM, MemoryIdeal:
	default:
		return fmt.Errorf("space: base.memory %q is not known (accepted: %s|%s)", s.Base.Memory, MemoryHBM, MemoryIdeal)
	}
	switch s.Base.Layout {
	case "", accel.LayoutInterleave, accel.LayoutContiguous:
	default:
		return fmt.Errorf("space: base.layout %q is not known (accepted: %s|%s)", s.Base.Layout, accel.LayoutInterleave, accel.LayoutContiguous)
	}
	for _, f := range []struct{ field, v string }{{"base.platform", s.Base.Platform}, {"base.design", s.Base.Design}, {"base.scenario", s.Base.Scenario}} {
		if strings.ContainsAny(f.v, "\n\r") {
			return fmt.Errorf("space: %s must be one line", f.field)
		}
	}
	n := 1
	for _, ax := range s.axes() {
		seen := map[string]bool{}
		for i, v := range ax.values {
			if v == "" || strings.ContainsAny(v, " =\n\r\t,\"") {
				return fmt.Errorf("space: axes.%s[%d] %q must not be empty or contain spaces, '=', ',' or quotes", ax.name, i, v)
			}
			if seen[v] {
				return fmt.Errorf("space: axes.%s[%d] repeats the value %s", ax.name, i, v)
			}
			seen[v] = true
		}
		n *= len(ax.values)
		if n > MaxPoints {
			return fmt.Errorf("space: more than %d points (the axes' product); split the space", MaxPoints)
		}
	}
	if n*(1+len(s.Ideas)) > MaxPoints {
		return fmt.Errorf("space: %d points x %d idea sets is more than %d points; split the space", n, 1+len(s.Ideas), MaxPoints)
	}
	seen := map[string]bool{}
	for i, set := range s.Ideas {
		if len(set) == 0 {
			return fmt.Errorf("space: ideas[%d] is empty", i)
		}
		k := strings.Join(set, "+")
		if seen[k] {
			return fmt.Errorf("space: ideas[%d] repeats the idea set %s", i, k)
		}
		seen[k] = true
	}
	return nil
}
