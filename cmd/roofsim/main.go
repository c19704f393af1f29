// Command roofsim simulates transformer accelerators on the AMD Alveo U280
// and checks every simulated kernel against its analytical roofline.
//
// Exit codes: 0 success, 1 a failed check, 2 bad input.
package main

import (
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes the CLI with args, writing to stdout and stderr, and returns
// the process exit code.
func run(args []string, stdout, stderr io.Writer) int {
	root := newRootCmd()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.Execute()
	if err == nil {
		return exitOK
	}
	fmt.Fprintln(stderr, "roofsim: "+oneLine(err.Error()))
	return exitCode(err)
}
