package spatial

import (
	"fmt"

	"github.com/roofsim/roofsim/sim/link"
	"github.com/sarchlab/akita/v3/mem/mem"
	akita "github.com/sarchlab/akita/v3/sim"
)

// requestBytes is the largest HBM request: 4 KiB, the most an AXI burst
// may span (it may not cross a 4 KiB boundary), as package compute's DMA.
const requestBytes = 4096

// piece is one request of a transfer, queued on an HBM port.
type piece struct {
	xfer int
	addr uint64
	size int64
}

// inflight is a request in flight: its transfer and PC.
type inflight struct{ xfer, pc int }

// transfer is a memReq in flight.
type transfer struct {
	req       *memReq
	remaining int
}

// placement is where a unit's data lives: the PCs of its ports, and the
// rows of them it owns.
type placement struct {
	ports   []int
	rowBase uint64
	rows    uint64
	cursor  uint64
}

// DMA moves the units' weights, model inputs and model outputs between
// HBM and their buffers: it cuts each transfer into 4 KiB requests placed
// round-robin on the PCs of the unit's ports (each through that PC's own
// AXI port, so they never cross the switch), with at most outstanding
// requests in flight per port.
type DMA struct {
	*akita.ComponentBase
	engine      akita.Engine
	ctrl        akita.Port
	units       []akita.Port
	memPorts    []akita.Port // by PC; nil for a PC no unit uses
	memRemote   []akita.Port
	pcs         int
	outstanding int
	place       []placement
	queues      [][]piece
	inflight    map[string]inflight
	busy        []int // requests in flight per port
	xfers       []transfer
	// BytesRead and BytesWritten count what went to HBM, per PC.
	BytesRead, BytesWritten []int64
	err                     error
}

func newDMA(engine akita.Engine, pcs, outstanding int) *DMA {
	d := &DMA{ComponentBase: akita.NewComponentBase("Spatial.DMA"), engine: engine, pcs: pcs, outstanding: outstanding,
		memPorts: make([]akita.Port, pcs), memRemote: make([]akita.Port, pcs), queues: make([][]piece, pcs),
		inflight: map[string]inflight{}, busy: make([]int, pcs), BytesRead: make([]int64, pcs), BytesWritten: make([]int64, pcs)}
	d.ctrl = link.NewPort(d, portCapacity, "Spatial.DMA.Ctrl")
	d.AddPort("Ctrl", d.ctrl)
	return d
}

// memPort returns the DMA's port to PC pc, made on first use.
func (d *DMA) memPort(pc int) akita.Port {
	if d.memPorts[pc] == nil {
		d.memPorts[pc] = link.NewPort(d, portCapacity, fmt.Sprintf("Spatial.DMA.Mem[%d]", pc))
		d.AddPort(fmt.Sprintf("Mem[%d]", pc), d.memPorts[pc])
	}
	return d.memPorts[pc]
}

// Handle is not used: the DMA acts on arriving messages only.
func (d *DMA) Handle(akita.Event) error { return nil }

// NotifyPortFree resumes issuing on a port whose connection refused.
func (d *DMA) NotifyPortFree(_ akita.VTimeInSec, port akita.Port) {
	for pc, p := range d.memPorts {
		if p == port {
			d.issue(pc)
		}
	}
}

// NotifyRecv takes transfers from the units and responses from HBM.
func (d *DMA) NotifyRecv(now akita.VTimeInSec, port akita.Port) {
	for msg := port.Retrieve(now); msg != nil; msg = port.Retrieve(now) {
		switch m := msg.(type) {
		case *memReq:
			d.start(m)
		case *mem.DataReadyRsp:
			d.respond(m.RespondTo)
		case *mem.WriteDoneRsp:
			d.respond(m.RespondTo)
		default:
			d.fail(fmt.Errorf("spatial dma: unexpected message %T", msg))
		}
	}
}

// start cuts a transfer into requests on the unit's PCs.
func (d *DMA) start(r *memReq) {
	xi := len(d.xfers)
	d.xfers = append(d.xfers, transfer{req: r})
	pl := &d.place[r.unit]
	var touched []int
	for left := r.bytes; left > 0; left -= requestBytes {
		size := min(left, requestBytes)
		pc := pl.ports[pl.cursor%uint64(len(pl.ports))]
		row := pl.rowBase + (pl.cursor/uint64(len(pl.ports)))%pl.rows
		pl.cursor++
		addr := (row*uint64(d.pcs) + uint64(pc)) * requestBytes
		if len(d.queues[pc]) == 0 {
			touched = append(touched, pc)
		}
		d.queues[pc] = append(d.queues[pc], piece{xfer: xi, addr: addr, size: size})
		if r.write {
			d.BytesWritten[pc] += size
		} else {
			d.BytesRead[pc] += size
		}
		d.xfers[xi].remaining++
	}
	if d.xfers[xi].remaining == 0 {
		d.finish(xi)
		return
	}
	for _, pc := range touched {
		d.issue(pc)
	}
}

// issue sends port pc's queued requests while it has room.
func (d *DMA) issue(pc int) {
	port := d.memPorts[pc]
	for len(d.queues[pc]) > 0 && d.busy[pc] < d.outstanding && port.CanSend() {
		pi := d.queues[pc][0]
		var msg akita.Msg
		if d.xfers[pi.xfer].req.write {
			msg = &mem.WriteReq{Address: pi.addr, Data: make([]byte, pi.size)}
		} else {
			msg = &mem.ReadReq{Address: pi.addr, AccessByteSize: uint64(pi.size)}
		}
		m := msg.Meta()
		m.ID = akita.GetIDGenerator().Generate()
		m.Src, m.Dst = port, d.memRemote[pc]
		m.SendTime = d.engine.CurrentTime()
		m.TrafficBytes = int(pi.size)
		if err := port.Send(msg); err != nil {
			return
		}
		d.queues[pc] = d.queues[pc][1:]
		d.inflight[m.ID] = inflight{pi.xfer, pc}
		d.busy[pc]++
	}
}

// respond retires one request.
func (d *DMA) respond(id string) {
	f, ok := d.inflight[id]
	if !ok {
		d.fail(fmt.Errorf("spatial dma: response to unknown request %q", id))
		return
	}
	delete(d.inflight, id)
	d.busy[f.pc]--
	x := &d.xfers[f.xfer]
	x.remaining--
	if x.remaining == 0 {
		d.finish(f.xfer)
	}
	d.issue(f.pc)
}

// finish reports transfer xi done to its unit.
func (d *DMA) finish(xi int) {
	r := d.xfers[xi].req
	d.fail(send(d.engine, d.ctrl, d.units[r.unit], &memDone{item: r.item, write: r.write}))
}

// idle reports whether no transfer is in flight.
func (d *DMA) idle() bool { return len(d.inflight) == 0 }

func (d *DMA) fail(err error) {
	if err != nil && d.err == nil {
		d.err = err
	}
}
