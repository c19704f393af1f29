package link

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/roofsim/roofsim/sim/clock"
	akita "github.com/sarchlab/akita/v3/sim"
)

type testMsg struct {
	akita.MsgMeta
	n int
}

func (m *testMsg) Meta() *akita.MsgMeta { return &m.MsgMeta }

// sink is a component that records what arrives; with hold set it leaves
// messages in its port until release is called.
type sink struct {
	*akita.ComponentBase
	port  *Port
	hold  bool
	got   []int
	at    []akita.VTimeInSec
	freed int
}

func newSink(name string, capacity int) *sink {
	s := &sink{ComponentBase: akita.NewComponentBase(name)}
	s.port = NewPort(s, capacity, name+".Port")
	return s
}

func (s *sink) NotifyRecv(now akita.VTimeInSec, p akita.Port) {
	if s.hold {
		return
	}
	s.drain(now)
}

func (s *sink) drain(now akita.VTimeInSec) {
	for m := s.port.Retrieve(now); m != nil; m = s.port.Retrieve(now) {
		s.got = append(s.got, m.(*testMsg).n)
		s.at = append(s.at, now)
	}
}

func (s *sink) NotifyPortFree(akita.VTimeInSec, akita.Port) { s.freed++ }
func (s *sink) Handle(akita.Event) error                    { return nil }

// at runs f at time t on the engine.
type at struct {
	t akita.VTimeInSec
	f func()
}

func (a *at) Time() akita.VTimeInSec   { return a.t }
func (a *at) Handler() akita.Handler   { return a }
func (a *at) IsSecondary() bool        { return false }
func (a *at) Handle(akita.Event) error { a.f(); return nil }

func TestTimeQueueOrder(t *testing.T) {
	type item struct {
		t   akita.VTimeInSec
		seq int
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var q TimeQueue[int]
	var ref []item
	seq := 0
	for step := 0; step < 20000; step++ {
		if rng.IntN(3) > 0 || q.Len() == 0 {
			tm := akita.VTimeInSec(rng.IntN(50))
			q.Push(tm, seq)
			ref = append(ref, item{tm, seq})
			seq++
			continue
		}
		slices.SortStableFunc(ref, func(a, b item) int {
			switch {
			case a.t < b.t:
				return -1
			case a.t > b.t:
				return 1
			}
			return a.seq - b.seq
		})
		next, _ := q.Next()
		tm, v := q.Pop()
		if tm != next || tm != ref[0].t || v != ref[0].seq {
			t.Fatalf("step %d: popped (%g, %d), want (%g, %d)", step, tm, v, ref[0].t, ref[0].seq)
		}
		ref = ref[1:]
	}
	if q.Len() != len(ref) {
		t.Fatalf("len %d, want %d", q.Len(), len(ref))
	}
}

func TestTimeQueueLanes(t *testing.T) {
	type val struct {
		lane, n int
		t       akita.VTimeInSec
		seq     int
	}
	rng := rand.New(rand.NewPCG(3, 4))
	var q TimeQueue[val]
	const lanes = 5
	var last [lanes]akita.VTimeInSec
	var pushed [lanes]int
	var popped [lanes][]int
	now := akita.VTimeInSec(0)
	total := 0
	seq := 0
	var ref []val
	for step := 0; step < 30000; step++ {
		if rng.IntN(2) == 0 || q.Len() == 0 {
			l := rng.IntN(lanes)
			// Mostly in time order per lane, sometimes earlier.
			tm := max(last[l], now) + akita.VTimeInSec(rng.IntN(4))
			if rng.IntN(10) == 0 {
				tm = now + akita.VTimeInSec(rng.IntN(3))
			}
			last[l] = max(last[l], tm)
			q.PushLane(l, tm, val{l, pushed[l], tm, seq})
			ref = append(ref, val{l, pushed[l], tm, seq})
			seq++
			pushed[l]++
			total++
			continue
		}
		tm, v := q.Pop()
		if tm < now || tm != v.t {
			t.Fatalf("step %d: popped time %g after %g (value at %g)", step, tm, now, v.t)
		}
		slices.SortStableFunc(ref, func(a, b val) int {
			switch {
			case a.t < b.t:
				return -1
			case a.t > b.t:
				return 1
			}
			return a.seq - b.seq
		})
		if ref[0] != v {
			t.Fatalf("step %d: popped %+v, want %+v", step, v, ref[0])
		}
		ref = ref[1:]
		now = tm
		popped[v.lane] = append(popped[v.lane], v.n)
		total--
		if q.Len() != total {
			t.Fatalf("len %d, want %d", q.Len(), total)
		}
	}
	for q.Len() > 0 {
		tm, v := q.Pop()
		if tm < now {
			t.Fatalf("popped %g after %g", tm, now)
		}
		now = tm
		popped[v.lane] = append(popped[v.lane], v.n)
	}
	for l := range popped {
		if len(popped[l]) != pushed[l] {
			t.Fatalf("lane %d: %d popped of %d", l, len(popped[l]), pushed[l])
		}
		sorted := slices.Clone(popped[l])
		slices.Sort(sorted)
		for i, n := range sorted {
			if n != i {
				t.Fatalf("lane %d: values lost or duplicated", l)
			}
		}
	}
}

func TestLinkLatencyAndOrder(t *testing.T) {
	engine := akita.NewSerialEngine()
	clk := clock.New(300e6)
	l := New("L", engine, clk, 3)
	src, dst := newSink("Src", 4), newSink("Dst", 100)
	l.PlugIn(src.port, 0)
	l.PlugIn(dst.port, 0)
	send := func(n int, sendCycle uint64) {
		m := &testMsg{n: n}
		m.Src, m.Dst, m.SendTime = src.port, dst.port, clk.Time(sendCycle)
		if src.port.Send(m) != nil {
			t.Fatalf("send %d refused", n)
		}
	}
	engine.Schedule(&at{clk.Time(10), func() {
		send(1, 10)
		send(2, 20) // stamped in the future
		send(3, 10) // same time as 1: after 1
		send(4, 5)  // stamped in the past: as now
	}})
	if err := engine.Run(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(dst.got, []int{1, 3, 4, 2}) {
		t.Fatalf("order %v", dst.got)
	}
	for i, want := range []uint64{13, 13, 13, 23} {
		if c := clk.Cycle(dst.at[i]); c != want || clk.Time(c) != dst.at[i] {
			t.Errorf("message %d at %v (cycle %d), want cycle %d exactly", dst.got[i], dst.at[i], c, want)
		}
	}
	if l.InFlight() != 0 {
		t.Errorf("in flight %d", l.InFlight())
	}
}

func TestLinkBackpressure(t *testing.T) {
	engine := akita.NewSerialEngine()
	clk := clock.New(300e6)
	l := New("L", engine, clk, 0)
	src := newSink("Src", 4)
	dst := newSink("Dst", 1)
	dst.hold = true
	l.PlugIn(src.port, 2) // two messages in flight at most
	l.PlugIn(dst.port, 0)
	var refused int
	engine.Schedule(&at{0, func() {
		for n := 1; n <= 3; n++ {
			m := &testMsg{n: n}
			m.Src, m.Dst = src.port, dst.port
			if src.port.Send(m) != nil {
				refused++
			}
		}
	}})
	// The destination holds one message; the second waits in the link until
	// the destination takes the first.
	engine.Schedule(&at{clk.Time(5), func() { dst.drain(clk.Time(5)) }})
	engine.Schedule(&at{clk.Time(9), func() { dst.hold = false; dst.drain(clk.Time(9)) }})
	if err := engine.Run(); err != nil {
		t.Fatal(err)
	}
	if refused != 1 {
		t.Errorf("refused %d sends, want 1 (limit 2)", refused)
	}
	if !slices.Equal(dst.got, []int{1, 2}) {
		t.Fatalf("got %v, want [1 2]", dst.got)
	}
	if dst.at[0] != clk.Time(5) || dst.at[1] != clk.Time(9) {
		t.Errorf("taken at %v, want cycles 5 and 9", dst.at)
	}
	if src.freed == 0 {
		t.Error("the source was never told it may send again")
	}
	if l.InFlight() != 0 {
		t.Errorf("in flight %d", l.InFlight())
	}
}

func TestWakerSupersedes(t *testing.T) {
	engine := akita.NewSerialEngine()
	var woke []akita.VTimeInSec
	h := &wakeRecorder{}
	w := NewWaker(engine, h)
	h.w, h.woke = w, &woke
	w.Ensure(10)
	w.Ensure(20) // later: no new event
	w.Ensure(5)  // earlier: supersedes 10
	if err := engine.Run(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(woke, []akita.VTimeInSec{5}) {
		t.Errorf("woke at %v, want [5]", woke)
	}
}

type wakeRecorder struct {
	w    *Waker
	woke *[]akita.VTimeInSec
}

func (r *wakeRecorder) Handle(e akita.Event) error {
	if r.w.Take(e) {
		*r.woke = append(*r.woke, e.Time())
	}
	return nil
}

func TestLinkZeroLatencyPastSendTime(t *testing.T) {
	engine := akita.NewSerialEngine()
	clk := clock.New(300e6)
	l := New("L", engine, clk, 0)
	src, dst := newSink("Src", 4), newSink("Dst", 100)
	l.PlugIn(src.port, 0)
	l.PlugIn(dst.port, 0)
	engine.Schedule(&at{clk.Time(10), func() {
		for n, c := range []uint64{10, 9, 12} {
			m := &testMsg{n: n}
			m.Src, m.Dst, m.SendTime = src.port, dst.port, clk.Time(c)
			if src.port.Send(m) != nil {
				t.Fatal("send refused")
			}
		}
	}})
	if err := engine.Run(); err != nil {
		t.Fatal(err)
	}
	// The message stamped in the past goes at once, the others on time.
	if !slices.Equal(dst.got, []int{1, 0, 2}) {
		t.Fatalf("order %v", dst.got)
	}
	for i, want := range []uint64{10, 10, 12} {
		if dst.at[i] != clk.Time(want) {
			t.Errorf("message %d at %v, want cycle %d", dst.got[i], dst.at[i], want)
		}
	}
}

// TestTimeQueueFront checks the front run against hand-derived orders:
// values that go to the run (not later than the heap's earliest, or of
// the run's time) and values that go to the heap interleave by time, then
// push order.
func TestTimeQueueFront(t *testing.T) {
	type push struct {
		lane int // -1: Push
		t    akita.VTimeInSec
		v    string
	}
	for _, tc := range []struct {
		name   string
		pushes []push
		want   string
	}{
		{"earlier value after the run", []push{{-1, 5, "a"}, {-1, 3, "b"}, {-1, 5, "c"}}, "bac"},
		{"heap value of the run's time first", []push{{0, 7, "a"}, {-1, 2, "b"}, {1, 7, "c"}, {-1, 2, "d"}}, "bdac"},
		{"run behind an older equal time", []push{{0, 4, "a"}, {0, 9, "b"}, {1, 4, "c"}, {1, 4, "d"}}, "acdb"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var q TimeQueue[string]
			for _, p := range tc.pushes {
				if p.lane < 0 {
					q.Push(p.t, p.v)
				} else {
					q.PushLane(p.lane, p.t, p.v)
				}
			}
			got := ""
			for q.Len() > 0 {
				next, _ := q.Next()
				tm, v := q.Pop()
				if tm != next {
					t.Fatalf("Pop at %g, Next said %g", tm, next)
				}
				got += v
			}
			if got != tc.want {
				t.Fatalf("order %q, want %q", got, tc.want)
			}
		})
	}
}

// hookCounter counts hook calls.
type hookCounter struct{ n int }

func (h *hookCounter) Func(akita.HookCtx) { h.n++ }

// TestPortQuiet checks when a connection may bypass a port: only while it
// holds no message and has no hooks.
func TestPortQuiet(t *testing.T) {
	s := newSink("Quiet", 4)
	if !s.port.Quiet() {
		t.Fatal("a new port is not quiet")
	}
	s.hold = true
	if err := s.port.Recv(&testMsg{n: 1}); err != nil {
		t.Fatal(err)
	}
	if s.port.Quiet() {
		t.Fatal("a port holding a message is quiet")
	}
	s.drain(0)
	if !s.port.Quiet() {
		t.Fatal("a drained port is not quiet")
	}
	s.port.AcceptHook(&hookCounter{})
	if s.port.Quiet() {
		t.Fatal("a port with a hook is quiet")
	}
}

// seededWaker wakes itself through a Waker at seeded cycles: on each
// wake-up (live or superseded) it asks for a few more, some before the
// current cycle (clamped to now), with Ensure or with EnsureCycle.
type seededWaker struct {
	engine  *Engine
	clk     clock.Domain
	w       *Waker
	rng     *rand.Rand
	byCycle bool
	left    int
	woke    []akita.VTimeInSec
	handled int
	// badCycle counts live events whose TakeCycle cycle is not the
	// clock's LastEdge of their time.
	badCycle int
}

func (s *seededWaker) ensure(c int64) {
	if s.byCycle {
		s.w.EnsureCycle(c, s.clk)
		return
	}
	s.w.Ensure(s.clk.Time(uint64(c)))
}

func (s *seededWaker) Handle(e akita.Event) error {
	s.handled++
	if live, c, ok := s.w.TakeCycle(e); live {
		s.woke = append(s.woke, e.Time())
		if ok && c != s.clk.LastEdge(e.Time()) {
			s.badCycle++
		}
	}
	now := int64(s.clk.Cycle(s.engine.CurrentTime()))
	for n := s.rng.IntN(4); n > 0 && s.left > 0; n-- {
		s.left--
		s.ensure(max(now+int64(s.rng.IntN(12))-3, 0))
	}
	return nil
}

// TestWakerEnsureCycle requires EnsureCycle to schedule exactly what
// Ensure with the cycle's time does: the same wake-ups and the same
// engine events, superseded and clamped ones included.
func TestWakerEnsureCycle(t *testing.T) {
	run := func(seed uint64, byCycle bool) ([]akita.VTimeInSec, int64) {
		e := NewEngine()
		s := &seededWaker{engine: e, clk: clock.New(900e6), rng: rand.New(rand.NewPCG(seed, 1)), byCycle: byCycle, left: 3000}
		s.w = NewWaker(e, s)
		s.ensure(5)
		if err := e.Run(); err != nil {
			t.Fatal(err)
		}
		if s.badCycle > 0 {
			t.Fatalf("seed %d: TakeCycle returned a cycle other than LastEdge %d times", seed, s.badCycle)
		}
		return s.woke, e.Events()
	}
	for seed := uint64(1); seed <= 10; seed++ {
		want, wantN := run(seed, false)
		got, gotN := run(seed, true)
		if !slices.Equal(got, want) || gotN != wantN {
			t.Fatalf("seed %d: EnsureCycle woke %d times in %d events, Ensure %d times in %d events", seed, len(got), gotN, len(want), wantN)
		}
	}
}
