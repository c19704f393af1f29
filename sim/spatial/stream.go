package spatial

import (
	"fmt"

	"github.com/roofsim/roofsim/sim/link"
	akita "github.com/sarchlab/akita/v3/sim"
)

// StreamStats are what one stream carried.
type StreamStats struct {
	// From and To name the producing and consuming units.
	From, To string
	// CapacityBytes is the FIFO's depth in bytes.
	CapacityBytes int64
	// Tiles and Bytes are the tiles and bytes it carried.
	Tiles, Bytes int64
	// PeakBytes is the most it held at once.
	PeakBytes int64
	// BlockedPushes counts the tiles the producer had to hold because the
	// FIFO was full (back-pressure).
	BlockedPushes int64
	// FinalBytes is what it holds at the end (0 when every tile was read).
	FinalBytes int64
}

// Stream is a bounded on-chip FIFO between two units (an HLS stream or
// AXI4-Stream channel): the producer pushes a tile and waits for the
// acknowledgement, which comes once the tile fits; the consumer pops the
// head tile.
type Stream struct {
	*akita.ComponentBase
	engine   akita.Engine
	index    int
	port     akita.Port
	producer akita.Port
	consumer akita.Port
	capacity int64
	fifo     []tileMsg
	used     int64
	held     *pushReq
	popWait  bool
	// eagerWait is an eager pop waiting for a head in eagerTiles, the
	// consumer's whole-operand tiles.
	eagerWait  bool
	eagerTiles map[tileID]bool
	stats      StreamStats
	err        error
}

func newStream(name string, engine akita.Engine, index int, capacity int64) *Stream {
	s := &Stream{ComponentBase: akita.NewComponentBase(name), engine: engine, index: index, capacity: capacity}
	s.port = link.NewPort(s, portCapacity, name+".Port")
	s.AddPort("Port", s.port)
	s.stats.CapacityBytes = capacity
	return s
}

// Handle is not used: the stream acts on arriving messages only.
func (s *Stream) Handle(akita.Event) error { return nil }

// NotifyPortFree is not used: the wires never refuse a message.
func (s *Stream) NotifyPortFree(akita.VTimeInSec, akita.Port) {}

// NotifyRecv takes pushes and pops.
func (s *Stream) NotifyRecv(now akita.VTimeInSec, port akita.Port) {
	for msg := port.Retrieve(now); msg != nil; msg = port.Retrieve(now) {
		switch m := msg.(type) {
		case *pushReq:
			if s.held != nil {
				s.fail(fmt.Errorf("stream %s: a push while one is held", s.Name()))
				return
			}
			s.held = m
			if s.used+m.bytes > s.capacity {
				s.stats.BlockedPushes++
			}
		case *popReq:
			if m.eager {
				s.eagerWait = true
			} else {
				s.popWait = true
			}
		default:
			s.fail(fmt.Errorf("stream %s: unexpected message %T", s.Name(), msg))
			return
		}
	}
	s.progress()
}

// progress takes the held push when it fits and answers a waiting pop.
func (s *Stream) progress() {
	for {
		moved := false
		if s.held != nil && s.used+s.held.bytes <= s.capacity {
			s.fifo = append(s.fifo, tileMsg{tile: s.held.tile, bytes: s.held.bytes, stream: s.index})
			s.used += s.held.bytes
			s.stats.PeakBytes = max(s.stats.PeakBytes, s.used)
			s.held = nil
			s.fail(send(s.engine, s.port, s.producer, &pushAck{stream: s.index}))
			moved = true
		}
		eager := !s.popWait && s.eagerWait && len(s.fifo) > 0 && s.eagerTiles[s.fifo[0].tile]
		if (s.popWait || eager) && len(s.fifo) > 0 {
			head := s.fifo[0]
			s.fifo = s.fifo[1:]
			s.used -= head.bytes
			s.stats.Tiles++
			s.stats.Bytes += head.bytes
			if eager {
				s.eagerWait, head.eager = false, true
			} else {
				s.popWait = false
			}
			s.fail(send(s.engine, s.port, s.consumer, &head))
			moved = true
		}
		if !moved {
			return
		}
	}
}

func (s *Stream) fail(err error) {
	if err != nil && s.err == nil {
		s.err = err
	}
}
