package report

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
	"github.com/roofsim/roofsim/report/format"
)

// Column describes one column of a Table.
type Column struct {
	// Key is the column's name in CSV headers and JSON objects (snake_case).
	Key string
	// Header is the column's title in text and Markdown tables; Key when empty.
	Header string
	// Fmt is the fmt verb for a numeric cell in text, Markdown and CSV
	// output (e.g. "%.2f"); JSON always keeps full precision.
	Fmt string
}

// Table is a titled grid of values: strings, integers, floats or bools.
type Table struct {
	// Name is the table's key in JSON output (snake_case).
	Name string
	// Title is printed above the table in text and Markdown output.
	Title string
	// Columns are the table's columns, in order.
	Columns []Column
	// Rows hold one value per column.
	Rows [][]any
	// Notes are printed under the table in text and Markdown output.
	Notes []string
}

// Cols builds columns from "key" or "key:fmt" specs, e.g. Cols("name", "oi:%.2f").
func Cols(specs ...string) []Column {
	cols := make([]Column, len(specs))
	for i, s := range specs {
		key, f, _ := strings.Cut(s, ":")
		cols[i] = Column{Key: key, Fmt: f}
	}
	return cols
}

// Add appends a row; it must have one value per column.
func (t *Table) Add(values ...any) {
	if len(values) != len(t.Columns) {
		// A programming error, not an input error: the row shape is fixed in code.
		panic(fmt.Sprintf("report: table %s: row has %d values for %d columns", t.Name, len(values), len(t.Columns)))
	}
	t.Rows = append(t.Rows, values)
}

// cell formats one value for text, Markdown and CSV output.
func (c Column) cell(v any) string {
	switch x := v.(type) {
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return fmt.Sprint(x)
		}
		if c.Fmt != "" {
			return fmt.Sprintf(c.Fmt, x)
		}
		return fmt.Sprintf("%g", x)
	case int, int64, uint64, int32:
		if c.Fmt != "" {
			return fmt.Sprintf(c.Fmt, x)
		}
		return fmt.Sprint(x)
	case nil:
		return ""
	default:
		return fmt.Sprint(x)
	}
}

// Text formats value v of the column as the text, Markdown and CSV
// outputs print it (report/html's tables use it).
func (c Column) Text(v any) string { return c.cell(v) }

// Heading is the column's title: Header, or Key when Header is empty.
func (c Column) Heading() string { return c.header() }

func (c Column) header() string {
	if c.Header != "" {
		return c.Header
	}
	return c.Key
}

func isNumeric(v any) bool {
	switch v.(type) {
	case float64, int, int64, uint64, int32:
		return true
	}
	return false
}

// WriteTables writes the tables in format f. Text and Markdown print each
// table under its title; CSV writes each table as a header row and its rows,
// tables separated by an empty line; JSON writes one object whose keys are
// the tables' names, each an array of row objects keyed by column.
func WriteTables(w io.Writer, f format.Format, tables ...*Table) error {
	switch f {
	case format.JSON:
		return writeJSON(w, tables)
	case format.CSV:
		for i, t := range tables {
			if i > 0 {
				if _, err := io.WriteString(w, "\n"); err != nil {
					return err
				}
			}
			if err := t.writeCSV(w); err != nil {
				return err
			}
		}
		return nil
	case format.Markdown:
		for i, t := range tables {
			if i > 0 {
				fmt.Fprintln(w)
			}
			if err := t.writeMarkdown(w); err != nil {
				return err
			}
		}
		return nil
	default:
		for i, t := range tables {
			if i > 0 {
				fmt.Fprintln(w)
			}
			if err := t.writeText(w); err != nil {
				return err
			}
		}
		return nil
	}
}

func (t *Table) writeCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	head := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		head[i] = c.Key
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	for _, r := range t.Rows {
		rec := make([]string, len(r))
		for i, v := range r {
			if x, ok := v.(float64); ok && t.Columns[i].Fmt == "" {
				rec[i] = fmt.Sprintf("%g", x)
				continue
			}
			rec[i] = t.Columns[i].cell(v)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func (t *Table) writeMarkdown(w io.Writer) error {
	var b strings.Builder
	if t.Title != "" {
		fmt.Fprintf(&b, "### %s\n\n", t.Title)
	}
	b.WriteString("|")
	sep := "|"
	for i, c := range t.Columns {
		fmt.Fprintf(&b, " %s |", c.header())
		if len(t.Rows) > 0 && isNumeric(t.Rows[0][i]) {
			sep += "---:|"
		} else {
			sep += "---|"
		}
	}
	b.WriteString("\n" + sep + "\n")
	for _, r := range t.Rows {
		b.WriteString("|")
		for i, v := range r {
			fmt.Fprintf(&b, " %s |", strings.ReplaceAll(t.Columns[i].cell(v), "|", "\\|"))
		}
		b.WriteString("\n")
	}
	for _, n := range t.Notes {
		fmt.Fprintf(&b, "\n%s\n", n)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func (t *Table) writeText(w io.Writer) error {
	if t.Title != "" {
		if _, err := fmt.Fprintln(w, t.Title); err != nil {
			return err
		}
	}
	align := make([]tw.Align, len(t.Columns))
	for i := range t.Columns {
		align[i] = tw.AlignLeft
		if len(t.Rows) > 0 && isNumeric(t.Rows[0][i]) {
			align[i] = tw.AlignRight
		}
	}
	tbl := tablewriter.NewTable(w,
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithRowAlignmentConfig(tw.CellAlignment{PerColumn: align}),
	)
	head := make([]any, len(t.Columns))
	for i, c := range t.Columns {
		head[i] = c.header()
	}
	tbl.Header(head...)
	for _, r := range t.Rows {
		cells := make([]string, len(r))
		for i, v := range r {
			cells[i] = t.Columns[i].cell(v)
		}
		if err := tbl.Append(cells); err != nil {
			return fmt.Errorf("table %s: %w", t.Name, err)
		}
	}
	if err := tbl.Render(); err != nil {
		return fmt.Errorf("table %s: %w", t.Name, err)
	}
	for _, n := range t.Notes {
		if _, err := fmt.Fprintln(w, n); err != nil {
			return err
		}
	}
	return nil
}

// jsonValue keeps numbers as numbers; a float that JSON cannot hold
// (NaN, ±Inf) becomes null.
func jsonValue(v any) any {
	if x, ok := v.(float64); ok && (math.IsNaN(x) || math.IsInf(x, 0)) {
		return nil
	}
	return v
}

// writeJSON writes {"name": [{"key": value, ...}, ...], ...} with keys in
// table and column order, so the output is byte-identical between runs.
func writeJSON(w io.Writer, tables []*Table) error {
	var b strings.Builder
	b.WriteString("{\n")
	for ti, t := range tables {
		key, _ := json.Marshal(t.Name)
		fmt.Fprintf(&b, "  %s: [", key)
		for ri, r := range t.Rows {
			if ri > 0 {
				b.WriteString(",")
			}
			b.WriteString("\n    {")
			for ci, v := range r {
				if ci > 0 {
					b.WriteString(", ")
				}
				k, _ := json.Marshal(t.Columns[ci].Key)
				val, err := json.Marshal(jsonValue(v))
				if err != nil {
					return fmt.Errorf("table %s: column %s: %w", t.Name, t.Columns[ci].Key, err)
				}
				fmt.Fprintf(&b, "%s: %s", k, val)
			}
			b.WriteString("}")
		}
		if len(t.Rows) > 0 {
			b.WriteString("\n  ")
		}
		b.WriteString("]")
		if ti < len(tables)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("}\n")
	_, err := io.WriteString(w, b.String())
	return err
}
