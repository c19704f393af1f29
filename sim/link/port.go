package link

import (
	akita "github.com/sarchlab/akita/v3/sim"
)

// Port is an Akita port for components that run on the serial engine. It
// behaves like akita's LimitNumMsgPort (a bounded incoming buffer; the owner
// is told of arrivals with NotifyRecv and takes messages with Retrieve) but
// takes no locks and keeps its buffer in a ring, so a message costs a few
// nanoseconds on hot paths. It must not be used with the parallel engine.
type Port struct {
	akita.HookableBase

	name     string
	comp     akita.Component
	conn     akita.Connection
	capacity int
	buf      []akita.Msg
	head, n  int
	busy     bool // a Recv was refused: tell the connection when room frees
	// link and linkEnd let a Link find its record of the port without a
	// map lookup.
	link    *Link
	linkEnd *end
}

// NewPort returns a port named name owned by comp whose incoming buffer
// holds capacity messages (at least 1).
func NewPort(comp akita.Component, capacity int, name string) *Port {
	akita.NameMustBeValid(name)
	capacity = max(capacity, 1)
	return &Port{name: name, comp: comp, capacity: capacity, buf: make([]akita.Msg, min(capacity, 16))}
}

// Name returns the port's name.
func (p *Port) Name() string { return p.name }

// SetConnection sets the connection the port is plugged into.
func (p *Port) SetConnection(conn akita.Connection) { p.conn = conn }

// Component returns the port's owner.
func (p *Port) Component() akita.Component { return p.comp }

// CanSend reports whether the connection takes a message now.
func (p *Port) CanSend() bool { return p.conn.CanSend(p) }

// Send sends msg through the connection.
func (p *Port) Send(msg akita.Msg) *akita.SendError {
	err := p.conn.Send(msg)
	if err == nil && p.NumHooks() > 0 {
		p.InvokeHook(akita.HookCtx{Domain: p, Pos: akita.HookPosPortMsgSend, Item: msg})
	}
	return err
}

// Recv buffers an incoming message and tells the owner; it refuses the
// message when the buffer is full.
func (p *Port) Recv(msg akita.Msg) *akita.SendError {
	if p.n == p.capacity {
		p.busy = true
		return akita.NewSendError()
	}
	if p.n == len(p.buf) {
		p.grow()
	}
	i := p.head + p.n
	if i >= len(p.buf) {
		i -= len(p.buf)
	}
	p.buf[i] = msg
	p.n++
	if p.NumHooks() > 0 {
		p.InvokeHook(akita.HookCtx{Domain: p, Pos: akita.HookPosPortMsgRecvd, Item: msg})
	}
	if p.comp != nil {
		p.comp.NotifyRecv(msg.Meta().RecvTime, p)
	}
	return nil
}

func (p *Port) grow() {
	nb := make([]akita.Msg, min(2*len(p.buf), p.capacity))
	for i := 0; i < p.n; i++ {
		nb[i] = p.buf[(p.head+i)%len(p.buf)]
	}
	p.buf, p.head = nb, 0
}

// Retrieve takes the oldest incoming message (nil if none).
func (p *Port) Retrieve(now akita.VTimeInSec) akita.Msg {
	if p.n == 0 {
		return nil
	}
	msg := p.buf[p.head]
	p.buf[p.head] = nil
	if p.head++; p.head == len(p.buf) {
		p.head = 0
	}
	p.n--
	if p.NumHooks() > 0 {
		p.InvokeHook(akita.HookCtx{Domain: p, Pos: akita.HookPosPortMsgRetrieve, Item: msg})
	}
	if p.busy {
		p.busy = false
		p.conn.NotifyAvailable(now, p)
	}
	return msg
}

// Quiet reports whether the port holds no message and has no hooks: a
// message delivered now would go straight to its owner's NotifyRecv and be
// retrieved there, so a connection that knows the owner may hand the
// message to it directly (the same calls in the same order, fewer hops).
func (p *Port) Quiet() bool { return p.n == 0 && p.NumHooks() == 0 }

// Peek returns the oldest incoming message without taking it (nil if none).
func (p *Port) Peek() akita.Msg {
	if p.n == 0 {
		return nil
	}
	return p.buf[p.head]
}

// NotifyAvailable tells the owner that the connection takes messages again.
func (p *Port) NotifyAvailable(now akita.VTimeInSec) {
	if p.comp != nil {
		p.comp.NotifyPortFree(now, p)
	}
}
