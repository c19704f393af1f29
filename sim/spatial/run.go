package spatial

import (
	"fmt"
	"strings"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sim/clock"
	"github.com/roofsim/roofsim/sim/compute"
	"github.com/roofsim/roofsim/sim/hbm"
	"github.com/roofsim/roofsim/sim/link"
	"github.com/roofsim/roofsim/workload"
)

// Options are a spatial run's parameters beyond the design.
type Options struct {
	// Passes is the number of inputs streamed through the design one after
	// another (at least 1): pass p+1's tiles follow pass p's through every
	// unit, so the units overlap passes as a pipeline does.
	Passes int
}

// Run simulates graph g on spatial design d on platform p: the units run
// concurrently on one Akita engine, the streams between them are bounded
// FIFOs, and every HBM transfer goes through the HBM model.
func Run(d hw.SpatialDesign, p hw.Platform, g *workload.Graph, o Options) (Result, error) {
	if err := d.Fit(p); err != nil {
		return Result{}, err
	}
	plan, err := NewPlan(d, g, o.Passes)
	if err != nil {
		return Result{}, err
	}
	if need, avail := plan.OnChipBytes(), p.OnChipBytes(); need > avail {
		return Result{}, fmt.Errorf("spatial design %q does not fit %s: its weight buffers, operand stores and streams need %d bytes of BRAM+URAM, the board has %d",
			d.Name, p.Name, need, avail)
	}
	freq := d.ClockHz(p)
	c := clock.New(freq)
	engine := link.NewEngine()
	mem, err := compute.HBMMemory(engine, hw.Design{Name: d.Name, PortBits: d.PortBits, FreqHz: freq, HBMPorts: p.HBM.PseudoChannels}, p)
	if err != nil {
		return Result{}, fmt.Errorf("spatial: memory: %w", err)
	}
	sys, ok := mem.(*hbm.System)
	if !ok {
		return Result{}, fmt.Errorf("spatial: the HBM model cannot connect requesters")
	}
	wires := link.New("Spatial.Wires", engine, c, 0)
	dma := newDMA(engine, p.HBM.PseudoChannels, p.HBM.AXIIDs)
	wires.PlugIn(dma.ctrl, 0)
	lookahead := 1
	if d.Buffering == hw.SingleBuffered {
		lookahead = 0
	}
	units := make([]*Unit, len(plan.units))
	rows := uint64(p.HBM.PCBytes) / requestBytes / uint64(len(units))
	for i := range plan.units {
		u := newUnit(engine, c, i, &plan.units[i], len(plan.streams), lookahead)
		u.dma = dma.ctrl
		wires.PlugIn(u.port, 0)
		dma.units = append(dma.units, u.port)
		ports := d.Units[i].HBMPorts
		dma.place = append(dma.place, placement{ports: ports, rowBase: uint64(i) * rows, rows: rows})
		for _, pc := range ports {
			if dma.memRemote[pc] == nil {
				if err := sys.Connect(pc, dma.memPort(pc)); err != nil {
					return Result{}, fmt.Errorf("spatial: memory: %w", err)
				}
				dma.memRemote[pc] = sys.Port(pc)
			}
		}
		units[i] = u
	}
	streams := make([]*Stream, len(plan.streams))
	for si, sp := range plan.streams {
		s := newStream(fmt.Sprintf("Spatial.Stream[%d]", si), engine, si, sp.capacity)
		s.producer, s.consumer = units[sp.from].port, units[sp.to].port
		s.stats.From, s.stats.To = d.Units[sp.from].Name, d.Units[sp.to].Name
		wires.PlugIn(s.port, 0)
		units[sp.from].streams[si] = s.port
		units[sp.to].streams[si] = s.port
		s.eagerTiles = plan.units[sp.to].eager
		if to := units[sp.to]; streamHasEager(plan.units[sp.to], si) {
			to.eagerIn = append(to.eagerIn, si)
			to.maxTile[si] = sp.maxTile
		}
		streams[si] = s
	}
	for _, u := range units {
		u.progress()
	}
	if err := engine.Run(); err != nil {
		return Result{}, fmt.Errorf("spatial: %w", err)
	}
	if err := check(units, streams, dma, sys); err != nil {
		return Result{}, err
	}
	r := newResult(d, p, plan, c, units, streams, dma, sys)
	r.OnChipBytes = plan.OnChipBytes()
	return r, nil
}

// check reports a component's error, then a deadlock: units that did not
// finish when no event was left, with what each waits for.
func check(units []*Unit, streams []*Stream, dma *DMA, sys *hbm.System) error {
	for _, u := range units {
		if u.err != nil {
			return fmt.Errorf("spatial: %w", u.err)
		}
	}
	for _, s := range streams {
		if s.err != nil {
			return fmt.Errorf("spatial: %w", s.err)
		}
	}
	if dma.err != nil {
		return fmt.Errorf("spatial: %w", dma.err)
	}
	var stuck []string
	for _, u := range units {
		if !u.done() {
			stuck = append(stuck, fmt.Sprintf("unit %s %s", u.plan.spec.Name, u.waiting()))
		}
	}
	if len(stuck) > 0 {
		return fmt.Errorf("spatial: deadlock: %s (deepen a stream, or change a unit's order or ops)", strings.Join(stuck, "; "))
	}
	if !dma.idle() {
		return fmt.Errorf("spatial: the DMA has %d requests in flight at the end", len(dma.inflight))
	}
	if err := sys.Check(); err != nil {
		return fmt.Errorf("spatial: %w", err)
	}
	return nil
}

// streamHasEager reports whether stream si brings unit u whole-operand
// tiles.
func streamHasEager(u unitPlan, si int) bool {
	for id := range u.eager {
		if u.source[id] == si {
			return true
		}
	}
	return false
}
