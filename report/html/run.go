package html

import (
	"fmt"

	"github.com/roofsim/roofsim/energy"
	"github.com/roofsim/roofsim/report"
	"github.com/roofsim/roofsim/validation"
)

// Run builds the run page of a checked pass: the summary and the checks
// (tables are report's summary and stage tables, and any others the
// caller adds, such as a policy's), the loss waterfall, the roofline of
// every matmul kernel, the timeline (when tl recorded the pass; nil leaves
// it out), the HBM heat map and the kernel table.
func Run(scenario string, c validation.Comparison, tl *Timeline, tables []*report.Table) ([]byte, error) {
	r := c.Result
	if r == nil {
		return nil, fmt.Errorf("html: run page: no simulation result")
	}
	d := r.Design
	p := Page{Title: fmt.Sprintf("roofsim run: %s on design %s", scenario, d.Name),
		Subtitle: fmt.Sprintf("%s, %d x %dx%d %s arrays, %s memory: %.3f ms per frame, %.2f fps, efficiency %.3f against the design bound, validation %s",
			d.Precision.Name, d.Arrays, d.ArrayRows, d.ArrayCols, d.Dataflow, r.Memory, c.Seconds()*1e3, c.FPS(),
			float64(c.Total.BoundCycles)/float64(r.TotalCycles), c.Verdict())}
	p.Sections = append(p.Sections, Section{ID: "summary", Title: "Summary", Tables: FromTables("run", tables...)})
	checks, err := checksTable(c)
	if err != nil {
		return nil, err
	}
	p.Sections = append(p.Sections, Section{ID: "checks", Title: "Checks", Tables: checks})
	p.Sections = append(p.Sections, Section{ID: "losses", Title: "Where the time goes", Charts: []Chart{waterfallChart(c)},
		Notes: []string{"Each kernel's time beyond its lower bound is split into causes (docs/validation.md); the bars add them up over the pass. " +
			"Hover a bar for its size and the running total."}})
	if ch, ok := rooflineChart(c); ok {
		p.Sections = append(p.Sections, Section{ID: "roofline", Title: "Roofline", Charts: []Chart{ch},
			Notes: []string{"Hollow grey: the analytic point of a kernel (attainable TOP/s at its intensity); filled: its simulated TOP/s. " +
				"Hover a point for the kernel; scroll to zoom."}})
	}
	if tl != nil {
		p.Sections = append(p.Sections, Section{ID: "timeline", Title: "Timeline", Charts: []Chart{ganttChart(c, tl)},
			Notes: []string{"A row per unit: a bar is a span in which the unit worked for one kernel, coloured by the kernel's stage. " +
				"The kernels row is each kernel's span, the HBM row the kernels that moved HBM bytes."}})
	}
	if ch, source, ok := hbmHeatmap(c, tl); ok {
		p.Sections = append(p.Sections, Section{ID: "hbm", Title: "HBM channels", Charts: []Chart{ch},
			Notes: []string{fmt.Sprintf("The bytes each pseudo-channel served in %d buckets of %.3f ms: %s. Hover a cell for its rate; drag the slider to zoom.",
				heatBuckets, c.Seconds()*1e3/heatBuckets, source)}})
	}
	p.Sections = append(p.Sections, Section{ID: "kernels", Title: "Kernels", Tables: []Table{kernelTable(c)}})
	return p.Render()
}

// checksTable lists the pass's checks: every kernel against its bound, its
// ideal bytes and its MACs (validation.Compare), and the power estimate
// against the board's limit; then every kernel that failed.
func checksTable(c validation.Comparison) ([]Table, error) {
	e, err := energy.Of(c.Result)
	if err != nil {
		return nil, fmt.Errorf("html: run page: %w", err)
	}
	status := func(ok bool) Cell {
		if ok {
			return textCell("pass")
		}
		return Cell{Text: "fail", Bad: true}
	}
	t := Table{ID: "checks", Title: "Checks", Header: []string{"check", "result", "detail"}}
	t.Rows = append(t.Rows, []Cell{textCell("every kernel against its roofline"), status(c.Passed()),
		textCell(fmt.Sprintf("%d of %d kernels pass: time at or above the bound, traffic at or above the ideal bytes, MACs as the kernel's",
			len(c.Kernels)-c.Failed, len(c.Kernels)))})
	perr := e.CheckPowerLimit()
	detail := fmt.Sprintf("%.2f W estimated", e.PowerW)
	if perr != nil {
		detail = perr.Error()
	}
	t.Rows = append(t.Rows, []Cell{textCell("power within the board's limit"), status(perr == nil), textCell(detail)})
	out := []Table{t}
	if c.Failed > 0 {
		ft := Table{ID: "failures", Title: "Kernels that failed a check", Header: []string{"kernel", "failure"}, Filter: true}
		for _, k := range c.Kernels {
			for _, f := range k.Failures {
				ft.Rows = append(ft.Rows, []Cell{textCell(k.Kernel.Name), {Text: f, Bad: true}})
			}
		}
		out = append(out, ft)
	}
	return out, nil
}
