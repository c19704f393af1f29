package sweep

import (
	"bytes"
	"strings"
	"testing"

	"github.com/roofsim/roofsim/report/format"
)

// goodRow is a simulated row with every result set.
func goodRow() Row {
	r := newRow()
	r.set(colIndex, 0)
	r.set(colKey, "precision=int8 ideas=none")
	r.set(colStatus, string(StatusOK))
	r.set("arrays", 3)
	r.set("lm_head", false)
	r.set(colDSPs, int64(9000))
	r.set("cycles", int64(59246439))
	r.set(colLatency, 197.488)
	r.set("fps", 5.06)
	r.set("memory_bound_share", 0.25)
	r.set("bound_ms", 98.919)
	return r
}

// Every numeric cell of a row read back is a finite number in its range; a
// bad one is refused with its line and column, in CSV and in JSON lines.
func TestReadFileChecksCells(t *testing.T) {
	cases := []struct {
		col, value, want string
	}{
		{colLatency, "abc", `latency_ms "abc" is not a finite number`},
		{colLatency, "NaN", `latency_ms "NaN" is not a finite number`},
		{colLatency, "+Inf", `latency_ms "+Inf" is not a finite number`},
		{colLatency, "-5", "latency_ms -5 is out of range (accepted: a number > 0)"},
		{colLatency, "0", "latency_ms 0 is out of range (accepted: a number > 0)"},
		{colLatency, "", "latency_ms is empty in a row of status ok"},
		{colDSPs, "-1", "dsps -1 is out of range (accepted: an integer >= 0)"},
		{colDSPs, "1.5", `dsps "1.5" is not an integer >= 0`},
		{"arrays", "0", "arrays 0 is out of range (accepted: an integer > 0)"},
		{"memory_bound_share", "1.5", "memory_bound_share 1.5 is out of range (accepted: a number from 0 to 1)"},
		{"lm_head", "yes", `lm_head "yes" is not a bool`},
	}
	for _, f := range []format.Format{FormatCSV, FormatJSONL} {
		good := append(FileHeader(f), goodRow().Encode(f)...)
		if _, err := ReadFile("good", good); err != nil {
			t.Fatalf("%s: a good row is refused: %v", f, err)
		}
		for _, c := range cases {
			r := goodRow()
			r.Cells[columnIndex(c.col)] = c.value
			data := append(FileHeader(f), r.Encode(f)...)
			line := "line 2"
			if f == FormatJSONL {
				line = "line 1"
				if c.value == "abc" || c.value == "yes" || c.value == "NaN" || c.value == "+Inf" {
					// Written as JSON numbers these would be malformed JSON;
					// a file holding them as strings is the case to refuse.
					data = bytes.Replace(data, []byte(`:`+c.value+`,`), []byte(`:"`+c.value+`",`), 1)
				}
			}
			_, err := ReadFile("s.csv", data)
			if err == nil || !strings.Contains(err.Error(), "s.csv: "+line+": ") || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s: %s = %q: error %v, want %q at %s", f, c.col, c.value, err, c.want, line)
			}
		}
	}
}

// A CRLF file reads as the same rows as its LF original.
func TestReadFileCRLF(t *testing.T) {
	lf := append(FileHeader(FormatCSV), goodRow().Encode(FormatCSV)...)
	crlf := bytes.ReplaceAll(lf, []byte("\n"), []byte("\r\n"))
	a, err := ReadFile("lf", lf)
	if err != nil {
		t.Fatal(err)
	}
	b, err := ReadFile("crlf", crlf)
	if err != nil {
		t.Fatalf("a CRLF file is refused: %v", err)
	}
	if len(b.Rows) != 1 || strings.Join(a.Rows[0].Cells, ",") != strings.Join(b.Rows[0].Cells, ",") || b.ValidBytes != int64(len(crlf)) {
		t.Errorf("the CRLF file reads as %+v, want the rows of the LF file", b)
	}
}
