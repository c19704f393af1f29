package sweep

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/roofsim/roofsim/hw"
)

// The strict JSON readers of a space file: each names the field it reads in
// its errors.

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
