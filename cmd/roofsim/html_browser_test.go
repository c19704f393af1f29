package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// browserEnv is the environment variable that makes the browser test
// required: with it set to "require" (as .ci/run does) a missing Chromium
// fails the test instead of skipping it.
const browserEnv = "ROOFSIM_BROWSER_TEST"

// chromium finds the browser: $ROOFSIM_CHROMIUM, /usr/bin/chromium or
// chromium on the PATH; it skips (or, when required, fails) the test
// without one.
func chromium(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("ROOFSIM_CHROMIUM"), "/usr/bin/chromium"} {
		if p != "" {
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Getenv(browserEnv) == "require" {
		t.Fatalf("%s=require but no Chromium found (install the Debian package chromium or set ROOFSIM_CHROMIUM)", browserEnv)
	}
	t.Skipf("no Chromium (install the Debian package chromium; %s=require makes this test fail instead)", browserEnv)
	return ""
}

// pageCheck is one page to open and what to look at.
type pageCheck struct {
	name string
	args []string
	// hover is the chart whose point the mouse moves onto; its tooltip must
	// show the point's name (the first line of its tip).
	hover string
	// shots are the elements to screenshot into docs/ with -update: the
	// file name under docs/ by CSS selector.
	shots [][2]string
	// table, when set, is the id of a table to sort and filter.
	table string
	// zoomShot, when set, is the file of a screenshot of the timeline
	// narrowed to a few kernels (the shots show the whole pass).
	zoomShot string
}

// TestHTMLInBrowser writes the run, compare and sweep pages with --html,
// opens each from disk in headless Chromium and fails on any console
// error, uncaught exception or request other than the page itself; checks
// every chart drew on its canvas and that hovering a point shows its
// tooltip; with -update it saves the screenshots the docs show.
func TestHTMLInBrowser(t *testing.T) {
	bin := chromium(t)
	dir := t.TempDir()
	checks := []pageCheck{
		{name: "run", args: []string{"run"}, hover: "roofline-chart", table: "tbl-kernels", zoomShot: "html_run_timeline_zoom.png", shots: [][2]string{
			{"#summary", "html_run_summary.png"}, {"#losses", "html_run_waterfall.png"}, {"#roofline", "html_run_roofline.png"},
			{"#timeline", "html_run_timeline.png"}, {"#hbm", "html_run_hbm.png"}, {"#kernels", "html_run_kernels.png"}}},
		{name: "compare", args: []string{"compare", "--designs", "int8,int4"}, hover: "cmp-latency",
			shots: [][2]string{{"#latency", "html_compare_latency.png"}, {"#stages", "html_compare_stages.png"}}},
		{name: "sweep", args: []string{"report", filepath.Join("testdata", "sweep_designs_seed.csv")}, hover: "front-0-dsps",
			shots: [][2]string{{"#front", "html_sweep_front.png"}, {"#ideas", "html_sweep_ideas.png"}}},
	}
	for _, pc := range checks {
		t.Run(pc.name, func(t *testing.T) {
			page := filepath.Join(dir, pc.name+".html")
			if code, _, errs := runCLI(t, append(pc.args, "--html", page)...); code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			st, err := os.Stat(page)
			if err != nil {
				t.Fatal(err)
			}
			if st.Size() > 5<<20 {
				t.Errorf("%s is %d bytes, more than 5 MB", pc.name, st.Size())
			}
			checkInBrowser(t, bin, page, pc)
		})
	}
}

// checkInBrowser opens page in Chromium and checks it.
func checkInBrowser(t *testing.T, bin, page string, pc pageCheck) {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{chromedp.ExecPath(bin), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1400, 1000),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true), chromedp.Flag("disable-default-apps", true), chromedp.Flag("disable-dev-shm-usage", true)}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelA()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	url := "file://" + page
	var mu sync.Mutex
	var problems []string
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("%s: starting Chromium: %v", pc.name, err)
	}
	ctx, cancelT := context.WithTimeout(ctx, 90*time.Second)
	defer cancelT()
	err := chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeAssert || e.Type == runtime.ConsoleAPICalledTypeWarning {
				var args []string
				for _, a := range e.Args {
					args = append(args, string(a.Value)+a.Description)
				}
				problems = append(problems, fmt.Sprintf("console %s: %s", e.Type, strings.Join(args, " ")))
			}
		case *runtime.EventExceptionThrown:
			d := e.ExceptionDetails
			msg := d.Text
			if d.Exception != nil {
				msg += " " + d.Exception.Description
			}
			problems = append(problems, fmt.Sprintf("exception at %d:%d: %s", d.LineNumber, d.ColumnNumber, msg))
		case *cdplog.EventEntryAdded:
			if e.Entry.Level == cdplog.EntryLevelError {
				problems = append(problems, "log: "+e.Entry.Text+" "+e.Entry.URL)
			}
		case *network.EventRequestWillBeSent:
			if e.Request.URL != url {
				problems = append(problems, "request: "+e.Request.URL)
			}
		case *network.EventLoadingFailed:
			problems = append(problems, "failed request: "+e.ErrorText)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx, chromedp.Navigate(url),
		chromedp.Poll[chromedp.Void](`window.roofsimDrawn && window.roofsimDrawn() === window.roofsimChartCount`, chromedp.WithPollingTimeout(60*time.Second)))
	if err != nil {
		t.Fatalf("%s: the charts did not draw: %v", pc.name, err)
	}
	charts, err := chromedp.Run(ctx, chromedp.Evaluate[int](`window.roofsimChartCount`))
	if err != nil {
		t.Fatal(err)
	}
	if charts == 0 {
		t.Errorf("%s: the page has no charts", pc.name)
	}
	// Every chart's canvas has drawn pixels: count those not blank.
	inked, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]int](`(function(){
		var out = {};
		Object.keys(window.roofsimCharts).forEach(function(id){
			var c = document.getElementById(id).querySelector("canvas");
			if (!c || !c.width || !c.height) { out[id] = 0; return; }
			var d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data, n = 0;
			for (var i = 0; i < d.length; i += 4) { if (d[i+3] > 0 && (d[i] < 240 || d[i+1] < 240 || d[i+2] < 240)) n++; }
			out[id] = n;
		});
		return out;
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	if len(inked) != charts {
		t.Errorf("%s: %d charts on the page, %d checked", pc.name, charts, len(inked))
	}
	for id, n := range inked {
		if n < 2000 {
			t.Errorf("%s: chart %s drew %d pixels: empty", pc.name, id, n)
		}
	}
	hoverSection, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`"#" + document.getElementById(%q).closest("section").id`, pc.hover)))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range pc.shots {
		if s[0] != hoverSection {
			screenshot(ctx, t, s[0], s[1])
		}
	}
	if pc.table != "" {
		sortAndFilter(ctx, t, pc.table)
	}
	if pc.zoomShot != "" {
		zoomTimeline(ctx, t)
		screenshot(ctx, t, "#timeline", pc.zoomShot)
	}
	hoverPoint(ctx, t, pc)
	for _, s := range pc.shots {
		if s[0] == hoverSection {
			screenshot(ctx, t, s[0], s[1])
		}
	}
	mu.Lock()
	for _, p := range problems {
		t.Errorf("%s: %s", pc.name, p)
	}
	mu.Unlock()
}

// hoverJS finds the most isolated item of chart id that has a tooltip, scrolls
// the chart into view and returns the item's position on the page and
// the names (tooltip titles) of every item within 4 pixels of it.
const hoverJS = `(function(id){
	var ch = window.roofsimCharts[id], spec = window.roofsimSpecs[id], el = document.getElementById(id);
	el.scrollIntoView({block: "center"});
	var r = el.getBoundingClientRect(), pts = [];
	ch.getOption().series.forEach(function(s, si){
		var data = ch.getModel().getSeriesByIndex(si).getData();
		(s.data || []).forEach(function(d, di){
			var tip = d && (d.tip || (typeof d.t === "number" && spec.Tips[d.t]));
			if (!tip) { return; }
			var l = data.getItemLayout(di), x, y;
			if (!l) { return; }
			if (Array.isArray(l)) { x = l[0]; y = l[1]; } else { x = l.x + l.width / 2; y = l.y + l.height / 2; }
			var m = /<b>(.*?)<\/b>/.exec(tip), t = document.createElement("textarea");
			t.innerHTML = m ? m[1] : "";
			pts.push({x: x, y: y, name: t.value});
		});
	});
	var best = null, bestD = -1;
	pts.forEach(function(p){
		var dmin = 1e9;
		pts.forEach(function(q){ if (q !== p) { dmin = Math.min(dmin, Math.hypot(p.x - q.x, p.y - q.y)); } });
		if (dmin > bestD) { bestD = dmin; best = p; }
	});
	if (!best) { return {x: 0, y: 0, names: []}; }
	var names = pts.filter(function(q){ return Math.hypot(best.x - q.x, best.y - q.y) <= 4; }).map(function(q){ return q.name; });
	return {x: r.left + best.x, y: r.top + best.y, names: names};
})(%q)`

// hoverPoint moves the mouse onto a point of chart pc.hover and waits for
// its tooltip to show the point's name.
func hoverPoint(ctx context.Context, t *testing.T, pc pageCheck) {
	t.Helper()
	type point struct {
		X, Y  float64
		Names []string
	}
	at, err := chromedp.Run(ctx, chromedp.Evaluate[point](fmt.Sprintf(hoverJS, pc.hover)))
	if err != nil {
		t.Fatalf("%s: finding a point of %s: %v", pc.name, pc.hover, err)
	}
	if len(at.Names) == 0 {
		t.Fatalf("%s: chart %s has no point with a tooltip", pc.name, pc.hover)
	}
	js, err := json.Marshal(at.Names)
	if err != nil {
		t.Fatal(err)
	}
	names := string(js)
	shown := fmt.Sprintf(`(function(){ var t = document.getElementById(%q).innerText; return %s.some(function(n){ return t.indexOf(n) >= 0; }); })()`, pc.hover, names)
	err = chromedp.Do(ctx,
		chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, at.X-20, at.Y-20),
		chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, at.X, at.Y),
		chromedp.Poll[chromedp.Void](shown, chromedp.WithPollingTimeout(10*time.Second)))
	if err != nil {
		t.Errorf("%s: hovering chart %s at (%.0f, %.0f) did not show the tooltip of %s: %v", pc.name, pc.hover, at.X, at.Y, names, err)
	}
}

// zoomTimeline narrows the timeline to eight kernels a third into the pass.
func zoomTimeline(ctx context.Context, t *testing.T) {
	t.Helper()
	_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(function(){
		var ch = window.roofsimCharts["gantt-chart"], ks = [];
		ch.getOption().series.forEach(function(s){ s.data.forEach(function(d){ if (d[0] === 0) { ks.push(d); } }); });
		ks.sort(function(a, b){ return a[1] - b[1]; });
		var i = Math.floor(ks.length / 3);
		ch.dispatchAction({type: "dataZoom", dataZoomIndex: 0, startValue: ks[i][1], endValue: ks[Math.min(i + 8, ks.length - 1)][2]});
		return true;
	})()`))
	if err == nil {
		err = chromedp.Do(ctx, chromedp.Sleep(500*time.Millisecond))
	}
	if err != nil {
		t.Errorf("zooming the timeline: %v", err)
	}
}

// screenshot saves the element sel of the page into docs/file with
// -update.
func screenshot(ctx context.Context, t *testing.T, sel, file string) {
	t.Helper()
	if !*update {
		return
	}
	buf, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("screenshot of %s: %v", sel, err)
	}
	if err := os.WriteFile(filepath.Join("..", "..", "docs", file), buf, 0o644); err != nil {
		t.Fatal(err)
	}
}

// sortAndFilter types a word into the filter box of table id and checks
// that exactly the rows containing it stay, then clicks the header of its
// column sim_ms and checks the rows are in ascending order of it.
func sortAndFilter(ctx context.Context, t *testing.T, id string) {
	t.Helper()
	rows := fmt.Sprintf(`Array.prototype.slice.call(document.getElementById(%q).tBodies[0].rows)`, id)
	want, err := chromedp.Run(ctx, chromedp.Evaluate[int](rows+`.filter(function(r){ return r.textContent.indexOf("softmax") >= 0; }).length`))
	if err != nil || want == 0 {
		t.Fatalf("table %s: %d rows with softmax (%v)", id, want, err)
	}
	box := chromedp.CSS(fmt.Sprintf(`input.filter[data-table=%q]`, id))
	if err := chromedp.Do(ctx, chromedp.ScrollIntoView(box), chromedp.SendKeys(box, "softmax")); err != nil {
		t.Fatal(err)
	}
	shown, err := chromedp.Run(ctx, chromedp.Evaluate[int](rows+`.filter(function(r){ return r.style.display !== "none"; }).length`))
	if err != nil || shown != want {
		t.Errorf("table %s filtered on softmax shows %d rows, want %d (%v)", id, shown, want, err)
	}
	col, err := chromedp.Run(ctx, chromedp.Evaluate[int](fmt.Sprintf(`Array.prototype.map.call(document.getElementById(%q).tHead.rows[0].cells, function(c){ return c.textContent; }).indexOf("sim_ms")`, id)))
	if err != nil || col < 0 {
		t.Fatalf("table %s has no sim_ms column (%v)", id, err)
	}
	th := chromedp.CSS(fmt.Sprintf(`#%s thead th:nth-child(%d)`, id, col+1))
	if err := chromedp.Do(ctx, chromedp.Clear(box), chromedp.SendKeys(box, " "), chromedp.Click(th)); err != nil {
		t.Fatal(err)
	}
	sorted, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(`(function(){
		var v = %s.map(function(r){ return parseFloat(r.cells[%d].getAttribute("data-v")); });
		for (var i = 1; i < v.length; i++) { if (v[i] < v[i-1]) { return false; } }
		return v.length > 0;
	})()`, rows, col)))
	if err != nil || !sorted {
		t.Errorf("table %s is not in ascending sim_ms after a click on its header (%v)", id, err)
	}
}
