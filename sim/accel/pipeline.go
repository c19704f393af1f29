package accel

import (
	"fmt"
	"slices"
	"strings"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sim/compute"
	"github.com/roofsim/roofsim/workload"
	akita "github.com/sarchlab/akita/v3/sim"
)

// Pipeline splits a design in two parts that work on consecutive frames at
// the same time (Options.Pipeline): the vision part runs the vision encoder
// and the connector of frame f+1 while the text part runs the text encoder
// of frame f. Each part has its own arrays (one per SLR in the presets),
// its own pseudo-channels with their AXI ports (disjoint, so the parts
// never meet in the HBM or its switch), and its own share of the activation
// store and of the weight store; it holds its own weights in its PCs. The
// image tokens go from one part to the other through HBM: the connectors'
// outputs are the vision part's results and the text part's inputs.
//
// Each part is simulated by its own run of the model on its own engine
// (what the other part does cannot reach it); a frame goes through both, so
// its latency is the sum of the two parts' times, and in the steady state a
// frame leaves every max(vision, text) cycles (Result.FrameIntervalCycles).
// The graph must hold the vision and connector ops first, then the text
// (and head) ops; each part runs its slice of the graph
// (workload.Graph.Slice), in which the tensors of the other part are
// inputs in HBM.
//
// Zero fields take their defaults.
type Pipeline struct {
	// VisionArrays is the vision part's arrays; the text part has the rest
	// (default: all but one).
	VisionArrays int
	// VisionPCs is the number of the layout's PCs (the first ones, with
	// their ports) the vision part owns; the text part has the rest
	// (default: in proportion to the arrays, rounded to whole switch
	// groups, at least one group each).
	VisionPCs int
	// VisionStoreBytes is the vision part's share of the activation store
	// (default: all of it but what the text part needs: the peak occupancy
	// of the text kernels' tensors with the whole store, rounded up to
	// whole UltraRAM blocks).
	VisionStoreBytes int64
	// VisionWeightStoreBytes is the vision part's share of the weight store
	// (default: in proportion to the arrays, rounded down to whole UltraRAM
	// blocks).
	VisionWeightStoreBytes int64
}

// validate reports an unusable split of design d on platform p.
func (pl Pipeline) validate(d hw.Design, p hw.Platform, o Options) error {
	switch {
	case d.Arrays < 2:
		return fmt.Errorf("accel: pipeline needs a design of at least 2 arrays, design %q has %d", d.Name, d.Arrays)
	case pl.VisionArrays < 0 || pl.VisionArrays >= d.Arrays:
		return fmt.Errorf("accel: pipeline vision arrays must be in 1..%d (0 for %d), got %d", d.Arrays-1, d.Arrays-1, pl.VisionArrays)
	case len(o.Layout.PCs) != d.HBMPorts:
		return fmt.Errorf("accel: pipeline needs one layout PC per design port, the layout has %d PCs and the design %d ports", len(o.Layout.PCs), d.HBMPorts)
	case len(o.Layout.PCs) < 2:
		return fmt.Errorf("accel: pipeline needs at least 2 PCs in the layout, it has %d", len(o.Layout.PCs))
	case pl.VisionPCs < 0 || pl.VisionPCs >= len(o.Layout.PCs):
		return fmt.Errorf("accel: pipeline vision PCs must be in 1..%d (0 for the default), got %d", len(o.Layout.PCs)-1, pl.VisionPCs)
	case pl.VisionStoreBytes < 0 || pl.VisionStoreBytes > d.ActivationBufferBytes:
		return fmt.Errorf("accel: pipeline vision store bytes must be in 0..%d (the activation store), got %d", d.ActivationBufferBytes, pl.VisionStoreBytes)
	case pl.VisionWeightStoreBytes < 0 || pl.VisionWeightStoreBytes > d.WeightStoreBytes:
		return fmt.Errorf("accel: pipeline vision weight store bytes must be in 0..%d (the weight store), got %d", d.WeightStoreBytes, pl.VisionWeightStoreBytes)
	}
	return nil
}

// visionPart reports whether kernel k runs on the vision part.
func visionPart(k workload.Kernel) bool {
	return k.Stage == workload.StageVision || k.Stage == workload.StageConnector
}

// uramBytes is the bytes of one UltraRAM block.
const uramBytes = hw.URAMBits / 8

// runPipelined simulates g on design d split by opts.Pipeline (see
// Pipeline).
func runPipelined(d hw.Design, p hw.Platform, g *workload.Graph, opts Options) (*Result, error) {
	ks := g.Ops
	cut := 0
	for cut < len(ks) && visionPart(ks[cut]) {
		cut++
	}
	for _, k := range ks[cut:] {
		if visionPart(k) {
			return nil, fmt.Errorf("accel: pipeline needs the vision and connector kernels before the text kernels, %s comes after the text", k.Name)
		}
	}
	if cut == 0 || cut == len(ks) {
		return nil, fmt.Errorf("accel: pipeline needs both vision (or connector) and text kernels, the list has %d and %d", cut, len(ks)-cut)
	}
	pl := *opts.Pipeline
	va := pl.VisionArrays
	if va == 0 {
		va = d.Arrays - 1
	}
	n := len(opts.Layout.PCs)
	vp := pl.VisionPCs
	if vp == 0 {
		g := max(p.HBM.SwitchGroupPorts, 1)
		vp = int(float64(n*va)/float64(d.Arrays)/float64(g)+0.5) * g
		vp = min(max(vp, min(g, n-1)), n-min(g, n-1))
	}
	vw := pl.VisionWeightStoreBytes
	if vw == 0 {
		vw = d.WeightStoreBytes * int64(va) / int64(d.Arrays) / uramBytes * uramBytes
	}

	// The design's port of each layout PC, and the parts.
	port := func(i int) int {
		if d.HBMPorts == p.HBM.PseudoChannels {
			return opts.Layout.PCs[i]
		}
		return i
	}
	type partSpec struct {
		name        string
		g           *workload.Graph
		arrays      int
		first, pcs  int // positions in the layout's PCs
		store, wts  int64
		firstKernel int
	}
	vg, err := g.Slice(0, cut)
	if err != nil {
		return nil, fmt.Errorf("accel: pipeline: vision part: %w", err)
	}
	tg, err := g.Slice(cut, len(ks))
	if err != nil {
		return nil, fmt.Errorf("accel: pipeline: text part: %w", err)
	}
	parts := []partSpec{
		{name: "vision", g: vg, arrays: va, first: 0, pcs: vp, wts: vw},
		{name: "text", g: tg, arrays: d.Arrays - va, first: vp, pcs: n - vp, wts: d.WeightStoreBytes - vw, firstKernel: cut},
	}
	sub := func(ps partSpec) (hw.Design, Options, []int) {
		sd := d
		sd.Name = d.Name + "." + ps.name
		sd.Arrays, sd.HBMPorts, sd.HBMPCs = ps.arrays, ps.pcs, ps.pcs
		sd.ActivationBufferBytes, sd.WeightStoreBytes = ps.store, ps.wts
		so := opts
		so.Pipeline = nil
		so.Progress = nil
		so.Layout.PCs = slices.Clone(opts.Layout.PCs[ps.first : ps.first+ps.pcs])
		so.DMA.Ports = ps.pcs
		so.IdealMemory.Ports = ps.pcs
		so.IdealMemory.TotalBytesPerCycle = opts.IdealMemory.TotalBytesPerCycle * float64(ps.pcs) / float64(n)
		so.OnChip = narrowPath(opts.OnChip, ps.store)
		so.WeightStore = narrowPath(opts.WeightStore, ps.wts)
		mports := make([]int, ps.pcs)
		for j := range mports {
			mports[j] = port(ps.first + j)
		}
		return sd, so, mports
	}

	// The text part's share of the activation store: what its tensors need.
	vs := pl.VisionStoreBytes
	if vs == 0 && d.ActivationBufferBytes > 0 {
		td, to, tm := sub(parts[1])
		td.ActivationBufferBytes = d.ActivationBufferBytes
		to.OnChip = narrowPath(opts.OnChip, td.ActivationBufferBytes)
		pr, err := prepare(td, p, parts[1].g, to, tm)
		if err != nil {
			return nil, fmt.Errorf("accel: pipeline: text part: %w", err)
		}
		need := min(ceilDiv(int64(pr.sched.peakOnChip), uramBytes)*uramBytes, d.ActivationBufferBytes)
		vs = d.ActivationBufferBytes - need
	}
	parts[0].store, parts[1].store = vs, d.ActivationBufferBytes-vs

	res := &Result{Design: d, Platform: p, Memory: opts.Memory, Kernels: make([]KernelResult, 0, len(ks))}
	var offset int64
	for _, ps := range parts {
		sd, so, mports := sub(ps)
		if opts.Tracer != nil && ps.name != "vision" {
			so.Tracer = &shiftTracer{t: opts.Tracer, prefix: ps.name, cycles: offset, freqHz: d.ClockHz(p)}
		}
		if opts.Progress != nil {
			base := ps.firstKernel
			so.Progress = func(done, _ int) { opts.Progress(base+done, len(ks)) }
		}
		if err := sd.Fit(p); err != nil {
			return nil, fmt.Errorf("accel: pipeline: %s part: %w", ps.name, err)
		}
		r, err := runOne(sd, p, ps.g, so, mports)
		if err != nil {
			return nil, fmt.Errorf("accel: pipeline: %s part: %w", ps.name, err)
		}
		for _, kr := range r.Kernels {
			kr.StartCycle += offset
			kr.EndCycle += offset
			res.Kernels = append(res.Kernels, kr)
		}
		res.Parts = append(res.Parts, Part{Name: ps.name, Arrays: ps.arrays, PCs: so.Layout.PCs,
			ActivationStoreBytes: ps.store, WeightStoreBytes: ps.wts, FirstKernel: ps.firstKernel, Kernels: len(ps.g.Ops),
			Cycles: r.TotalCycles})
		res.FreqHz = r.FreqHz
		offset += r.TotalCycles
		res.FrameIntervalCycles = max(res.FrameIntervalCycles, r.TotalCycles)
		res.Events += r.Events
		res.MemoryBytesRead += r.MemoryBytesRead
		res.MemoryBytesWritten += r.MemoryBytesWritten
		res.MemoryRequests += r.MemoryRequests
		res.WeightBytes += r.WeightBytes
		res.PinnedWeightBytes += r.PinnedWeightBytes
		res.PeakOnChipBytes += r.PeakOnChipBytes
		res.PeakSpillBytes += r.PeakSpillBytes
		res.KVCacheOnChipBytes += r.KVCacheOnChipBytes
		res.FusedKernels += r.FusedKernels
	}
	res.TotalCycles = offset
	return res, nil
}

// narrowPath is on-chip path c of a store of bytes bytes: no wider than its
// UltraRAM blocks give side by side (see DefaultOnChip).
func narrowPath(c compute.OnChipConfig, bytes int64) compute.OnChipConfig {
	blocks := max(ceilDiv(bytes, uramBytes), 1)
	c.ReadBytesPerCycle = min(c.ReadBytesPerCycle, blocks*onChipBytesPerURAM)
	c.WriteBytesPerCycle = min(c.WriteBytesPerCycle, blocks*onChipBytesPerURAM)
	return c
}

// shiftTracer passes the tasks of a pipeline part on to t, its IDs
// prefixed, its components renamed "Accel.<Part>...." and its times
// shifted by cycles: the part's kernels as they run in the frame's
// latency, after the part before it.
type shiftTracer struct {
	t      Tracer
	prefix string
	cycles int64
	freqHz float64
}

// Task implements Tracer.
func (s *shiftTracer) Task(t TraceTask) {
	shift := float64(s.cycles) / s.freqHz
	t.ID = s.prefix + "." + t.ID
	if t.ParentID != "" {
		t.ParentID = s.prefix + "." + t.ParentID
	}
	t.Where = partComponent(s.prefix, t.Where)
	t.StartTime += akita.VTimeInSec(shift)
	t.EndTime += akita.VTimeInSec(shift)
	s.t.Task(t)
}

// PCBytes implements compute.PCTracer: the part's HBM traffic, its time
// shifted like its tasks', goes on to t when t wants it.
func (s *shiftTracer) PCBytes(t akita.VTimeInSec, pc int, bytes int64, write bool) {
	if pt, ok := s.t.(compute.PCTracer); ok {
		pt.PCBytes(t+akita.VTimeInSec(float64(s.cycles)/s.freqHz), pc, bytes, write)
	}
}

// partComponent renames component name of pipeline part part:
// "Accel.Array[0]" of the text part is "Accel.Text.Array[0]".
func partComponent(part, name string) string {
	title := strings.ToUpper(part[:1]) + part[1:]
	if rest, ok := strings.CutPrefix(name, "Accel."); ok {
		return "Accel." + title + "." + rest
	}
	return title + "." + name
}
