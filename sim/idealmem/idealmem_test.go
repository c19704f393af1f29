package idealmem_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sim/clock"
	"github.com/roofsim/roofsim/sim/idealmem"
	"github.com/roofsim/roofsim/sim/link"
	"github.com/sarchlab/akita/v3/mem/mem"
	akita "github.com/sarchlab/akita/v3/sim"
)

// requester sends requests at given cycles and records the cycle each
// response arrives.
type requester struct {
	*akita.ComponentBase
	ports []*link.Port
	mem   *idealmem.Memory
	c     clock.Domain
	done  map[string]uint64
	data  map[string]int
}

type req struct {
	cycle uint64
	port  int
	write bool
	addr  uint64
	size  int
}

type sendEvent struct {
	t akita.VTimeInSec
	r *requester
	q req
	// id receives the request's ID.
	id *string
}

func (e sendEvent) Time() akita.VTimeInSec { return e.t }
func (e sendEvent) Handler() akita.Handler { return e.r }
func (e sendEvent) IsSecondary() bool      { return false }

func (r *requester) Handle(ev akita.Event) error {
	e := ev.(sendEvent)
	p := r.ports[e.q.port]
	var m akita.Msg
	if e.q.write {
		w := mem.WriteReqBuilder{}.WithSendTime(e.t).WithSrc(p).WithDst(r.mem.Port(e.q.port)).WithAddress(e.q.addr).WithData(make([]byte, e.q.size)).Build()
		m, *e.id = w, w.ID
	} else {
		rd := mem.ReadReqBuilder{}.WithSendTime(e.t).WithSrc(p).WithDst(r.mem.Port(e.q.port)).WithAddress(e.q.addr).WithByteSize(uint64(e.q.size)).Build()
		m, *e.id = rd, rd.ID
	}
	p.Send(m)
	return nil
}

func (r *requester) NotifyRecv(now akita.VTimeInSec, p akita.Port) {
	for m := p.Retrieve(now); m != nil; m = p.Retrieve(now) {
		switch x := m.(type) {
		case *mem.DataReadyRsp:
			r.done[x.RespondTo] = r.c.Cycle(now)
			r.data[x.RespondTo] = len(x.Data)
		case *mem.WriteDoneRsp:
			r.done[x.RespondTo] = r.c.Cycle(now)
		}
	}
}
func (r *requester) NotifyPortFree(akita.VTimeInSec, akita.Port) {}

// run sends reqs to a memory of cfg and returns each one's response cycle.
func run(t *testing.T, cfg idealmem.Config, reqs []req) ([]uint64, *requester) {
	t.Helper()
	eng := akita.NewSerialEngine()
	m, err := idealmem.New("Mem", cfg)
	if err != nil {
		t.Fatal(err)
	}
	r := &requester{ComponentBase: akita.NewComponentBase("Req"), mem: m, c: cfg.Clock, done: map[string]uint64{}, data: map[string]int{}}
	for i := range cfg.Ports {
		p := link.NewPort(r, 1<<20, fmt.Sprintf("Req.Port[%d]", i))
		r.ports = append(r.ports, p)
		w := link.New(fmt.Sprintf("W[%d]", i), eng, cfg.Clock, 0)
		w.PlugIn(p, 0)
		w.PlugIn(m.Port(i), 0)
	}
	ids := make([]string, len(reqs))
	for i, q := range reqs {
		eng.Schedule(sendEvent{t: cfg.Clock.Time(q.cycle), r: r, q: q, id: &ids[i]})
	}
	if err := eng.Run(); err != nil {
		t.Fatal(err)
	}
	if m.Err() != nil {
		t.Fatal(m.Err())
	}
	out := make([]uint64, len(reqs))
	for i, id := range ids {
		c, ok := r.done[id]
		if !ok {
			t.Fatalf("request %d got no response", i)
		}
		out[i] = c
		if !reqs[i].write && r.data[id] != reqs[i].size {
			t.Errorf("request %d: %d data bytes, want %d", i, r.data[id], reqs[i].size)
		}
	}
	st := m.Stats()
	var rb, wb int64
	for _, q := range reqs {
		if q.write {
			wb += int64(q.size)
		} else {
			rb += int64(q.size)
		}
	}
	if st.BytesRead != rb || st.BytesWritten != wb {
		t.Errorf("stats %+v, want %d read and %d written", st, rb, wb)
	}
	return out, r
}

func TestTiming(t *testing.T) {
	c := clock.New(300e6)
	// 2 ports of 32 bytes per cycle under a total of 48: 24 each.
	cfg := idealmem.Config{Ports: 2, Clock: c, LatencyCycles: 10, PortBytesPerCycle: 32, TotalBytesPerCycle: 48, BurstBytes: 32}
	got, _ := run(t, cfg, []req{
		{cycle: 0, port: 0, addr: 0, size: 4096},                 // 170.67 cycles
		{cycle: 0, port: 0, addr: 4096, size: 4096, write: true}, // after it on port 0: 341.33
		{cycle: 0, port: 1, addr: 8192, size: 96},                // port 1 is free: 4
		{cycle: 300, port: 1, addr: 0, size: 32},                 // idle port: 1.33
	})
	want := []uint64{171 + 10, 342 + 10, 4 + 10, 302 + 10}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("request %d answered at cycle %d, want %d", i, got[i], want[i])
		}
	}
}

func TestUnlimited(t *testing.T) {
	c := clock.New(300e6)
	got, _ := run(t, idealmem.Config{Ports: 1, Clock: c}, []req{{cycle: 7, size: 4096}, {cycle: 7, size: 4096}})
	if got[0] != 7 || got[1] != 7 {
		t.Errorf("an unlimited memory answered at %v, want 7 and 7", got)
	}
}

func TestDesignConfig(t *testing.T) {
	d, _ := hw.DesignByName("int8")
	p := hw.U280()
	cfg := idealmem.DesignConfig(d, p)
	// 28 ns (tRCD 14 + CL 14) at 300 MHz is 8.4 cycles: 9.
	if cfg.LatencyCycles != 9 || cfg.PortBytesPerCycle != 32 || cfg.TotalBytesPerCycle != 1024 || cfg.Ports != 32 {
		t.Errorf("design config %+v", cfg)
	}
	d.PortBits = 512
	if cfg := idealmem.DesignConfig(d, p); cfg.TotalBytesPerCycle != 1536 {
		t.Errorf("512-bit ports: total %g bytes/cycle, want 1536 (460.8 GB/s)", cfg.TotalBytesPerCycle)
	}
}

func TestBadRequests(t *testing.T) {
	c := clock.New(300e6)
	cfg := idealmem.Config{Ports: 1, Clock: c, BurstBytes: 32}
	eng := akita.NewSerialEngine()
	m, _ := idealmem.New("Mem", cfg)
	r := &requester{ComponentBase: akita.NewComponentBase("Req"), mem: m, c: c, done: map[string]uint64{}, data: map[string]int{}}
	p := link.NewPort(r, 1<<20, "Req.Port")
	r.ports = []*link.Port{p}
	w := link.New("W", eng, c, 0)
	w.PlugIn(p, 0)
	w.PlugIn(m.Port(0), 0)
	var id string
	eng.Schedule(sendEvent{t: 0, r: r, q: req{size: 40}, id: &id})
	if err := eng.Run(); err != nil {
		t.Fatal(err)
	}
	if m.Err() == nil || !strings.Contains(m.Err().Error(), "multiple of 32") {
		t.Errorf("a 40-byte request gave error %v", m.Err())
	}
	if _, err := idealmem.New("Mem2", idealmem.Config{Ports: 0, Clock: c}); err == nil {
		t.Error("0 ports accepted")
	}
}
