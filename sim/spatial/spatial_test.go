package spatial

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/workload"
)

// bertGraph builds layers BERT-base encoder layers (post-LayerNorm,
// hidden 768, 12 heads, FFN 3072, GELU) over seq tokens, named
// "bert.lN.OP".
func bertGraph(t *testing.T, seq int64, layers int) *workload.Graph {
	t.Helper()
	const h, heads, ffn = 768, 12, 3072
	hd := int64(h / heads)
	var ks []workload.Kernel
	var ts []workload.Tensor
	tensor := func(name string, role workload.Role, rows, cols int64) string {
		ts = append(ts, workload.Tensor{Name: name, Role: role, Rows: rows, Cols: cols})
		return name
	}
	add := func(k workload.Kernel, role workload.Role, rows int64, in, w []string) string {
		k.Inputs, k.Weights = in, w
		k.Outputs = []string{tensor(k.Name+".out", role, rows, k.OutputElems/rows)}
		ks = append(ks, k)
		return k.Outputs[0]
	}
	gemm := func(name string, l int, x string, kk, n int64) string {
		k := workload.NewGEMM(name, workload.StageText, -1, l, seq, kk, n)
		k.BiasElems = n
		return add(k, workload.RoleActivation, seq, []string{x},
			[]string{tensor(name+".weight", workload.RoleWeight, kk, n), tensor(name+".bias", workload.RoleParameter, 1, n)})
	}
	attn := func(name string, l int, left, right string, role workload.Role, m, kk, n int64) string {
		return add(workload.Kernel{Name: name, Stage: workload.StageText, Camera: -1, Layer: l, Kind: workload.KindAttention,
			M: m, K: kk, N: n, Batch: heads, InputElems: heads * (m*kk + kk*n), OutputElems: heads * m * n, Ops: 2 * heads * m * kk * n},
			role, heads*m, []string{left, right}, nil)
	}
	elem := func(name string, l int, kind workload.Kind, role workload.Role, m, n int64, in []string, params, opsPer int64) string {
		var w []string
		if params > 0 {
			w = []string{tensor(name+".params", workload.RoleParameter, 2, n)}
		}
		return add(workload.Kernel{Name: name, Stage: workload.StageText, Camera: -1, Layer: l, Kind: kind,
			M: m, K: 1, N: n, Batch: 1, BiasElems: params, InputElems: int64(len(in)) * m * n, OutputElems: m * n, Ops: opsPer * m * n},
			role, m, in, w)
	}
	x := tensor("bert.in", workload.RoleInput, seq, h)
	for l := range layers {
		n := func(op string) string { return fmt.Sprintf("bert.l%d.%s", l, op) }
		q := gemm(n("q"), l, x, h, h)
		k := gemm(n("k"), l, x, h, h)
		v := gemm(n("v"), l, x, h, h)
		s := attn(n("qk"), l, q, k, workload.RoleScores, seq, hd, seq)
		s = elem(n("softmax"), l, workload.KindSoftmax, workload.RoleScores, heads*seq, seq, []string{s}, 0, workload.OpsPerElemSoftmax)
		a := attn(n("av"), l, s, v, workload.RoleActivation, seq, seq, hd)
		a = gemm(n("out"), l, a, h, h)
		a = elem(n("res1"), l, workload.KindResidual, workload.RoleActivation, seq, h, []string{a, x}, 0, workload.OpsPerElemAdd)
		x1 := elem(n("ln1"), l, workload.KindNorm, workload.RoleActivation, seq, h, []string{a}, 2*h, workload.OpsPerElemLayerNorm)
		f := gemm(n("fc1"), l, x1, h, ffn)
		f = elem(n("gelu"), l, workload.KindActivation, workload.RoleActivation, seq, ffn, []string{f}, 0, workload.OpsPerElemGELU)
		f = gemm(n("fc2"), l, f, ffn, h)
		f = elem(n("res2"), l, workload.KindResidual, workload.RoleActivation, seq, h, []string{f, x1}, 0, workload.OpsPerElemAdd)
		x = elem(n("ln2"), l, workload.KindNorm, workload.RoleActivation, seq, h, []string{f}, 2*h, workload.OpsPerElemLayerNorm)
	}
	g, err := workload.NewGraph(ks, ts)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func exampleDesign(t *testing.T) hw.SpatialDesign {
	t.Helper()
	d, err := hw.LoadSpatialDesign("../../examples/design-spatial-bert.json")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func run(t *testing.T, d hw.SpatialDesign, g *workload.Graph, o Options) Result {
	t.Helper()
	r, err := Run(d, hw.U280(), g, o)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// checkInvariants checks what every run must hold: MACs and HBM bytes
// conserved, streams empty, the bottleneck the busiest unit.
func checkInvariants(t *testing.T, r Result) {
	t.Helper()
	var macs int64
	for i, u := range r.Units {
		macs += u.MACs
		if u.BusyCycles > r.Units[r.Bottleneck].BusyCycles {
			t.Errorf("unit %s is busier (%d) than the bottleneck %s (%d)", u.Name, u.BusyCycles, r.Units[r.Bottleneck].Name, r.Units[r.Bottleneck].BusyCycles)
		}
		if u.BusyCycles > r.MakespanCycles {
			t.Errorf("unit %d busy %d cycles of a %d-cycle makespan", i, u.BusyCycles, r.MakespanCycles)
		}
	}
	if macs != r.GraphMACs {
		t.Errorf("units computed %d MACs, the graph has %d", macs, r.GraphMACs)
	}
	if r.HBMBytesRead != r.PlannedBytesRead || r.HBMBytesWritten != r.PlannedBytesWritten {
		t.Errorf("HBM served %d read and %d written bytes, the units asked for %d and %d",
			r.HBMBytesRead, r.HBMBytesWritten, r.PlannedBytesRead, r.PlannedBytesWritten)
	}
	for _, s := range r.Streams {
		if s.FinalBytes != 0 {
			t.Errorf("stream %s->%s holds %d bytes at the end", s.From, s.To, s.FinalBytes)
		}
		if s.PeakBytes > s.CapacityBytes {
			t.Errorf("stream %s->%s held %d bytes, its capacity is %d", s.From, s.To, s.PeakBytes, s.CapacityBytes)
		}
	}
}

// TestBERTLayerConcurrent runs one BERT-base layer at seq 128 on the
// example design: units overlap, and the invariants hold.
func TestBERTLayerConcurrent(t *testing.T) {
	r := run(t, exampleDesign(t), bertGraph(t, 128, 1), Options{Passes: 1})
	checkInvariants(t, r)
	if r.BusyCycles() <= r.MakespanCycles {
		t.Errorf("units busy %d cycles in all over a %d-cycle makespan: they did not run concurrently", r.BusyCycles(), r.MakespanCycles)
	}
	if r.FillCycles != r.PassEnds[0] || r.FillCycles > r.MakespanCycles {
		t.Errorf("fill %d, first pass end %d, makespan %d", r.FillCycles, r.PassEnds[0], r.MakespanCycles)
	}
	t.Logf("makespan %d cycles, bottleneck %s busy %d, sum busy %d", r.MakespanCycles, r.Units[r.Bottleneck].Name, r.Units[r.Bottleneck].BusyCycles, r.BusyCycles())
}

// TestThroughputIsBottleneck streams passes through the design: in steady
// state a pass leaves every interval I = the bottleneck's busy cycles per
// pass. Between the ends of pass 0 and pass P-1 the bottleneck, never
// idle in steady state, runs the work of passes 1..P-1 less what it did
// of pass 1 before pass 0 ended, which is at most the tail T0 from its
// last pass-0 tile to the end of pass 0; the window also holds the tail
// TL after its last tile. So the measured interval is within
// (T0 + TL) / (P - 1) of I, plus the bottleneck's own stalls in the
// window, which the test measures and adds.
func TestThroughputIsBottleneck(t *testing.T) {
	const passes = 6
	d := exampleDesign(t)
	r := run(t, d, bertGraph(t, 128, 1), Options{Passes: passes})
	checkInvariants(t, r)
	b := r.Units[r.Bottleneck]
	t0 := r.PassEnds[0] - b.PassEnds[0]
	tl := r.PassEnds[passes-1] - b.PassEnds[passes-1]
	stalls := b.StallInputCycles + b.StallHBMCycles + b.StallOutputCycles
	tol := float64(t0+tl+stalls) / float64(passes-1)
	got := r.MeasuredIntervalCycles()
	if math.Abs(got-r.IntervalCycles) > tol {
		t.Errorf("measured interval %.0f cycles, bottleneck %s interval %.0f, tolerance %.0f (tails %d + %d, stalls %d)",
			got, b.Name, r.IntervalCycles, tol, t0, tl, stalls)
	}
	if want := r.FreqHz / r.IntervalCycles; r.ThroughputPerSec() != want {
		t.Errorf("throughput %g/s, want 1/interval %g/s", r.ThroughputPerSec(), want)
	}
	t.Logf("interval %.0f measured %.0f tol %.0f bottleneck %s", r.IntervalCycles, got, tol, b.Name)
}

// TestBackPressure shrinks the streams to one tile (but the skip
// connections, which must hold a sequence): the producers must stall on
// full streams and the passes take longer than with deep streams.
func TestBackPressure(t *testing.T) {
	g := bertGraph(t, 512, 1)
	deep := exampleDesign(t)
	deep.StreamDepthTiles = 8
	tiny := exampleDesign(t)
	tiny.StreamDepthTiles = 1
	rd := run(t, deep, g, Options{Passes: 3})
	rt := run(t, tiny, g, Options{Passes: 3})
	checkInvariants(t, rd)
	checkInvariants(t, rt)
	var blocked, stall int64
	for i, s := range rt.Streams {
		blocked += s.BlockedPushes
		if s.PeakBytes > s.CapacityBytes || rd.Streams[i].PeakBytes < s.PeakBytes {
			t.Errorf("stream %s->%s peak %d with capacity %d (deep: %d)", s.From, s.To, s.PeakBytes, s.CapacityBytes, rd.Streams[i].PeakBytes)
		}
	}
	for _, u := range rt.Units {
		stall += u.StallOutputCycles
	}
	if blocked == 0 || stall == 0 {
		t.Errorf("one-tile streams: %d blocked pushes, %d output stall cycles; want both > 0", blocked, stall)
	}
	if rt.MakespanCycles <= rd.MakespanCycles {
		t.Errorf("one-tile streams took %d cycles, deep ones %d: back-pressure should slow the pipeline", rt.MakespanCycles, rd.MakespanCycles)
	}
	t.Logf("deep %d cycles, tiny %d cycles, %d blocked pushes, %d output stall cycles", rd.MakespanCycles, rt.MakespanCycles, blocked, stall)
}

// TestBadDesigns checks the errors of designs that cannot run.
func TestBadDesigns(t *testing.T) {
	g := bertGraph(t, 128, 1)
	cases := []struct {
		name string
		edit func(d *hw.SpatialDesign)
		want string
	}{
		{"unmapped op", func(d *hw.SpatialDesign) { d.Units[10].Ops = []string{"*.nothing"} }, "fc2 (kind gemm) is mapped to no unit"},
		{"missing SLR", func(d *hw.SpatialDesign) { d.Units[0].SLR = 3 }, "is on SLR 3"},
		{"zero depth", func(d *hw.SpatialDesign) {
			d.Streams = []hw.SpatialStream{{From: "qkv", To: "qk"}}
		}, "depth_tiles or depth_bytes must be > 0"},
		{"unknown unit", func(d *hw.SpatialDesign) {
			d.Streams = []hw.SpatialStream{{From: "qkv", To: "nope", DepthTiles: 1}}
		}, `unit "nope" is not known`},
		{"tiny bytes", func(d *hw.SpatialDesign) {
			d.Streams = []hw.SpatialStream{{From: "qkv", To: "qk", DepthBytes: 16}}
		}, "less than its largest tile"},
		{"matmul on vector", func(d *hw.SpatialDesign) { d.Units[3].Ops = []string{"*.softmax", "*.fc1"} }, "a matmul needs an array unit"},
		// qkv runs QK^T before it has computed q.
		{"on-chip memory", func(d *hw.SpatialDesign) { d.Units[8].WeightBufferBytes = 64 << 20 }, "bytes of BRAM+URAM"},
		{"deadlock", func(d *hw.SpatialDesign) { d.Units[1].Ops = []string{"*.qk", "*.k", "*.v", "*.q"} }, "deadlock"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := exampleDesign(t)
			c.edit(&d)
			_, err := Run(d, hw.U280(), g, Options{Passes: 1})
			if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %v, want one line with %q", err, c.want)
			}
		})
	}
}

// TestUnitBusyClosedForm recomputes every unit's busy cycles from the
// dimensions alone: per op tile of m_i = floor((i+1)M/T) - floor(iM/T)
// rows, an os array of R x C takes n = ceil(ceil(m_i/R) ceil(N/C) batch /
// arrays) folds of F + D + (n-1) max(F, D) + n K cycles (F = R + C - 2,
// D = R), a vector unit ceil(ops_i / lanes), and each op's first tile
// pays the launch overhead; a streaming array has no gap between folds.
func TestUnitBusyClosedForm(t *testing.T) {
	const launch = 2000
	d := exampleDesign(t)
	d.LaunchCycles = launch
	g := bertGraph(t, 128, 1)
	r := run(t, d, g, Options{Passes: 1})
	cd := func(x, y int64) int64 { return (x + y - 1) / y }
	part := func(total int64, i int) int64 { return total*int64(i+1)/int64(d.Tiles) - total*int64(i)/int64(d.Tiles) }
	want := make([]int64, len(d.Units))
	for _, k := range g.Ops {
		ui := -1
		for i, u := range d.Units {
			for _, pat := range u.Ops {
				if ui < 0 && matches(pat, k, g) {
					ui = i
				}
			}
		}
		u := d.Units[ui]
		want[ui] += launch
		for i := range d.Tiles {
			if u.Kind == hw.UnitVector {
				want[ui] += cd(part(k.Ops, i), int64(u.VectorLanes))
				continue
			}
			rr, cc := int64(u.ArrayRows), int64(u.ArrayCols)
			f, dr := rr+cc-2, rr
			gap := max(f, dr)
			if u.Style == hw.StyleStreaming {
				gap = 0
			}
			n := cd(cd(part(k.M, i), rr)*cd(k.N, cc)*k.Batch, int64(u.Arrays))
			want[ui] += f + dr + (n-1)*gap + n*k.K
		}
	}
	for i, u := range r.Units {
		if u.BusyCycles != want[i] {
			t.Errorf("unit %s: busy %d cycles, closed form %d", u.Name, u.BusyCycles, want[i])
		}
		if u.LaunchCycles != launch*int64(u.Items/d.Tiles) {
			t.Errorf("unit %s: %d launch cycles for %d tiles", u.Name, u.LaunchCycles, u.Items)
		}
	}
}

// TestSingleBuffered checks that loading a tile's weights only at its
// turn (load, then compute) makes the units wait for HBM longer and the
// pass no faster than with double buffering.
func TestSingleBuffered(t *testing.T) {
	g := bertGraph(t, 128, 1)
	double := exampleDesign(t)
	single := exampleDesign(t)
	single.Buffering = hw.SingleBuffered
	rd := run(t, double, g, Options{Passes: 2})
	rs := run(t, single, g, Options{Passes: 2})
	checkInvariants(t, rs)
	var hd, hs int64
	for i := range rd.Units {
		hd += rd.Units[i].StallHBMCycles
		hs += rs.Units[i].StallHBMCycles
	}
	if hs <= hd || rs.MakespanCycles < rd.MakespanCycles {
		t.Errorf("single-buffered: %d HBM stall cycles and %d cycles; double-buffered %d and %d", hs, rs.MakespanCycles, hd, rd.MakespanCycles)
	}
	t.Logf("HBM stalls single %d double %d, makespan single %d double %d", hs, hd, rs.MakespanCycles, rd.MakespanCycles)
}

// TestTooManyTiles checks that a plan whose dependencies would not fit in
// memory is refused before it is built.
func TestTooManyTiles(t *testing.T) {
	d := exampleDesign(t)
	d.Tiles = hw.SpatialMaxTiles
	_, err := NewPlan(d, bertGraph(t, 4096, 1), 1)
	if err == nil || !strings.Contains(err.Error(), "tile dependencies") {
		t.Errorf("error %v, want one about too many tile dependencies", err)
	}
}
