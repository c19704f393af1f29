package workload

import (
	"encoding/json"
	"fmt"
	"slices"
)

// hfFields reads the fields of one JSON object of a config.json, keeping
// the first error: a required field that is absent or null, or a field of
// the wrong JSON type. Unknown fields are ignored. pre prefixes field names
// in errors ("text_config.").
type hfFields struct {
	pre string
	m   map[string]json.RawMessage
	err *error
}

// newHFFields decodes object b.
func newHFFields(b []byte) (hfFields, error) {
	var m map[string]json.RawMessage
	if err := decodeJSON(b, &m); err != nil {
		return hfFields{}, err
	}
	if m == nil {
		return hfFields{}, fmt.Errorf("the config must be a JSON object, got null")
	}
	var err error
	return hfFields{m: m, err: &err}, nil
}

// fail records the first error.
func (f hfFields) fail(format string, args ...any) {
	if *f.err == nil {
		*f.err = fmt.Errorf(format, args...)
	}
}

// get decodes field name into v; it reports whether the field is present
// and not null.
func (f hfFields) get(name string, v any, kind string) bool {
	raw, ok := f.m[name]
	if !ok || string(raw) == "null" {
		return false
	}
	if err := json.Unmarshal(raw, v); err != nil {
		f.fail("%s%s must be a JSON %s, got %s", f.pre, name, kind, raw)
		return false
	}
	return true
}

// has reports whether field name is present and not null.
func (f hfFields) has(name string) bool {
	raw, ok := f.m[name]
	return ok && string(raw) != "null"
}

// int returns required integer field name.
func (f hfFields) int(name string) int {
	var v int
	if !f.get(name, &v, "integer") && *f.err == nil {
		f.fail("%s%s is missing: it must be an integer", f.pre, name)
	}
	return v
}

// intOr returns integer field name, or def when it is absent or null.
func (f hfFields) intOr(name string, def int) int {
	v := def
	f.get(name, &v, "integer")
	return v
}

// boolOr returns boolean field name, or def when it is absent or null.
func (f hfFields) boolOr(name string, def bool) bool {
	v := def
	f.get(name, &v, "boolean")
	return v
}

// strOr returns string field name, or def when it is absent or null.
func (f hfFields) strOr(name, def string) string {
	v := def
	f.get(name, &v, "string")
	return v
}

// strings returns array-of-strings field name (nil when absent or null).
func (f hfFields) strings(name string) []string {
	var v []string
	f.get(name, &v, "array of strings")
	return v
}

// objectLen returns the number of keys of object field name (0 when absent
// or null).
func (f hfFields) objectLen(name string) int {
	var v map[string]json.RawMessage
	f.get(name, &v, "object")
	return len(v)
}

// sub returns object field name as fields named under it; an absent or
// null object reads as empty (every field takes its default) when
// optional, and is an error otherwise.
func (f hfFields) sub(name string, optional bool) hfFields {
	s := hfFields{pre: f.pre + name + ".", m: map[string]json.RawMessage{}, err: f.err}
	if !f.get(name, &s.m, "object") && !optional && *f.err == nil {
		f.fail("%s%s is missing: it must be an object", f.pre, name)
	}
	if s.m == nil {
		s.m = map[string]json.RawMessage{}
	}
	return s
}

// architecture reports whether the config's architectures list names arch.
func (f hfFields) architecture(arch string) bool {
	return slices.Contains(f.strings("architectures"), arch)
}

// modelType returns the model_type of config.json b ("" when it has none
// or b is not a JSON object).
func modelType(b []byte) string {
	var c struct {
		ModelType string `json:"model_type"`
	}
	if json.Unmarshal(b, &c) != nil {
		return ""
	}
	return c.ModelType
}
