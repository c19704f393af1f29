package sweep

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/roofsim/roofsim/report/format"
)

// runToBytes runs pts with the evaluator and returns the file a fresh run
// writes.
func runToBytes(t *testing.T, pts []Point, ev Evaluator, workers int, f format.Format) []byte {
	t.Helper()
	var buf bytes.Buffer
	buf.Write(FileHeader(f))
	rows, err := Runner{Evaluator: ev, Workers: workers}.Run(context.Background(), pts, &buf, f)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(pts) {
		t.Fatalf("%d rows for %d points", len(rows), len(pts))
	}
	return buf.Bytes()
}

func TestEvaluateStatuses(t *testing.T) {
	pts := mustPoints(t, testSpaceJSON)
	if len(pts) != 24 {
		t.Fatalf("%d points, want 24", len(pts))
	}
	got := map[Status]int{}
	for _, p := range pts {
		r := Evaluate(p, fakeEvaluator{})
		got[r.Status()]++
		d := p.Config.Design
		var want Status
		switch {
		case d.ArrayRows == 192:
			want = StatusDoesNotFit
		case d.ArrayRows == 7:
			want = StatusError
		case d.Arrays == 2:
			want = StatusFail
		default:
			want = StatusOK
		}
		if r.Status() != want {
			t.Errorf("%s: status %s, want %s (reason %q)", p.Key, r.Status(), want, r.Get(colReason))
		}
		switch want {
		case StatusDoesNotFit:
			if !strings.Contains(r.Get(colReason), "does not fit u280: needs") || r.Get(colLatency) != "" || r.Get(colDSPs) == "" {
				t.Errorf("%s: does_not_fit row reason %q latency %q dsps %q", p.Key, r.Get(colReason), r.Get(colLatency), r.Get(colDSPs))
			}
		case StatusError:
			if r.Get(colReason) != "fake: a tile of 7 rows does not fit the buffers" {
				t.Errorf("%s: error reason %q", p.Key, r.Get(colReason))
			}
		case StatusFail:
			if !strings.Contains(r.Get(colReason), "is below the lower bound") || r.Get("validation") != "fail" ||
				!strings.Contains(r.Get(colReason), "and 3 more") || r.Get("failed_kernels") != "6" {
				t.Errorf("%s: fail reason %q validation %q failed %q", p.Key, r.Get(colReason), r.Get("validation"), r.Get("failed_kernels"))
			}
		case StatusOK:
			if r.Get("validation") != "pass" || r.Get(colReason) != "" || r.Get(colLatency) == "" || r.Get("cycles") == "" {
				t.Errorf("%s: ok row %v", p.Key, r.Cells)
			}
			// The floors split bound_ms: they add up to it (to the rounding
			// of the printed digits).
			cf, err1 := strconv.ParseFloat(r.Get("compute_floor_ms"), 64)
			mf, err2 := strconv.ParseFloat(r.Get("memory_floor_ms"), 64)
			bound, err3 := strconv.ParseFloat(r.Get("bound_ms"), 64)
			if err1 != nil || err2 != nil || err3 != nil || bound <= 0 || math.Abs(cf+mf-bound) > 2e-4*max(1, bound) {
				t.Errorf("%s: compute floor %q + memory floor %q is not bound_ms %q", p.Key, r.Get("compute_floor_ms"), r.Get("memory_floor_ms"), r.Get("bound_ms"))
			}
		}
		for i, c := range r.Cells {
			if strings.ContainsAny(c, "\n\r") {
				t.Errorf("%s: cell %s is not one line", p.Key, Columns()[i].Name)
			}
		}
	}
	want := map[Status]int{StatusOK: 4, StatusFail: 4, StatusError: 8, StatusDoesNotFit: 8}
	for s, n := range want {
		if got[s] != n {
			t.Errorf("%d %s rows, want %d", got[s], s, n)
		}
	}
}

// The row's numbers follow from the simulation's: latency from cycles,
// fps from frames, the stage times add up, the port512 idea lifts the
// memory ceiling.
func TestEvaluateResults(t *testing.T) {
	pts := mustPoints(t, `{"base": {"scenario": "smolvla", "text_layers": 1, "image_size": 64, "frames": 2, "memory": "ideal"}, "ideas": ["port512"]}`)
	base, idea := Evaluate(pts[0], fakeEvaluator{}), Evaluate(pts[1], fakeEvaluator{})
	recs := Records([]Row{base, idea})
	b := recs[0]
	if b.Status != StatusOK {
		t.Fatalf("baseline %s: %s", b.Status, base.Get(colReason))
	}
	cycles := b.Row.Get("cycles")
	var n int64
	fmt.Sscan(cycles, &n)
	if want := fmt.Sprintf("%.4f", float64(n)/300e6*1e3); base.Get(colLatency) != want {
		t.Errorf("latency %s, want %s from %s cycles", base.Get(colLatency), want, cycles)
	}
	if want := 2 / (b.LatencyMs / 1e3); b.FPS < want*0.999 || b.FPS > want*1.001 {
		t.Errorf("fps %g, want frames / latency = %g", b.FPS, want)
	}
	sum := b.StageMs[0] + b.StageMs[1] + b.StageMs[2] + b.StageMs[3]
	if sum < b.LatencyMs*0.999 || sum > b.LatencyMs*1.001 {
		t.Errorf("stages add to %g ms, latency %g ms", sum, b.LatencyMs)
	}
	if b.BWGBps != 307.2 || recs[1].BWGBps != 460.8 {
		t.Errorf("memory ceilings %g, %g; want 307.2 and 460.8", b.BWGBps, recs[1].BWGBps)
	}
	if b.Bound != "compute" && b.Bound != "memory" || b.Efficiency <= 0 || b.Efficiency > 1 {
		t.Errorf("bound %q efficiency %g", b.Bound, b.Efficiency)
	}
	if b.DSPs != 6144 || b.OnChipBytes != 40*1024*1024 || b.WeightMB < 100 {
		t.Errorf("dsps %d onchip %d weight_mb %g", b.DSPs, b.OnChipBytes, b.WeightMB)
	}
}

// The file does not depend on the number of workers, though points finish
// out of order.
func TestRunDeterministic(t *testing.T) {
	pts := mustPoints(t, testSpaceJSON)
	for _, f := range []format.Format{FormatCSV, FormatJSONL} {
		one := runToBytes(t, pts, fakeEvaluator{}, 1, f)
		for _, j := range []int{2, 5} {
			if got := runToBytes(t, pts, fakeEvaluator{delay: time.Millisecond}, j, f); !bytes.Equal(got, one) {
				t.Errorf("%s with %d workers differs from 1 worker", f, j)
			}
		}
		file, err := ReadFile("x", one)
		if err != nil {
			t.Fatal(err)
		}
		if file.Format != f || len(file.Rows) != len(pts) || file.Partial || file.ValidBytes != int64(len(one)) {
			t.Errorf("%s read back: format %s, %d rows, partial %v", f, file.Format, len(file.Rows), file.Partial)
		}
		for i, r := range file.Rows {
			if r.Index() != i || r.Key() != pts[i].Key {
				t.Errorf("%s row %d is point %d %q", f, i, r.Index(), r.Key())
			}
			if !bytes.Equal(r.Encode(f), []byte(file.Lines[i]+"\n")) {
				t.Errorf("%s row %d does not encode back to its line", f, i)
			}
		}
	}
}

// A cancelled run writes only whole rows in order.
func TestRunCancel(t *testing.T) {
	pts := mustPoints(t, testSpaceJSON)
	ctx, cancel := context.WithCancel(context.Background())
	var buf bytes.Buffer
	prog := &countProgress{after: 5, cancel: cancel}
	rows, err := Runner{Evaluator: fakeEvaluator{delay: time.Millisecond}, Workers: 2, Progress: prog}.Run(ctx, pts, &buf, FormatCSV)
	if err != context.Canceled {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	if len(rows) == 0 || len(rows) >= len(pts) || prog.started != len(pts) || !prog.finished {
		t.Errorf("%d rows written after cancel, progress %+v", len(rows), prog)
	}
	file, err := ReadFile("x", append(FileHeader(FormatCSV), buf.Bytes()...))
	if err != nil || file.Partial || len(file.Rows) != len(rows) {
		t.Fatalf("cancelled output: %v, partial %v", err, file.Partial)
	}
	for i, r := range file.Rows {
		if r.Index() != i {
			t.Errorf("row %d is point %d", i, r.Index())
		}
	}
}

type countProgress struct {
	after    int
	cancel   func()
	started  int
	done     int
	finished bool
}

func (p *countProgress) Start(n int) { p.started = n }
func (p *countProgress) Done(Row) {
	p.done++
	if p.done == p.after {
		p.cancel()
	}
}
func (p *countProgress) Finish() { p.finished = true }

// runFile runs pts into path with OpenOutput (resuming when asked).
func runFile(t *testing.T, path string, pts []Point, f format.Format, resume bool) *Output {
	t.Helper()
	out, err := OpenOutput(path, pts, f, resume)
	if err != nil {
		t.Fatal(err)
	}
	defer out.File.Close()
	if _, err := (Runner{Evaluator: fakeEvaluator{}, Workers: 2}).Run(context.Background(), out.Todo, out.File, f); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestResumePartialLine(t *testing.T) {
	pts := mustPoints(t, testSpaceJSON)
	for _, f := range []format.Format{FormatCSV, FormatJSONL} {
		whole := runToBytes(t, pts, fakeEvaluator{}, 1, f)
		lines := bytes.SplitAfter(whole, []byte("\n"))
		head := 0
		if f == FormatCSV {
			head = 1
		}
		for _, cut := range []struct {
			name string
			rows int // complete rows kept
			tail int // bytes of the next line kept
		}{{"empty", 0, 0}, {"header only", 0, -1}, {"half a line", 7, 25}, {"whole lines", 11, 0}, {"all but a byte", 23, len(lines[head+23]) - 1}, {"all", 24, 0}} {
			var data []byte
			if cut.tail >= 0 && !(cut.rows == 0 && cut.tail == 0 && cut.name == "empty") {
				data = bytes.Join(lines[:head+cut.rows], nil)
				data = append(data, lines[head+cut.rows][:cut.tail]...)
			}
			if cut.name == "header only" {
				data = bytes.Join(lines[:head], nil)
			}
			path := filepath.Join(t.TempDir(), "out")
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			out := runFile(t, path, pts, f, true)
			got, _ := os.ReadFile(path)
			if !bytes.Equal(got, whole) {
				t.Errorf("%s %s: resumed file differs from an uninterrupted run", f, cut.name)
			}
			if len(out.Done) != cut.rows || out.Dropped != (cut.tail > 0) {
				t.Errorf("%s %s: %d rows resumed (want %d), dropped %v", f, cut.name, len(out.Done), cut.rows, out.Dropped)
			}
		}
	}
	// A missing file starts from scratch.
	path := filepath.Join(t.TempDir(), "new.csv")
	runFile(t, path, pts, FormatCSV, true)
	if got, _ := os.ReadFile(path); !bytes.Equal(got, runToBytes(t, pts, fakeEvaluator{}, 1, FormatCSV)) {
		t.Errorf("resume of a missing file differs from a fresh run")
	}
	// Without resume an existing file is replaced.
	runFile(t, path, pts[:3], FormatCSV, false)
	if got, _ := os.ReadFile(path); bytes.Count(got, []byte("\n")) != 4 {
		t.Errorf("a fresh run over an existing file left %d lines, want 4", bytes.Count(got, []byte("\n")))
	}
}

func TestResumeRefusesOtherFiles(t *testing.T) {
	pts := mustPoints(t, testSpaceJSON)
	whole := runToBytes(t, pts, fakeEvaluator{}, 1, FormatCSV)
	write := func(data []byte) string {
		path := filepath.Join(t.TempDir(), "out.csv")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	other := mustPoints(t, strings.Replace(testSpaceJSON, `"arrays": [2, 3]`, `"arrays": [3, 2]`, 1))
	shard := Shard{Index: 1, Count: 2}.Select(pts)
	moreIdeas := mustPoints(t, strings.Replace(testSpaceJSON, `"memory": "ideal"`, `"memory": "hbm"`, 1))
	for _, tc := range []struct {
		name string
		data []byte
		pts  []Point
		f    format.Format
		want string
	}{
		{"other space", whole, other, FormatCSV, `row 1: it is point 0 "precision=int8 array=64x64 arrays=2 ideas=none" where the run's is point 0 "precision=int8 array=64x64 arrays=3 ideas=none": the file is from another space or shard (remove it or pick another -o)`},
		{"other shard", firstLines(whole, 3), shard, FormatCSV, `row 1: it is point 0 "precision=int8 array=64x64 arrays=2 ideas=none" where the run's is point 1`},
		{"other base", whole, moreIdeas, FormatCSV, `row 1: point 0 "precision=int8 array=64x64 arrays=2 ideas=none" has memory "ideal" where the run's has "hbm"`},
		{"other format", whole, pts, FormatJSONL, "is csv, the run writes jsonl (pass --format csv)"},
		{"more rows", whole, pts[:3], FormatCSV, "has 24 rows, the run has 3 points"},
		{"not a sweep", []byte("a,b\n1,2\n"), pts, FormatCSV, "line 1 is not the header of this roofsim's sweep rows"},
		{"bad row", append(bytes.Clone(whole[:len(Header())+1]), []byte("1,2,3\n")...), pts, FormatCSV, "line 2: not a row of 56 CSV fields"},
		{"bad status", bytes.Replace(whole, []byte(",ok,"), []byte(",good,"), 1), pts, FormatCSV, `status "good" is not known`},
	} {
		_, err := OpenOutput(write(tc.data), tc.pts, tc.f, true)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v\nwant %s", tc.name, err, tc.want)
		}
	}
}

func TestShardMerge(t *testing.T) {
	pts := mustPoints(t, testSpaceJSON)
	for _, f := range []format.Format{FormatCSV, FormatJSONL} {
		whole := runToBytes(t, pts, fakeEvaluator{}, 1, f)
		for _, n := range []int{1, 3, 5, 30} {
			var names []string
			var datas [][]byte
			for i := n - 1; i >= 0; i-- { // any order
				names = append(names, fmt.Sprintf("shard%d", i))
				datas = append(datas, runToBytes(t, Shard{Index: i, Count: n}.Select(pts), fakeEvaluator{}, 2, f))
			}
			for _, withSpace := range [][]Point{pts, nil} {
				got, err := Merge(names, datas, withSpace)
				if err != nil {
					t.Fatalf("%s %d shards: %v", f, n, err)
				}
				if !bytes.Equal(got, whole) {
					t.Errorf("%s: %d shards merged differ from the whole run", f, n)
				}
			}
		}
	}
	shards := func() [][]byte {
		var ds [][]byte
		for i := range 3 {
			ds = append(ds, runToBytes(t, Shard{Index: i, Count: 3}.Select(pts), fakeEvaluator{}, 1, FormatCSV))
		}
		return ds
	}
	names := []string{"a.csv", "b.csv", "c.csv"}
	ds := shards()
	conflict := shards()
	conflict[2] = append(conflict[2], bytes.Replace(conflict[1][len(Header())+1:], []byte("is below the lower bound"), []byte("is below the bound"), 1)...)
	for _, tc := range []struct {
		name  string
		names []string
		datas [][]byte
		pts   []Point
		want  string
	}{
		{"duplicate", []string{"a.csv", "b.csv", "c.csv", "b2.csv"}, append(shards(), ds[1]), pts, `merge: point 1 "precision=int8 array=64x64 arrays=2 ideas=port512" is in both b.csv and b2.csv (a duplicate`},
		{"conflict", names, conflict, pts, "merge: point 1 is in both b.csv and c.csv with different rows (a conflict"},
		{"missing with space", names[:2], ds[:2], pts, `merge: point 2 "precision=int8 array=64x64 arrays=3 ideas=none" is missing (no file has it)`},
		{"missing without space", names[:2], ds[:2], nil, "merge: point 2 is missing (the files have points up to 22; pass --space to check against the space)"},
		{"missing tail", names, [][]byte{ds[0], ds[1], runToBytes(t, Shard{Index: 2, Count: 3}.Select(pts)[:7], fakeEvaluator{}, 1, FormatCSV)}, pts,
			`merge: point 23 "precision=int4 array=192x128 arrays=3 ideas=port512" is missing (no file has it), 23 of 24 points present`},
		{"other space", names, ds, mustPoints(t, strings.Replace(testSpaceJSON, `"arrays": [2, 3]`, `"arrays": [3, 2]`, 1)), "merge: a.csv: it is point 0"},
		{"formats", names, [][]byte{ds[0], ds[1], runToBytes(t, Shard{Index: 2, Count: 3}.Select(pts), fakeEvaluator{}, 1, FormatJSONL)}, pts, "merge: a.csv is csv, c.csv is jsonl"},
		{"partial", names, [][]byte{ds[0], ds[1], ds[2][:len(ds[2])-3]}, pts, "merge: c.csv ends in a partly written line: finish that shard with --resume first"},
		{"none", nil, nil, pts, "merge: no files to merge"},
	} {
		_, err := Merge(tc.names, tc.datas, tc.pts)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: err %v\nwant %s", tc.name, err, tc.want)
		}
	}
}

// TestResumeAfterKill runs a sweep in a child process (this test binary
// in helper mode), kills it with SIGKILL once some rows are in the file,
// resumes it, and compares the file with an uninterrupted run.
func TestResumeAfterKill(t *testing.T) {
	if os.Getenv("ROOFSIM_SWEEP_HELPER") != "" {
		t.Skip("helper process")
	}
	pts := mustPoints(t, testSpaceJSON)
	whole := runToBytes(t, pts, fakeEvaluator{}, 1, FormatCSV)
	path := filepath.Join(t.TempDir(), "killed.csv")
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperSweep$")
	cmd.Env = append(os.Environ(), "ROOFSIM_SWEEP_HELPER="+path)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		data, _ := os.ReadFile(path)
		if bytes.Count(data, []byte("\n")) > 6 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("the helper wrote no rows in 20 s")
		}
		time.Sleep(2 * time.Millisecond)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	killed, _ := os.ReadFile(path)
	n := bytes.Count(killed, []byte("\n")) - 1
	if n >= len(pts) {
		t.Fatalf("the helper finished all %d rows before the kill", n)
	}
	out := runFile(t, path, pts, FormatCSV, true)
	got, _ := os.ReadFile(path)
	if !bytes.Equal(got, whole) {
		t.Errorf("resumed after a kill at %d rows: the file differs from an uninterrupted run", n)
	}
	if len(out.Done) < 6 || len(out.Done) != n {
		t.Errorf("resumed %d rows, the killed file had %d", len(out.Done), n)
	}
}

// TestHelperSweep is the child process of TestResumeAfterKill: a slow
// sweep into the file named by ROOFSIM_SWEEP_HELPER.
func TestHelperSweep(t *testing.T) {
	path := os.Getenv("ROOFSIM_SWEEP_HELPER")
	if path == "" {
		t.Skip("run by TestResumeAfterKill")
	}
	pts := mustPoints(t, testSpaceJSON)
	out, err := OpenOutput(path, pts, FormatCSV, false)
	if err != nil {
		t.Fatal(err)
	}
	// 24 points of 10-30 ms on 2 workers: the parent kills it before the end.
	_, err = Runner{Evaluator: fakeEvaluator{delay: 10 * time.Millisecond}, Workers: 2}.Run(context.Background(), out.Todo, out.File, FormatCSV)
	if err != nil {
		t.Fatal(err)
	}
}

// firstLines returns the first n lines of data.
func firstLines(data []byte, n int) []byte {
	return bytes.Join(bytes.SplitAfter(data, []byte("\n"))[:n], nil)
}

func TestSummary(t *testing.T) {
	pts := mustPoints(t, testSpaceJSON)
	var rows []Row
	for _, p := range pts {
		rows = append(rows, Evaluate(p, fakeEvaluator{}))
	}
	if got := Summarize(rows).String(); got != "24 points: 4 ok, 4 fail, 8 does_not_fit, 8 error" {
		t.Errorf("summary %q", got)
	}
}
