package html

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"strings"
)

// echartsJS is Apache ECharts 5.6.0's dist/echarts.min.js from the npm
// release (see README.md next to it), inlined into every page.
//
//go:embed echarts.min.js
var echartsJS string

// appJS draws the page's charts from their options and makes the tables
// sortable and filterable.
//
//go:embed app.js
var appJS string

// styleCSS is the page's style sheet.
//
//go:embed style.css
var styleCSS string

// Page is one self-contained HTML report: a title and its sections, in
// order.
type Page struct {
	// Title is the page's title and heading.
	Title string
	// Subtitle is a line under the heading.
	Subtitle string
	// Sections are the page's parts, in order.
	Sections []Section
}

// Section is one titled part of a page: an optional note, then its charts
// and its tables.
type Section struct {
	// ID is the section's anchor.
	ID string
	// Title is its heading.
	Title string
	// Notes are paragraphs under the heading.
	Notes []string
	// Charts are drawn in order.
	Charts []Chart
	// Tables are shown after the charts.
	Tables []Table
}

// Chart is one ECharts chart: its option as JSON-ready values. Tooltips
// whose formatter is the string "tip" show the hovered item's "tip"
// field (HTML), or the entry of Tips its "t" field indexes; series whose renderItem is "gantt" are drawn as bars from
// [row, start, end, kernel] (see app.js).
type Chart struct {
	// ID is the chart element's id (unique on the page).
	ID string
	// HeightPx is the chart's height in CSS pixels.
	HeightPx int
	// Option is the ECharts option.
	Option map[string]any
	// Kernels are the names of the kernels a gantt chart's items refer
	// to by index (nil for other charts).
	Kernels []string `json:",omitempty"`
	// Tips are tooltips (HTML) that items refer to by index in their "t"
	// field, when several items share one.
	Tips []string `json:",omitempty"`
}

// Table is an HTML table: sortable by a click on a column's header and,
// when Filter is set, filterable by a text box.
type Table struct {
	// ID is the table element's id.
	ID string
	// Title is shown above the table.
	Title string
	// Header is the column titles.
	Header []string
	// Rows are the cells, one per column.
	Rows [][]Cell
	// Notes are shown under the table.
	Notes []string
	// Filter adds a text box that hides the rows not containing its text.
	Filter bool
}

// Cell is one table cell: its text and, for a number, its value (which
// sorting uses).
type Cell struct {
	Text    string
	Value   float64
	Numeric bool
	// Bad marks a failed check.
	Bad bool
}

// textCell and numCell build cells.
func textCell(s string) Cell { return Cell{Text: s} }

func numCell(format string, v float64) Cell {
	return Cell{Text: fmt.Sprintf(format, v), Value: v, Numeric: true}
}

// Render writes the page as one HTML document with every script and style
// inlined: it opens from disk with no network access.
func (p Page) Render() ([]byte, error) {
	var b bytes.Buffer
	esc := template.HTMLEscapeString
	b.WriteString("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
	b.WriteString("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
	fmt.Fprintf(&b, "<title>%s</title>\n<style>\n%s</style>\n</head>\n<body>\n", esc(p.Title), styleCSS)
	fmt.Fprintf(&b, "<header><h1>%s</h1>", esc(p.Title))
	if p.Subtitle != "" {
		fmt.Fprintf(&b, "<p class=\"sub\">%s</p>", esc(p.Subtitle))
	}
	b.WriteString("<nav>")
	for _, s := range p.Sections {
		fmt.Fprintf(&b, "<a href=\"#%s\">%s</a> ", esc(s.ID), esc(s.Title))
	}
	b.WriteString("</nav></header>\n<main>\n")
	charts := []Chart{} // "[]", not "null", for a page without charts
	ids := map[string]bool{}
	unique := func(id string) error {
		if ids[id] {
			return fmt.Errorf("html: page %q: two elements have id %q", p.Title, id)
		}
		ids[id] = true
		return nil
	}
	for _, s := range p.Sections {
		if err := unique(s.ID); err != nil {
			return nil, err
		}
		for _, c := range s.Charts {
			if err := unique(c.ID); err != nil {
				return nil, err
			}
		}
		for _, t := range s.Tables {
			if err := unique("tbl-" + t.ID); err != nil {
				return nil, err
			}
		}
	}
	for _, s := range p.Sections {
		fmt.Fprintf(&b, "<section id=\"%s\">\n<h2>%s</h2>\n", esc(s.ID), esc(s.Title))
		for _, n := range s.Notes {
			fmt.Fprintf(&b, "<p class=\"note\">%s</p>\n", esc(n))
		}
		for _, c := range s.Charts {
			fmt.Fprintf(&b, "<div class=\"chart\" id=\"%s\" style=\"height:%dpx\"></div>\n", esc(c.ID), c.HeightPx)
			charts = append(charts, c)
		}
		for _, t := range s.Tables {
			writeTable(&b, t)
		}
		b.WriteString("</section>\n")
	}
	b.WriteString("</main>\n<footer>Written by roofsim. Charts: Apache ECharts 5.6.0 (Apache-2.0), inlined.</footer>\n")
	data, err := json.Marshal(charts)
	if err != nil {
		return nil, fmt.Errorf("html: page %q: charts: %w", p.Title, err)
	}
	// encoding/json escapes <, > and &, so no "</script>" can end the
	// block early.
	fmt.Fprintf(&b, "<script id=\"charts\" type=\"application/json\">%s</script>\n", data)
	fmt.Fprintf(&b, "<script>\n%s\n</script>\n<script>\n%s\n</script>\n</body>\n</html>\n", echartsJS, appJS)
	return b.Bytes(), nil
}

// writeTable writes t as an HTML table.
func writeTable(b *bytes.Buffer, t Table) {
	esc := template.HTMLEscapeString
	fmt.Fprintf(b, "<div class=\"table\"><h3>%s</h3>\n", esc(t.Title))
	if t.Filter {
		fmt.Fprintf(b, "<input class=\"filter\" type=\"search\" placeholder=\"filter rows (every word must match)\" data-table=\"tbl-%s\"> <span class=\"count\" id=\"tbl-%s-count\"></span>\n", esc(t.ID), esc(t.ID))
	}
	fmt.Fprintf(b, "<div class=\"scroll\"><table class=\"sortable\" id=\"tbl-%s\">\n<thead><tr>", esc(t.ID))
	for _, h := range t.Header {
		fmt.Fprintf(b, "<th title=\"click to sort\">%s</th>", esc(h))
	}
	b.WriteString("</tr></thead>\n<tbody>\n")
	for _, row := range t.Rows {
		b.WriteString("<tr>")
		for _, c := range row {
			cls := ""
			if c.Bad {
				cls = " class=\"bad\""
			}
			if c.Numeric {
				fmt.Fprintf(b, "<td class=\"num\" data-v=\"%g\">%s</td>", c.Value, esc(c.Text))
			} else {
				fmt.Fprintf(b, "<td%s>%s</td>", cls, esc(c.Text))
			}
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</tbody></table></div>\n")
	for _, n := range t.Notes {
		fmt.Fprintf(b, "<p class=\"note\">%s</p>\n", esc(n))
	}
	b.WriteString("</div>\n")
}

// tip joins the lines of a tooltip, each escaped, into its HTML.
func tip(lines ...string) string {
	for i, l := range lines {
		lines[i] = template.HTMLEscapeString(l)
	}
	if len(lines) > 0 {
		lines[0] = "<b>" + lines[0] + "</b>"
	}
	return strings.Join(lines, "<br>")
}
