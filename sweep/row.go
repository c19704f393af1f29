package sweep

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/roofsim/roofsim/report/format"
)

// The formats of a sweep's rows.
const (
	// FormatCSV is a header line, then one CSV line per point.
	FormatCSV = format.CSV
	// FormatJSONL is one JSON object per line and point (JSON lines), the
	// keys in column order.
	FormatJSONL = format.JSON
)

// ParseFormat accepts csv, or json or jsonl (JSON lines).
func ParseFormat(s string) (format.Format, error) {
	switch strings.ToLower(s) {
	case "csv":
		return FormatCSV, nil
	case "json", "jsonl":
		return FormatJSONL, nil
	}
	return "", fmt.Errorf("%q is not a sweep format (accepted: csv|json, json being JSON lines)", s)
}

// formatName names a row format in messages: csv or jsonl.
func formatName(f format.Format) string {
	if f == FormatJSONL {
		return "jsonl"
	}
	return string(f)
}

// Status says how a point ended.
type Status string

// The statuses of a row.
const (
	// StatusOK: simulated, and every kernel passed the roofline checks.
	StatusOK Status = "ok"
	// StatusFail: simulated, and some kernel failed a roofline check
	// (reason lists the failures).
	StatusFail Status = "fail"
	// StatusDoesNotFit: the design does not fit the board (reason is
	// hw.Design.Fit's message); not simulated.
	StatusDoesNotFit Status = "does_not_fit"
	// StatusError: the simulation refused or failed the point (reason is
	// its message, e.g. a tile that does not fit the buffers).
	StatusError Status = "error"
)

// Statuses lists the statuses in the order summaries print them.
func Statuses() []Status {
	return []Status{StatusOK, StatusFail, StatusDoesNotFit, StatusError}
}

// cellKind is the type of a column's values.
type cellKind int

const (
	kindText cellKind = iota
	kindInt
	kindFloat
	kindBool
)

// Column is one column of a sweep's rows.
type Column struct {
	// Name is the column's name (CSV header, JSON key).
	Name string
	// Doc says what the column holds, with its unit.
	Doc  string
	kind cellKind
	// prec is the decimals of a float column.
	prec int
	// rng is the values a numeric column accepts.
	rng valueRange
}

// Column names used by the code (the others are only written).
const (
	colIndex          = "index"
	colKey            = "key"
	colStatus         = "status"
	colIdeas          = "ideas"
	colPrecision      = "precision"
	colDSPs           = "dsps"
	colOnChip         = "onchip_bytes"
	colLatency        = "latency_ms"
	colReason         = "reason"
	colPowerW         = "power_w"
	colEnergyMJ       = "energy_mj_per_frame"
	colFramesPerJ     = "frames_per_joule"
	firstResultColumn = colDSPs
)

// Columns returns the columns of a sweep's rows, in order: the point's
// index and key, its status, its parameters (before its ideas are applied,
// so a row with ideas has the same parameters as its baseline), then the
// results, the reason, and the energy model's power columns (added after
// the reason so that the earlier columns keep their places).
func Columns() []Column {
	t := func(name, doc string) Column { return Column{Name: name, Doc: doc, kind: kindText} }
	i := func(name, doc string) Column { return Column{Name: name, Doc: doc, kind: kindInt} }
	f := func(name string, prec int, doc string) Column {
		return Column{Name: name, Doc: doc, kind: kindFloat, prec: prec}
	}
	b := func(name, doc string) Column { return Column{Name: name, Doc: doc, kind: kindBool} }
	ip := func(name, doc string) Column { return Column{Name: name, Doc: doc, kind: kindInt, rng: rangePositive} }
	fp := func(name string, prec int, doc string) Column {
		return Column{Name: name, Doc: doc, kind: kindFloat, prec: prec, rng: rangePositive}
	}
	fs := func(name string, prec int, doc string) Column {
		return Column{Name: name, Doc: doc, kind: kindFloat, prec: prec, rng: rangeShare}
	}
	return []Column{
		i(colIndex, "the point's position in the whole space (0-based; axes in canonical order, the first slowest, idea sets innermost)"),
		t(colKey, "the point's swept values and idea set, e.g. \"precision=int4 port_bits=512 ideas=none\""),
		t(colStatus, "ok | fail (a roofline check failed) | does_not_fit (the board cannot hold the design) | error (the simulation refused the point)"),
		t(colIdeas, "the ideas applied on top of the parameters, '+'-joined; empty for the baseline"),
		t("platform", "the board"),
		t("design", "the design the point started from (a preset or a design file's name)"),
		t(colPrecision, "the arrays' precision"),
		t("array", "one array's PE rows x columns"),
		ip("arrays", "number of arrays"),
		t("dataflow", "os or ws"),
		i("weight_buffer_bytes", "weight buffer per array, both halves"),
		i("input_buffer_bytes", "input buffer per array, both halves"),
		i("output_buffer_bytes", "output buffer per array, both halves"),
		i("activation_buffer_bytes", "shared on-chip activation store"),
		ip("hbm_ports", "AXI ports to the HBM"),
		ip("port_bits", "width of each port"),
		ip("hbm_pcs", "pseudo-channels the data is spread over"),
		t("memory", "off-chip memory model: hbm or ideal"),
		t("layout", "how weights spread over the PCs: interleave or contiguous"),
		t("scenario", "the workload"),
		i("cameras", "camera images per frame (0: a Hugging Face transformer scenario, which has none)"),
		ip("frames", "frames run together as one batch"),
		i("image_size", "image side in pixels"),
		i("lang_tokens", "language tokens"),
		i("text_layers", "text layers run"),
		b("lm_head", "the LM head runs"),
		i(colDSPs, "DSP48E2 slices the design (with its ideas) uses"),
		i(colOnChip, "on-chip memory (BRAM+URAM) the design's buffers use, bytes"),
		f("weight_mb", 3, "stored weights of the scenario in the point's precision, 10^6 bytes"),
		ip("cycles", "simulated forward pass, kernel cycles"),
		fp(colLatency, 4, "simulated forward pass (all frames of the batch), ms"),
		fp("fps", 3, "frames per second: frames / frame interval (the latency, or the longer part of a pipelined design)"),
		f("achieved_tops", 4, "operations / latency, 10^12 per second"),
		fp("peak_tops", 4, "the design's compute ceiling"),
		f("gbps", 2, "HBM bytes moved / latency, 10^9 per second"),
		fp("bw_gbps", 2, "the design's memory ceiling (ports or PCs)"),
		f("hbm_mb", 3, "HBM bytes moved, 10^6"),
		fs("memory_bound_share", 4, "share of the simulated time spent in kernels whose bound is the memory ceiling"),
		t("bound", "memory when memory-bound kernels take at least half the time, else compute"),
		f("compute_floor_ms", 4, "part of bound_ms in kernels whose design bound is their ops / compute ceiling"),
		f("memory_floor_ms", 4, "part of bound_ms in kernels whose design bound is the memory time of the bytes they keep in HBM (read/write channels, PCs)"),
		fp("bound_ms", 4, "the design bound: sum over kernels of max(compute, memory) time"),
		f("efficiency", 4, "bound_ms / latency_ms"),
		fp("seed_bound_ms", 4, "the same kernels under the seed notebook's ceilings (empty for w4a8, which it has none for)"),
		fs("stall_hbm_share", 4, "share of the simulated time the busiest engine waited for HBM"),
		f("vision_ms", 4, "simulated time of the vision stage"),
		f("connector_ms", 4, "simulated time of the connector"),
		f("text_ms", 4, "simulated time of the text stage"),
		f("head_ms", 4, "simulated time of the LM head (0 when it does not run)"),
		f("expert_ms", 4, "simulated time of the policy's flow-matching steps (0 for a scenario without a policy)"),
		t("validation", "pass or fail: every kernel against its roofline bound, traffic and MACs"),
		i("failed_kernels", "kernels that failed a check"),
		t(colReason, "why a row is not ok: the failed checks, the fit, or the error"),
		fp(colPowerW, 3, "the energy model's average board power over the frame interval, W (docs/energy.md)"),
		fp(colEnergyMJ, 3, "energy per frame: the pass's energy / frames, mJ"),
		fp(colFramesPerJ, 4, "frames per joule (frames per second per watt)"),
	}
}

// columnIndex returns the position of the named column (a programming
// error when it does not exist).
func columnIndex(name string) int {
	i := slices.IndexFunc(Columns(), func(c Column) bool { return c.Name == name })
	if i < 0 {
		panic("sweep: no column " + name)
	}
	return i
}

// Header is the CSV header line of the columns, without the newline.
func Header() string {
	var names []string
	for _, c := range Columns() {
		names = append(names, c.Name)
	}
	return strings.Join(names, ",")
}

// Row is one point's row: one formatted cell per column ("" is empty).
type Row struct {
	// Cells hold the values in column order.
	Cells []string
}

// newRow returns an empty row.
func newRow() Row { return Row{Cells: make([]string, len(Columns()))} }

// Get returns the cell of the named column.
func (r Row) Get(name string) string { return r.Cells[columnIndex(name)] }

// Index is the row's point index (-1 when it is not a number).
func (r Row) Index() int {
	n, err := strconv.Atoi(r.Cells[0])
	if err != nil {
		return -1
	}
	return n
}

// Key is the row's point key.
func (r Row) Key() string { return r.Cells[1] }

// Status is the row's status.
func (r Row) Status() Status { return Status(r.Get(colStatus)) }

// set writes a value into the named column, formatted by its kind; NaN
// and infinities become empty.
func (r Row) set(name string, v any) {
	i := columnIndex(name)
	c := Columns()[i]
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case int:
		s = strconv.Itoa(x)
	case int64:
		s = strconv.FormatInt(x, 10)
	case bool:
		s = strconv.FormatBool(x)
	case float64:
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			s = strconv.FormatFloat(x, 'f', c.prec, 64)
			if s == "-"+strconv.FormatFloat(0, 'f', c.prec, 64) {
				s = s[1:]
			}
		}
	default:
		panic(fmt.Sprintf("sweep: column %s: value of type %T", name, v))
	}
	r.Cells[i] = oneLine(s)
}

// oneLine folds a cell onto one line.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\n\r\t") {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// Encode writes the row as one line of format f, with its newline.
func (r Row) Encode(f format.Format) []byte {
	var buf bytes.Buffer
	switch f {
	case FormatJSONL:
		buf.WriteByte('{')
		for i, c := range Columns() {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeJSONString(&buf, c.Name)
			buf.WriteByte(':')
			v := r.Cells[i]
			switch {
			case v == "":
				buf.WriteString("null")
			case c.kind == kindText:
				writeJSONString(&buf, v)
			default:
				buf.WriteString(v)
			}
		}
		buf.WriteString("}\n")
	default:
		w := csv.NewWriter(&buf)
		_ = w.Write(r.Cells) // writes to memory: cannot fail
		w.Flush()
	}
	return buf.Bytes()
}

// writeJSONString writes s as a JSON string without HTML escaping.
func writeJSONString(buf *bytes.Buffer, s string) {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	buf.Truncate(buf.Len() - 1)
}

// FileHeader is what a sweep file starts with: the CSV header line, or
// nothing for JSON lines.
func FileHeader(f format.Format) []byte {
	if f == FormatJSONL {
		return nil
	}
	return []byte(Header() + "\n")
}

// File is a sweep output file as read back: its complete rows, each with
// its line, and where the valid part ends.
type File struct {
	// Format is the file's format.
	Format format.Format
	// Rows are the complete rows in file order.
	Rows []Row
	// Lines are the rows' lines as written, without their newlines.
	Lines []string
	// ValidBytes is the length of the file's valid prefix: the header and
	// the complete rows. A partly written last line is not part of it.
	ValidBytes int64
	// Partial reports a last line without its newline (a run killed while
	// writing it): it is not in Rows.
	Partial bool
}

// ReadFile reads a sweep file from data. The format is the file's own (a
// first line starting with '{' is JSON lines); lines may end in CRLF. Every
// complete line must be a row of the current columns whose every numeric
// cell is a finite number in its column's range: a file of another column
// set, a line that is not a row or a bad cell is an error naming the line
// (name is the file's name in errors). An empty file is a CSV file without
// rows.
func ReadFile(name string, data []byte) (*File, error) {
	f := &File{Format: FormatCSV}
	if len(data) == 0 {
		return f, nil
	}
	if data[0] == '{' {
		f.Format = FormatJSONL
	}
	off := int64(0)
	lineNo := 0
	for len(data) > 0 {
		nl := bytes.IndexByte(data, '\n')
		if nl < 0 {
			f.Partial = true
			break
		}
		line := strings.TrimSuffix(string(data[:nl]), "\r") // a CRLF file reads as LF
		lineNo++
		data = data[nl+1:]
		if f.Format == FormatCSV && lineNo == 1 {
			if line != Header() {
				return nil, fmt.Errorf("%s: line 1 is not the header of this roofsim's sweep rows (%d columns: %s ...): the file is from another version or not a sweep file",
					name, len(Columns()), strings.Join(strings.Split(Header(), ",")[:4], ","))
			}
			off += int64(nl + 1)
			continue
		}
		row, err := decodeLine(f.Format, line)
		if err != nil {
			return nil, fmt.Errorf("%s: line %d: %w", name, lineNo, err)
		}
		f.Rows = append(f.Rows, row)
		f.Lines = append(f.Lines, line)
		off += int64(nl + 1)
	}
	f.ValidBytes = off
	return f, nil
}

// decodeLine parses one row line.
func decodeLine(f format.Format, line string) (Row, error) {
	cols := Columns()
	var cells []string
	if f == FormatJSONL {
		var err error
		if cells, err = decodeJSONRow(line, cols); err != nil {
			return Row{}, err
		}
	} else {
		r := csv.NewReader(strings.NewReader(line))
		r.FieldsPerRecord = len(cols)
		var err error
		if cells, err = r.Read(); err != nil {
			return Row{}, fmt.Errorf("not a row of %d CSV fields: %v", len(cols), err)
		}
	}
	row := Row{Cells: cells}
	if row.Index() < 0 {
		return Row{}, fmt.Errorf("index %q is not a point index", cells[0])
	}
	if !slices.Contains(Statuses(), row.Status()) {
		return Row{}, fmt.Errorf("status %q is not known (accepted: ok|fail|does_not_fit|error)", row.Status())
	}
	if err := checkCells(row, cols); err != nil {
		return Row{}, err
	}
	return row, nil
}

// decodeJSONRow parses a JSON object whose keys are the columns in order.
func decodeJSONRow(line string, cols []Column) ([]string, error) {
	dec := json.NewDecoder(strings.NewReader(line))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("not a JSON object")
	}
	cells := make([]string, 0, len(cols))
	for i := 0; dec.More(); i++ {
		kt, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("malformed JSON: %v", err)
		}
		if i >= len(cols) || kt != cols[i].Name {
			want := "no more keys"
			if i < len(cols) {
				want = fmt.Sprintf("%q", cols[i].Name)
			}
			return nil, fmt.Errorf("key %d is %v, want %s (the file is from another version or not a sweep file)", i+1, kt, want)
		}
		vt, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("malformed JSON: %v", err)
		}
		switch v := vt.(type) {
		case nil:
			cells = append(cells, "")
		case string:
			cells = append(cells, v)
		case json.Number:
			cells = append(cells, v.String())
		case bool:
			cells = append(cells, strconv.FormatBool(v))
		default:
			return nil, fmt.Errorf("%s must be a string, number, bool or null", cols[i].Name)
		}
	}
	if len(cells) != len(cols) {
		return nil, fmt.Errorf("%d keys, want %d", len(cells), len(cols))
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return nil, fmt.Errorf("malformed JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("data after the object")
	}
	return cells, nil
}

// Reason is the row's reason: why it is not ok ("" for an ok row).
func (r Row) Reason() string { return r.Get(colReason) }
