package calib

import (
	"math"
	"strings"
	"testing"
)

// TestSuite: the embedded suite loads, every case is valid, names are
// unique, and it holds at least 12 measured, simulated cases from at
// least 4 independent sources, each with a citation that quotes a figure
// or names a table.
func TestSuite(t *testing.T) {
	cs, err := Suite()
	if err != nil {
		t.Fatal(err)
	}
	measured, sources := 0, map[string]bool{}
	for _, c := range cs {
		if c.Pending == "" && c.Kind == KindMeasured {
			measured++
			sources[c.Source] = true
		}
		if !strings.ContainsAny(c.Citation, "0123456789") {
			t.Errorf("%s: the citation names no table, file or figure: %q", c.Name, c.Citation)
		}
	}
	if measured < 12 || len(sources) < 4 {
		t.Errorf("%d measured cases from %d sources; want at least 12 from 4", measured, len(sources))
	}
}

// TestValidateRefuses: bad cases are refused with the field named.
func TestValidateRefuses(t *testing.T) {
	good := `{"name": "x", "source": "s", "citation": "c 1", "board": "u280", "workload": "w", "kind": "measured",
		"measured": 1, "unit": "GB/s", "approximates": "a", "mapping": "m", "kernel": {"kernel_mhz": 300, "port_bits": 512,
		"ports": [{"count": 1, "op": "read", "pattern": "seq", "size_bytes": 64, "outstanding": 4, "bytes_per_port": 4096}]}}`
	if _, err := parseCases([]byte("[" + good + "]")); err != nil {
		t.Fatalf("good case refused: %v", err)
	}
	for _, c := range []struct{ from, to, want string }{
		{`"kind": "measured"`, `"kind": "guess"`, "kind"},
		{`"board": "u280"`, `"board": "vhk158"`, "board"},
		{`"unit": "GB/s"`, `"unit": "ms"`, "unit"},
		{`"measured": 1`, `"measured": 0`, "measured"},
		{`"op": "read"`, `"op": "mixed"`, "op"},
		{`"port_bits": 512`, `"port_bits": 128`, "port_bits"},
		{`"count": 1`, `"count": 0`, "count"},
		{`"mapping": "m"`, `"mapping": ""`, "mapping"},
		{`"kind"`, `"kinds"`, "unknown field"},
	} {
		_, err := parseCases([]byte("[" + strings.Replace(good, c.from, c.to, 1) + "]"))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s -> %s: got %v, want an error naming %q", c.from, c.to, err, c.want)
		}
	}
}

// TestSummarize: MAPE, geometric-mean ratio and worst case over the
// measured cases only; pending cases and estimates are counted apart.
func TestSummarize(t *testing.T) {
	mk := func(name, source, kind, pending string, measured, sim float64) Result {
		c := Case{Name: name, Source: source, Kind: kind, Pending: pending, Measured: measured}
		if pending != "" {
			return Result{Case: c}
		}
		return Result{Case: c, Simulated: sim, Ratio: sim / measured, ErrorPct: math.Abs(sim-measured) / measured * 100}
	}
	s := Summarize([]Result{
		mk("a", "s1", KindMeasured, "", 10, 12), // +20%
		mk("b", "s2", KindMeasured, "", 10, 5),  // -50%
		mk("c", "s2", KindEstimate, "", 10, 100),
		mk("d", "s3", KindMeasured, "needs x", 10, 0),
	})
	if s.Cases != 2 || s.Sources != 2 || s.Pending != 1 || s.Estimates != 1 {
		t.Errorf("counts %+v", s)
	}
	if math.Abs(s.SourceMAPEPct-35) > 1e-9 || s.Over25 != 1 {
		t.Errorf("source-mean MAPE %.2f, over 25%%: %d; want 35 (20 and 50) and 1", s.SourceMAPEPct, s.Over25)
	}
	if math.Abs(s.MAPEPct-35) > 1e-9 || math.Abs(s.GeoMeanRatio-math.Sqrt(1.2*0.5)) > 1e-9 || s.Worst != "b" || s.WorstPct != 50 {
		t.Errorf("figures %+v; want MAPE 35, geo-mean %.4f, worst b 50", s, math.Sqrt(0.6))
	}
}

// TestRunMechanisms runs three cases whose mechanisms the model must
// show, each on its own: ports that stay in their PC (bound by the HBM),
// a single-ID port over 4 PCs (bound by latency) and the same port with
// RAMA (bound by the HBM's own 256-bit port behind the 512-bit kernel
// port), and checks the simulated figure is the sum or
// lock-step product the case asks for.
func TestRunMechanisms(t *testing.T) {
	cs, err := Suite()
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]Case{}
	for _, c := range cs {
		byName[c.Name] = c
	}
	for name, bound := range map[string]string{
		"vitis-hbm-bandwidth-u280": "hbm", "tutorial-random-4pc-256": "latency", "tutorial-rama-4pc-1024": "hbm-port",
	} {
		c, ok := byName[name]
		if !ok {
			t.Fatalf("case %s is not in the suite", name)
		}
		r, err := Run(c)
		if err != nil {
			t.Fatal(err)
		}
		if r.Bound[0] != bound {
			t.Errorf("%s: bound %v, want %s first", name, r.Bound, bound)
		}
		ports, slowest := 0, math.Inf(1)
		for i, g := range c.Kernel.Ports {
			ports += g.Count
			slowest = math.Min(slowest, r.PortGBps[i])
		}
		want := r.PortGBps[0] * float64(c.Kernel.Ports[0].Count)
		if c.Kernel.Lockstep {
			if c.Kernel.CountedPorts > 0 {
				ports = c.Kernel.CountedPorts
			}
			want = float64(ports) * slowest
		}
		if math.Abs(r.Simulated-want) > 1e-9*want || math.Abs(r.Ratio-r.Simulated/c.Measured) > 1e-12 {
			t.Errorf("%s: simulated %.4f, ratio %.4f; want %.4f and its ratio", name, r.Simulated, r.Ratio, want)
		}
	}
	if r, err := Run(byName["vitis-hbm-simple-u50-one-pc"]); err != nil || !r.Pending() || r.Simulated != 0 {
		t.Errorf("pending case: %+v, %v", r, err)
	}
}
