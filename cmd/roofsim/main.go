// Command roofsim simulates transformer accelerators on the AMD Alveo U280
// and checks every simulated kernel against its analytical roofline.
//
// Exit codes: 0 success, 1 a failed check, 2 bad input, 3 an internal error
// (a bug in roofsim: a recovered panic).
//
//go:debug randseednop=0
package main

import (
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"github.com/spf13/cobra"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes the CLI with args, writing to stdout and stderr, and returns
// the process exit code.
func run(args []string, stdout, stderr io.Writer) int {
	return execute(newRootCmd(), args, stdout, stderr)
}

// execute runs the command tree root with args. A panic anywhere in the
// command (flag handling, simulation, rendering) is recovered and reported
// as an internal error: one line naming the command and asking for a bug
// report, the stack only under --debug, exit 3.
func execute(root *cobra.Command, args []string, stdout, stderr io.Writer) (code int) {
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	defer func() {
		p := recover()
		if p == nil {
			return
		}
		name := root.Name()
		if cmd, _, err := root.Find(args); err == nil {
			name = cmd.CommandPath()
		}
		fmt.Fprintf(stderr, "%s: internal error: %s (a bug in roofsim: please report it with the command line that caused it; rerun with --debug for the stack)\n",
			name, oneLine(fmt.Sprint(p)))
		if dbg, err := root.PersistentFlags().GetBool("debug"); err == nil && dbg {
			stderr.Write(debug.Stack())
		}
		code = exitInternal
	}()
	err := root.Execute()
	if err == nil {
		return exitOK
	}
	fmt.Fprintln(stderr, "roofsim: "+oneLine(err.Error()))
	return exitCode(err)
}
