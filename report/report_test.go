package report

import (
	"bytes"
	"flag"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/report/format"
	"github.com/roofsim/roofsim/roofline"
	"github.com/roofsim/roofsim/workload"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func TestShortName(t *testing.T) {
	cases := map[string]string{
		"vision.cam0.l3.fc1": "vision.fc1", "text.l15.down": "text.down", "connector.cam2.proj": "connector.proj",
		"Vis_MLP": "Vis_MLP", "text.final_norm": "text.final_norm", "vision.cam1.layer": "vision.layer",
	}
	for in, want := range cases {
		if got := ShortName(in); got != want {
			t.Errorf("ShortName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWriteTablesGolden(t *testing.T) {
	tb := &Table{Name: "demo", Title: "Demo", Columns: Cols("name", "count", "ratio:%.2f", "note")}
	tb.Add("a|b", int64(3), 0.125, "with, comma")
	tb.Add("c", int64(40), math.Inf(1), "quote \"q\"")
	tb.Notes = []string{"a note"}
	tb2 := &Table{Name: "empty", Title: "Empty", Columns: Cols("x")}
	for _, f := range []format.Format{format.Table, format.CSV, format.JSON, format.Markdown} {
		var b bytes.Buffer
		if err := WriteTables(&b, f, tb, tb2); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("testdata", "tables."+string(f))
		if *update {
			os.WriteFile(path, b.Bytes(), 0o644)
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run with -update)", err)
		}
		if b.String() != string(want) {
			t.Errorf("%s output differs from %s:\n%s", f, path, b.String())
		}
	}
}

func TestRooflineFigure(t *testing.T) {
	sc, _ := workload.ScenarioByName("seed")
	ks, _ := sc.Kernels()
	var as []roofline.Analysis
	for _, p := range hw.SeedPrecisions() {
		c, _ := hw.SeedCeilings(p)
		as = append(as, roofline.AnalyzeAll(ks, p, c))
	}
	img, err := RooflineFigure("png", as)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(bytes.NewReader(img)); err != nil {
		t.Errorf("not a PNG: %v", err)
	}
	if _, err := RooflineFigure("gif", as); err == nil {
		t.Error("gif: want an error")
	}
	if _, err := RooflineFigure("png", nil); err == nil {
		t.Error("no analyses: want an error")
	}
}
