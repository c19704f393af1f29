package hw

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
)

// UnitKind names what a unit of a spatial design computes.
type UnitKind string

// The unit kinds of a spatial design.
const (
	// UnitArray is a systolic array (or several identical ones) for the
	// matmul ops (GEMMs, attention products).
	UnitArray UnitKind = "array"
	// UnitVector is a vector unit of lanes for the elementwise ops.
	UnitVector UnitKind = "vector"
)

// UnitOrder is the order a unit runs the tiles of its ops within one
// group of the graph (one layer).
type UnitOrder string

// The unit orders.
const (
	// OrderOpMajor runs every tile of an op before the next op, the ops
	// in graph order (the default).
	OrderOpMajor UnitOrder = "op"
	// OrderPattern runs every tile of an op before the next op, the ops
	// in the order of the unit's patterns that select them: a unit whose
	// ops are ["*.k", "*.v", "*.q"] computes k, then v, then q.
	OrderPattern UnitOrder = "pattern"
	// OrderTileMajor runs tile i of each of its ops (in graph order)
	// before tile i+1: an attention unit doing qk and av of one row slab
	// in turn.
	OrderTileMajor UnitOrder = "tile"
)

// SpatialUnit is one compute unit of a spatial design: it runs the graph's
// ops that its Ops patterns select, tile by tile, concurrently with the
// other units.
type SpatialUnit struct {
	// Name identifies the unit ("qkv", "ffn1").
	Name string `json:"name"`
	// Kind is array or vector.
	Kind UnitKind `json:"kind"`
	// Precision is the unit's arithmetic; empty takes the design's.
	Precision Precision `json:"precision"`
	// ArrayRows and ArrayCols are the PE rows and columns of one array.
	ArrayRows int `json:"array_rows,omitempty"`
	ArrayCols int `json:"array_cols,omitempty"`
	// Arrays is the number of identical arrays of the unit (0: one); an
	// op's folds are spread over them.
	Arrays int `json:"arrays,omitempty"`
	// Dataflow is the arrays' dataflow (empty: os).
	Dataflow Dataflow `json:"dataflow,omitempty"`
	// Style is the arrays' style, as for an overlay design (empty: fold).
	Style ArrayStyle `json:"array_style,omitempty"`
	// VectorLanes is a vector unit's lanes (one element operation per lane
	// per cycle).
	VectorLanes int `json:"vector_lanes,omitempty"`
	// SLR is the super logic region the unit is placed on.
	SLR int `json:"slr"`
	// HBMPorts are the AXI ports (one per pseudo-channel) the unit's
	// weights and model inputs are read through and its model outputs
	// written through; they are placed on those ports' PCs.
	HBMPorts []int `json:"hbm_ports"`
	// WeightBufferBytes is the unit's weight buffer, both halves of its
	// double buffer: an op whose weights fit one half reads them once,
	// otherwise once per tile; 0 streams them every tile.
	WeightBufferBytes int64 `json:"weight_buffer_bytes,omitempty"`
	// Ops select the graph's ops the unit runs: a glob over the op's name
	// ("*.q", "vision.*.l?.fc1"), "kind:NAME" (gemm, attention, norm,
	// softmax, activation, residual, shuffle) or "role:NAME" (the role of
	// the op's output). An op goes to the first unit with a pattern that
	// matches it; see Order for the order the unit runs them in.
	Ops []string `json:"ops"`
	// Order is op (the default), pattern or tile; see UnitOrder.
	Order UnitOrder `json:"order,omitempty"`
}

// SpatialStream overrides the depth of the stream between two units.
type SpatialStream struct {
	// From and To name the producing and consuming units.
	From string `json:"from"`
	To   string `json:"to"`
	// DepthTiles is the FIFO's depth in tiles of the largest tile it
	// carries; DepthBytes, when set, its depth in bytes instead.
	DepthTiles int   `json:"depth_tiles,omitempty"`
	DepthBytes int64 `json:"depth_bytes,omitempty"`
}

// SpatialDesign is a dataflow accelerator: units, each with its own
// shape, precision and SLR, that run concurrently with activations
// streamed between them through bounded on-chip FIFOs.
type SpatialDesign struct {
	// Name identifies the design.
	Name string `json:"name"`
	// Precision is the design's default arithmetic (units may override).
	Precision Precision `json:"precision"`
	// FreqHz is the kernel clock in Hz; 0 means the platform's.
	FreqHz float64 `json:"freq_hz,omitempty"`
	// PortBits is the width of the AXI ports: 256 (the default) or 512.
	PortBits int `json:"port_bits,omitempty"`
	// Tiles is the number of row tiles every op is cut into (default 8):
	// tile i of an op is the i-th of Tiles equal slabs of its rows.
	Tiles int `json:"tiles,omitempty"`
	// StreamDepthTiles is every stream's depth in tiles (default 2),
	// unless Streams says otherwise.
	StreamDepthTiles int `json:"stream_depth_tiles,omitempty"`
	// Buffering is double (the default when empty: every unit loads a
	// tile's weights and model inputs one tile ahead, into the other half
	// of a double buffer) or single (at the tile's turn: load, then
	// compute).
	Buffering Buffering `json:"buffering,omitempty"`
	// LaunchCycles is a fixed overhead in kernel cycles before each op's
	// first tile on its unit: the host starting the kernel (an XRT kernel
	// start); 0 has none.
	LaunchCycles int64 `json:"launch_cycles,omitempty"`
	// Units are the compute units.
	Units []SpatialUnit `json:"units"`
	// Streams override the depth of some streams.
	Streams []SpatialStream `json:"streams,omitempty"`
}

// Defaults of a spatial design.
const (
	// SpatialDefaultTiles is the row tiles per op when Tiles is 0.
	SpatialDefaultTiles = 8
	// SpatialDefaultDepthTiles is a stream's depth when none is given: two
	// tiles, a ping-pong buffer (Vitis HLS dataflow channels; AMD UG1399).
	SpatialDefaultDepthTiles = 2
	// SpatialMaxTiles bounds Tiles.
	SpatialMaxTiles = 4096
)

// IsSpatialDesign reports whether the JSON object b is a spatial design:
// it has a "units" field.
func IsSpatialDesign(b []byte) bool {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return false
	}
	_, ok := m["units"]
	return ok
}

// IsSpatialDesignFile reports whether arg names a design file that holds
// a spatial design.
func IsSpatialDesignFile(arg string) bool {
	if !isFile(arg) {
		return false
	}
	b, err := readConfig(arg)
	return err == nil && IsSpatialDesign(b)
}

// ParseSpatialDesign reads a spatial design from JSON, fills its defaults
// and validates it; Fit checks it against a board.
func ParseSpatialDesign(b []byte) (SpatialDesign, error) {
	var d SpatialDesign
	if err := DecodeStrict(b, &d); err != nil {
		return SpatialDesign{}, fmt.Errorf("spatial design: %w", err)
	}
	d.fillDefaults()
	if err := d.Validate(); err != nil {
		return SpatialDesign{}, err
	}
	return d, nil
}

// LoadSpatialDesign reads the spatial design in the JSON file path.
func LoadSpatialDesign(path string) (SpatialDesign, error) {
	b, err := readConfig(path)
	if err != nil {
		return SpatialDesign{}, fmt.Errorf("design file: %w", err)
	}
	d, err := ParseSpatialDesign(b)
	if err != nil {
		return SpatialDesign{}, fmt.Errorf("%s: %w", path, err)
	}
	return d, nil
}

func (d *SpatialDesign) fillDefaults() {
	if d.PortBits == 0 {
		d.PortBits = 256
	}
	if d.Tiles == 0 {
		d.Tiles = SpatialDefaultTiles
	}
	if d.StreamDepthTiles == 0 {
		d.StreamDepthTiles = SpatialDefaultDepthTiles
	}
	for i := range d.Units {
		u := &d.Units[i]
		if u.Precision.Name == "" {
			u.Precision = d.Precision
		}
		if u.Order == "" {
			u.Order = OrderOpMajor
		}
		if u.Kind == UnitArray {
			if u.Arrays == 0 {
				u.Arrays = 1
			}
			if u.Dataflow == "" {
				u.Dataflow = OutputStationary
			}
			if u.Style == "" {
				u.Style = StyleFold
			}
		}
	}
}

// Unit returns the index of the unit named name, -1 when there is none.
func (d SpatialDesign) Unit(name string) int {
	return slices.IndexFunc(d.Units, func(u SpatialUnit) bool { return u.Name == name })
}

// Validate checks the design's own fields: names, kinds, shapes, orders,
// depths and that streams name known units.
func (d SpatialDesign) Validate() error {
	if d.Name == "" {
		return fmt.Errorf("spatial design: name must not be empty")
	}
	fail := func(format string, a ...any) error {
		return fmt.Errorf("spatial design %q: "+format, append([]any{d.Name}, a...)...)
	}
	if d.Precision.Name == "" {
		return fail("precision is required (accepted: %s)", PrecisionNames())
	}
	if d.PortBits != 256 && d.PortBits != 512 {
		return fail("port_bits must be 256 or 512, got %d", d.PortBits)
	}
	if d.Tiles < 1 || d.Tiles > SpatialMaxTiles {
		return fail("tiles must be in 1..%d, got %d", SpatialMaxTiles, d.Tiles)
	}
	if b, err := ParseBuffering(string(d.Buffering)); err != nil {
		return fail("%v", err)
	} else if b == StreamBuffered {
		return fail("buffering stream is for array designs (accepted here: double|single)")
	}
	if d.LaunchCycles < 0 {
		return fail("launch_cycles must be >= 0, got %d", d.LaunchCycles)
	}
	if d.StreamDepthTiles < 1 {
		return fail("stream_depth_tiles must be >= 1, got %d", d.StreamDepthTiles)
	}
	if !(d.FreqHz >= 0) || math.IsInf(d.FreqHz, 0) {
		return fail("freq_hz must be a finite frequency >= 0 Hz, got %g", d.FreqHz)
	}
	if len(d.Units) == 0 {
		return fail("units must list at least one unit")
	}
	for i, u := range d.Units {
		if u.Name == "" {
			return fail("unit %d has no name", i)
		}
		if d.Unit(u.Name) != i {
			return fail("unit %q is listed twice", u.Name)
		}
		if err := u.validate(); err != nil {
			return fail("unit %q: %v", u.Name, err)
		}
	}
	for _, s := range d.Streams {
		for _, n := range []string{s.From, s.To} {
			if d.Unit(n) < 0 {
				return fail("stream %s->%s: unit %q is not known (accepted: %s)", s.From, s.To, n, d.unitNames())
			}
		}
		if s.DepthTiles < 0 || s.DepthBytes < 0 || (s.DepthTiles == 0 && s.DepthBytes == 0) {
			return fail("stream %s->%s: depth_tiles or depth_bytes must be > 0, got %d tiles and %d bytes", s.From, s.To, s.DepthTiles, s.DepthBytes)
		}
	}
	return nil
}

func (d SpatialDesign) unitNames() string {
	names := make([]string, len(d.Units))
	for i, u := range d.Units {
		names[i] = u.Name
	}
	return strings.Join(names, "|")
}

func (u SpatialUnit) validate() error {
	if len(u.Ops) == 0 {
		return fmt.Errorf("ops must list at least one pattern")
	}
	if u.Order != OrderOpMajor && u.Order != OrderPattern && u.Order != OrderTileMajor {
		return fmt.Errorf("order %q is not known (accepted: op|pattern|tile)", u.Order)
	}
	if u.WeightBufferBytes < 0 {
		return fmt.Errorf("weight_buffer_bytes must be >= 0, got %d", u.WeightBufferBytes)
	}
	if len(u.HBMPorts) == 0 {
		return fmt.Errorf("hbm_ports must list at least one port")
	}
	switch u.Kind {
	case UnitArray:
		if u.ArrayRows < 1 || u.ArrayCols < 1 || u.Arrays < 1 {
			return fmt.Errorf("array_rows, array_cols and arrays must be >= 1, got %dx%d x %d", u.ArrayRows, u.ArrayCols, u.Arrays)
		}
		if _, err := ParseDataflow(string(u.Dataflow)); err != nil {
			return err
		}
		if _, err := ParseArrayStyle(string(u.Style)); err != nil {
			return err
		}
	case UnitVector:
		if u.VectorLanes < 1 {
			return fmt.Errorf("vector_lanes must be >= 1, got %d", u.VectorLanes)
		}
	default:
		return fmt.Errorf("kind %q is not known (accepted: array|vector)", u.Kind)
	}
	return nil
}

// DSPs is the number of DSP48E2 slices the unit's arrays use (a vector
// unit's lanes are not counted, as for an overlay design).
func (u SpatialUnit) DSPs() int {
	if u.Kind != UnitArray {
		return 0
	}
	return int(math.Ceil(float64(u.ArrayRows*u.ArrayCols)*u.Precision.DSPsPerMAC-1e-9)) * u.Arrays
}

// ClockHz is the design's kernel clock in Hz on platform p.
func (d SpatialDesign) ClockHz(p Platform) float64 {
	if d.FreqHz > 0 {
		return d.FreqHz
	}
	return p.KernelFreqHz
}

// Fit checks that platform p can hold the design: every unit on an SLR of
// p, its HBM ports p's, the DSPs of each SLR's units within the SLR's, and
// the clock within the AXI ports' limit.
func (d SpatialDesign) Fit(p Platform) error {
	if err := d.Validate(); err != nil {
		return err
	}
	dsps := make([]int, max(p.SLRs, 1))
	for _, u := range d.Units {
		if u.SLR < 0 || u.SLR >= p.SLRs {
			return fmt.Errorf("spatial design %q: unit %q is on SLR %d, %s has SLRs 0..%d", d.Name, u.Name, u.SLR, p.Name, p.SLRs-1)
		}
		for _, port := range u.HBMPorts {
			if port < 0 || port >= p.HBM.PseudoChannels {
				return fmt.Errorf("spatial design %q: unit %q uses HBM port %d, %s has ports 0..%d", d.Name, u.Name, port, p.Name, p.HBM.PseudoChannels-1)
			}
		}
		dsps[u.SLR] += u.DSPs()
	}
	for slr, n := range dsps {
		if avail := p.DSPsPerSLR(); n > avail {
			return fmt.Errorf("spatial design %q does not fit %s: its units on SLR %d need %d DSP48E2, the SLR has %d", d.Name, p.Name, slr, n, avail)
		}
	}
	if d.FreqHz > p.HBM.AXIMaxFreqHz {
		return fmt.Errorf("spatial design %q does not fit %s: freq_hz %g is above the AXI ports' limit of %g Hz", d.Name, p.Name, d.FreqHz, p.HBM.AXIMaxFreqHz)
	}
	return nil
}
