package hw

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"slices"
	"strings"
)

// maxConfigBytes bounds the size of a platform or design file.
const maxConfigBytes = 1 << 20

// DecodeStrict decodes one JSON object from b into v, refusing unknown
// fields and trailing data, and turns the decoder's errors into messages
// that name the field or the byte offset.
func DecodeStrict(b []byte, v any) error {
	if err := CheckDuplicateKeys(b); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return fmt.Errorf("malformed JSON at byte %d: %v", se.Offset, se)
		case errors.As(err, &te) && te.Field == "":
			return fmt.Errorf("the file must hold a JSON object, got %s", te.Value)
		case errors.As(err, &te):
			return fmt.Errorf("field %q must be a JSON %s, got %s", te.Field, JSONKind(te.Type.Kind()), te.Value)
		case errors.Is(err, io.EOF):
			return fmt.Errorf("empty input: expected a JSON object")
		case errors.Is(err, io.ErrUnexpectedEOF):
			return fmt.Errorf("malformed JSON: unexpected end of input")
		}
		if msg := err.Error(); strings.HasPrefix(msg, "json: unknown field") {
			return fmt.Errorf("%s", strings.TrimPrefix(msg, "json: "))
		}
		return err
	}
	if dec.More() {
		return fmt.Errorf("malformed JSON: data after the object at byte %d", dec.InputOffset())
	}
	return nil
}

// JSONKind names the JSON type that decodes into a Go value of kind k.
func JSONKind(k reflect.Kind) string {
	switch k {
	case reflect.Map, reflect.Struct:
		return "object"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Bool:
		return "boolean (true or false)"
	case reflect.String:
		return "string"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	}
	return k.String()
}

// CheckDuplicateKeys reports the first object key that appears twice in
// the same JSON object of b (encoding/json would keep the last silently),
// naming its path ("hbm.timing.cl_ns"). Malformed JSON is left to the
// decoder and gives no error here.
func CheckDuplicateKeys(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	type frame struct {
		object bool
		keys   map[string]bool
		path   string
		expect bool // the next token of an object is a key
	}
	var stack []*frame
	path := func(key string) string {
		if len(stack) > 0 && stack[len(stack)-1].path != "" {
			return stack[len(stack)-1].path + "." + key
		}
		return key
	}
	var pending string // path of the value being read
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.object && top.expect {
			if d, ok := tok.(json.Delim); ok && d == '}' {
				stack = stack[:len(stack)-1]
				continue
			}
			key, _ := tok.(string)
			if top.keys[key] {
				return fmt.Errorf("duplicate key %q (each field may appear once)", path(key))
			}
			top.keys[key] = true
			top.expect = false
			pending = path(key)
			continue
		}
		if top != nil && top.object {
			top.expect = true
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{object: true, keys: map[string]bool{}, path: pending, expect: true})
		case json.Delim('['):
			stack = append(stack, &frame{path: pending})
		case json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
	}
}

// ParsePlatform reads a platform from JSON. Fields that are absent keep the
// U280's values, so a file can override a single timing parameter.
func ParsePlatform(b []byte) (Platform, error) {
	p := U280()
	if err := DecodeStrict(b, &p); err != nil {
		return Platform{}, fmt.Errorf("platform: %w", err)
	}
	if err := p.Validate(); err != nil {
		return Platform{}, err
	}
	return p, nil
}

// ParseDesign reads a design from JSON. name, precision, array_rows,
// array_cols and the three buffer sizes are required; arrays (1),
// dataflow (os), vector_lanes (64), hbm_ports (32) and port_bits (256)
// take those defaults when absent. Each field is set through
// ApplyOverrides, as a flag or a sweep axis sets it.
func ParseDesign(b []byte) (Design, error) {
	d := Design{
		Arrays:      1,
		Dataflow:    OutputStationary,
		VectorLanes: presetVectorLanes,
		HBMPorts:    32,
		PortBits:    256,
	}
	ovs, err := designOverrides(b)
	if err != nil {
		return Design{}, fmt.Errorf("design: %w", err)
	}
	return ApplyOverrides(d, ovs...)
}

// designOverrides reads the fields of a design file as overrides, in the
// order of designFields: a name field must be a JSON string, a numeric
// one a JSON number.
func designOverrides(b []byte) ([]Override, error) {
	var m map[string]json.RawMessage
	if err := DecodeStrict(b, &m); err != nil {
		return nil, err
	}
	fields := designFields()
	var unknown []string
	for k := range m {
		if f, ok := lookupField(k); !ok || !f.file {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return nil, fmt.Errorf("unknown field %q", unknown[0])
	}
	var ovs []Override
	for _, f := range fields {
		raw, ok := m[f.name]
		if !ok {
			continue
		}
		text := strings.TrimSpace(string(raw))
		isString := strings.HasPrefix(text, `"`)
		isNumber := text != "" && strings.ContainsRune("-0123456789", rune(text[0]))
		want := "number"
		switch f.kind {
		case kindText:
			want = "string"
		case kindInt, kindSize:
			want = "integer"
		}
		switch {
		case f.kind == kindText && isString:
			if err := json.Unmarshal(raw, &text); err != nil {
				return nil, fmt.Errorf("field %q: %v", f.name, err)
			}
		case f.kind != kindText && isNumber:
			if want == "integer" && strings.ContainsAny(text, ".eE") {
				return nil, fmt.Errorf("field %q must be a JSON integer, got number %s", f.name, text)
			}
		default:
			return nil, fmt.Errorf("field %q must be a JSON %s, got %s", f.name, want, jsonValueKind(text))
		}
		ovs = append(ovs, Override{Field: f.name, Value: text})
	}
	return ovs, nil
}

// jsonValueKind names the JSON type of a raw value for an error message.
func jsonValueKind(raw string) string {
	switch {
	case strings.HasPrefix(raw, `"`):
		return "string"
	case strings.HasPrefix(raw, "{"):
		return "object"
	case strings.HasPrefix(raw, "["):
		return "array"
	case raw == "true" || raw == "false":
		return "bool"
	case raw == "null":
		return "null"
	}
	return "number " + raw
}

// isFile reports whether a preset-or-file argument names a file.
func isFile(arg string) bool {
	return strings.HasSuffix(strings.ToLower(arg), ".json") || strings.ContainsRune(arg, os.PathSeparator)
}

// readConfig reads a configuration file of at most maxConfigBytes.
func readConfig(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxConfigBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxConfigBytes {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, maxConfigBytes)
	}
	return b, nil
}

// LoadPlatform returns the built-in platform named arg, or the platform in
// the JSON file arg (a name ending in .json or containing a path separator).
func LoadPlatform(arg string) (Platform, error) {
	if !isFile(arg) {
		return PlatformByName(arg)
	}
	b, err := readConfig(arg)
	if err != nil {
		return Platform{}, fmt.Errorf("platform file: %w", err)
	}
	p, err := ParsePlatform(b)
	if err != nil {
		return Platform{}, fmt.Errorf("%s: %w", arg, err)
	}
	return p, nil
}

// LoadDesign returns the built-in design named arg, or the design in the
// JSON file arg. It does not check the fit on a board; see Design.Fit.
func LoadDesign(arg string) (Design, error) {
	if !isFile(arg) {
		return DesignByName(arg)
	}
	b, err := readConfig(arg)
	if err != nil {
		return Design{}, fmt.Errorf("design file: %w", err)
	}
	if IsSpatialDesign(b) {
		return Design{}, fmt.Errorf("%s is a spatial design (it lists units): only roofsim run simulates spatial designs (docs/spatial.md)", arg)
	}
	d, err := ParseDesign(b)
	if err != nil {
		return Design{}, fmt.Errorf("%s: %w", arg, err)
	}
	return d, nil
}
