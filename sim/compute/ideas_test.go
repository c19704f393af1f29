package compute_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sim/compute"
	"github.com/roofsim/roofsim/sim/hbm"
	"github.com/roofsim/roofsim/workload"
)

// elementwise is an elementwise kernel over the output of matmul k: one or
// two inputs of k's output shape, opsPerElem operations per element.
func elementwise(name string, kind workload.Kind, k workload.Kernel, inputs, opsPerElem int64) workload.Kernel {
	rows, n := k.M*k.Batch, k.N
	return workload.Kernel{Name: name, Stage: k.Stage, Camera: -1, Layer: -1, Kind: kind, M: rows, K: 1, N: n, Batch: 1,
		InputElems: inputs * rows * n, OutputElems: rows * n, Ops: opsPerElem * rows * n}
}

// runJobs runs jobs on a fresh simulator and returns their statistics.
func runJobs(t *testing.T, d hw.Design, opts compute.Options, jobs []compute.Job) []compute.KernelStats {
	t.Helper()
	s, err := compute.NewSimulator(d, hw.U280(), opts)
	if err != nil {
		t.Fatal(err)
	}
	var sts []compute.KernelStats
	if err := s.RunJobs(jobs, func(_ int, st compute.KernelStats) error {
		sts = append(sts, st)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return sts
}

// checkStats asserts what holds of every kernel: time adds up, the plan's
// traffic moved per operand, every request completed.
func checkStats(t *testing.T, name string, st compute.KernelStats) {
	t.Helper()
	if st.Cycles != st.ComputeCycles+st.StallCycles() || st.WritebackCycles < 0 || st.StallVectorCycles < 0 {
		t.Errorf("%s: cycles %d != compute %d + stalls %d (vector %d, write-back %d)", name, st.Cycles, st.ComputeCycles,
			st.StallCycles(), st.StallVectorCycles, st.WritebackCycles)
	}
	if st.DMARequestsIssued != st.DMARequestsCompleted {
		t.Errorf("%s: %d requests issued, %d completed", name, st.DMARequestsIssued, st.DMARequestsCompleted)
	}
	for _, op := range compute.Operands() {
		moved := st.BytesRead[op] + st.BytesWritten[op]
		if op == compute.Weights {
			moved += st.WeightStoreBytesRead
		}
		if moved != st.Plan.PredictedBytes[op] {
			t.Errorf("%s: %s moved %d bytes, the plan predicted %d", name, op, moved, st.Plan.PredictedBytes[op])
		}
	}
}

// TestEpilogue fuses elementwise kernels into the matmul that feeds them:
// the work of both is done, the intermediate never moves, the pair takes
// less time than the two kernels apart and no less than the vector units
// need; a heavy epilogue makes the array wait for the vector unit.
func TestEpilogue(t *testing.T) {
	p := hw.U280()
	d, _ := hw.DesignByName("int8")
	fc1 := shape{m: 1024, k: 768, n: 3072}.kernel()
	qk := shape{m: 1024, k: 64, n: 1024, heads: 12, kvHeads: 12}.kernel()
	out := shape{m: 1024, k: 768, n: 768}.kernel()
	lanes := int64(d.VectorLanes * d.Arrays)
	cases := []struct {
		name string
		k, e workload.Kernel
		side bool
	}{
		{"gelu", fc1, elementwise("gelu", workload.KindActivation, fc1, 1, 9), false},
		{"heavy", out, elementwise("heavy", workload.KindActivation, out, 1, 64), false},
		{"softmax", qk, elementwise("softmax", workload.KindSoftmax, qk, 1, 5), false},
		{"residual", out, elementwise("res", workload.KindResidual, out, 2, 1), true},
	}
	for _, c := range cases {
		opts := compute.DefaultOptions(d, p)
		var b compute.Binding
		if c.side {
			b.Operands[compute.Side] = []compute.Segment{{Base: 1 << 32, Elems: c.k.OutputElems}}
		}
		e := c.e
		apart := runJobs(t, d, opts, []compute.Job{{Kernel: c.k}, {Kernel: c.e}})
		fused := runJobs(t, d, opts, []compute.Job{{Kernel: c.k, Epilogue: &e, Binding: b}})[0]
		checkStats(t, c.name, fused)
		if fused.MACs != c.k.MACs() || fused.VectorOps != c.e.Ops {
			t.Errorf("%s: %d MACs and %d lane operations, want %d and %d", c.name, fused.MACs, fused.VectorOps, c.k.MACs(), c.e.Ops)
		}
		outBytes := int64(d.Precision.ActBytes(c.e.OutputElems))
		if fused.BytesWritten[compute.Outputs] != outBytes || fused.BytesRead[compute.Inputs] != apart[0].BytesRead[compute.Inputs] {
			t.Errorf("%s: wrote %d bytes (want the epilogue's output once, %d), read %d of inputs (unfused %d)", c.name,
				fused.BytesWritten[compute.Outputs], outBytes, fused.BytesRead[compute.Inputs], apart[0].BytesRead[compute.Inputs])
		}
		if c.side != (fused.BytesRead[compute.Side] == outBytes) {
			t.Errorf("%s: read %d bytes of side operand", c.name, fused.BytesRead[compute.Side])
		}
		if fused.Cycles >= apart[0].Cycles+apart[1].Cycles {
			t.Errorf("%s: fused %d cycles, apart %d + %d", c.name, fused.Cycles, apart[0].Cycles, apart[1].Cycles)
		}
		// The vector units cannot do the epilogue faster than their lanes.
		if least := (c.e.Ops + lanes - 1) / lanes; fused.Cycles < least || fused.Cycles < apart[0].ComputeCycles {
			t.Errorf("%s: fused %d cycles, below the vector units' %d or the array's %d", c.name, fused.Cycles, least, apart[0].ComputeCycles)
		}
		t.Logf("%s: apart %d + %d cycles, fused %d (vector stall %d)", c.name, apart[0].Cycles, apart[1].Cycles, fused.Cycles, fused.StallVectorCycles)
		switch c.name {
		case "gelu", "residual":
			// The vector unit keeps up: only the last fold's epilogue
			// shows.
			if fused.StallVectorCycles <= 0 || fused.StallVectorCycles > fused.Cycles/100 {
				t.Errorf("%s: %d cycles waiting for the vector unit of %d", c.name, fused.StallVectorCycles, fused.Cycles)
			}
		case "heavy", "softmax":
			if fused.StallVectorCycles < fused.Cycles/10 {
				t.Errorf("%s: the vector unit is the bottleneck, yet the array waited only %d of %d cycles", c.name, fused.StallVectorCycles, fused.Cycles)
			}
		}
	}
}

// TestEpilogueErrors checks what cannot be fused.
func TestEpilogueErrors(t *testing.T) {
	p := hw.U280()
	d, _ := hw.DesignByName("int8")
	s, err := compute.NewSimulator(d, p, compute.DefaultOptions(d, p))
	if err != nil {
		t.Fatal(err)
	}
	gemm := shape{m: 256, k: 256, n: 512}.kernel()
	qk := shape{m: 1024, k: 64, n: 8192, heads: 2, kvHeads: 2}.kernel()
	norm := elementwise("norm", workload.KindNorm, gemm, 1, 4)
	norm.BiasElems = gemm.N
	wide := elementwise("wide", workload.KindActivation, gemm, 3, 1)
	odd := elementwise("odd", workload.KindActivation, gemm, 1, 1)
	odd.Ops++
	small := d
	small.OutputBufferBytes = 2 * hw.MiB / 8
	ss, err := compute.NewSimulator(small, p, compute.DefaultOptions(small, p))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		sim  *compute.Simulator
		k, e workload.Kernel
		want string
	}{
		{s, gemm, norm, "reads weights or parameters"},
		{s, gemm, wide, "at most as many more"},
		{s, gemm, odd, "not a whole number"},
		{s, gemm, gemm, "it is a matmul"},
		{s, odd, odd, "only a matmul takes an epilogue"},
		{s, gemm, elementwise("x", workload.KindActivation, qk, 1, 1), "is not the matmul's"},
		// Rows of 8192 scores do not fit a 128 KiB output half.
		{ss, qk, elementwise("softmax", workload.KindSoftmax, qk, 1, 5), "output_buffer_bytes"},
	}
	for _, c := range cases {
		_, err := c.sim.PlanFused(c.k, c.e)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s into %s: error %v, want one line containing %q", c.e.Name, c.k.Name, err, c.want)
		}
	}
	// A side operand must be bound.
	res := elementwise("res", workload.KindResidual, gemm, 2, 1)
	err = s.RunJobs([]compute.Job{{Kernel: gemm, Epilogue: &res}}, func(int, compute.KernelStats) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "side operand") {
		t.Errorf("an unbound side operand: error %v", err)
	}
}

// TestWeightStore reads a kernel's weights from the weight store: none from
// memory, all of them through the store's path.
func TestWeightStore(t *testing.T) {
	p := hw.U280()
	d, _ := hw.DesignByName("int8")
	k := shape{m: 241, k: 960, n: 2560}.kernel()
	var b compute.Binding
	b.Operands[compute.Weights] = []compute.Segment{{WeightStore: true, Elems: 1}}
	opts := compute.DefaultOptions(d, p)
	opts.WeightStore = &compute.OnChipConfig{ReadBytesPerCycle: 1024, WriteBytesPerCycle: 1024, LatencyCycles: 4}
	sts := runJobs(t, d, opts, []compute.Job{{Kernel: k}, {Kernel: k, Binding: b}})
	hbm, pinned := sts[0], sts[1]
	for i, st := range sts {
		checkStats(t, fmt.Sprintf("job %d", i), st)
	}
	w := hbm.BytesRead[compute.Weights]
	if pinned.BytesRead[compute.Weights] != 0 || pinned.WeightStoreBytesRead != w || pinned.OnChipBytesRead != w || w < int64(d.Precision.WeightBytes(k.WeightElems)) {
		t.Errorf("pinned: %d bytes of weights from memory, %d from the weight store (%d on chip), want 0 and %d",
			pinned.BytesRead[compute.Weights], pinned.WeightStoreBytesRead, pinned.OnChipBytesRead, w)
	}
	if pinned.Cycles > hbm.Cycles || pinned.StallHBMCycles >= hbm.StallHBMCycles {
		t.Errorf("pinned: %d cycles (%d waiting for memory), from memory %d (%d)", pinned.Cycles, pinned.StallHBMCycles, hbm.Cycles, hbm.StallHBMCycles)
	}
	// Without a weight store, the binding is an error.
	s, _ := compute.NewSimulator(d, p, compute.DefaultOptions(d, p))
	err := s.RunJobs([]compute.Job{{Kernel: k, Binding: b}}, func(int, compute.KernelStats) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "weight store") {
		t.Errorf("pinned without a store: error %v", err)
	}
}

// TestPrefetch runs GEMMs back to back with their first weight tiles
// loaded during the previous kernel: each kernel still counts its own
// traffic, and the exposed first loads go away.
func TestPrefetch(t *testing.T) {
	p := hw.U280()
	d, _ := hw.DesignByName("int8")
	var jobs []compute.Job
	for i, s := range []shape{{m: 241, k: 960, n: 960}, {m: 241, k: 960, n: 320}, {m: 241, k: 960, n: 2560}, {m: 241, k: 2560, n: 960}, {m: 64, k: 12288, n: 960}} {
		k := s.kernel()
		k.Name = fmt.Sprintf("k%d", i)
		var b compute.Binding
		b.StoredWeights = true
		b.Operands[compute.Weights] = []compute.Segment{{Base: uint64(i) << 28, Elems: 1}}
		jobs = append(jobs, compute.Job{Kernel: k, Binding: b})
	}
	for _, memory := range []string{"ideal", "hbm"} {
		opts := compute.DefaultOptions(d, p)
		if memory == "hbm" {
			opts.Memory = compute.HBMMemory
		}
		base := runJobs(t, d, opts, jobs)
		opts.PrefetchWeights = true
		pre := runJobs(t, d, opts, jobs)
		var tb, tp, sb, sp int64
		for i := range jobs {
			name := fmt.Sprintf("%s/%s", memory, jobs[i].Kernel.Name)
			checkStats(t, name, pre[i])
			if pre[i].BytesRead != base[i].BytesRead || pre[i].DMARequestsIssued != base[i].DMARequestsIssued {
				t.Errorf("%s: read %v bytes in %d requests with prefetch, %v in %d without", name,
					pre[i].BytesRead, pre[i].DMARequestsIssued, base[i].BytesRead, base[i].DMARequestsIssued)
			}
			if (i > 0) != (pre[i].PrefetchedBytes > 0) || base[i].PrefetchedBytes != 0 {
				t.Errorf("%s: %d bytes prefetched", name, pre[i].PrefetchedBytes)
			}
			if i > 0 && pre[i].StartCycle != pre[i-1].EndCycle {
				t.Errorf("%s starts at %d, the previous kernel ended at %d", name, pre[i].StartCycle, pre[i-1].EndCycle)
			}
			tb += base[i].Cycles
			tp += pre[i].Cycles
			sb += base[i].StallHBMCycles
			sp += pre[i].StallHBMCycles
		}
		if tp >= tb || sp >= sb {
			t.Errorf("%s: %d cycles (%d waiting for memory) with prefetch, %d (%d) without", memory, tp, sp, tb, sb)
		}
		t.Logf("%s: %d cycles (%d waiting for memory) with prefetch, %d (%d) without", memory, tp, sp, tb, sb)
	}
	// Weights a kernel may write (an attention's right operand) are never
	// prefetched.
	opts := compute.DefaultOptions(d, p)
	opts.PrefetchWeights = true
	plain := append([]compute.Job(nil), jobs...)
	for i := range plain {
		plain[i].Binding.StoredWeights = false
	}
	for _, st := range runJobs(t, d, opts, plain) {
		if st.PrefetchedBytes != 0 {
			t.Errorf("%s: %d bytes prefetched of weights that are not stored", st.Kernel.Name, st.PrefetchedBytes)
		}
	}
}

// TestMemoryPorts connects the DMA's ports to other ports of the HBM: the
// traffic of a 4-port design whose data lives in PCs 20..23 goes through
// the AXI ports of those PCs.
func TestMemoryPorts(t *testing.T) {
	p := hw.U280()
	d, _ := hw.DesignByName("int8")
	d.HBMPorts = 4
	opts := compute.DefaultOptions(d, p)
	opts.Memory = compute.HBMMemory
	opts.MemoryPorts = []int{20, 21, 22, 23}
	opts.DMA.Router = offsetRouter{first: 20, ports: 4, total: p.HBM.PseudoChannels}
	k := shape{m: 64, k: 1024, n: 1024}.kernel()
	var b compute.Binding
	for op, base := range []uint64{0, 1 << 24, 1 << 25} {
		b.Operands[op] = []compute.Segment{{Base: base, Elems: 1}}
	}
	s, err := compute.NewSimulator(d, p, opts)
	if err != nil {
		t.Fatal(err)
	}
	var st compute.KernelStats
	if err := s.RunJobs([]compute.Job{{Kernel: k, Binding: b}}, func(_ int, x compute.KernelStats) error {
		st = x
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	checkStats(t, "ports 20..23", st)
	sys := s.Memory().(*hbm.System)
	for i := range sys.NumPorts() {
		ps := sys.PortStats(i)
		if moved := ps.ReadBytes + ps.WriteBytes; (i >= 20 && i < 24) != (moved > 0) {
			t.Errorf("AXI port %d moved %d bytes", i, moved)
		}
		if pc := st.BytesReadPerPC[i] + st.BytesWrittenPerPC[i]; (i >= 20 && i < 24) != (pc > 0) {
			t.Errorf("PC %d moved %d bytes", i, pc)
		}
	}
	for _, bad := range [][]int{{20, 21, 22}, {20, 20, 21, 22}, {-1, 0, 1, 2}} {
		o := opts
		o.MemoryPorts = bad
		if _, err := compute.NewSimulator(d, p, o); err == nil || !strings.Contains(err.Error(), "memory port") {
			t.Errorf("memory ports %v: error %v", bad, err)
		}
	}
}

// offsetRouter sends address a to port (a / 4 KiB) mod ports and to PC
// first + that port, at an address of that PC (the HBM's default 4 KiB
// interleave over 32 PCs).
type offsetRouter struct{ first, ports, total int }

func (r offsetRouter) Route(a uint64) (uint64, int, int) {
	chunk := a / 4096
	port := int(chunk % uint64(r.ports))
	pc := r.first + port
	return (chunk/uint64(r.ports)*uint64(r.total)+uint64(pc))*4096 + a%4096, port, pc
}

func (r offsetRouter) PCs() int { return r.total }
