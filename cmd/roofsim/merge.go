package main

import (
	"fmt"
	"io"
	"os"

	"github.com/roofsim/roofsim/report/format"
	"github.com/roofsim/roofsim/sweep"
	"github.com/spf13/cobra"
)

// maxSweepFileBytes bounds a sweep file read by merge and report (1 GiB).
const maxSweepFileBytes = 1 << 30

func newMergeCmd() *cobra.Command {
	var space spaceFlags
	var format, out string
	cmd := &cobra.Command{
		Use:   "merge SHARD_FILE...",
		Short: "Join the files of a sharded sweep into the file of the whole run",
		Long: `Join the rows of sweep shards (roofsim sweep --shard I/N) into one file:
the header, then every point's row in point order, byte-identical to the
file one unsharded run writes.

A point in two files is refused (a duplicate, or a conflict when the rows
differ), and so is a missing point: with the space (--space and the axis
flags the sweep was given) every point of the space must be present with
its key; without, the point indices must run from 0 without a gap. A file
ending in a partly written line (a shard killed while writing) must be
finished with roofsim sweep --resume first.

Exit codes: 0 merged; 2 bad input (including duplicate, conflicting or
missing points, a bad cell, an empty file); 3 an internal error.`,
		Example: `  roofsim merge --space space.json -o sweep.csv shard-*.csv`,
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var pts []sweep.Point
			if space.given(cmd) {
				var err error
				if _, pts, err = space.load(cmd); err != nil {
					return err
				}
			}
			var datas [][]byte
			for _, name := range args {
				b, err := readSweepFile(name)
				if err != nil {
					return err
				}
				datas = append(datas, b)
			}
			merged, err := sweep.Merge(args, datas, pts)
			if err != nil {
				return err
			}
			if cmd.Flags().Changed("format") {
				rf, err := sweep.ParseFormat(format)
				if err != nil {
					return fmt.Errorf("--format %q: merge writes sweep rows (accepted: csv|json, json being JSON lines)", format)
				}
				if merged, err = reformat(merged, rf); err != nil {
					return err
				}
			}
			o := outputFlags{out: out}
			return o.emit(cmd, func(w io.Writer) error { _, err := w.Write(merged); return err })
		},
	}
	addSpaceFlags(cmd, &space)
	cmd.Flags().StringVar(&format, "format", "", "row format of the output: csv or json (JSON lines); default: the shards' format")
	cmd.Flags().StringVarP(&out, "output", "o", "", "write the merged file to FILE instead of standard output")
	return cmd
}

// readSweepFile reads a sweep output file of at most maxSweepFileBytes. An
// empty file is refused: it holds no rows, not even a CSV header.
func readSweepFile(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxSweepFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(b) > maxSweepFileBytes {
		return nil, fmt.Errorf("%s: larger than %d bytes", name, maxSweepFileBytes)
	}
	if len(b) == 0 {
		return nil, fmt.Errorf("%s: empty file (accepted: a sweep file, CSV with its header or JSON lines; leave out a JSON-lines shard that had no points)", name)
	}
	return b, nil
}

// reformat writes a sweep file's rows in format f.
func reformat(data []byte, f format.Format) ([]byte, error) {
	file, err := sweep.ReadFile("merged", data)
	if err != nil {
		return nil, err
	}
	if file.Format == f {
		return data, nil
	}
	out := sweep.FileHeader(f)
	for _, r := range file.Rows {
		out = append(out, r.Encode(f)...)
	}
	return out, nil
}
