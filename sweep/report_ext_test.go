package sweep_test

import (
	"bytes"
	"flag"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/roofsim/roofsim/report"
	"github.com/roofsim/roofsim/report/format"
	"github.com/roofsim/roofsim/sweep"
)

// The report of a sweep's rows is rendered by the report package; these
// tests run in the sweep's directory to use its fake evaluator.

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func TestReportGolden(t *testing.T) {
	rows := sweep.FakeRows(t, sweep.ReportSpaceJSON)
	var buf bytes.Buffer
	if err := report.WriteTables(&buf, format.Markdown, report.SweepTables("fake", rows)...); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "report_fake.md")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./sweep -update to create it)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("the report differs from %s (run go test ./sweep -update after checking the change)\n%s", path, buf.String())
	}
	for _, s := range []string{"does_not_fit", "| fail |", "| error |", "Pareto front", "| port512 |", "| batch_cameras+port512 |", "| bf16 |", "| int4 |"} {
		if !strings.Contains(buf.String(), s) {
			t.Errorf("the report lacks %q", s)
		}
	}
}

func TestFigures(t *testing.T) {
	rows := sweep.FakeRows(t, sweep.ReportSpaceJSON)
	for _, draw := range []func(string, []sweep.Row) ([]byte, error){report.SweepFrontFigure, report.SweepPrecisionFigure} {
		img, err := draw("png", rows)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := png.Decode(bytes.NewReader(img)); err != nil {
			t.Errorf("not a PNG: %v", err)
		}
		svg, err := draw("svg", rows)
		if err != nil || !bytes.Contains(svg, []byte("<svg")) {
			t.Errorf("not an SVG: %v", err)
		}
		if _, err := draw("png", sweep.FakeRows(t, `{"base": {"scenario": "seed"}, "axes": {"array": ["7x8"]}}`)); err == nil || !strings.Contains(err.Error(), "no ok rows") {
			t.Errorf("a sweep without ok rows: err %v", err)
		}
	}
}
