package spatial

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sim/compute"
	"github.com/roofsim/roofsim/workload"
)

// burstBytes is the granule of an HBM transfer: every read or write is
// rounded up to whole 32-byte AXI beats of the 256-bit port (hw.HBM's
// BurstBytes on the U280).
const burstBytes = 32

// maxNeeds bounds the tile dependencies a plan records (every item's
// tiles, an attention tile needing all of its right operand's): about
// 16 bytes each, so a plan stays within a few hundred MiB.
const maxNeeds = 1 << 24

// tileID names tile Tile of tensor Tensor of pass Pass.
type tileID struct {
	pass, tensor, tile int32
}

// item is one tile of one op on its unit: what it needs, what it computes,
// what it moves to and from HBM.
type item struct {
	pass, op, tile int
	// cycles are the unit's compute cycles for the tile (closed form of
	// package compute's array timing, or ceil(ops / lanes)).
	cycles int64
	// launch is the kernel launch overhead paid before it (its op's first
	// tile), in cycles.
	launch int64
	macs   int64
	// ops are a vector tile's element operations.
	ops int64
	// readBytes are its weights, parameters and model inputs read from
	// HBM; writeBytes its model outputs written to HBM (whole bursts).
	readBytes, writeBytes int64
	// needs are the tiles of other ops it reads, on this unit or from a
	// stream.
	needs []tileID
	// out is the tile it produces, outBytes its size.
	out      tileID
	outBytes int64
}

// streamPlan is one FIFO from unit from to unit to.
type streamPlan struct {
	from, to int
	capacity int64
	maxTile  int64
}

// unitPlan is one unit's work.
type unitPlan struct {
	spec  hw.SpatialUnit
	items []item
	// uses counts, per tile the unit needs, the items that need it.
	uses map[tileID]int
	// source is the stream each tile the unit needs from another unit
	// arrives on.
	source map[tileID]int
	// pushes are the streams the tiles of a tensor produced here go to.
	pushes map[int32][]int
	// eager marks the tiles of whole operands from other units (an
	// attention op's K and V): the unit takes them off their stream as
	// they come, into its operand store of eagerCap bytes, two layers'
	// worth (double-buffered).
	eager    map[tileID]bool
	eagerCap int64
	// wholeBytes sums the eager tiles per pass and layer group.
	wholeBytes map[[2]int]int64
}

// Plan is a spatial design's work on a graph: every op's tiles on its
// unit, in the order the unit runs them, and the streams between units.
type Plan struct {
	design  hw.SpatialDesign
	graph   *workload.Graph
	passes  int
	opUnit  []int
	units   []unitPlan
	streams []streamPlan
}

// share is the i-th of n near-equal parts of total.
func share(total int64, i, n int) int64 {
	return total*int64(i+1)/int64(n) - total*int64(i)/int64(n)
}

func ceilDiv(a, b int64) int64 { return (a + b - 1) / b }

// bytesOf is the size of n elements of bits bits, whole bytes.
func bytesOf(n int64, bits int) int64 { return ceilDiv(n*int64(bits), 8) }

// bursts rounds bytes up to whole HBM bursts.
func bursts(bytes int64) int64 { return ceilDiv(bytes, burstBytes) * burstBytes }

// matches reports whether pattern selects op k of graph g.
func matches(pattern string, k workload.Kernel, g *workload.Graph) bool {
	switch {
	case strings.HasPrefix(pattern, "kind:"):
		return string(k.Kind) == strings.TrimPrefix(pattern, "kind:")
	case strings.HasPrefix(pattern, "role:"):
		t, _ := g.Tensor(k.Outputs[0])
		return string(t.Role) == strings.TrimPrefix(pattern, "role:")
	}
	ok, err := path.Match(pattern, k.Name)
	return err == nil && ok
}

// mapOps returns each op's unit and the index of the pattern that chose it.
func mapOps(d hw.SpatialDesign, g *workload.Graph) (unit, pattern []int, err error) {
	for _, u := range d.Units {
		for _, pat := range u.Ops {
			if _, err := path.Match(pat, ""); err != nil {
				return nil, nil, fmt.Errorf("spatial design %q: unit %q: pattern %q is malformed: %v", d.Name, u.Name, pat, err)
			}
		}
	}
	unit, pattern = make([]int, len(g.Ops)), make([]int, len(g.Ops))
	for i, k := range g.Ops {
		unit[i] = -1
	units:
		for ui, u := range d.Units {
			for pi, pat := range u.Ops {
				if matches(pat, k, g) {
					unit[i], pattern[i] = ui, pi
					break units
				}
			}
		}
		if unit[i] < 0 {
			return nil, nil, fmt.Errorf("spatial design %q: op %s (kind %s) is mapped to no unit (add a pattern that matches it to a unit's ops)", d.Name, k.Name, k.Kind)
		}
		u := d.Units[unit[i]]
		if want := hw.UnitVector; k.Kind.IsMatmul() {
			want = hw.UnitArray
			if u.Kind != want {
				return nil, nil, fmt.Errorf("spatial design %q: op %s (kind %s) is mapped to %s unit %q; a matmul needs an array unit", d.Name, k.Name, k.Kind, u.Kind, u.Name)
			}
		} else if u.Kind != want {
			return nil, nil, fmt.Errorf("spatial design %q: op %s (kind %s) is mapped to %s unit %q; an elementwise op needs a vector unit", d.Name, k.Name, k.Kind, u.Kind, u.Name)
		}
	}
	return unit, pattern, nil
}

// groups numbers the graph's runs of ops of one stage, camera and layer.
func groups(g *workload.Graph) []int {
	gs := make([]int, len(g.Ops))
	for i, k := range g.Ops {
		if i > 0 {
			p := g.Ops[i-1]
			gs[i] = gs[i-1]
			if p.Stage != k.Stage || p.Camera != k.Camera || p.Layer != k.Layer {
				gs[i]++
			}
		}
	}
	return gs
}

// NewPlan maps graph g onto design d, passes inputs one after another.
func NewPlan(d hw.SpatialDesign, g *workload.Graph, passes int) (*Plan, error) {
	if passes < 1 {
		return nil, fmt.Errorf("spatial: passes must be >= 1, got %d", passes)
	}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	if n := countNeeds(g, d.Tiles, passes); n > maxNeeds {
		return nil, fmt.Errorf("spatial design %q: %d ops x %d tiles x %d passes make %.3g tile dependencies, more than the %d accepted (use fewer tiles, passes or ops)",
			d.Name, len(g.Ops), d.Tiles, passes, n, maxNeeds)
	}
	opUnit, pattern, err := mapOps(d, g)
	if err != nil {
		return nil, err
	}
	p := &Plan{design: d, graph: g, passes: passes, opUnit: opUnit, units: make([]unitPlan, len(d.Units))}
	gs := groups(g)
	for ui := range d.Units {
		p.units[ui] = unitPlan{spec: d.Units[ui], uses: map[tileID]int{}, source: map[tileID]int{}, pushes: map[int32][]int{},
			eager: map[tileID]bool{}, wholeBytes: map[[2]int]int64{}}
	}
	for ui := range d.Units {
		var ops []int
		for i := range g.Ops {
			if opUnit[i] == ui {
				ops = append(ops, i)
			}
		}
		byPattern := d.Units[ui].Order == hw.OrderPattern
		slices.SortStableFunc(ops, func(a, b int) int {
			if gs[a] != gs[b] || !byPattern {
				return gs[a] - gs[b]
			}
			return pattern[a] - pattern[b]
		})
		if err := p.addItems(ui, ops, gs); err != nil {
			return nil, err
		}
	}
	for ui := range p.units {
		for _, b := range p.units[ui].wholeBytes {
			p.units[ui].eagerCap = max(p.units[ui].eagerCap, 2*b)
		}
	}
	if err := p.sizeStreams(); err != nil {
		return nil, err
	}
	return p, nil
}

// addItems appends unit ui's items: per pass, per group, its ops' tiles
// in the unit's order.
func (p *Plan) addItems(ui int, ops []int, gs []int) error {
	tiles := p.design.Tiles
	u := p.units[ui].spec
	for pass := range p.passes {
		for lo := 0; lo < len(ops); {
			hi := lo
			for hi < len(ops) && gs[ops[hi]] == gs[ops[lo]] {
				hi++
			}
			group := ops[lo:hi]
			if u.Order == hw.OrderTileMajor {
				for t := range tiles {
					for _, op := range group {
						if err := p.addItem(ui, pass, op, t, gs[op]); err != nil {
							return err
						}
					}
				}
			} else {
				for _, op := range group {
					for t := range tiles {
						if err := p.addItem(ui, pass, op, t, gs[op]); err != nil {
							return err
						}
					}
				}
			}
			lo = hi
		}
	}
	return nil
}

// actBits is the activation width of the unit that produces tensor t (the
// design's for a model input).
func (p *Plan) actBits(t workload.Tensor) int {
	if t.Producer >= 0 {
		return p.design.Units[p.opUnit[t.Producer]].Precision.ActBits
	}
	return p.design.Precision.ActBits
}

// tileBytes is the size of tile i of tensor t.
func (p *Plan) tileBytes(t workload.Tensor, i int) int64 {
	return bytesOf(share(t.Elems(), i, p.design.Tiles), p.actBits(t))
}

// addItem appends tile t of op to unit ui.
func (p *Plan) addItem(ui, pass, op, t, group int) error {
	g, tiles := p.graph, p.design.Tiles
	k := g.Ops[op]
	up := &p.units[ui]
	u := up.spec
	it := item{pass: pass, op: op, tile: t}
	if t == 0 {
		it.launch = p.design.LaunchCycles
	}
	rows := share(k.M, t, tiles)
	prec := u.Precision
	if k.Kind.IsMatmul() {
		timing, err := compute.NewArrayTiming(hw.Design{ArrayRows: u.ArrayRows, ArrayCols: u.ArrayCols, Dataflow: u.Dataflow}, prec.ActBits, prec.WeightBits, true)
		if err != nil {
			return fmt.Errorf("spatial: unit %q: %w", u.Name, err)
		}
		timing.Style = u.Style
		it.cycles = timing.MatmulCycles(rows, k.K, k.N, k.Batch, int64(u.Arrays))
		it.macs = rows * k.K * k.N * k.Batch
		w := bytesOf(k.WeightElems, prec.WeightBits) + bytesOf(k.BiasElems, prec.ActBits)
		if t == 0 || w > u.WeightBufferBytes/2 {
			it.readBytes += bursts(w)
		}
	} else {
		it.ops = share(k.Ops, t, tiles)
		it.cycles = ceilDiv(it.ops, int64(u.VectorLanes))
		params := bytesOf(k.BiasElems, prec.ActBits)
		it.readBytes += bursts(bytesOf(share(k.WeightElems, t, tiles), prec.WeightBits))
		if t == 0 || params > u.WeightBufferBytes/2 {
			it.readBytes += bursts(params)
		}
	}
	for ii, name := range k.Inputs {
		tn, _ := g.Tensor(name)
		parts := []string{name}
		whole := k.Kind == workload.KindAttention && ii == 1
		if tn.Concat != nil {
			parts, whole = tn.Concat, true
		}
		for _, pn := range parts {
			pt, _ := g.Tensor(pn)
			pj, _ := g.TensorIndex(pn)
			if pt.Producer < 0 {
				switch {
				case !whole:
					it.readBytes += bursts(p.tileBytes(pt, t))
				case t == 0:
					it.readBytes += bursts(bytesOf(pt.Elems(), p.actBits(pt)))
				}
				continue
			}
			lo, hi := t, t+1
			if whole {
				lo, hi = 0, tiles
			}
			for j := lo; j < hi; j++ {
				id := tileID{int32(pass), int32(pj), int32(j)}
				it.needs = append(it.needs, id)
				up.uses[id]++
				if from := p.opUnit[pt.Producer]; from != ui {
					up.source[id] = p.stream(from, ui, int32(pj))
					if whole && !up.eager[id] {
						up.eager[id] = true
						up.wholeBytes[[2]int{pass, group}] += p.tileBytes(pt, j)
					}
				}
			}
		}
	}
	oj, _ := g.TensorIndex(k.Outputs[0])
	ot := g.Tensors[oj]
	it.out = tileID{int32(pass), int32(oj), int32(t)}
	it.outBytes = p.tileBytes(ot, t)
	if len(ot.Consumers) == 0 {
		it.writeBytes = bursts(it.outBytes)
	}
	up.items = append(up.items, it)
	return nil
}

// countNeeds bounds the tile dependencies of graph g cut into tiles tiles
// over passes passes: per op tile, one per input (and item), all tiles of
// an attention op's right operand or of a view.
func countNeeds(g *workload.Graph, tiles, passes int) float64 {
	var n float64
	for _, k := range g.Ops {
		per := 1.0
		for ii, name := range k.Inputs {
			t, _ := g.Tensor(name)
			switch {
			case t.Concat != nil:
				per += float64(len(t.Concat) * tiles)
			case k.Kind == workload.KindAttention && ii == 1:
				per += float64(tiles)
			default:
				per++
			}
		}
		n += per * float64(tiles) * float64(passes)
	}
	return n
}

// stream returns the stream from unit from to unit to (made on first use)
// and records that tensor tensor's tiles go through it.
func (p *Plan) stream(from, to int, tensor int32) int {
	si := slices.IndexFunc(p.streams, func(s streamPlan) bool { return s.from == from && s.to == to })
	if si < 0 {
		si = len(p.streams)
		p.streams = append(p.streams, streamPlan{from: from, to: to})
	}
	if ps := p.units[from].pushes[tensor]; !slices.Contains(ps, si) {
		p.units[from].pushes[tensor] = append(ps, si)
	}
	return si
}

// OnChipBytes is the on-chip memory the plan's buffers take: the units'
// weight buffers, their whole-operand stores and the streams' FIFOs (the
// copies of tiles a unit keeps for its later ops are not counted).
func (p *Plan) OnChipBytes() int64 {
	var n int64
	for _, u := range p.units {
		n += u.spec.WeightBufferBytes + u.eagerCap
	}
	for _, s := range p.streams {
		n += s.capacity
	}
	return n
}

// sizeStreams sets each stream's capacity from the design's depths and
// the largest tile it carries.
func (p *Plan) sizeStreams() error {
	d := p.design
	for si := range p.streams {
		s := &p.streams[si]
		for tensor := range p.units[s.from].pushes {
			if slices.Contains(p.units[s.from].pushes[tensor], si) {
				t := p.graph.Tensors[tensor]
				for i := range d.Tiles {
					s.maxTile = max(s.maxTile, p.tileBytes(t, i))
				}
			}
		}
		s.capacity = int64(d.StreamDepthTiles) * s.maxTile
		from, to := d.Units[s.from].Name, d.Units[s.to].Name
		for _, o := range d.Streams {
			if o.From != from || o.To != to {
				continue
			}
			s.capacity = int64(o.DepthTiles) * s.maxTile
			if o.DepthBytes > 0 {
				s.capacity = o.DepthBytes
			}
		}
		if s.capacity < s.maxTile {
			return fmt.Errorf("spatial design %q: stream %s->%s holds %d bytes, less than its largest tile of %d bytes (accepted: depth_bytes >= %d)",
				d.Name, from, to, s.capacity, s.maxTile, s.maxTile)
		}
	}
	return nil
}
