package calib

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sim/compute"
	"github.com/roofsim/roofsim/sim/hbm"
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
	checkEdits(t, good, []caseEdit{
		{`"kind": "measured"`, `"kind": "guess"`, "kind"},
		{`"board": "u280"`, `"board": "vhk158"`, "board"},
		{`"unit": "GB/s"`, `"unit": "ms"`, "unit"},
		{`"measured": 1`, `"measured": 0`, "measured"},
		{`"op": "read"`, `"op": "mixed"`, "op"},
		{`"port_bits": 512`, `"port_bits": 128`, "port_bits"},
		{`"count": 1`, `"count": 0`, "count"},
		{`"mapping": "m"`, `"mapping": ""`, "mapping"},
		{`"kind"`, `"kinds"`, "unknown field"},
	})
}

// caseEdit replaces from by to in a case's JSON; want is a text the
// parse error must hold ("" for a case that must still parse).
type caseEdit struct{ from, to, want string }

// checkEdits parses base with each edit applied and checks the outcome.
func checkEdits(t *testing.T, base string, edits []caseEdit) {
	t.Helper()
	for _, c := range edits {
		_, err := parseCases([]byte("[" + strings.Replace(base, c.from, c.to, 1) + "]"))
		if c.want == "" {
			if err != nil {
				t.Errorf("%s -> %s: refused: %v", c.from, c.to, err)
			}
			continue
		}
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

// gemmCase is a GEMM case that parses: a 64 x 64 GEMV on a small
// dot-tree design with a restart stream.
const gemmCase = `{"name": "g", "source": "s", "citation": "c 1", "board": "u280", "workload": "w", "kind": "measured",
	"measured": 1000, "unit": "cycles", "approximates": "a", "mapping": "m", "gemm": {"m": 1, "k": 64, "n": 64,
	"design": {"name": "d", "precision": "fp64", "array_rows": 4, "array_cols": 16, "dataflow": "os", "array_style": "dot",
	"weight_buffer_bytes": 65536, "input_buffer_bytes": 8192, "output_buffer_bytes": 8192, "hbm_ports": 16, "port_bits": 256,
	"freq_hz": 333000000, "board": "u280"},
	"streams": [{"name": "x", "repeats": 4, "bytes": 512, "size_bytes": 512, "outstanding": 16}]}}`

// TestGEMMCaseRefuses: a GEMM case parses, and bad ones are refused
// with the field named.
func TestGEMMCaseRefuses(t *testing.T) {
	if _, err := parseCases([]byte("[" + gemmCase + "]")); err != nil {
		t.Fatalf("good case refused: %v", err)
	}
	kernel := `"kernel": {"kernel_mhz": 300, "port_bits": 512, "ports": [{"count": 1, "op": "read", "pattern": "seq", "size_bytes": 64, "outstanding": 4, "bytes_per_port": 4096}]}, "gemm"`
	checkEdits(t, gemmCase, []caseEdit{
		{`"unit": "cycles"`, `"unit": "GB/s"`, "does not go with"},
		{`"unit": "cycles"`, `"unit": "ms"`, "unit"},
		{`"gemm"`, kernel, "only one of them"},
		{`"m": 1,`, `"m": 0,`, "gemm m"},
		{`"array_style": "dot"`, `"array_style": "wide"`, "array_style"},
		{`"board": "u280"}`, `"board": "u50"}`, "built for board"},
		{`"arrays"`, `"arrays"`, ""}, // no arrays field: the default 1
		{`"array_rows": 4`, `"array_rows": 4000`, "does not fit"},
		{`"repeats": 4`, `"repeats": 0`, "stream 0"},
		{`"bytes": 512`, `"bytes": 256`, "stream 0"},
		{`"name": "x", `, ``, "stream 0"},
		{`"outstanding": 16}`, `"outstanding": 16, "ii": 2}`, "unknown field"},
	})
}

// TestRunGEMM runs GEMM cases and recomputes their simulated figure: the
// matmul as roofsim gemm simulates it (the design on the HBM model with
// per-port placement), each restart stream's repeat on the HBM benchmark,
// and the longer of the matmul and the streams; the matmul moves the
// whole matrix and the figure's ratio and error follow from it.
func TestRunGEMM(t *testing.T) {
	cs, err := parseCases([]byte("[" + gemmCase + "]"))
	if err != nil {
		t.Fatal(err)
	}
	suite, err := Suite()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range suite {
		if c.Name == "vitis-blas-gemv-u280-512x256" || c.Name == "vitis-blas-gemv-u280-1024x1024" {
			cs = append(cs, c)
		}
	}
	if len(cs) != 3 {
		t.Fatalf("%d cases, want the test's and 2 of the suite's", len(cs))
	}
	for _, c := range cs {
		t.Run(c.Name, func(t *testing.T) {
			r, err := Run(c)
			if err != nil {
				t.Fatal(err)
			}
			g := c.GEMM
			p, err := hw.PlatformByName(c.Board)
			if err != nil {
				t.Fatal(err)
			}
			d, err := hw.ParseDesign(g.Design)
			if err != nil {
				t.Fatal(err)
			}
			opts := compute.DefaultOptions(d, p)
			if err := compute.PlaceOnHBM(&opts, d, p); err != nil {
				t.Fatal(err)
			}
			s, err := compute.NewSimulator(d, p, opts)
			if err != nil {
				t.Fatal(err)
			}
			st, err := s.Run(compute.NewBatchedGEMM("again", g.M, g.K, g.N, 1))
			if err != nil {
				t.Fatal(err)
			}
			if st.Cycles != r.MatmulCycles || st.BytesRead[compute.Weights] != g.K*g.N*8 {
				t.Errorf("matmul %d cycles, %d weight bytes; want %d cycles (the run's) and %d bytes", st.Cycles,
					st.BytesRead[compute.Weights], r.MatmulCycles, g.K*g.N*8)
			}
			want, bound := float64(st.Cycles), BoundMatmul
			for i, sc := range g.Streams {
				cfg, err := sc.bench(d, p)
				if err != nil {
					t.Fatal(err)
				}
				br, err := hbm.RunBenchmark(cfg)
				if err != nil {
					t.Fatal(err)
				}
				rep := r.StreamRepeatCycles[i]
				if got := br.SimSeconds * d.ClockHz(p); float64(rep) < got-1e-6 || float64(rep) >= got+1 || rep <= sc.Bytes/int64(d.PortBits/8) {
					t.Errorf("stream %s: %d cycles per repeat; want the benchmark's %.2f rounded up, above one beat per cycle", sc.Name, rep, got)
				}
				if tot := float64(sc.Repeats * rep); tot > want {
					want, bound = tot, sc.Name
				}
			}
			if r.Simulated != want || r.Bound[0] != bound || math.Abs(r.Ratio-want/c.Measured) > 1e-12 ||
				math.Abs(r.ErrorPct-math.Abs(want-c.Measured)/c.Measured*100) > 1e-9 {
				t.Errorf("simulated %.0f (%v), ratio %.4f, error %.2f%%; want %.0f (%s)", r.Simulated, r.Bound, r.Ratio, r.ErrorPct, want, bound)
			}
		})
	}
}

// TestRunAll: running cases at once gives the results of running them one
// after the other, in the cases' order, whatever the jobs; a failure is
// the first failing case's, in that order. Kernel, GEMM, pending and model
// cases run side by side (go test -race checks that they share no state).
func TestRunAll(t *testing.T) {
	suite, err := Suite()
	if err != nil {
		t.Fatal(err)
	}
	model, err := parseCases([]byte("[" + modelCase + "]"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []Case
	var kernel Case
	kinds := map[string]int{}
	for _, c := range suite {
		kind := "kernel"
		switch {
		case c.Pending != "":
			kind = "pending"
		case c.Model != nil:
			continue
		case c.GEMM != nil && c.GEMM.K*c.GEMM.N > 1<<20:
			continue
		case c.GEMM != nil:
			kind = "gemm"
		}
		if kinds[kind] < 4 {
			kinds[kind]++
			cases = append(cases, c)
		}
		if kind == "kernel" {
			kernel = c
		}
	}
	cases = append(cases[:3], append(model, cases[3:]...)...)
	want := make([]Result, len(cases))
	for i, c := range cases {
		if want[i], err = Run(c); err != nil {
			t.Fatal(err)
		}
	}
	for _, jobs := range []int{3, 64} {
		got, err := RunAll(cases, jobs)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("jobs %d: the results differ from running the cases one by one", jobs)
		}
	}

	bad := func(name string) Case {
		c := kernel
		c.Name, c.Board = name, "nope"
		return c
	}
	failing := []Case{kernel, cases[0], bad("bad1"), kernel, bad("bad2"), kernel}
	for _, jobs := range []int{1, 2, 6} {
		if _, err := RunAll(failing, jobs); err == nil || !strings.Contains(err.Error(), "case bad1:") {
			t.Errorf("jobs %d: error %v, want case bad1's", jobs, err)
		}
	}
	if _, err := RunAll(cases, 0); err == nil || !strings.Contains(err.Error(), "jobs must be >= 1") {
		t.Errorf("jobs 0: error %v", err)
	}
}
