package hbm

import (
	"fmt"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sim/budget"
	"github.com/roofsim/roofsim/sim/clock"
	"github.com/roofsim/roofsim/sim/link"
	akita "github.com/sarchlab/akita/v3/sim"
)

// BenchConfig describes one run of the HBM benchmark: one Traffic generator
// on each of the first PCs AXI ports, each streaming its share of TotalBytes
// through its own pseudo-channel (or, with CrossSwitch, through the
// pseudo-channel of the same position in the neighbouring switch group).
type BenchConfig struct {
	// HBM is the memory system (hw.U280HBM()).
	HBM hw.HBM
	// Params are the model parameters (DefaultParams).
	Params Params
	// Pattern, Op and SizeBytes describe every generator's requests.
	Pattern   Pattern
	Op        Op
	SizeBytes int
	// PCs is the number of ports (and pseudo-channels) used, 1 to 32.
	PCs int
	// CrossSwitch sends port i's traffic to pseudo-channel i XOR
	// SwitchGroupPorts, one switch group over, through a lateral link.
	CrossSwitch bool
	// SpanPCs, when above 1, gives each port one address range that spans
	// SpanPCs pseudo-channels instead of its own PC: port i reads the
	// PCs of its aligned group, from (i / SpanPCs) x SpanPCs on, all but
	// its own through the switch (a kernel whose buffer spans several PCs,
	// as a Vitis m_axi port connected to HBM[0:7]). Under the U280's
	// global address map each PC is one contiguous 256 MiB, so a
	// sequential stream stays in one PC at a time and random requests
	// spread over the group.
	SpanPCs int
	// IssueIntervalCycles, when above 1, lets each port send at most one
	// request every so many kernel cycles: an HLS loop with that
	// initiation interval.
	IssueIntervalCycles int
	// SingleID makes each port one AXI master with a single ID (an HLS
	// m_axi port without RAMA): a request to another PC waits until the
	// port's requests in flight are answered (TrafficConfig.TargetBytes).
	SingleID bool
	// IDs, when above 0, makes each port an AXI master that numbers its
	// requests with IDs AXI IDs in turn (request k has ID k mod IDs) and
	// applies the single-ID rule per ID: a request waits while one of its
	// own ID is in flight to another PC (TrafficConfig.IDs). It needs
	// SpanPCs above 1 to matter; IDs 1 is SingleID.
	IDs int
	// TotalBytes is the data all generators move together; each moves
	// TotalBytes/PCs rounded down to whole requests (at least one).
	TotalBytes int64
	// StrideBytes is the stride of PatternStrided.
	StrideBytes uint64
	// Seed seeds PatternRandom.
	Seed uint64
	// Window is the most requests in flight per generator; 0 takes enough
	// to fill the port's Outstanding bursts.
	Window int
	// Limits bound the run (the zero value: the default limits); a run
	// over them is refused before it starts (Estimate).
	Limits budget.Limits
}

// DefaultBenchConfig is a 32-PC sequential 512 B read run of 64 MiB on the
// U280 with DefaultParams.
func DefaultBenchConfig() BenchConfig {
	h := hw.U280HBM()
	return BenchConfig{
		HBM:         h,
		Params:      DefaultParams(h),
		Pattern:     PatternSeq,
		Op:          OpRead,
		SizeBytes:   512,
		PCs:         h.PseudoChannels,
		TotalBytes:  64 << 20,
		StrideBytes: 4096,
		Seed:        1,
	}
}

// PCResult is one used pseudo-channel's share of a benchmark run.
type PCResult struct {
	// PC is the pseudo-channel; Port the AXI port that drove it.
	PC, Port int
	// GBps is the bandwidth the PC delivered (10^9 bytes per second).
	GBps float64
	// ReadGBps and WriteGBps split the port's bandwidth by data channel.
	ReadGBps, WriteGBps float64
	// LatAvgNs and LatP99Ns are the port's request latencies.
	LatAvgNs, LatP99Ns float64
	// QueueNs and ServiceNs are the controller's average queueing time and
	// service time per burst.
	QueueNs, ServiceNs float64
	// Stats are the controller's statistics; PortStats the port's.
	Stats     PCStats
	PortStats PortStats
}

// BenchResult is the outcome of one benchmark run.
type BenchResult struct {
	// Config is the run's configuration (Window filled in).
	Config BenchConfig
	// Bytes is the data moved; SimSeconds the simulated time from the
	// first request to the last response.
	Bytes      uint64
	SimSeconds float64
	// GBps is the total bandwidth; GBpsPerPC its share per used PC.
	GBps, GBpsPerPC float64
	// PCPeakGBps and PortPeakGBps are the ceilings of one pseudo-channel
	// and of one port's data channel (width x clock).
	PCPeakGBps, PortPeakGBps float64
	// Latency of the requests from their arrival at the port to their
	// response leaving it, in ns.
	LatAvgNs, LatP50Ns, LatP99Ns, LatMinNs, LatMaxNs float64
	// RowHitRate is the share of 32 B column commands that hit an open row.
	RowHitRate float64
	// RefreshShare is the share of time the used PCs spent refreshing.
	RefreshShare float64
	// BusUtil is the share of time the used PCs' data buses carried data;
	// the Loss fields split the rest (see PCStats).
	BusUtil, LossIdle, LossRefresh, LossRow, LossTurnaround, LossOther float64
	// PortUtil is the average share of time a used port's busier data
	// channel carried a beat; LateralUtil the busiest lateral link's.
	PortUtil, LateralUtil float64
	// Bound names what limits the run: "port" (the ports' width x clock),
	// "hbm-port" (the HBM's own AXI port behind each, with
	// Params.HBMPortLimit), "switch" (a lateral link), "hbm" (the DRAM timing: the PCs always had
	// work, the Loss fields say where the time went) or "latency" (too few
	// requests in flight to keep the PCs busy).
	Bound string
	// Total sums the used PCs' statistics.
	Total PCStats
	// PerPC holds each used PC's results, by port.
	PerPC []PCResult
}

// Thresholds of BenchResult.Bound.
const (
	boundBusyShare = 0.9 // a port or link busier than this is the bound
	boundIdleShare = 0.1 // PCs idle less than this are HBM-bound
)

// targetPC is the pseudo-channel port i drives (the first of its range
// with SpanPCs).
func (c BenchConfig) targetPC(i int) int {
	if c.CrossSwitch {
		return i ^ c.HBM.SwitchGroupPorts
	}
	if c.SpanPCs > 1 {
		return i / c.SpanPCs * c.SpanPCs
	}
	return i
}

// targetBytes is TrafficConfig.TargetBytes: a PC's bytes with SingleID
// or IDs.
func (c BenchConfig) targetBytes() uint64 {
	if c.SingleID || c.IDs > 0 {
		return uint64(c.HBM.PCBytes)
	}
	return 0
}

// span is the number of PCs one port's range covers (at least 1).
func (c BenchConfig) span() int { return max(c.SpanPCs, 1) }

// usedPCs lists the pseudo-channels the ports' ranges cover, each once.
func (c BenchConfig) usedPCs() []int {
	seen := make([]bool, c.HBM.PseudoChannels)
	var out []int
	for i := range c.PCs {
		for pc := c.targetPC(i); pc < c.targetPC(i)+c.span(); pc++ {
			if !seen[pc] {
				seen[pc] = true
				out = append(out, pc)
			}
		}
	}
	return out
}

// window is the generator window: enough requests to fill the port's
// outstanding bursts.
func (c BenchConfig) window() int {
	if c.Window > 0 {
		return c.Window
	}
	maxBurst := c.Params.PortBits / 8 * c.HBM.AXIMaxBurstBeats
	perReq := (c.SizeBytes + maxBurst - 1) / maxBurst
	return max(1, (c.Params.Outstanding+perReq-1)/perReq)
}

// Validate reports the first field that is not usable.
func (c BenchConfig) Validate() error {
	if err := c.HBM.Validate(); err != nil {
		return fmt.Errorf("hbm: %w", err)
	}
	if err := c.Params.Validate(c.HBM); err != nil {
		return err
	}
	switch {
	case c.PCs < 1 || c.PCs > c.HBM.PseudoChannels:
		return fmt.Errorf("hbm: bench: pcs must be from 1 to %d, got %d", c.HBM.PseudoChannels, c.PCs)
	case c.SizeBytes < c.HBM.BurstBytes || c.SizeBytes > MaxRequestBytes || c.SizeBytes%c.HBM.BurstBytes != 0:
		return fmt.Errorf("hbm: bench: size must be a multiple of %d from %d to %d bytes, got %d", c.HBM.BurstBytes, c.HBM.BurstBytes, MaxRequestBytes, c.SizeBytes)
	case c.TotalBytes <= 0:
		return fmt.Errorf("hbm: bench: total bytes must be > 0, got %d", c.TotalBytes)
	case c.Params.InterleaveBytes != 0:
		return fmt.Errorf("hbm: bench: the benchmark streams PC-local ranges and needs interleave_bytes 0, got %d", c.Params.InterleaveBytes)
	case c.Window < 0:
		return fmt.Errorf("hbm: bench: window must be >= 0, got %d", c.Window)
	case c.CrossSwitch && c.HBM.PseudoChannels < 2*c.HBM.SwitchGroupPorts:
		return fmt.Errorf("hbm: bench: crossing the switch needs at least two switch groups")
	case c.SpanPCs < 0 || c.SpanPCs > c.HBM.PseudoChannels || c.SpanPCs > 1 && c.HBM.PseudoChannels%c.SpanPCs != 0:
		return fmt.Errorf("hbm: bench: span must divide the %d pseudo-channels, got %d", c.HBM.PseudoChannels, c.SpanPCs)
	case c.SpanPCs > 1 && c.CrossSwitch:
		return fmt.Errorf("hbm: bench: span and cross-switch are two ways to leave a port's PC; give one")
	case c.IssueIntervalCycles < 0:
		return fmt.Errorf("hbm: bench: issue interval must be >= 0 cycles, got %d", c.IssueIntervalCycles)
	case c.IDs < 0 || c.IDs > MaxAXIIDs:
		return fmt.Errorf("hbm: bench: AXI IDs must be from 0 to %d, got %d", MaxAXIIDs, c.IDs)
	case c.IDs > 1 && c.SingleID:
		return fmt.Errorf("hbm: bench: single ID and %d AXI IDs exclude each other (single ID is 1 ID)", c.IDs)
	}
	return nil
}

// RunBenchmark builds a System and the generators on a fresh serial engine,
// runs them, checks that every byte was delivered exactly once and every
// queue is empty, and collects the results.
func RunBenchmark(cfg BenchConfig) (*BenchResult, error) {
	return runBenchmark(cfg, newEngine(cfg.Params))
}

// runBenchmark is RunBenchmark on engine (fresh, with nothing scheduled).
func runBenchmark(cfg BenchConfig, engine akita.Engine) (*BenchResult, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.Window = cfg.window()
	if err := cfg.Estimate().Check(cfg.TotalBytes, cfg.Limits); err != nil {
		return nil, err
	}
	sys, err := MakeBuilder().WithEngine(engine).WithConfig(cfg.HBM).WithParams(cfg.Params).Build("U280.HBM")
	if err != nil {
		return nil, err
	}
	perGen := max(cfg.TotalBytes/int64(cfg.PCs)/int64(cfg.SizeBytes), 1)
	gens := make([]*Traffic, cfg.PCs)
	for i := range gens {
		pc := cfg.targetPC(i)
		g, err := NewTraffic(akita.BuildNameWithIndex("Bench", "Traffic", i), engine, TrafficConfig{
			Pattern:     cfg.Pattern,
			Op:          cfg.Op,
			SizeBytes:   cfg.SizeBytes,
			Requests:    int(perGen),
			Window:      cfg.Window,
			Base:        sys.AddressMap().Global(pc, 0),
			RegionBytes: uint64(cfg.span()) * uint64(cfg.HBM.PCBytes) / uint64(cfg.SizeBytes) * uint64(cfg.SizeBytes),
			StrideBytes: cfg.StrideBytes,
			Seed:        cfg.Seed,

			IssueIntervalCycles: cfg.IssueIntervalCycles,
			KernelFreqHz:        cfg.Params.KernelFreqHz,
			TargetBytes:         cfg.targetBytes(),
			IDs:                 cfg.IDs,
		})
		if err != nil {
			return nil, err
		}
		if err := sys.Connect(i, g.Port()); err != nil {
			return nil, err
		}
		g.SetTarget(sys.Port(i))
		g.Start(0)
		gens[i] = g
	}
	if err := engine.Run(); err != nil {
		return nil, fmt.Errorf("hbm: bench: %w", err)
	}
	for _, g := range gens {
		if err := g.Check(); err != nil {
			return nil, err
		}
	}
	if err := sys.Check(); err != nil {
		return nil, err
	}
	return collect(cfg, sys, gens), nil
}

// newEngine is akita's SerialEngine on the reference path, otherwise the
// faster link.Engine that runs events in the same order (or, with a
// TieSeed, same-time events in a shuffled order).
func newEngine(p Params) akita.Engine {
	switch {
	case p.Reference:
		return akita.NewSerialEngine()
	case p.TieSeed != 0:
		return link.NewShuffledEngine(p.TieSeed)
	}
	return link.NewEngine()
}

// collect turns a finished run into a BenchResult.
func collect(cfg BenchConfig, sys *System, gens []*Traffic) *BenchResult {
	kclk := clock.New(cfg.Params.KernelFreqHz)
	hclk := clock.New(cfg.HBM.ClockHz)
	var endK int64
	var bytes uint64
	for i, g := range gens {
		endK = max(endK, sys.PortStats(i).LastResponse)
		bytes += g.DeliveredBytes()
	}
	end := kclk.Time(uint64(endK))
	secs := float64(end)
	endH := hclk.Cycle(end)
	nsPerK := 1e9 / cfg.Params.KernelFreqHz
	nsPerH := 1e9 / cfg.HBM.ClockHz
	gbps := func(b uint64) float64 {
		if secs <= 0 {
			return 0
		}
		return float64(b) / secs / 1e9
	}

	r := &BenchResult{
		Config:       cfg,
		Bytes:        bytes,
		SimSeconds:   secs,
		GBps:         gbps(bytes),
		PCPeakGBps:   cfg.HBM.PCBytesPerSec() / 1e9,
		PortPeakGBps: float64(cfg.Params.PortBits) / 8 * cfg.Params.KernelFreqHz / 1e9,
	}
	r.GBpsPerPC = r.GBps / float64(cfg.PCs)
	var lat Histogram
	var portUtil float64
	// A range spanning PCs counts the PCs the run reached: a sequential
	// stream stays in its first PC, and the others' idle time is no loss.
	for _, pc := range cfg.usedPCs() {
		if st := sys.PCStats(pc, end); st.Bytes() > 0 || cfg.SpanPCs <= 1 {
			r.Total.add(st)
		}
	}
	for i := range gens {
		pc := cfg.targetPC(i)
		ps := sys.PortStats(i)
		st := sys.PCStats(pc, end)
		lat.Merge(&ps.Latency)
		if endK > 0 {
			portUtil += float64(max(ps.RBusyCycles, ps.WBusyCycles)) / float64(endK)
		}
		pr := PCResult{
			PC: pc, Port: i,
			GBps:      gbps(st.Bytes()),
			ReadGBps:  gbps(ps.ReadBytes),
			WriteGBps: gbps(ps.WriteBytes),
			LatAvgNs:  ps.Latency.Mean() * nsPerK,
			LatP99Ns:  float64(ps.Latency.Quantile(0.99)) * nsPerK,
			Stats:     st,
			PortStats: ps,
		}
		if n := st.Bursts(); n > 0 {
			pr.QueueNs = float64(st.QueueCycles) / float64(n) * nsPerH
			pr.ServiceNs = float64(st.ServiceCycles) / float64(n) * nsPerH
		}
		r.PerPC = append(r.PerPC, pr)
	}
	r.LatAvgNs = lat.Mean() * nsPerK
	r.LatP50Ns = float64(lat.Quantile(0.5)) * nsPerK
	r.LatP99Ns = float64(lat.Quantile(0.99)) * nsPerK
	r.LatMinNs = float64(lat.Min()) * nsPerK
	r.LatMaxNs = float64(lat.Max()) * nsPerK
	t := r.Total
	if n := t.Columns(); n > 0 {
		r.RowHitRate = float64(t.RowHits) / float64(n)
	}
	if e := float64(t.ElapsedCycles); e > 0 {
		r.RefreshShare = float64(t.RefreshCycles) / e
		r.BusUtil = float64(t.BusyCycles) / e
		r.LossIdle = float64(t.LossIdleCycles) / e
		r.LossRefresh = float64(t.LossRefreshCycles) / e
		r.LossRow = float64(t.LossRowCycles) / e
		r.LossTurnaround = float64(t.LossTurnaroundCycles) / e
		r.LossOther = float64(t.LossOtherCycles) / e
	}
	r.PortUtil = portUtil / float64(len(gens))
	if endH > 0 {
		r.LateralUtil = float64(sys.SwitchStats().LinkBusyCycles) / float64(endH)
	}
	switch {
	case r.PortUtil >= boundBusyShare:
		r.Bound = "port"
	case r.LateralUtil >= boundBusyShare:
		r.Bound = "switch"
	case r.LossIdle <= boundIdleShare:
		r.Bound = "hbm"
	case cfg.Params.HBMPortLimit && r.GBps*1e9/float64(len(gens)) >= boundBusyShare*float64(cfg.HBM.AXIPortBits/8)*cfg.Params.SwitchFreqHz:
		r.Bound = "hbm-port"
	default:
		r.Bound = "latency"
	}
	return r
}

// Sweep runs base for every pattern and request size, in that order
// (patterns outer), and returns the results in the same order.
func Sweep(base BenchConfig, patterns []Pattern, sizes []int) ([]*BenchResult, error) {
	var out []*BenchResult
	for _, p := range patterns {
		for _, s := range sizes {
			c := base
			c.Pattern, c.SizeBytes, c.Window = p, s, base.Window
			r, err := RunBenchmark(c)
			if err != nil {
				return nil, fmt.Errorf("hbm: sweep %s %d B: %w", p, s, err)
			}
			out = append(out, r)
		}
	}
	return out, nil
}
