package spatial

import (
	"fmt"

	"github.com/roofsim/roofsim/sim/clock"
	"github.com/roofsim/roofsim/sim/link"
	akita "github.com/sarchlab/akita/v3/sim"
)

// UnitStats are one unit's figures over a run, in kernel cycles.
type UnitStats struct {
	// Name, Kind and SLR are the unit's.
	Name, Kind string
	SLR        int
	// PEs is its MAC units (rows x cols x arrays), Lanes its vector lanes.
	PEs, Lanes int64
	// Items is the op tiles it ran; MACs their multiply-accumulates and
	// Ops their element operations (vector units).
	Items     int
	MACs, Ops int64
	// BusyCycles are the cycles it computed or launched a kernel;
	// LaunchCycles the part that were launch overhead.
	BusyCycles, LaunchCycles int64
	// FirstStart and LastEnd are the cycles its first tile started and
	// its last ended.
	FirstStart, LastEnd int64
	// The cycles it sat idle with work left, by what it waited for: a
	// tile from another unit or its own earlier op (input), its weights
	// or model inputs from HBM, a full output stream (back-pressure).
	StallInputCycles, StallHBMCycles, StallOutputCycles int64
	// HBMBytesRead and HBMBytesWritten are what it moved to and from HBM.
	HBMBytesRead, HBMBytesWritten int64
	// PassEnds is the cycle it finished its last tile of each pass.
	PassEnds []int64
}

// Unit is one compute unit of a spatial design (an array unit or a vector
// unit) as an Akita component. It runs its items in order: an item starts
// when every tile it reads is in the unit (taken from the streams as it
// needs them), its HBM reads are done (issued one item ahead with double
// buffering, at the item's turn with single buffering) and the previous
// item's output tiles were taken by their streams; it then computes for
// its closed-form cycles.
type Unit struct {
	*akita.ComponentBase
	engine    akita.Engine
	clock     clock.Domain
	index     int
	plan      *unitPlan
	port      akita.Port
	streams   []akita.Port // by stream index
	dma       akita.Port
	lookahead int

	head      int
	computing bool
	acks      int // pushes of the last item not yet taken
	issued    int // items whose HBM reads were issued
	fetched   []bool
	writes    int // writes in flight
	local     map[tileID]int
	popping   map[int]bool
	// The operand store of whole operands (eager tiles): the streams that
	// bring them with an eager pop outstanding, the bytes held and each
	// tile's size, and each stream's largest tile.
	eagerPops  map[int]bool
	eagerHeld  int64
	eagerBytes map[tileID]int64
	eagerIn    []int
	maxTile    map[int]int64
	idleFrom   uint64 // when the unit last stopped computing
	ackAt      uint64 // when the last push was taken
	inputAt    uint64 // when the last needed tile arrived
	fetchAt    []uint64
	stats      UnitStats
	err        error
}

func newUnit(engine akita.Engine, c clock.Domain, index int, plan *unitPlan, streams int, lookahead int) *Unit {
	name := fmt.Sprintf("Spatial.Unit[%d]", index)
	u := &Unit{ComponentBase: akita.NewComponentBase(name), engine: engine, clock: c, index: index, plan: plan,
		streams: make([]akita.Port, streams), lookahead: lookahead,
		fetched: make([]bool, len(plan.items)), fetchAt: make([]uint64, len(plan.items)),
		local: map[tileID]int{}, popping: map[int]bool{}, eagerPops: map[int]bool{}, eagerBytes: map[tileID]int64{}, maxTile: map[int]int64{}}
	u.port = link.NewPort(u, portCapacity, name+".Port")
	u.AddPort("Port", u.port)
	u.stats.FirstStart = -1
	return u
}

// NotifyPortFree is not used: the wires never refuse a message.
func (u *Unit) NotifyPortFree(akita.VTimeInSec, akita.Port) {}

// NotifyRecv takes tiles, acknowledgements and HBM completions.
func (u *Unit) NotifyRecv(now akita.VTimeInSec, port akita.Port) {
	c := u.clock.Cycle(now)
	for msg := port.Retrieve(now); msg != nil; msg = port.Retrieve(now) {
		switch m := msg.(type) {
		case *tileMsg:
			if m.eager {
				u.eagerPops[m.stream] = false
			} else {
				u.popping[m.stream] = false
			}
			if u.plan.uses[m.tile] == 0 {
				u.fail(fmt.Errorf("unit %s: got tile %v it does not need", u.plan.spec.Name, m.tile))
				return
			}
			u.local[m.tile] = u.plan.uses[m.tile]
			if u.plan.eager[m.tile] {
				u.eagerHeld += m.bytes
				u.eagerBytes[m.tile] = m.bytes
			}
			u.inputAt = c
		case *pushAck:
			u.acks--
			u.ackAt = c
		case *memDone:
			if m.write {
				u.writes--
			} else {
				u.fetched[m.item] = true
				u.fetchAt[m.item] = c
			}
		default:
			u.fail(fmt.Errorf("unit %s: unexpected message %T", u.plan.spec.Name, msg))
			return
		}
	}
	u.progress()
}

// Handle ends the item being computed.
func (u *Unit) Handle(akita.Event) error {
	u.finishItem()
	u.progress()
	return nil
}

// progress issues HBM reads and starts the next item when it can.
func (u *Unit) progress() {
	items := u.plan.items
	for u.issued < len(items) && u.issued <= u.head+u.lookahead {
		it := items[u.issued]
		if it.readBytes > 0 {
			u.fail(send(u.engine, u.port, u.dma, &memReq{unit: u.index, item: u.issued, bytes: it.readBytes}))
		} else {
			u.fetched[u.issued] = true
		}
		u.issued++
	}
	for _, si := range u.eagerIn {
		if !u.eagerPops[si] && u.eagerHeld+u.maxTile[si] <= u.plan.eagerCap {
			u.eagerPops[si] = true
			u.fail(send(u.engine, u.port, u.streams[si], &popReq{eager: true}))
		}
	}
	if u.computing || u.acks > 0 || u.head == len(items) {
		return
	}
	it := &items[u.head]
	missing := false
	for _, id := range it.needs {
		if u.local[id] > 0 {
			continue
		}
		missing = true
		s, remote := u.plan.source[id]
		if remote && !u.popping[s] {
			u.popping[s] = true
			u.fail(send(u.engine, u.port, u.streams[s], &popReq{}))
		}
	}
	if missing || !u.fetched[u.head] {
		return
	}
	u.start(it)
}

// start begins computing item it now and charges the idle time before it.
func (u *Unit) start(it *item) {
	now := u.clock.Cycle(u.engine.CurrentTime())
	if u.stats.FirstStart < 0 {
		u.stats.FirstStart = int64(now)
	}
	if gap := int64(now - u.idleFrom); gap > 0 {
		out := min(gap, max(0, int64(u.ackAt)-int64(u.idleFrom)))
		u.stats.StallOutputCycles += out
		if u.fetchAt[u.head] > u.inputAt {
			u.stats.StallHBMCycles += gap - out
		} else {
			u.stats.StallInputCycles += gap - out
		}
	}
	u.computing = true
	u.stats.BusyCycles += it.launch + it.cycles
	u.stats.LaunchCycles += it.launch
	end := now + uint64(it.launch+it.cycles)
	u.engine.Schedule(link.Event{At: u.clock.TimeNotBefore(end, u.engine.CurrentTime()), To: u})
}

// finishItem retires the item being computed: frees the tiles it read,
// keeps its output for this unit's later items, pushes it to the streams
// of its consumers and writes a model output to HBM.
func (u *Unit) finishItem() {
	it := &u.plan.items[u.head]
	now := u.clock.Cycle(u.engine.CurrentTime())
	u.computing = false
	u.idleFrom, u.ackAt = now, now
	for _, id := range it.needs {
		u.local[id]--
		if u.local[id] <= 0 {
			delete(u.local, id)
			u.eagerHeld -= u.eagerBytes[id]
			delete(u.eagerBytes, id)
		}
	}
	if n := u.plan.uses[it.out]; n > 0 {
		u.local[it.out] = n
	}
	for _, s := range u.plan.pushes[it.out.tensor] {
		u.acks++
		u.fail(send(u.engine, u.port, u.streams[s], &pushReq{tile: it.out, bytes: it.outBytes}))
	}
	if it.writeBytes > 0 {
		u.writes++
		u.fail(send(u.engine, u.port, u.dma, &memReq{unit: u.index, item: u.head, bytes: it.writeBytes, write: true}))
	}
	u.stats.Items++
	u.stats.MACs += it.macs
	u.stats.HBMBytesRead += it.readBytes
	u.stats.HBMBytesWritten += it.writeBytes
	u.stats.LastEnd = int64(now)
	for len(u.stats.PassEnds) <= it.pass {
		u.stats.PassEnds = append(u.stats.PassEnds, 0)
	}
	u.stats.PassEnds[it.pass] = int64(now)
	u.head++
}

// done reports whether the unit ran every item and holds nothing.
func (u *Unit) done() bool {
	return u.head == len(u.plan.items) && !u.computing && u.acks == 0 && u.writes == 0 && len(u.local) == 0
}

// waiting says what an unfinished unit waits for.
func (u *Unit) waiting() string {
	if u.head == len(u.plan.items) {
		return fmt.Sprintf("finished its tiles but holds %d tiles and %d pushes", len(u.local), u.acks)
	}
	it := u.plan.items[u.head]
	switch {
	case u.acks > 0:
		return "waits for a full output stream to take a tile"
	case !u.fetched[u.head]:
		return "waits for HBM"
	}
	for _, id := range it.needs {
		if u.local[id] == 0 {
			return fmt.Sprintf("waits for tile %d of tensor %d (pass %d) at tile %d of op %d", id.tile, id.tensor, id.pass, it.tile, it.op)
		}
	}
	return "is ready"
}

func (u *Unit) fail(err error) {
	if err != nil && u.err == nil {
		u.err = err
	}
}
