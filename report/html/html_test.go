package html

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/report"
	"github.com/roofsim/roofsim/sim/accel"
	"github.com/roofsim/roofsim/sweep"
	"github.com/roofsim/roofsim/validation"
	"github.com/roofsim/roofsim/workload"
)

// shortPass simulates a short SmolVLA pass (one camera, one vision and one
// text layer) on design int8, with a timeline when tl is set.
func shortPass(t *testing.T, tl *Timeline) validation.Comparison {
	t.Helper()
	sc, err := workload.ScenarioByName("smolvla")
	if err != nil {
		t.Fatal(err)
	}
	sc.Cameras, sc.TextLayers = 1, 1
	sc.Model.Vision.Layers = 1
	g, err := sc.Graph()
	if err != nil {
		t.Fatal(err)
	}
	d, err := hw.DesignByName("int8")
	if err != nil {
		t.Fatal(err)
	}
	p := hw.U280()
	o := accel.DefaultOptions(d, p)
	if tl != nil {
		o.Tracer = tl
	}
	res, err := accel.Run(d, p, g, o)
	if err != nil {
		t.Fatal(err)
	}
	return validation.Compare(res)
}

// selfContained fails when the page loads anything: a script or image
// source, a style sheet link, a URL in a src or href attribute.
func selfContained(t *testing.T, page []byte) {
	t.Helper()
	if !bytes.Contains(page, []byte(echartsJS)) || !bytes.HasSuffix(page, []byte("</html>\n")) {
		t.Fatal("the page is not whole: no ECharts inlined, or no end")
	}
	// ECharts' own code builds tags for its toolbox; the rest of the page
	// must load nothing.
	page = bytes.Replace(page, []byte(echartsJS), nil, 1)
	for _, re := range []*regexp.Regexp{
		regexp.MustCompile(`<script[^>]+src=`), regexp.MustCompile(`<link[^>]*>`), regexp.MustCompile(`<img[^>]*>`),
		regexp.MustCompile(`(?i)(src|href)\s*=\s*["']?(https?:)?//`), regexp.MustCompile(`(?i)@import`),
	} {
		if m := re.Find(page); m != nil {
			t.Errorf("the page loads something: %q", m)
		}
	}
}

// chartSpecs decodes the page's chart block.
func chartSpecs(t *testing.T, page []byte) []Chart {
	t.Helper()
	m := regexp.MustCompile(`(?s)<script id="charts" type="application/json">(.*?)</script>`).FindSubmatch(page)
	if m == nil {
		t.Fatal("no chart block")
	}
	var cs []Chart
	if err := json.Unmarshal(m[1], &cs); err != nil {
		t.Fatal(err)
	}
	return cs
}

func TestRunPage(t *testing.T) {
	tl := NewTimeline(nil)
	c := shortPass(t, tl)
	if plain := shortPass(t, nil); !reflect.DeepEqual(plain.Result, c.Result) {
		t.Errorf("the timeline changed the result: %d vs %d cycles", plain.Result.TotalCycles, c.Result.TotalCycles)
	}
	if tl.Tasks() == 0 {
		t.Fatal("the timeline recorded nothing")
	}
	page, err := Run("smolvla-short", c, tl, report.RunTables("smolvla-short", c, report.AllKernels)[:2])
	if err != nil {
		t.Fatal(err)
	}
	selfContained(t, page)
	var ids []string
	for _, ch := range chartSpecs(t, page) {
		ids = append(ids, ch.ID)
	}
	if want := []string{"waterfall-chart", "roofline-chart", "gantt-chart", "hbm-chart"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("charts %v, want %v", ids, want)
	}
	for _, k := range c.Kernels {
		if !bytes.Contains(page, []byte(">"+k.Kernel.Name+"<")) {
			t.Fatalf("the kernel table lacks %s", k.Kernel.Name)
		}
	}
	// Without a timeline the page has no Gantt chart.
	page, err = Run("smolvla-short", c, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(page, []byte(`id="gantt-chart"`)) {
		t.Error("a timeline without a recording")
	}
	if _, err := Run("x", validation.Comparison{}, nil, nil); err == nil {
		t.Error("a run page without a result")
	}
}

func TestWaterfallAddsUp(t *testing.T) {
	c := shortPass(t, nil)
	steps := waterfallSteps(c)
	f := c.Result.FreqHz
	first, last := steps[0], steps[len(steps)-1]
	if !first.total || math.Abs(first.delta-float64(c.Total.BoundCycles)/f*1e3) > 1e-9 {
		t.Errorf("first step %+v, want the design bound", first)
	}
	sum := 0.0
	for _, s := range steps[:len(steps)-1] {
		sum += s.delta
	}
	if want := float64(c.Result.TotalCycles) / f * 1e3; !last.total || math.Abs(last.delta-want) > 1e-9 || math.Abs(sum-want) > 1e-6 {
		t.Errorf("the steps add up to %.6f ms, the last is %.6f, the latency %.6f", sum, last.delta, want)
	}
}

func TestTimelineSpans(t *testing.T) {
	tl := NewTimeline(nil)
	tl.Task(accel.TraceTask{ID: "k0", Kind: "kernel", What: "a", Where: "Accel.Ctrl", StartTime: 0, EndTime: 10e-3})
	for _, tk := range []accel.TraceTask{
		{ID: "k0.t0", ParentID: "k0", Where: "Accel.DMA", StartTime: 0, EndTime: 2e-3},
		{ID: "k0.t1", ParentID: "k0", Where: "Accel.DMA", StartTime: 1e-3, EndTime: 3e-3}, // overlaps: one span
		{ID: "k0.t2", ParentID: "k0", Where: "Accel.DMA", StartTime: 5e-3, EndTime: 6e-3},
		{ID: "k0.s0", ParentID: "k0", Where: "Accel.Vector[0]", StartTime: 2e-3, EndTime: 9e-3},
		{ID: "k0.s1", ParentID: "k0", Where: "Accel.Array[1]", StartTime: 2e-3, EndTime: 9e-3},
		{ID: "k0.s2", ParentID: "k0", Where: "Accel.Array[0]", StartTime: 2e-3, EndTime: 9e-3},
		{ID: "text.k0.s3", ParentID: "text.k0", Where: "Accel.Text.Array[0]", StartTime: 9e-3, EndTime: 10e-3},
	} {
		tl.Task(tk)
	}
	rows, spans := tl.spans(map[string]int{"a": 0})
	if want := []string{"array 0", "array 1", "vector unit 0", "DMA (HBM)", "text: array 0"}; !reflect.DeepEqual(rows, want) {
		t.Errorf("rows %q, want %q", rows, want)
	}
	var dma []span
	for _, s := range spans {
		if rows[s.row] == "DMA (HBM)" {
			dma = append(dma, s)
		}
		if rows[s.row] == "text: array 0" && s.kernel != -1 {
			t.Errorf("a span of an unknown kernel has kernel %d", s.kernel)
		}
	}
	if want := []span{{3, 0, 0, 3}, {3, 0, 5, 6}}; !reflect.DeepEqual(dma, want) {
		t.Errorf("DMA spans %v, want %v", dma, want)
	}
}

func TestHeatmapKeepsBytes(t *testing.T) {
	tl := NewTimeline(nil)
	c := shortPass(t, tl)
	var total int64
	for _, k := range c.Result.Kernels {
		total += k.BytesRead + k.BytesWritten
	}
	if total == 0 || total != c.Result.MemoryBytesRead+c.Result.MemoryBytesWritten {
		t.Fatalf("the kernels moved %d bytes, the memory served %d", total, c.Result.MemoryBytesRead+c.Result.MemoryBytesWritten)
	}
	bucketSec := float64(c.Result.TotalCycles) / heatBuckets / c.Result.FreqHz
	for _, tc := range []struct {
		name string
		tl   *Timeline
	}{{"requests", tl}, {"kernel means", nil}} {
		ch, source, ok := hbmHeatmap(c, tc.tl)
		if !ok {
			t.Fatalf("%s: no heat map", tc.name)
		}
		sum := 0.0
		for _, cell := range ch.Option["series"].([]map[string]any)[0]["data"].([][3]float64) {
			sum += cell[2] * 1e9 * bucketSec
		}
		// Cells keep a thousandth of a GB/s.
		if math.Abs(sum-float64(total)) > 1e-3*float64(total) {
			t.Errorf("%s (%s): the heat map holds %.0f bytes, the kernels moved %d", tc.name, source, sum, total)
		}
	}
	var reqs int64
	for _, e := range tl.pcs {
		reqs += e.bytes
	}
	if reqs != total {
		t.Errorf("the timeline recorded %d bytes of requests, the kernels moved %d", reqs, total)
	}
}

func TestComparePage(t *testing.T) {
	c := shortPass(t, nil)
	page, err := Compare([]report.CompareRow{{Scenario: "s", Comparison: c}, {Scenario: "s", Comparison: c}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	selfContained(t, page)
	if n := len(chartSpecs(t, page)); n != 4 {
		t.Errorf("%d charts, want 4", n)
	}
	if _, err := Compare(nil, nil); err == nil {
		t.Error("a compare page without designs")
	}
}

func TestSweepPage(t *testing.T) {
	b, err := os.ReadFile("../../cmd/roofsim/testdata/sweep_small.csv")
	if err != nil {
		t.Fatal(err)
	}
	f, err := sweep.ReadFile("sweep_small.csv", b)
	if err != nil {
		t.Fatal(err)
	}
	page, err := Sweep("small", f.Rows)
	if err != nil {
		t.Fatal(err)
	}
	selfContained(t, page)
	specs := chartSpecs(t, page)
	if len(specs) < 3 || specs[len(specs)-1].ID != "ideas-chart" {
		t.Errorf("charts %d, last %q: want the fronts and the ideas", len(specs), specs[len(specs)-1].ID)
	}
	// Every point's tooltip names its parameters.
	if !strings.Contains(string(page), "HBM ports") {
		t.Error("the front's tooltips lack the parameters")
	}
	if _, err := Sweep("none", nil); err == nil {
		t.Error("a sweep page without rows")
	}
}

func TestPageWithoutCharts(t *testing.T) {
	page, err := Page{Title: "x", Sections: []Section{{ID: "a", Title: "A", Notes: []string{"<b>"}}}}.Render()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(page, []byte(`<script id="charts" type="application/json">[]</script>`)) {
		t.Error("a page without charts must have an empty chart list")
	}
	if !bytes.Contains(page, []byte("&lt;b&gt;")) {
		t.Error("a note is not escaped")
	}
}

func TestDuplicateIDs(t *testing.T) {
	p := Page{Title: "x", Sections: []Section{{ID: "a", Charts: []Chart{{ID: "a"}}}}}
	if _, err := p.Render(); err == nil {
		t.Error("a page with two elements of one id")
	}
}
