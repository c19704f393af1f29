// Package format names the output formats every roofsim command accepts
// (table, csv, json, md). It is a leaf package so that both report, which
// renders them, and sweep, which streams its rows as csv or json, use the
// same type.
package format

import (
	"fmt"
	"strings"
)

// Format is an output format of the roofsim commands.
type Format string

// The output formats.
const (
	// Table is a box-drawn text table per result.
	Table Format = "table"
	// CSV is comma-separated values (a sweep: a header, then one line per
	// point).
	CSV Format = "csv"
	// JSON is a JSON document (a sweep: one JSON object per line and point,
	// JSON lines).
	JSON Format = "json"
	// Markdown is a Markdown table per result.
	Markdown Format = "md"
)

// Names lists the accepted formats, separated by '|'.
const Names = "table|csv|json|md"

// Parse accepts table, csv, json or md (or markdown), in any case.
func Parse(s string) (Format, error) {
	switch f := Format(strings.ToLower(s)); f {
	case Table, CSV, JSON, Markdown:
		return f, nil
	case "markdown":
		return Markdown, nil
	}
	return "", fmt.Errorf("--format %q is not known (accepted: %s)", s, Names)
}
