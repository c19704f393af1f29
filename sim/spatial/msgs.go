package spatial

import (
	"math"

	akita "github.com/sarchlab/akita/v3/sim"
)

// pushReq asks a stream to take a tile; the stream answers with pushAck
// once the tile is in its FIFO.
type pushReq struct {
	akita.MsgMeta
	tile  tileID
	bytes int64
}

// Meta returns the message's meta data.
func (m *pushReq) Meta() *akita.MsgMeta { return &m.MsgMeta }

// pushAck tells a producer that its tile is in the FIFO.
type pushAck struct {
	akita.MsgMeta
	stream int
}

// Meta returns the message's meta data.
func (m *pushAck) Meta() *akita.MsgMeta { return &m.MsgMeta }

// popReq asks a stream for its head tile; the stream answers with tileMsg
// once it has one. An eager pop takes the head only when it is a tile of
// a whole operand the consumer stores as it comes (K, V).
type popReq struct {
	akita.MsgMeta
	eager bool
}

// Meta returns the message's meta data.
func (m *popReq) Meta() *akita.MsgMeta { return &m.MsgMeta }

// tileMsg carries a tile from a stream to its consumer; eager says it
// answers an eager pop.
type tileMsg struct {
	akita.MsgMeta
	stream int
	tile   tileID
	bytes  int64
	eager  bool
}

// Meta returns the message's meta data.
func (m *tileMsg) Meta() *akita.MsgMeta { return &m.MsgMeta }

// memReq asks the DMA to move bytes between HBM and unit unit's buffers:
// item item's reads, or its writes when write is set.
type memReq struct {
	akita.MsgMeta
	unit, item int
	bytes      int64
	write      bool
}

// Meta returns the message's meta data.
func (m *memReq) Meta() *akita.MsgMeta { return &m.MsgMeta }

// memDone tells a unit that a memReq completed.
type memDone struct {
	akita.MsgMeta
	item  int
	write bool
}

// Meta returns the message's meta data.
func (m *memDone) Meta() *akita.MsgMeta { return &m.MsgMeta }

// portCapacity is the incoming buffer of the components' ports: they take
// every message out as it arrives.
const portCapacity = math.MaxInt32

// send sets the meta data of msg and sends it from src to dst now; the
// wires take every message, so a refusal is a wiring bug.
func send(engine akita.Engine, src, dst akita.Port, msg akita.Msg) error {
	m := msg.Meta()
	m.ID = akita.GetIDGenerator().Generate()
	m.Src, m.Dst = src, dst
	m.SendTime = engine.CurrentTime()
	if err := src.Send(msg); err != nil {
		return errWire(src.Name())
	}
	return nil
}

type errWire string

func (e errWire) Error() string { return "spatial: a wire refused a message from " + string(e) }
