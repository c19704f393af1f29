package sweep

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"

	"github.com/roofsim/roofsim/report/format"
)

// Progress is told how a run goes. The sweep calls it from one goroutine.
type Progress interface {
	// Start is called once with the points to run (resumed ones excluded).
	Start(points int)
	// Done is called for every finished point, in completion order.
	Done(r Row)
	// Finish is called once when the run ends.
	Finish()
}

// Runner evaluates points in parallel.
type Runner struct {
	// Evaluator simulates a point.
	Evaluator Evaluator
	// Workers is the number of points evaluated at once (at least 1).
	Workers int
	// Progress, when not nil, is told about each finished point.
	Progress Progress
}

// result is one finished point: its position in the run and its row.
type result struct {
	pos int
	row Row
}

// Run evaluates pts with r.Workers goroutines, each point with its own
// call to the evaluator, and writes each row to w in the order of pts,
// each as soon as it and every row before it are done (rows finished out
// of order wait in memory). Each row is one Write of a whole line. When
// ctx is cancelled no further point starts; the points running finish and
// the rows in order are written, and Run returns ctx's error. It returns
// the rows written.
func (r Runner) Run(ctx context.Context, pts []Point, w io.Writer, f format.Format) ([]Row, error) {
	workers := max(r.Workers, 1)
	if r.Progress != nil {
		r.Progress.Start(len(pts))
		defer r.Progress.Finish()
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	todo := make(chan int)
	done := make(chan result)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for pos := range todo {
				done <- result{pos, Evaluate(pts[pos], r.Evaluator)}
			}
		}()
	}
	go func() {
		defer close(todo)
		for pos := range pts {
			select {
			case todo <- pos:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		wg.Wait()
		close(done)
	}()

	pending := make([]*Row, len(pts))
	var written []Row
	next := 0
	var werr error
	for res := range done {
		if r.Progress != nil {
			r.Progress.Done(res.row)
		}
		pending[res.pos] = &res.row
		for werr == nil && next < len(pts) && pending[next] != nil {
			row := *pending[next]
			pending[next] = nil
			if _, err := w.Write(row.Encode(f)); err != nil {
				werr = fmt.Errorf("writing the rows: %w", err)
				cancel()
				break
			}
			written = append(written, row)
			next++
		}
	}
	if werr != nil {
		return written, werr
	}
	if next < len(pts) {
		if err := ctx.Err(); err != nil {
			return written, err
		}
		return written, errors.New("sweep: the workers stopped early")
	}
	return written, nil
}

// Output is a sweep's output file opened for writing rows.
type Output struct {
	// File is positioned where the next row goes.
	File *os.File
	// Done are the rows already in the file (resumed), in order.
	Done []Row
	// Todo are the points still to run, in order.
	Todo []Point
	// Dropped reports that a partly written last line was removed.
	Dropped bool
}

// OpenOutput opens the output file of a run of pts (the points of the
// space, or of a shard) in format f. Without resume the file is created
// or emptied and the header written. With resume an existing file is read
// back: its rows must be the first rows of the run (same index, key and
// parameters: the same space and shard) and its format f; a partly written
// last line is dropped; the file is positioned after the last complete
// row and the points after it are left to run. A missing or empty file
// starts from the beginning.
func OpenOutput(path string, pts []Point, f format.Format, resume bool) (*Output, error) {
	out := &Output{Todo: pts}
	var data []byte
	if resume {
		b, err := os.ReadFile(path)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("--resume: %w", err)
		}
		data = b
	}
	valid := int64(0)
	if len(data) > 0 {
		file, err := ReadFile(path, data)
		if err != nil {
			return nil, fmt.Errorf("--resume: %w", err)
		}
		if file.Format != f {
			return nil, fmt.Errorf("--resume: %s is %s, the run writes %s (pass --format %s)", path, formatName(file.Format), formatName(f), formatName(file.Format))
		}
		if len(file.Rows) > len(pts) {
			return nil, fmt.Errorf("--resume: %s has %d rows, the run has %d points: the file is from another space or shard", path, len(file.Rows), len(pts))
		}
		for i, row := range file.Rows {
			if err := sameParams(row, pts[i]); err != nil {
				return nil, fmt.Errorf("--resume: %s row %d: %w: the file is from another space or shard (remove it or pick another -o)", path, i+1, err)
			}
		}
		out.Done = file.Rows
		out.Todo = pts[len(file.Rows):]
		out.Dropped = file.Partial
		valid = file.ValidBytes
	}
	fh, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("-o: %w", err)
	}
	fail := func(err error) (*Output, error) {
		fh.Close()
		return nil, fmt.Errorf("-o: %s: %w", path, err)
	}
	if err := fh.Truncate(valid); err != nil {
		return fail(err)
	}
	if _, err := fh.Seek(valid, io.SeekStart); err != nil {
		return fail(err)
	}
	if valid == 0 {
		if _, err := fh.Write(FileHeader(f)); err != nil {
			return fail(err)
		}
	}
	out.File = fh
	return out, nil
}

// sameParams checks that a row read back is point p's: same index, key and
// parameter cells.
func sameParams(row Row, p Point) error {
	if row.Index() != p.Index || row.Key() != p.Key {
		return fmt.Errorf("it is point %d %q where the run's is point %d %q", row.Index(), row.Key(), p.Index, p.Key)
	}
	want := p.Row()
	last := columnIndex(firstResultColumn)
	cols := Columns()
	for i := range last {
		if i == columnIndex(colStatus) {
			continue
		}
		if row.Cells[i] != want.Cells[i] {
			return fmt.Errorf("point %d %q has %s %q where the run's has %q", p.Index, p.Key, cols[i].Name, row.Cells[i], want.Cells[i])
		}
	}
	return nil
}

// Summary counts rows by status.
type Summary struct {
	// Points is the number of rows.
	Points int
	// ByStatus counts the rows of each status.
	ByStatus map[Status]int
}

// Summarize counts rows by status.
func Summarize(rows []Row) Summary {
	s := Summary{Points: len(rows), ByStatus: map[Status]int{}}
	for _, r := range rows {
		s.ByStatus[r.Status()]++
	}
	return s
}

// String writes the counts, e.g. "12 points: 9 ok, 0 fail, 2 does_not_fit,
// 1 error".
func (s Summary) String() string {
	txt := Plural(s.Points, "point") + ":"
	for i, st := range Statuses() {
		sep := ","
		if i == 0 {
			sep = ""
		}
		txt += fmt.Sprintf("%s %d %s", sep, s.ByStatus[st], st)
	}
	return txt
}

// Plural writes n and the noun, with an s unless n is 1: "1 point", "3 points".
func Plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// Merge joins the files of the shards of one space (each a name and its
// bytes) into the file the unsharded run writes: the same header, the rows
// sorted by point index, the lines as written. The files must share a
// format and be complete (no partly written line). A point in two files is
// refused (a duplicate when the lines are equal, a conflict when not), as
// is a missing point: with pts (the space's points) every point must be
// present with its key; without, the indices must run from 0 without a
// gap.
func Merge(names []string, datas [][]byte, pts []Point) ([]byte, error) {
	if len(names) == 0 {
		return nil, fmt.Errorf("merge: no files to merge")
	}
	type line struct {
		file string
		row  Row
		text string
	}
	var all []line
	var rowFormat format.Format
	formatFrom := ""
	for i, name := range names {
		file, err := ReadFile(name, datas[i])
		if err != nil {
			return nil, fmt.Errorf("merge: %w", err)
		}
		if file.Partial {
			return nil, fmt.Errorf("merge: %s ends in a partly written line: finish that shard with --resume first", name)
		}
		switch {
		case len(datas[i]) == 0:
			// An empty file (a JSON-lines shard without points) has no format.
		case formatFrom == "":
			rowFormat, formatFrom = file.Format, name
		case file.Format != rowFormat:
			return nil, fmt.Errorf("merge: %s is %s, %s is %s: merge files of one format", formatFrom, formatName(rowFormat), name, formatName(file.Format))
		}
		for j, r := range file.Rows {
			all = append(all, line{name, r, file.Lines[j]})
		}
	}
	slices.SortStableFunc(all, func(a, b line) int { return a.row.Index() - b.row.Index() })
	for i := 1; i < len(all); i++ {
		a, b := all[i-1], all[i]
		if a.row.Index() != b.row.Index() {
			continue
		}
		if a.text == b.text {
			return nil, fmt.Errorf("merge: point %d %q is in both %s and %s (a duplicate: was a shard given twice?)", a.row.Index(), a.row.Key(), a.file, b.file)
		}
		return nil, fmt.Errorf("merge: point %d is in both %s and %s with different rows (a conflict: %q vs %q)", a.row.Index(), a.file, b.file, a.row.Key(), b.row.Key())
	}
	if pts != nil {
		for i, l := range all {
			if l.row.Index() >= len(pts) {
				return nil, fmt.Errorf("merge: %s has point %d, the space has %d points", l.file, l.row.Index(), len(pts))
			}
			if l.row.Index() != i {
				p := pts[i]
				return nil, fmt.Errorf("merge: point %d %q is missing (no file has it)", p.Index, p.Key)
			}
			if err := sameParams(l.row, pts[i]); err != nil {
				return nil, fmt.Errorf("merge: %s: %w: the file is from another space", l.file, err)
			}
		}
		if len(all) < len(pts) {
			p := pts[len(all)]
			return nil, fmt.Errorf("merge: point %d %q is missing (no file has it), %d of %d points present", p.Index, p.Key, len(all), len(pts))
		}
	} else {
		for i, l := range all {
			if l.row.Index() != i {
				return nil, fmt.Errorf("merge: point %d is missing (the files have points up to %d; pass --space to check against the space)", i, all[len(all)-1].row.Index())
			}
		}
	}
	var out []byte
	if formatFrom != "" {
		out = append(out, FileHeader(rowFormat)...)
	}
	for _, l := range all {
		out = append(out, l.text...)
		out = append(out, '\n')
	}
	return out, nil
}
