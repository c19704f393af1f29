package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/roofsim/roofsim/sweep"
)

// The sweep's bar shows 0/N as soon as the run starts, and no rate.
func TestSweepProgressBar(t *testing.T) {
	var buf bytes.Buffer
	p := &progressBar{w: &buf}
	p.Start(30)
	if !strings.Contains(buf.String(), "0/30") {
		t.Errorf("before the first point ends the bar shows %q, want 0/30", buf.String())
	}
	p.Done(sweep.Row{})
	p.Finish()
	if strings.Contains(buf.String(), "/s") {
		t.Errorf("the bar shows a rate: %q", buf.String())
	}
}
