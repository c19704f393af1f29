package html

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/roofsim/roofsim/sim/accel"
	akita "github.com/sarchlab/akita/v3/sim"
)

// Timeline records what each unit of the accelerator did over a pass,
// for the run page's Gantt chart, and the bytes each HBM pseudo-channel
// served over time, for its heat map: set it (or a tracer it forwards to) as
// accel.Options.Tracer. It only watches the simulation: the results are
// the same with it or without it.
type Timeline struct {
	next    accel.Tracer
	tasks   []task
	kernels map[string]string
	pcs     []pcBytes
}

// pcBytes is one completed HBM request: when (seconds), on which
// pseudo-channel, how many bytes.
type pcBytes struct {
	t     float64
	pc    int32
	bytes int64
}

// task is one recorded step or transfer: where it ran, the kernel task
// it belongs to and its span in seconds.
type task struct {
	where, parent string
	start, end    float64
}

// NewTimeline returns an empty timeline that passes every task on to next
// as well (nil for none).
func NewTimeline(next accel.Tracer) *Timeline {
	return &Timeline{next: next, kernels: map[string]string{}}
}

// Task implements accel.Tracer.
func (t *Timeline) Task(tk accel.TraceTask) {
	if t.next != nil {
		t.next.Task(tk)
	}
	if tk.ParentID == "" {
		// A kernel on the controller: its name, for its steps.
		t.kernels[tk.ID] = tk.What
		return
	}
	t.tasks = append(t.tasks, task{where: tk.Where, parent: tk.ParentID, start: float64(tk.StartTime), end: float64(tk.EndTime)})
}

// PCBytes implements accel.PCTracer: the HBM traffic of each
// pseudo-channel over time, for the heat map.
func (t *Timeline) PCBytes(at akita.VTimeInSec, pc int, bytes int64, write bool) {
	if pt, ok := t.next.(accel.PCTracer); ok {
		pt.PCBytes(at, pc, bytes, write)
	}
	t.pcs = append(t.pcs, pcBytes{t: float64(at), pc: int32(pc), bytes: bytes})
}

// Tasks is the number of steps and transfers recorded.
func (t *Timeline) Tasks() int { return len(t.tasks) }

// span is a busy span of one row for one kernel, in milliseconds.
type span struct {
	row, kernel int
	start, end  float64
}

// spans merges the recorded tasks into busy spans per unit and kernel:
// the rows (unit names, in display order) and the spans, whose kernel is
// the index in names of the kernel's name (-1 when not found).
func (t *Timeline) spans(index map[string]int) ([]string, []span) {
	units := map[string]bool{}
	for _, tk := range t.tasks {
		units[tk.where] = true
	}
	var rows []string
	for u := range units {
		rows = append(rows, u)
	}
	slices.SortFunc(rows, func(a, b string) int {
		pa, ra, ia := unitRank(a)
		pb, rb, ib := unitRank(b)
		return cmp.Or(cmp.Compare(pa, pb), cmp.Compare(ra, rb), cmp.Compare(ia, ib), strings.Compare(a, b))
	})
	rowOf := map[string]int{}
	for i, r := range rows {
		rowOf[r] = i
	}
	type key struct {
		row    int
		parent string
	}
	groups := map[key][]task{}
	var order []key
	for _, tk := range t.tasks {
		k := key{rowOf[tk.where], tk.parent}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], tk)
	}
	var out []span
	for _, k := range order {
		ts := groups[k]
		slices.SortFunc(ts, func(a, b task) int { return cmp.Compare(a.start, b.start) })
		kernel, ok := index[t.kernels[k.parent]]
		if !ok {
			kernel = -1
		}
		cur := span{row: k.row, kernel: kernel, start: ts[0].start * 1e3, end: ts[0].end * 1e3}
		for _, tk := range ts[1:] {
			if tk.start*1e3 <= cur.end {
				cur.end = max(cur.end, tk.end*1e3)
				continue
			}
			out = append(out, cur)
			cur.start, cur.end = tk.start*1e3, tk.end*1e3
		}
		out = append(out, cur)
	}
	for i := range rows {
		rows[i] = unitName(rows[i])
	}
	return rows, out
}

// unitRank orders the units: by pipeline part (none, vision, text), then
// controller, arrays, vector units, DMA, activation store, weight store,
// others; within a kind by index.
func unitRank(name string) (part, rank, index int) {
	rest := strings.TrimPrefix(name, "Accel.")
	if p, r, ok := strings.Cut(rest, "."); ok {
		part = 1
		if p == "Text" {
			part = 2
		}
		rest = r
	}
	base, idx, _ := strings.Cut(rest, "[")
	index, _ = strconv.Atoi(strings.TrimSuffix(idx, "]"))
	ranks := map[string]int{"Ctrl": 0, "Array": 1, "Vector": 2, "DMA": 3, "ActStore": 4, "WeightStore": 5}
	rank, ok := ranks[base]
	if !ok {
		rank = len(ranks)
	}
	return part, rank, index
}

// unitName is the row title of a unit: "array 0", "text: vector unit 1".
func unitName(name string) string {
	rest := strings.TrimPrefix(name, "Accel.")
	prefix := ""
	if p, r, ok := strings.Cut(rest, "."); ok {
		prefix, rest = strings.ToLower(p)+": ", r
	}
	base, idx, hasIdx := strings.Cut(rest, "[")
	titles := map[string]string{"Ctrl": "controller", "Array": "array", "Vector": "vector unit", "DMA": "DMA (HBM)",
		"ActStore": "activation store", "WeightStore": "weight store"}
	if t, ok := titles[base]; ok {
		base = t
	}
	if hasIdx {
		base += " " + strings.TrimSuffix(idx, "]")
	}
	return prefix + base
}
