package compute

import (
	"fmt"

	"github.com/roofsim/roofsim/sim/clock"
	"github.com/roofsim/roofsim/sim/link"
	akita "github.com/sarchlab/akita/v3/sim"
)

// OnChipConfig is the on-chip activation store's path to the arrays'
// buffers: a read channel (store to buffers) and a write channel (output
// buffers to store), each moving a fixed number of bytes per kernel cycle,
// plus a fixed latency.
type OnChipConfig struct {
	// ReadBytesPerCycle is the bytes per cycle the store delivers to the
	// arrays' input and weight buffers.
	ReadBytesPerCycle int64
	// WriteBytesPerCycle is the bytes per cycle the store takes from the
	// output buffers.
	WriteBytesPerCycle int64
	// LatencyCycles is the pipeline latency of a transfer (memory read
	// latency and the routing to the buffers), in cycles.
	LatencyCycles int64
}

// Validate reports the first unusable field.
func (c OnChipConfig) Validate() error {
	switch {
	case c.ReadBytesPerCycle <= 0:
		return fmt.Errorf("on-chip store: read bytes per cycle must be > 0, got %d", c.ReadBytesPerCycle)
	case c.WriteBytesPerCycle <= 0:
		return fmt.Errorf("on-chip store: write bytes per cycle must be > 0, got %d", c.WriteBytesPerCycle)
	case c.LatencyCycles < 0:
		return fmt.Errorf("on-chip store: latency must be >= 0 cycles, got %d", c.LatencyCycles)
	}
	return nil
}

// StoreStats counts the activation store's traffic.
type StoreStats struct {
	// BytesRead are the bytes moved from the store into the buffers;
	// BytesWritten the bytes moved from the output buffers into the store.
	BytesRead, BytesWritten int64
	// Transfers counts the transfers served.
	Transfers int64
}

// ActivationStore is the on-chip activation store as the arrays see it: a
// component that serves tile transfers between itself and the arrays'
// buffers. Its read and write channels each serve transfers in arrival
// order at their bytes per cycle; a transfer of b bytes arriving at cycle t
// ends at
//
//	start = max(t, free);  free = start + ceil(b / bytes per cycle)
//	done at free + LatencyCycles
//
// It answers each transfer once, stamped with its done cycle (the control
// link delivers it then), so it needs no event of its own. It is a timing
// model: no data is kept. The weight store (Options.WeightStore) is another
// instance of the same model, read only.
type ActivationStore struct {
	*akita.ComponentBase
	engine    akita.Engine
	clock     clock.Domain
	cfg       OnChipConfig
	port      akita.Port
	ctrl      akita.Port
	readFree  uint64
	writeFree uint64
	stats     StoreStats
	// byOwner counts the transfers of each owner slot (see ownerSlots).
	byOwner [ownerSlots]StoreStats
}

// newActivationStore builds the store named name.
func newActivationStore(name string, engine akita.Engine, c clock.Domain, cfg OnChipConfig) *ActivationStore {
	s := &ActivationStore{ComponentBase: akita.NewComponentBase(name), engine: engine, clock: c, cfg: cfg}
	s.port = link.NewPort(s, portCapacity, name+".Ctrl")
	s.AddPort("Ctrl", s.port)
	return s
}

// Stats returns the store's counters.
func (s *ActivationStore) Stats() StoreStats { return s.stats }

// ownerStats returns the counters of the transfers owned by kernel owner
// and clears them, for kernel owner + ownerSlots.
func (s *ActivationStore) ownerStats(owner int) StoreStats {
	st := s.byOwner[owner%ownerSlots]
	s.byOwner[owner%ownerSlots] = StoreStats{}
	return st
}

// NotifyPortFree is not used: links never refuse a message from it.
func (s *ActivationStore) NotifyPortFree(akita.VTimeInSec, akita.Port) {}

// Handle is not used: the store schedules no events.
func (s *ActivationStore) Handle(akita.Event) error { return nil }

// NotifyRecv takes transfer requests and answers each at its done cycle.
func (s *ActivationStore) NotifyRecv(now akita.VTimeInSec, port akita.Port) {
	t := s.clock.Cycle(now)
	for msg := port.Retrieve(now); msg != nil; msg = port.Retrieve(now) {
		req, ok := msg.(*transferReq)
		if !ok {
			continue
		}
		free, bw := &s.readFree, s.cfg.ReadBytesPerCycle
		own := &s.byOwner[req.owner%ownerSlots]
		if req.write {
			free, bw = &s.writeFree, s.cfg.WriteBytesPerCycle
			s.stats.BytesWritten += req.bytes
			own.BytesWritten += req.bytes
		} else {
			s.stats.BytesRead += req.bytes
			own.BytesRead += req.bytes
		}
		s.stats.Transfers++
		own.Transfers++
		start := max(t, *free)
		*free = start + uint64(ceilDiv(req.bytes, bw))
		done := *free + uint64(s.cfg.LatencyCycles)
		rsp := &transferDone{id: req.id, onChip: true}
		rsp.Src, rsp.Dst = s.port, s.ctrl
		rsp.SendTime = s.clock.Time(done)
		if err := s.port.Send(rsp); err != nil {
			panic("compute: a connection refused a message from " + s.port.Name())
		}
	}
}
