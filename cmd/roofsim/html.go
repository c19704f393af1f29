package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/roofsim/roofsim/report"
	htmlreport "github.com/roofsim/roofsim/report/html"
	"github.com/roofsim/roofsim/validation"
	"github.com/spf13/cobra"
)

// addHTMLFlag registers --html on cmd; what names the page ("run", ...).
func addHTMLFlag(cmd *cobra.Command, path *string, what string) {
	cmd.Flags().StringVar(path, "html", "", "also write the "+what+" as one self-contained HTML page to FILE.html (opens offline: charts and tables inlined)")
}

// checkHTML checks --html before any work is done: the name ends in .html
// or .htm and the file can be written. An empty path is not checked.
func checkHTML(path string) error {
	if path == "" {
		return nil
	}
	if ext := strings.ToLower(filepath.Ext(path)); ext != ".html" && ext != ".htm" {
		return fmt.Errorf("--html %q: the page is an HTML file (accepted: a name ending in .html or .htm)", path)
	}
	return checkWritable("--html", path)
}

// writeHTML builds the page with build and writes it to path in one piece
// (a temporary file renamed into place); an empty path writes nothing.
func writeHTML(path string, build func() ([]byte, error)) error {
	if path == "" {
		return nil
	}
	page, err := build()
	if err != nil {
		return fmt.Errorf("--html: %w", err)
	}
	if err := writeFileAtomic(path, page); err != nil {
		return fmt.Errorf("--html: %w", err)
	}
	return nil
}

// writeRunHTML writes the run page of pass c to path (nothing when path is
// empty): the summary and stage tables, the policy's when pol is set, the
// charts and the kernel table.
func writeRunHTML(path, scenario string, c validation.Comparison, tl *htmlreport.Timeline, pol *report.PolicySummary) error {
	return writeHTML(path, func() ([]byte, error) {
		tables := report.RunTables(scenario, c, report.AllKernels)[:2]
		if pol != nil {
			tables = append(tables, report.PolicyTables(*pol)...)
		}
		return htmlreport.Run(scenario, c, tl, tables)
	})
}
