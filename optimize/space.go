package optimize

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/ideas"
	"github.com/roofsim/roofsim/sim/accel"
)

// Space is what the optimizer searches: a base design and the ranges of
// its fields, and the ideas it may switch on.
type Space struct {
	// Name names the space in reports.
	Name string
	// Platform is the board: a preset name or a platform .json file.
	Platform string
	// Design is the design every candidate starts from: a preset name or
	// a design .json file.
	Design string
	// Memory is the off-chip memory model (hbm or ideal).
	Memory accel.Memory
	// Params are the design fields searched, in DesignFields order.
	Params []Param
	// Ideas are the ideas the search switches on or off, in registry order.
	Ideas []string
}

// Param is the range of one design field: a list of choices, or the
// whole numbers Min..Max in steps of Step, or the powers of two in
// Min..Max (Pow2).
type Param struct {
	// Field is the design field (a design file's name: "array_rows").
	Field string
	// Choices lists the values as text ("int8", "os", "256"); empty for a
	// numeric range.
	Choices []string
	// Min and Max bound a numeric range, both included.
	Min, Max int64
	// Step is the spacing of a linear range (1 when absent).
	Step int64
	// Pow2 makes the range the powers of two in Min..Max.
	Pow2 bool
}

// fieldSpec is a design field the space may search and how its values
// are read.
type fieldSpec struct {
	name string
	// text fields take choices only (precision, dataflow).
	text bool
	// size fields take sizes ("2MiB") as well as integers.
	size bool
}

// searchable lists the design fields a space may search, in the order
// candidates set them.
func searchable() []fieldSpec {
	return []fieldSpec{
		{"precision", true, false}, {"dataflow", true, false},
		{"arrays", false, false}, {"array_rows", false, false}, {"array_cols", false, false},
		{"weight_buffer_bytes", false, true}, {"input_buffer_bytes", false, true}, {"output_buffer_bytes", false, true},
		{"activation_buffer_bytes", false, true}, {"weight_store_bytes", false, true},
		{"vector_lanes", false, false}, {"hbm_ports", false, false}, {"port_bits", false, false},
		{"hbm_pcs", false, false}, {"freq_hz", false, false},
	}
}

// DesignFields lists the names of the fields a space may search.
func DesignFields() []string {
	var out []string
	for _, f := range searchable() {
		out = append(out, f.name)
	}
	return out
}

// MaxRangeValues bounds the values one parameter may take (a range of
// more is refused: a search over it would be a guess, not a search).
const MaxRangeValues = 1 << 20

// LoadSpace reads a space file.
func LoadSpace(path string) (*Space, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("space: %w", err)
	}
	s, err := ParseSpace(b)
	if err != nil {
		return nil, fmt.Errorf("space %s: %w", path, err)
	}
	return s, nil
}

// spaceJSON is a space file as written.
type spaceJSON struct {
	Name     string                     `json:"name"`
	Platform string                     `json:"platform"`
	Design   string                     `json:"design"`
	Memory   string                     `json:"memory"`
	Params   map[string]json.RawMessage `json:"params"`
	Ideas    []string                   `json:"ideas"`
}

// rangeJSON is a numeric range as written.
type rangeJSON struct {
	Min  json.RawMessage `json:"min"`
	Max  json.RawMessage `json:"max"`
	Step json.RawMessage `json:"step"`
	Pow2 bool            `json:"pow2"`
}

// ParseSpace reads a space from JSON, strictly: an unknown field, a wrong
// type, a field that is not searchable or a value out of its range is an
// error naming the field and what is accepted.
func ParseSpace(b []byte) (*Space, error) {
	var sj spaceJSON
	if err := hw.DecodeStrict(b, &sj); err != nil {
		return nil, err
	}
	s := &Space{Name: sj.Name, Platform: sj.Platform, Design: sj.Design, Memory: accel.Memory(sj.Memory)}
	if s.Platform == "" {
		s.Platform = "u280"
	}
	if s.Design == "" {
		s.Design = hw.DefaultDesignName
	}
	switch s.Memory {
	case "":
		s.Memory = accel.MemoryHBM
	case accel.MemoryHBM, accel.MemoryIdeal:
	default:
		return nil, fmt.Errorf("memory %q is not known (accepted: hbm|ideal)", sj.Memory)
	}
	for name := range sj.Params {
		if !slices.Contains(DesignFields(), name) {
			return nil, fmt.Errorf("params.%s is not a searchable design field (accepted: %s)", name, strings.Join(DesignFields(), "|"))
		}
	}
	for _, f := range searchable() {
		raw, ok := sj.Params[f.name]
		if !ok {
			continue
		}
		p, err := parseParam(f, raw)
		if err != nil {
			return nil, err
		}
		s.Params = append(s.Params, p)
	}
	sets, err := ideas.ParseSets(sj.Ideas, "ideas")
	if err != nil {
		return nil, err
	}
	for i, set := range sets {
		if len(set) != 1 {
			return nil, fmt.Errorf("ideas[%d] %q: list ideas one by one (each is a switch the search turns on or off)", i, sj.Ideas[i])
		}
		s.Ideas = append(s.Ideas, set[0])
	}
	order := func(a, b string) int {
		return strings.Index("|"+ideas.Names()+"|", "|"+a+"|") - strings.Index("|"+ideas.Names()+"|", "|"+b+"|")
	}
	slices.SortFunc(s.Ideas, order)
	if len(s.Params) == 0 && len(s.Ideas) == 0 {
		return nil, fmt.Errorf("the space searches nothing: give params (%s) or ideas", strings.Join(DesignFields(), "|"))
	}
	return s, nil
}

// parseParam reads one parameter: a JSON array of choices, or a range
// object {"min", "max", "step" | "pow2"}. Every value is checked against
// the field's range in hw.Ranges.
func parseParam(f fieldSpec, raw json.RawMessage) (Param, error) {
	field := "params." + f.name
	p := Param{Field: f.name}
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) > 0 && trimmed[0] == '[' {
		var vals []json.RawMessage
		if err := json.Unmarshal(raw, &vals); err != nil {
			return Param{}, fmt.Errorf("%s must be a JSON array of values or a range object, got %s", field, short(raw))
		}
		if len(vals) == 0 {
			return Param{}, fmt.Errorf("%s must list at least one value", field)
		}
		for i, v := range vals {
			text, err := value(f, v, fmt.Sprintf("%s[%d]", field, i))
			if err != nil {
				return Param{}, err
			}
			if slices.Contains(p.Choices, text) {
				return Param{}, fmt.Errorf("%s[%d] repeats %s", field, i, text)
			}
			p.Choices = append(p.Choices, text)
		}
		return p, nil
	}
	if f.text {
		return Param{}, fmt.Errorf("%s must be a JSON array of choices, got %s", field, short(raw))
	}
	var r rangeJSON
	if err := hw.DecodeStrict(raw, &r); err != nil {
		return Param{}, fmt.Errorf("%s must be a JSON array of values or a range object {\"min\", \"max\", \"step\" or \"pow2\"}: %v", field, err)
	}
	if r.Min == nil || r.Max == nil {
		return Param{}, fmt.Errorf("%s needs both min and max", field)
	}
	var err error
	if p.Min, err = number(f, r.Min, field+".min"); err != nil {
		return Param{}, err
	}
	if p.Max, err = number(f, r.Max, field+".max"); err != nil {
		return Param{}, err
	}
	if p.Max < p.Min {
		return Param{}, fmt.Errorf("%s: max %d is below min %d", field, p.Max, p.Min)
	}
	p.Step, p.Pow2 = 1, r.Pow2
	if r.Step != nil {
		if r.Pow2 {
			return Param{}, fmt.Errorf("%s: give step or pow2, not both", field)
		}
		var x float64
		if err := json.Unmarshal(r.Step, &x); err != nil || x != math.Trunc(x) || x < 1 || x > float64(hw.MaxSizeBytes) {
			return Param{}, fmt.Errorf("%s.step must be an integer of at least 1, got %s", field, short(r.Step))
		}
		p.Step = int64(x)
	}
	if p.Pow2 {
		if p.Min < 1 || p.Min&(p.Min-1) != 0 || p.Max&(p.Max-1) != 0 {
			return Param{}, fmt.Errorf("%s: with pow2, min and max must be powers of two, got %d and %d", field, p.Min, p.Max)
		}
	} else if (p.Max-p.Min)/p.Step+1 > MaxRangeValues {
		return Param{}, fmt.Errorf("%s: %d..%d in steps of %d has more than %d values", field, p.Min, p.Max, p.Step, MaxRangeValues)
	}
	return p, nil
}

// value reads one choice as the text an hw.Override takes, checked against
// the field's range.
func value(f fieldSpec, raw json.RawMessage, field string) (string, error) {
	if f.text {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", fmt.Errorf("%s must be a JSON string, got %s", field, short(raw))
		}
		if _, err := hw.ApplyOverrides(baseForCheck(), hw.Override{Field: f.name, Value: s}); err != nil {
			return "", fmt.Errorf("%s: %v", field, err)
		}
		return s, nil
	}
	v, err := number(f, raw, field)
	if err != nil {
		return "", err
	}
	return strconv.FormatInt(v, 10), nil
}

// number reads an integer (or, for a size field, a size string such as
// "2MiB") and checks it against the field's range.
func number(f fieldSpec, raw json.RawMessage, field string) (int64, error) {
	var v int64
	var s string
	if f.size && json.Unmarshal(raw, &s) == nil {
		b, err := hw.ParseBytes(s, 0, hw.MaxSizeBytes)
		if err != nil {
			return 0, fmt.Errorf("%s: %v", field, err)
		}
		v = b
	} else {
		var x float64
		if err := json.Unmarshal(raw, &x); err != nil || x != math.Trunc(x) || math.Abs(x) > 1<<52 {
			kind := "an integer"
			if f.size {
				kind = "a size (bytes, or a string such as \"2MiB\")"
			}
			return 0, fmt.Errorf("%s must be %s, got %s", field, kind, short(raw))
		}
		v = int64(x)
	}
	if err := hw.CheckField(f.name, float64(v)); err != nil {
		return 0, fmt.Errorf("%s: %v", field, err)
	}
	if f.name == "port_bits" && v != 256 && v != 512 {
		return 0, fmt.Errorf("%s: port_bits must be 256 or 512, got %d", field, v)
	}
	return v, nil
}

// baseForCheck is a valid design that choices of text fields are tried on.
func baseForCheck() hw.Design {
	d, _ := hw.DesignByName(hw.DefaultDesignName)
	return d
}

// short quotes a raw JSON value for an error message, cut to 40 bytes.
func short(raw json.RawMessage) string {
	s := strings.Join(strings.Fields(string(raw)), " ")
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return s
}

// Values is the number of values the parameter can take.
func (p Param) Values() int64 {
	switch {
	case len(p.Choices) > 0:
		return int64(len(p.Choices))
	case p.Pow2:
		return int64(math.Log2(float64(p.Max))-math.Log2(float64(p.Min))) + 1
	}
	return (p.Max-p.Min)/p.Step + 1
}

// Size is the number of candidates of the space (the product of its
// parameters' values and 2 per idea), capped at math.MaxInt64.
func (s *Space) Size() float64 {
	n := math.Pow(2, float64(len(s.Ideas)))
	for _, p := range s.Params {
		n *= float64(p.Values())
	}
	return n
}

// Fingerprint is a canonical text of the space: a stored study is
// continued only by a search of the same fingerprint.
func (s *Space) Fingerprint() string {
	b, _ := json.Marshal(s) // a Space of strings and numbers always encodes
	return string(b)
}

// At is the i-th value of a numeric range (0-based).
func (p Param) At(i int) int64 {
	if p.Pow2 {
		return p.Min << i
	}
	return p.Min + int64(i)*p.Step
}
