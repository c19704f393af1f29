package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/roofsim/roofsim/report"
	"github.com/roofsim/roofsim/report/format"
	"github.com/spf13/cobra"
)

// outputFlags are the --format and -o flags every command takes.
type outputFlags struct {
	format string
	out    string
}

// addOutputFlags registers --format and -o on cmd.
func addOutputFlags(cmd *cobra.Command, o *outputFlags) {
	cmd.Flags().StringVar(&o.format, "format", "table", "output format: "+format.Names)
	cmd.Flags().StringVarP(&o.out, "output", "o", "", "write the output to FILE instead of standard output")
}

// parse checks the flags before any work is done: the format is known and
// the -o file can be written.
func (o *outputFlags) parse() (format.Format, error) {
	f, err := format.Parse(o.format)
	if err != nil {
		return "", err
	}
	return f, checkWritable("-o", o.out)
}

// checkWritable checks, before any work is done, that the file path given
// to flag can be written: it creates and removes a temporary file in its
// directory (a path that exists and is not a regular file, such as
// /dev/stdout, must open for writing). An empty path is not checked.
func checkWritable(flag, path string) error {
	if path == "" {
		return nil
	}
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() {
		if st.IsDir() {
			return fmt.Errorf("%s %s: is a directory (accepted: a file path)", flag, path)
		}
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return fmt.Errorf("%s %s: cannot be written: %w", flag, path, bareError(err))
		}
		return f.Close()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("%s %s: cannot write in directory %s: %w", flag, path, filepath.Dir(path), bareError(err))
	}
	tmp.Close()
	return os.Remove(tmp.Name())
}

// checkPlot checks an image path given to flag before any work is done:
// its extension names the image format ("png" or "svg", returned) and the
// file can be written. An empty path returns "".
func checkPlot(flag, path string) (string, error) {
	if path == "" {
		return "", nil
	}
	f, err := report.PlotFormat(path)
	if err != nil {
		return "", fmt.Errorf("%s %q: unknown image type %q (accepted: .png|.svg)", flag, path, filepath.Ext(path))
	}
	return f, checkWritable(flag, path)
}

// bareError strips the path from a file system error so that a message
// never shows a temporary file's name.
func bareError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// emit renders the whole output into memory with render and then writes it
// to standard output or, with -o, to the file in one piece (a temporary file
// renamed into place), so a failure never leaves a partly written file.
func (o *outputFlags) emit(cmd *cobra.Command, render func(w io.Writer) error) error {
	var buf bytes.Buffer
	if err := render(&buf); err != nil {
		return err
	}
	if o.out == "" {
		_, err := cmd.OutOrStdout().Write(buf.Bytes())
		return err
	}
	if err := writeFileAtomic(o.out, buf.Bytes()); err != nil {
		return fmt.Errorf("-o: %w", err)
	}
	return nil
}

// writeFileAtomic writes data to path through a temporary file in the same
// directory and a rename. A path that exists and is not a regular file (a
// device such as /dev/stdout, a pipe) is written directly.
func writeFileAtomic(path string, data []byte) error {
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() {
		if st.IsDir() {
			return fmt.Errorf("%s: is a directory", path)
		}
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		_, werr := f.Write(data)
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return fmt.Errorf("%s: %w", path, werr)
		}
		return nil
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("%s: %w", path, bareError(err))
	}
	name := tmp.Name()
	_, werr := tmp.Write(data)
	if werr == nil {
		werr = tmp.Chmod(0o644)
	}
	cerr := tmp.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(name, path)
	}
	if werr != nil {
		os.Remove(name)
		return fmt.Errorf("%s: %w", path, bareError(werr))
	}
	return nil
}

// emitTables writes tables in the chosen format.
func (o *outputFlags) emitTables(cmd *cobra.Command, f format.Format, tables ...*report.Table) error {
	return o.emit(cmd, func(w io.Writer) error { return report.WriteTables(w, f, tables...) })
}
