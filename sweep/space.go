package sweep

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/ideas"
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
	Memory accel.Memory
	// Layout is how weights and spilled activations spread over the PCs:
	// "interleave" (default) or "contiguous" (the naive allocation, the
	// baseline of the placement idea).
	Layout accel.LayoutMap
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

// ParseArrayShape reads "RxC" (e.g. "64x64"), as hw.ParseArrayShape.
func ParseArrayShape(s string) (ArrayShape, error) {
	r, c, err := hw.ParseArrayShape(s)
	var fe *hw.FieldError
	if errors.As(err, &fe) {
		return ArrayShape{}, errors.New(fe.Msg)
	}
	if err != nil {
		return ArrayShape{}, err
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
		sets, err := ideas.ParseSets(names, "ideas")
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
			var v string
			err = str(r, field, &v)
			b.Memory = accel.Memory(v)
		case "layout":
			var v string
			err = str(r, field, &v)
			b.Layout = accel.LayoutMap(v)
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
