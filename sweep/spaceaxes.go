package sweep

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sim/accel"
	"github.com/roofsim/roofsim/workload"
)

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
