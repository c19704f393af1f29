package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/roofsim/roofsim/optimize"
	"github.com/roofsim/roofsim/sweep"
	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// isTerminal reports whether w is a terminal (for the progress bar).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// progressFor returns a progress callback drawing a bar on w when w is a
// terminal, and nil otherwise.
func progressFor(w io.Writer, what string) (func(done, total int), func()) {
	if !isTerminal(w) {
		return nil, func() {}
	}
	var bar *progressbar.ProgressBar
	return func(done, total int) {
			if bar == nil {
				bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(w), progressbar.OptionSetDescription(what),
					progressbar.OptionShowCount(), progressbar.OptionSetPredictTime(true), progressbar.OptionClearOnFinish())
			}
			_ = bar.Set(done)
		}, func() {
			if bar != nil {
				_ = bar.Finish()
			}
		}
}

// progressBar shows the sweep's progress with an ETA on a terminal.
type progressBar struct {
	w   io.Writer
	bar *progressbar.ProgressBar
}

// newProgressBar returns a progress bar writing to w when w is a terminal,
// else nil (the run is quiet but for its summary line).
func newProgressBar(w io.Writer) *progressBar {
	if !isTerminal(w) {
		return nil
	}
	return &progressBar{w: w}
}

// Start implements sweep.Progress. The bar is drawn at once (0/N with the
// elapsed time), so a run whose first point takes long still shows it is
// working; it shows the count, the elapsed time and the time left, not a
// rate (a rate over the first seconds of a few long points is meaningless).
func (p *progressBar) Start(points int) {
	p.bar = progressbar.NewOptions(points,
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionSetDescription("sweep"),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)
	_ = p.bar.RenderBlank()
}

// Done implements sweep.Progress.
func (p *progressBar) Done(sweep.Row) { _ = p.bar.Add(1) }

// Finish implements sweep.Progress.
func (p *progressBar) Finish() { _ = p.bar.Finish() }

// searchBar shows an optimizer's simulations against its budget and the
// best value so far, on a terminal.
type searchBar struct {
	w   io.Writer
	obj optimize.Objective
	bar *progressbar.ProgressBar
}

// newSearchBar returns a search bar writing to w when w is a terminal,
// else nil.
func newSearchBar(w io.Writer, obj optimize.Objective) *searchBar {
	if !isTerminal(w) {
		return nil
	}
	return &searchBar{w: w, obj: obj}
}

// Start implements optimize.Progress.
func (p *searchBar) Start(done, budget int) {
	p.bar = progressbar.NewOptions(budget,
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionSetDescription("optimize"),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)
	_ = p.bar.Set(done)
}

// Trial implements optimize.Progress: a simulated trial moves the bar,
// every trial updates the best so far.
func (p *searchBar) Trial(t optimize.Trial, best float64, ok bool) {
	if ok {
		p.bar.Describe(fmt.Sprintf("optimize best %.4g %s", best, p.obj.Unit()))
	}
	if t.Outcome.Simulated() {
		_ = p.bar.Add(1)
	}
}

// Finish implements optimize.Progress.
func (p *searchBar) Finish() { _ = p.bar.Finish() }
