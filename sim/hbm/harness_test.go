package hbm

import (
	"math"
	"testing"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sim/clock"
	"github.com/roofsim/roofsim/sim/link"
	"github.com/sarchlab/akita/v3/mem/mem"
	akita "github.com/sarchlab/akita/v3/sim"
)

// scriptReq is one request of a script: sent at kernel cycle At.
type scriptReq struct {
	At    uint64
	Addr  uint64
	Bytes int
	Write bool
}

// script is a requester that sends fixed requests at fixed kernel cycles
// and records when each is answered.
type script struct {
	*akita.ComponentBase
	engine akita.Engine
	kclk   clock.Domain
	port   akita.Port
	dst    akita.Port
	reqs   []scriptReq
	next   int
	ids    map[string]int
	doneAt []akita.VTimeInSec
	zero   []byte
	waker  *link.Waker
}

func newScript(t *testing.T, engine akita.Engine, kernelHz float64, reqs []scriptReq) *script {
	t.Helper()
	s := &script{
		ComponentBase: akita.NewComponentBase("Script"),
		engine:        engine,
		kclk:          clock.New(kernelHz),
		reqs:          reqs,
		ids:           map[string]int{},
		doneAt:        make([]akita.VTimeInSec, len(reqs)),
		zero:          make([]byte, MaxRequestBytes),
	}
	for i := range s.doneAt {
		s.doneAt[i] = -1
	}
	s.port = link.NewPort(s, math.MaxInt32, "Script.Port")
	s.waker = link.NewWaker(engine, s)
	if len(reqs) > 0 {
		s.waker.Ensure(s.kclk.Time(reqs[0].At))
	}
	return s
}

func (s *script) Handle(e akita.Event) error {
	if !s.waker.Take(e) {
		return nil
	}
	now := e.Time()
	for s.next < len(s.reqs) && s.kclk.Time(s.reqs[s.next].At) <= now {
		r := s.reqs[s.next]
		var m akita.Msg
		if r.Write {
			m = mem.WriteReqBuilder{}.WithSendTime(now).WithSrc(s.port).WithDst(s.dst).WithAddress(r.Addr).WithData(s.zero[:r.Bytes]).Build()
		} else {
			m = mem.ReadReqBuilder{}.WithSendTime(now).WithSrc(s.port).WithDst(s.dst).WithAddress(r.Addr).WithByteSize(uint64(r.Bytes)).Build()
		}
		s.ids[m.Meta().ID] = s.next
		if s.port.Send(m) != nil {
			panic("script: send refused")
		}
		s.next++
	}
	if s.next < len(s.reqs) {
		s.waker.Ensure(s.kclk.Time(s.reqs[s.next].At))
	}
	return nil
}

func (s *script) NotifyRecv(now akita.VTimeInSec, p akita.Port) {
	for m := p.Retrieve(now); m != nil; m = p.Retrieve(now) {
		i, ok := s.ids[m.(mem.AccessRsp).GetRspTo()]
		if !ok || s.doneAt[i] >= 0 {
			panic("script: unexpected response")
		}
		s.doneAt[i] = now
	}
}

func (s *script) NotifyPortFree(akita.VTimeInSec, akita.Port) {}

// latencyNs is request i's latency from its send time in ns.
func (s *script) latencyNs(i int) float64 {
	return float64(s.doneAt[i]-s.kclk.Time(s.reqs[i].At)) * 1e9
}

// testRig is a System with one scripted requester on port 0.
type testRig struct {
	sys    *System
	engine akita.Engine
	script *script
	ctrl   *Controller
}

// runScript builds a System from b (refresh as given), traces controller
// pc, runs the script on port 0 and checks completion.
func runScript(t *testing.T, b Builder, pc int, reqs []scriptReq) *testRig {
	t.Helper()
	engine := akita.NewSerialEngine()
	sys, err := b.WithEngine(engine).Build("T.HBM")
	if err != nil {
		t.Fatal(err)
	}
	sys.Controller(pc).EnableTrace()
	s := newScript(t, engine, sys.Params().KernelFreqHz, reqs)
	if err := sys.Connect(0, s.port); err != nil {
		t.Fatal(err)
	}
	s.dst = sys.Port(0)
	if err := engine.Run(); err != nil {
		t.Fatal(err)
	}
	if err := sys.Check(); err != nil {
		t.Fatal(err)
	}
	for i, d := range s.doneAt {
		if d < 0 {
			t.Fatalf("request %d never answered", i)
		}
	}
	return &testRig{sys: sys, engine: engine, script: s, ctrl: sys.Controller(pc)}
}

// addr is the global address of PC pc, bank, row and column under the
// default map.
func addr(t *testing.T, pc, bank, row, col int) uint64 {
	t.Helper()
	h := hw.U280HBM()
	m, err := NewAddressMap(h, 0, "")
	if err != nil {
		t.Fatal(err)
	}
	bpg := h.BanksPerPC / h.BankGroups
	return m.Global(pc, m.Encode(Location{BankGroup: bank / bpg, Bank: bank, Row: row, Column: col}))
}
