package accel_test

import (
	"bytes"
	"encoding/csv"
	"flag"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sim/accel"
	"github.com/roofsim/roofsim/sim/compute"
	"github.com/roofsim/roofsim/validation"
	"github.com/roofsim/roofsim/workload"
)

// checkAll runs check and the validation package's own checks on a pass.
func checkAll(t *testing.T, name string, d hw.Design, ks []workload.Kernel, res *accel.Result, opts accel.Options, twoChannels bool) {
	t.Helper()
	check(t, name, d, ks, res, opts, twoChannels)
	if c := validation.Compare(res); !c.Passed() {
		for _, k := range c.Kernels {
			if len(k.Failures) > 0 {
				t.Errorf("%s: validation: %s: %v", name, k.Kernel.Name, k.Failures)
				break
			}
		}
		t.Errorf("%s: %d kernels failed validation", name, c.Failed)
	}
}

// hbmTraffic is the HBM bytes of a pass; onChipTraffic the bytes between
// the on-chip stores and the buffers.
func hbmTraffic(r *accel.Result) int64 { return r.MemoryBytesRead + r.MemoryBytesWritten }

func onChipTraffic(r *accel.Result) (b int64) {
	for _, kr := range r.Kernels {
		b += kr.OnChipBytesRead + kr.OnChipBytesWritten
	}
	return b
}

func byName(r *accel.Result) map[string]accel.KernelResult {
	m := map[string]accel.KernelResult{}
	for _, kr := range r.Kernels {
		m[kr.Kernel.Name] = kr
	}
	return m
}

// weightStoreDesign is the int4 preset with its activation store cut to
// 8 MiB (its peak occupancy is 7.9 MB) and a 10 MiB weight store in the
// URAM that frees: 42 MiB of the board's 42.6.
func weightStoreDesign(t testing.TB) hw.Design {
	d := design(t, "int4")
	d.ActivationBufferBytes, d.WeightStoreBytes = 8*hw.MiB, 10*hw.MiB
	if err := d.Fit(hw.U280()); err != nil {
		t.Fatal(err)
	}
	return d
}

// TestPinWeights pins weights in the weight store: the pinned kernels read
// their weights on chip, the HBM moves less, the pass is no slower, and the
// two policies pick different weights.
func TestPinWeights(t *testing.T) {
	t.Parallel()
	p := hw.U280()
	d := weightStoreDesign(t)
	wg := graphOf(t, "smolvla", small)
	ks := wg.Ops
	base := run(t, d, wg, accel.DefaultOptions(d, p))
	baseK := byName(base)
	pinned := map[accel.PinPolicy]*accel.Result{}
	for _, pol := range []accel.PinPolicy{accel.PinInOrder, accel.PinMostReused} {
		opts := accel.DefaultOptions(d, p)
		opts.PinWeights = pol
		res := run(t, d, wg, opts)
		pinned[pol] = res
		checkAll(t, "pin "+string(pol), d, ks, res, opts, false)
		if res.PinnedWeightBytes <= 0 || res.PinnedWeightBytes > d.WeightStoreBytes || res.WeightBytes >= base.WeightBytes {
			t.Errorf("%s: %d bytes pinned of a %d-byte store, %d of weights in HBM (%d unpinned)", pol,
				res.PinnedWeightBytes, d.WeightStoreBytes, res.WeightBytes, base.WeightBytes)
		}
		if hbmTraffic(res) > hbmTraffic(base)-res.PinnedWeightBytes/2 || res.TotalCycles > base.TotalCycles {
			t.Errorf("%s: %d bytes of HBM traffic in %d cycles; unpinned %d in %d", pol, hbmTraffic(res), res.TotalCycles, hbmTraffic(base), base.TotalCycles)
		}
		n := 0
		for _, kr := range res.Kernels {
			k := kr.Kernel
			if k.Kind != workload.KindGEMM || kr.Placement.Weights != accel.OnChip {
				continue
			}
			n++
			b, w := baseK[k.Name], int64(d.Precision.WeightBytes(k.WeightElems))
			if kr.BytesRead > b.BytesRead-w || kr.OnChipBytesRead < b.OnChipBytesRead+w {
				t.Errorf("%s: %s read %d bytes of HBM and %d on chip; unpinned %d and %d, its weights %d", pol, k.Name,
					kr.BytesRead, kr.OnChipBytesRead, b.BytesRead, b.OnChipBytesRead, w)
			}
		}
		t.Logf("%s: %d bytes pinned, %d GEMMs with pinned weights; %.3f ms (unpinned %.3f), HBM %d bytes (%d)", pol, res.PinnedWeightBytes, n,
			float64(res.TotalCycles)/res.FreqHz*1e3, float64(base.TotalCycles)/base.FreqHz*1e3, hbmTraffic(res), hbmTraffic(base))
		if n == 0 {
			t.Errorf("%s: no GEMM has its weights pinned", pol)
		}
	}
	// Most reads per byte first pins every norm's parameters and, with
	// the small weights first, the weights of more kernels than pinning in
	// order, which fills the store with the first (large) vision weights.
	count := func(r *accel.Result) (n int) {
		for _, kr := range r.Kernels {
			if kr.Kernel.Kind != workload.KindAttention && kr.Placement.Weights == accel.OnChip {
				n++
			}
		}
		return n
	}
	for _, kr := range pinned[accel.PinMostReused].Kernels {
		if kr.Kernel.Kind == workload.KindNorm && kr.Placement.Weights != accel.OnChip {
			t.Errorf("reuse: %s keeps its parameters in HBM", kr.Kernel.Name)
		}
	}
	if r, o := count(pinned[accel.PinMostReused]), count(pinned[accel.PinInOrder]); r <= o {
		t.Errorf("reuse pins the weights of %d kernels, order of %d", r, o)
	}
	if w := byName(pinned[accel.PinInOrder])["vision.cam0.patch_embed"].Placement.Weights; w != accel.OnChip {
		t.Errorf("order: the first weights (the patch embedding) are %s, want onchip", w)
	}

	// A design without a store cannot pin; unknown policies are refused.
	for _, c := range []struct {
		d    hw.Design
		pin  accel.PinPolicy
		want string
	}{
		{design(t, "int4"), accel.PinInOrder, "needs a design with weight_store_bytes > 0"},
		{d, "all", `pin weights "all" is not known (accepted: none|order|reuse)`},
	} {
		opts := accel.DefaultOptions(c.d, p)
		opts.PinWeights = c.pin
		if _, err := accel.Run(c.d, p, wg, opts); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("pin %q on %s: error %v, want %q", c.pin, c.d.Name, err, c.want)
		}
	}
}

// TestFuse fuses the elementwise kernels into their matmuls: the same work
// in less time, the intermediates never moved, each fused kernel still at
// or above its bound, and the vector-bound softmax no faster than its
// lanes allow.
func TestFuse(t *testing.T) {
	t.Parallel()
	p := hw.U280()
	type job struct {
		design    string
		memory    accel.Memory
		mod       func(*workload.Scenario)
		residency bool
	}
	for _, j := range []job{
		{"int8", accel.MemoryHBM, small, true},
		{"int4", accel.MemoryHBM, tiny, true},
		{"fp32", accel.MemoryIdeal, tiny, true}, // the scores spill to HBM
		{"int8", accel.MemoryIdeal, tiny, false},
	} {
		name := fmt.Sprintf("%s/%s/residency=%v", j.design, j.memory, j.residency)
		d := design(t, j.design)
		wg := graphOf(t, "smolvla", j.mod)
		ks := wg.Ops
		opts := accel.DefaultOptions(d, p)
		opts.Memory, opts.Residency = j.memory, j.residency
		base := run(t, d, wg, opts)
		opts.Fuse = true
		res := run(t, d, wg, opts)
		checkAll(t, "fuse "+name, d, ks, res, opts, !j.residency)
		sc, _ := workload.ScenarioByName("smolvla")
		j.mod(&sc)
		// Per layer: softmax, res1, gelu, res2 (vision); softmax, res1,
		// silu_mul, res2 (text).
		if want := 4 * (sc.Model.Vision.Layers*sc.Cameras + sc.TextLayers); res.FusedKernels != want {
			t.Errorf("%s: %d kernels fused, want %d", name, res.FusedKernels, want)
		}
		var ops, wantOps int64
		for i, kr := range res.Kernels {
			ops += kr.Kernel.Ops
			wantOps += ks[i].Ops
		}
		if ops != wantOps {
			t.Errorf("%s: the results count %d ops, the kernels %d", name, ops, wantOps)
		}
		if res.TotalCycles >= base.TotalCycles || onChipTraffic(res)+hbmTraffic(res) >= onChipTraffic(base)+hbmTraffic(base) {
			t.Errorf("%s: fused %d cycles, %d+%d bytes; apart %d, %d+%d", name, res.TotalCycles, hbmTraffic(res), onChipTraffic(res),
				base.TotalCycles, hbmTraffic(base), onChipTraffic(base))
		}
		t.Logf("%s: fused %.3f ms, apart %.3f ms", name, float64(res.TotalCycles)/res.FreqHz*1e3, float64(base.TotalCycles)/base.FreqHz*1e3)
		got := byName(res)
		qk, sm := got["vision.cam0.l0.qk"], byName(base)["vision.cam0.l0.softmax"]
		lanes := int64(d.VectorLanes * d.Arrays)
		if qk.FusedWith != "vision.cam0.l0.softmax" || qk.Cycles < (sm.VectorOps+lanes-1)/lanes || qk.StallVectorCycles <= 0 {
			t.Errorf("%s: QK^T fused with %q in %d cycles, %d waiting for the vector unit; the softmax needs %d lane cycles", name,
				qk.FusedWith, qk.Cycles, qk.StallVectorCycles, (sm.VectorOps+lanes-1)/lanes)
		}
		for _, pair := range [][2]string{{"vision.cam0.l0.fc1", "vision.cam0.l0.gelu"}, {"text.l0.up", "text.l0.silu_mul"}, {"text.l0.down", "text.l0.res2"}} {
			if got[pair[0]].FusedWith != pair[1] || got[pair[1]].FusedInto != pair[0] {
				t.Errorf("%s: %s fused with %q, %s into %q", name, pair[0], got[pair[0]].FusedWith, pair[1], got[pair[1]].FusedInto)
			}
		}
	}
}

// TestPipeline splits the int8 design in a vision part (2 arrays) and a
// text part (1 array): every kernel still checks out, each part keeps to
// its own PCs, a frame's latency is the sum of the parts and the frame
// interval their maximum, and each part, with fewer arrays, is slower than
// its stage on the whole design.
func TestPipeline(t *testing.T) {
	t.Parallel()
	p := hw.U280()
	d := design(t, "int8")
	wg := graphOf(t, "smolvla", small)
	ks := wg.Ops
	base := run(t, d, wg, accel.DefaultOptions(d, p))
	opts := accel.DefaultOptions(d, p)
	opts.Pipeline = &accel.Pipeline{}
	res := run(t, d, wg, opts)
	checkAll(t, "pipeline", d, ks, res, opts, false)
	if len(res.Parts) != 2 {
		t.Fatalf("%d parts", len(res.Parts))
	}
	v, x := res.Parts[0], res.Parts[1]
	if v.Arrays != 2 || x.Arrays != 1 || v.Kernels+x.Kernels != len(ks) || x.FirstKernel != v.Kernels ||
		res.TotalCycles != v.Cycles+x.Cycles || res.FrameIntervalCycles != max(v.Cycles, x.Cycles) ||
		res.Kernels[v.Kernels-1].EndCycle != v.Cycles || v.ActivationStoreBytes+x.ActivationStoreBytes != d.ActivationBufferBytes {
		t.Errorf("parts %+v and %+v, latency %d, interval %d", v, x, res.TotalCycles, res.FrameIntervalCycles)
	}
	if len(v.PCs)+len(x.PCs) != len(opts.Layout.PCs) || len(v.PCs)%p.HBM.SwitchGroupPorts != 0 {
		t.Errorf("the parts own PCs %v and %v", v.PCs, x.PCs)
	}
	owner := map[int]int{}
	for i, part := range res.Parts {
		for _, pc := range part.PCs {
			if _, dup := owner[pc]; dup {
				t.Errorf("PC %d is in both parts", pc)
			}
			owner[pc] = i
		}
	}
	for i, kr := range res.Kernels {
		part := 0
		if i >= x.FirstKernel {
			part = 1
		}
		for pc := range kr.BytesReadPerPC {
			if kr.BytesReadPerPC[pc]+kr.BytesWrittenPerPC[pc] > 0 && owner[pc] != part {
				t.Errorf("%s (%s part) moved bytes in PC %d", kr.Kernel.Name, res.Parts[part].Name, pc)
			}
		}
	}
	baseVision := base.Kernels[v.Kernels-1].EndCycle
	if v.Cycles <= baseVision || x.Cycles <= base.TotalCycles-baseVision || res.FrameIntervalCycles >= res.TotalCycles {
		t.Errorf("vision part %d cycles (%d on 3 arrays), text part %d (%d)", v.Cycles, baseVision, x.Cycles, base.TotalCycles-baseVision)
	}
	t.Logf("pipelined: latency %.3f ms, a frame every %.3f ms (vision %.3f, text %.3f); unsplit %.3f ms", float64(res.TotalCycles)/res.FreqHz*1e3,
		float64(res.FrameIntervalCycles)/res.FreqHz*1e3, float64(v.Cycles)/res.FreqHz*1e3, float64(x.Cycles)/res.FreqHz*1e3, float64(base.TotalCycles)/base.FreqHz*1e3)

	// What cannot be split.
	one := d
	one.Arrays = 1
	for _, c := range []struct {
		d    hw.Design
		g    *workload.Graph
		pl   accel.Pipeline
		want string
	}{
		{d, graphOf(t, "seed", nil), accel.Pipeline{}, "vision and connector kernels before the text kernels"},
		{one, wg, accel.Pipeline{}, "at least 2 arrays"},
		{d, wg, accel.Pipeline{VisionArrays: 3}, "vision arrays must be in 1..2"},
		{d, wg, accel.Pipeline{VisionPCs: 32}, "vision PCs must be in 1..31"},
		{d, wg, accel.Pipeline{VisionStoreBytes: 32 * hw.MiB}, "vision store bytes must be in 0.."},
	} {
		o := accel.DefaultOptions(c.d, p)
		o.Pipeline = &c.pl
		if _, err := accel.Run(c.d, p, c.g, o); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("pipeline %+v: error %v, want %q", c.pl, err, c.want)
		}
	}
}

// TestContiguousLayout lays the address space out PC after PC, as a naive
// host allocation does: a GEMM's weights come from one or two PCs, and the
// pass is slower than with the interleave.
func TestContiguousLayout(t *testing.T) {
	t.Parallel()
	p := hw.U280()
	d := design(t, "int8")
	wg := graphOf(t, "smolvla", small)
	ks := wg.Ops
	base := run(t, d, wg, accel.DefaultOptions(d, p))
	opts := accel.DefaultOptions(d, p)
	opts.Layout.Map = accel.LayoutContiguous
	res := run(t, d, wg, opts)
	checkAll(t, "contiguous", d, ks, res, opts, false)
	n := 0
	for _, kr := range res.Kernels {
		if kr.Kernel.Kind != workload.KindGEMM || kr.Placement != (accel.Placement{Inputs: accel.OnChip, Weights: accel.InHBM, Outputs: accel.OnChip}) {
			continue
		}
		pcs := 0
		for _, b := range kr.BytesReadPerPC {
			if b > 0 {
				pcs++
			}
		}
		if pcs > 2 {
			t.Errorf("%s read its weights from %d PCs", kr.Kernel.Name, pcs)
		}
		n++
	}
	if n == 0 || res.TotalCycles <= base.TotalCycles || hbmTraffic(res) != hbmTraffic(base) {
		t.Errorf("%d GEMMs checked; contiguous %d cycles and %d bytes, interleaved %d and %d", n, res.TotalCycles, hbmTraffic(res), base.TotalCycles, hbmTraffic(base))
	}
	t.Logf("contiguous %.3f ms, interleaved %.3f ms", float64(res.TotalCycles)/res.FreqHz*1e3, float64(base.TotalCycles)/base.FreqHz*1e3)
	opts.Layout.Map = "random"
	if _, err := accel.Run(d, p, wg, opts); err == nil || !strings.Contains(err.Error(), `layout map "random" is not known (accepted: interleave|contiguous)`) {
		t.Errorf("an unknown layout map: error %v", err)
	}
}

// TestPrefetchWeights loads each kernel's first weight tiles during the
// previous kernel: the same traffic, less waiting for HBM, every kernel
// still at or above its bound counted without the prefetched bytes (the
// seed's memory-bound connector GEMV included).
func TestPrefetchWeights(t *testing.T) {
	t.Parallel()
	p := hw.U280()
	for _, c := range []struct{ design, scenario string }{{"int8", "smolvla"}, {"int8", "seed"}, {"int4", "seed"}} {
		name := c.design + "/" + c.scenario
		d := design(t, c.design)
		var mod func(*workload.Scenario)
		if c.scenario == "smolvla" {
			mod = small
		}
		wg := graphOf(t, c.scenario, mod)
		ks := wg.Ops
		base := run(t, d, wg, accel.DefaultOptions(d, p))
		opts := accel.DefaultOptions(d, p)
		opts.PrefetchWeights = true
		res := run(t, d, wg, opts)
		checkAll(t, "prefetch "+name, d, ks, res, opts, false)
		var stallBase, stall, n int64
		for i, kr := range res.Kernels {
			stallBase += base.Kernels[i].StallHBMCycles
			stall += kr.StallHBMCycles
			if kr.PrefetchedBytes > 0 {
				n++
				if kr.Placement.Weights != accel.Mixed && kr.Placement.Weights != accel.OnChip {
					t.Errorf("%s: %s prefetched %d bytes of weights placed %s", name, kr.Kernel.Name, kr.PrefetchedBytes, kr.Placement.Weights)
				}
			}
		}
		if hbmTraffic(res) != hbmTraffic(base) || n < int64(len(ks))/3 || stall >= stallBase || res.TotalCycles >= base.TotalCycles {
			t.Errorf("%s: %d kernels prefetched, %d bytes of HBM traffic (%d without), %d cycles waiting for HBM (%d), %d in all (%d)", name,
				n, hbmTraffic(res), hbmTraffic(base), stall, stallBase, res.TotalCycles, base.TotalCycles)
		}
		t.Logf("%s: %.3f ms with prefetch, %.3f without; %d cycles waiting for HBM, %d without", name,
			float64(res.TotalCycles)/res.FreqHz*1e3, float64(base.TotalCycles)/base.FreqHz*1e3, stall, stallBase)
	}
}

// TestAllIdeas turns every idea on at once on the int4 design with a
// weight store: every invariant still holds, and two runs agree.
func TestAllIdeas(t *testing.T) {
	t.Parallel()
	p := hw.U280()
	d := weightStoreDesign(t)
	wg := graphOf(t, "smolvla", tiny)
	ks := wg.Ops
	opts := accel.DefaultOptions(d, p)
	opts.PinWeights = accel.PinMostReused
	opts.Fuse = true
	opts.PrefetchWeights = true
	opts.Pipeline = &accel.Pipeline{}
	opts.Layout.Map = accel.LayoutContiguous
	res := run(t, d, wg, opts)
	checkAll(t, "all ideas", d, ks, res, opts, false)
	if res.FusedKernels == 0 || res.PinnedWeightBytes == 0 || len(res.Parts) != 2 {
		t.Errorf("%d kernels fused, %d bytes pinned, %d parts", res.FusedKernels, res.PinnedWeightBytes, len(res.Parts))
	}
	if again := run(t, d, wg, opts); !reflect.DeepEqual(res, again) {
		t.Error("two runs with every idea on differ")
	}
}

// TestPipelineTrace traces a pipelined pass: the text part's tasks are on
// its own components, after the vision part's, with IDs of their own.
func TestPipelineTrace(t *testing.T) {
	t.Parallel()
	p := hw.U280()
	d := design(t, "int8")
	wg := graphOf(t, "smolvla", tiny)
	ks := wg.Ops
	var b bytes.Buffer
	opts := accel.DefaultOptions(d, p)
	opts.Pipeline = &accel.Pipeline{}
	tr := accel.NewCSVTracer(&b)
	opts.Tracer = tr
	res := run(t, d, wg, opts)
	if err := tr.Flush(); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	visionEnd := float64(res.Parts[0].Cycles) / res.FreqHz // the trace has 10 decimals
	ids := map[string]bool{}
	kernelsSeen, text := 0, 0
	for _, row := range rows[1:] {
		for i := range row {
			row[i] = strings.TrimSpace(row[i])
		}
		if ids[row[0]] {
			t.Errorf("task ID %s twice", row[0])
		}
		ids[row[0]] = true
		start, _ := strconv.ParseFloat(row[5], 64)
		if row[2] == compute.TaskKernel {
			kernelsSeen++
		}
		if strings.HasPrefix(row[4], "Accel.Text.") {
			text++
			if start < visionEnd-1e-9 || !strings.HasPrefix(row[0], "text.") {
				t.Errorf("text task %v starts before the vision part ends (%g s)", row, visionEnd)
			}
		}
	}
	for _, row := range rows[1:] {
		if row[1] != "" && !ids[row[1]] {
			t.Errorf("task %s has parent %q, not a task", row[0], row[1])
		}
	}
	if kernelsSeen != len(ks) || text == 0 {
		t.Errorf("%d kernel tasks for %d kernels, %d tasks of the text part", kernelsSeen, len(ks), text)
	}
}

var figures = flag.Bool("figures", false, "TestIdeaFigures: simulate the whole SmolVLA pass with each idea on the int8 and int4 designs and print the figures")

// TestIdeaFigures simulates the default SmolVLA pass (3 cameras, HBM
// model) on the int8 and int4 designs with each idea of sim/accel on, prints
// a table of the figures (go test ./sim/accel -run TestIdeaFigures -figures
// -v) and checks the sign of each effect on the whole pass. It takes about
// a minute, so it runs only with -figures.
func TestIdeaFigures(t *testing.T) {
	if !*figures {
		t.Skip("run with -figures")
	}
	p := hw.U280()
	wg := graphOf(t, "smolvla", nil)
	type variant struct {
		name   string
		design func(hw.Design) hw.Design
		opts   func(*accel.Options)
	}
	same := func(d hw.Design) hw.Design { return d }
	withStore := func(act, wts int64) func(hw.Design) hw.Design {
		return func(d hw.Design) hw.Design {
			d.ActivationBufferBytes, d.WeightStoreBytes = act, wts
			return d
		}
	}
	variants := []variant{
		{"baseline", same, func(*accel.Options) {}},
		{"fuse", same, func(o *accel.Options) { o.Fuse = true }},
		{"prefetch", same, func(o *accel.Options) { o.PrefetchWeights = true }},
		{"contiguous", same, func(o *accel.Options) { o.Layout.Map = accel.LayoutContiguous }},
		{"pipeline", same, func(o *accel.Options) { o.Pipeline = &accel.Pipeline{} }},
		{"ws2.5 (no pin)", withStore(16*hw.MiB, 5*hw.MiB/2), func(*accel.Options) {}},
		{"ws2.5 pin order", withStore(16*hw.MiB, 5*hw.MiB/2), func(o *accel.Options) { o.PinWeights = accel.PinInOrder }},
		{"ws2.5 pin reuse", withStore(16*hw.MiB, 5*hw.MiB/2), func(o *accel.Options) { o.PinWeights = accel.PinMostReused }},
		{"act8 ws10 (no pin)", withStore(8*hw.MiB, 10*hw.MiB), func(*accel.Options) {}},
		{"act8 ws10 pin order", withStore(8*hw.MiB, 10*hw.MiB), func(o *accel.Options) { o.PinWeights = accel.PinInOrder }},
		{"act8 ws10 pin reuse", withStore(8*hw.MiB, 10*hw.MiB), func(o *accel.Options) { o.PinWeights = accel.PinMostReused }},
		{"fuse+prefetch", same, func(o *accel.Options) { o.Fuse, o.PrefetchWeights = true, true }},
	}
	ms := func(r *accel.Result, c int64) float64 { return float64(c) / r.FreqHz * 1e3 }
	fmt.Println("| design | variant | latency_ms | interval_ms | fps | bound_ms | compute_ms | fill_drain_ms | stall_hbm_ms | stall_onchip_ms | stall_vector_ms | hbm_mb | onchip_mb | pinned_mb | fused | validation |")
	fmt.Println("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
	for _, dn := range []string{"int8", "int4"} {
		got := map[string]*accel.Result{}
		for _, v := range variants {
			d := v.design(design(t, dn))
			opts := accel.DefaultOptions(d, p)
			v.opts(&opts)
			res, err := accel.Run(d, p, wg, opts)
			if err != nil {
				t.Errorf("%s %s: %v", dn, v.name, err)
				continue
			}
			got[v.name] = res
			c := validation.Compare(res)
			var comp, fd, sh, so, sv int64
			for _, kr := range res.Kernels {
				comp += kr.ComputeCycles
				fd += kr.FillDrainCycles
				sh += kr.StallHBMCycles
				so += kr.StallOnChipCycles
				sv += kr.StallVectorCycles
			}
			fmt.Printf("| %s | %s | %.3f | %.3f | %.2f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.1f | %.1f | %.1f | %d | %s |\n", dn, v.name,
				ms(res, res.TotalCycles), ms(res, res.FrameIntervalCycles), res.FreqHz/float64(res.FrameIntervalCycles), ms(res, c.Total.BoundCycles),
				ms(res, comp), ms(res, fd), ms(res, sh), ms(res, so), ms(res, sv), float64(hbmTraffic(res))/1e6, float64(onChipTraffic(res))/1e6,
				float64(res.PinnedWeightBytes)/1e6, res.FusedKernels, c.Verdict())
			if !c.Passed() {
				t.Errorf("%s %s: %d kernels failed validation", dn, v.name, c.Failed)
			}
		}
		base := got["baseline"]
		if base == nil {
			continue
		}
		lat := func(name string) int64 {
			if r := got[name]; r != nil {
				return r.TotalCycles
			}
			return 0
		}
		if lat("fuse") >= base.TotalCycles || lat("prefetch") > base.TotalCycles || lat("contiguous") <= base.TotalCycles {
			t.Errorf("%s: fused %d, prefetch %d, contiguous %d cycles; baseline %d", dn, lat("fuse"), lat("prefetch"), lat("contiguous"), base.TotalCycles)
		}
		for _, pin := range []string{"ws2.5", "act8 ws10"} {
			off, on := got[pin+" (no pin)"], got[pin+" pin reuse"]
			if off != nil && on != nil && (hbmTraffic(on) >= hbmTraffic(off) || on.TotalCycles > off.TotalCycles) {
				t.Errorf("%s %s: pinned %d bytes in %d cycles, unpinned %d in %d", dn, pin, hbmTraffic(on), on.TotalCycles, hbmTraffic(off), off.TotalCycles)
			}
		}
	}
}
