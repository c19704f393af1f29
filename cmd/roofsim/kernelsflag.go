package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/roofsim/roofsim/report"
	"github.com/roofsim/roofsim/report/format"
)

// defaultShortKernels is how many kernels the table and md outputs list
// without --kernels: the first screen.
const defaultShortKernels = 10

// parseKernels reads --kernels: "all" (report.AllKernels), a count >= 1,
// or empty for the default of format f (10 for table and md, all for csv
// and json).
func parseKernels(s string, f format.Format) (int, error) {
	switch {
	case s == "" && (f == format.CSV || f == format.JSON):
		return report.AllKernels, nil
	case s == "":
		return defaultShortKernels, nil
	case strings.EqualFold(s, "all"):
		return report.AllKernels, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("--kernels %q: accepted: a count of kernels >= 1, or all", s)
	}
	return n, nil
}
