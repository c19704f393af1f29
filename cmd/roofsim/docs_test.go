package main

// The documentation test: every figure that README.md and docs/*.md quote from a run lives in a block
//
//	<!-- roofsim: ARGS [&& ARGS]... [| head -n N] [| grep -E 'RE'] -->
//	(the output, generated)
//	<!-- /roofsim -->
//
// TestDocs runs each block's commands in-process through run (the CLI's entry point) from the repository root,
// and fails with a diff when a block's content is not what the program prints today; with -update it rewrites the
// blocks. "$TMP/" in ARGS is a fresh temporary directory (for files one command writes and the next reads). Options
// between "roofsim" and the colon: "slow" runs the block only when ROOFSIM_DOCS_SLOW=1 (commands that take more
// than a few seconds: compare over every preset, sweeps); "exit N" expects the last command to exit with N (an
// error example: the block then shows its standard error too). Any other exit code fails the test, also with
// -update, so that a renamed flag never writes an error into the docs.
//
//	go test ./cmd/roofsim -run Docs                           # check the fast blocks
//	go test ./cmd/roofsim -run Docs -update                   # rewrite them
//	ROOFSIM_DOCS_SLOW=1 go test ./cmd/roofsim -run Docs -update -timeout 30m   # every block
//	ROOFSIM_DOCS_ONLY=docs/policy.md ROOFSIM_DOCS_SLOW=1 go test ./cmd/roofsim -run Docs -update   # one file's blocks

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// docsSlowEnv names the environment variable that enables the slow blocks.
const docsSlowEnv = "ROOFSIM_DOCS_SLOW"

// docsOnlyEnv names the environment variable that, when set, restricts the
// test to the Markdown files it lists (comma-separated, relative to the
// repository root).
const docsOnlyEnv = "ROOFSIM_DOCS_ONLY"

// docsRoot is the repository root seen from this package's directory.
const docsRoot = "../.."

const (
	docOpen      = "<!-- roofsim"
	docClose     = "<!-- /roofsim -->"
	docTmpPrefix = "$TMP/"
)

// docBlock is one generated block of a Markdown file.
type docBlock struct {
	line     int    // 1-based line of the opening marker
	spec     string // the marker's text after "roofsim:" (commands and filters)
	slow     bool   // opened with "roofsim slow:"
	exit     int    // the exit code the last command must return ("roofsim exit N:"; 0 by default)
	from, to int    // byte range of the content between the two marker lines
	cmds     [][]string
	filters  [][]string
}

// docFiles lists README.md and docs/*.md, relative to the repository root.
func docFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	files = append([]string{"README.md"}, files...)
	if only := os.Getenv(docsOnlyEnv); only != "" {
		var kept []string
		for _, f := range files {
			for _, o := range strings.Split(only, ",") {
				if filepath.Clean(o) == filepath.Clean(f) {
					kept = append(kept, f)
				}
			}
		}
		if len(kept) == 0 {
			t.Fatalf("%s=%q names none of %v", docsOnlyEnv, only, files)
		}
		files = kept
	}
	return files
}

// parseDocBlocks finds the blocks of a Markdown text.
func parseDocBlocks(text string) ([]docBlock, error) {
	var blocks []docBlock
	var open *docBlock
	off := 0
	for i, line := range strings.SplitAfter(text, "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(trimmed, docOpen):
			if open != nil {
				return nil, fmt.Errorf("line %d: block opened inside the block of line %d", i+1, open.line)
			}
			b, err := parseDocMarker(trimmed)
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", i+1, err)
			}
			b.line, b.from = i+1, off+len(line)
			open = &b
		case trimmed == docClose:
			if open == nil {
				return nil, fmt.Errorf("line %d: %s without an opening marker", i+1, docClose)
			}
			open.to = off
			blocks = append(blocks, *open)
			open = nil
		}
		off += len(line)
	}
	if open != nil {
		return nil, fmt.Errorf("line %d: block not closed with %s", open.line, docClose)
	}
	return blocks, nil
}

// parseDocMarker reads an opening marker: "<!-- roofsim [slow] [exit N]: SPEC -->".
func parseDocMarker(marker string) (docBlock, error) {
	body, ok := strings.CutSuffix(strings.TrimPrefix(marker, docOpen), "-->")
	if !ok {
		return docBlock{}, fmt.Errorf("the opening marker must end with --> on the same line")
	}
	opts, spec, ok := strings.Cut(body, ":")
	if !ok {
		return docBlock{}, fmt.Errorf("the opening marker needs a colon before the command: <!-- roofsim: ARGS -->")
	}
	var b docBlock
	words := strings.Fields(opts)
	for i := 0; i < len(words); i++ {
		switch {
		case words[i] == "slow":
			b.slow = true
		case words[i] == "exit" && i+1 < len(words):
			code, err := strconv.Atoi(words[i+1])
			if err != nil {
				return docBlock{}, fmt.Errorf("exit wants an exit code, got %q", words[i+1])
			}
			b.exit = code
			i++
		default:
			return docBlock{}, fmt.Errorf("unknown marker option %q (accepted: slow, exit N)", words[i])
		}
	}
	b.spec = strings.TrimSpace(spec)
	var err error
	if b.cmds, b.filters, err = parseDocSpec(b.spec); err != nil {
		return docBlock{}, err
	}
	return b, nil
}

// parseDocSpec splits "ARGS && ARGS | FILTER | FILTER" into commands and filters.
func parseDocSpec(spec string) (cmds, filters [][]string, err error) {
	words, err := splitWords(spec)
	if err != nil {
		return nil, nil, err
	}
	cur := []string{}
	inFilters := false
	flush := func() error {
		if len(cur) == 0 {
			return fmt.Errorf("empty command or filter in %q", spec)
		}
		if inFilters {
			filters = append(filters, cur)
		} else {
			cmds = append(cmds, cur)
		}
		cur = []string{}
		return nil
	}
	for _, w := range words {
		switch w {
		case "&&", "|":
			if w == "&&" && inFilters {
				return nil, nil, fmt.Errorf("&& after a filter in %q", spec)
			}
			if err := flush(); err != nil {
				return nil, nil, err
			}
			inFilters = inFilters || w == "|"
		default:
			cur = append(cur, w)
		}
	}
	if err := flush(); err != nil {
		return nil, nil, err
	}
	for _, f := range filters {
		if _, err := docFilter(f, ""); err != nil {
			return nil, nil, err
		}
	}
	return cmds, filters, nil
}

// splitWords splits s at spaces; single or double quotes group words (no escapes).
func splitWords(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	var quote rune
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unclosed quote in %q", s)
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

// docFilter applies one filter (head -n N, or grep -E RE) to text.
func docFilter(f []string, text string) (string, error) {
	lines := strings.SplitAfter(text, "\n")
	switch {
	case len(f) == 3 && f[0] == "head" && f[1] == "-n":
		n, err := strconv.Atoi(f[2])
		if err != nil || n < 1 {
			return "", fmt.Errorf("head -n wants a count >= 1, got %q", f[2])
		}
		return strings.Join(lines[:min(n, len(lines))], ""), nil
	case len(f) == 3 && f[0] == "grep" && f[1] == "-E":
		re, err := regexp.Compile(f[2])
		if err != nil {
			return "", fmt.Errorf("grep -E: %w", err)
		}
		var out strings.Builder
		for _, l := range lines {
			if re.MatchString(strings.TrimSuffix(l, "\n")) {
				out.WriteString(l)
			}
		}
		return out.String(), nil
	}
	return "", fmt.Errorf("unknown filter %q (accepted: head -n N, grep -E 'RE')", strings.Join(f, " "))
}

// docRunner runs the blocks' commands once each and remembers their output.
type docRunner struct {
	tmp  string
	seen map[string]docRun
}

// docRun is what a terminal shows of one command: its standard output, and its standard error and exit code when
// it fails.
type docRun struct {
	out  string
	code int
}

// output runs one command (with $TMP/ resolved), once for all the blocks that run it.
func (r *docRunner) output(args []string) docRun {
	key := strings.Join(args, "\x00")
	if res, ok := r.seen[key]; ok {
		return res
	}
	resolved := make([]string, len(args))
	for i, a := range args {
		resolved[i] = strings.ReplaceAll(a, docTmpPrefix, r.tmp+string(filepath.Separator))
	}
	var stdout, stderr bytes.Buffer
	code := run(resolved, &stdout, &stderr)
	out := stdout.String()
	if code != exitOK {
		out += stderr.String() + fmt.Sprintf("(exit %d)\n", code)
	}
	r.seen[key] = docRun{out, code}
	return r.seen[key]
}

// render runs a block and returns the content it should hold.
func (r *docRunner) render(b docBlock) (string, error) {
	var out string
	for i, c := range b.cmds {
		res := r.output(c)
		want := 0
		if i == len(b.cmds)-1 {
			want = b.exit
		}
		if res.code != want {
			return "", fmt.Errorf("roofsim %s exited %d, want %d:\n%s", strings.Join(c, " "), res.code, want, res.out)
		}
		out += res.out
	}
	for _, f := range b.filters {
		var err error
		if out, err = docFilter(f, out); err != nil {
			return "", err
		}
	}
	if out == "" {
		return "", fmt.Errorf("roofsim %s: the block would be empty (a filter matched nothing?)", b.spec)
	}
	shown := "$ roofsim " + strings.ReplaceAll(strings.ReplaceAll(b.spec, " && ", " && roofsim "), docTmpPrefix, "")
	last := b.cmds[len(b.cmds)-1]
	markdown := strings.Contains(" "+strings.Join(last, " ")+" ", " --format md ")
	if markdown {
		return "\n```\n" + shown + "\n```\n\n" + out + "\n", nil
	}
	return "\n```\n" + shown + "\n" + out + "```\n\n", nil
}

func TestDocs(t *testing.T) {
	t.Chdir(docsRoot)
	slow := os.Getenv(docsSlowEnv) == "1"
	runner := &docRunner{tmp: t.TempDir(), seen: map[string]docRun{}}
	total := 0
	for _, file := range docFiles(t) {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		text := string(data)
		blocks, err := parseDocBlocks(text)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		total += len(blocks)
		var rewritten strings.Builder
		done := 0
		for _, b := range blocks {
			rewritten.WriteString(text[done:b.from])
			done = b.from
			if b.slow && !slow {
				t.Logf("%s:%d: slow block skipped (set %s=1 to run it): %s", file, b.line, docsSlowEnv, b.spec)
				continue
			}
			start := time.Now()
			got, err := runner.render(b)
			if err != nil {
				t.Fatalf("%s:%d: %v", file, b.line, err)
			}
			t.Logf("%s:%d: %.2f s: %s", file, b.line, time.Since(start).Seconds(), b.spec)
			rewritten.WriteString(got)
			done = b.to
			if want := text[b.from:b.to]; got != want && !*update {
				t.Errorf("%s:%d: the block of `roofsim %s` differs from the program's output "+
					"(run go test ./cmd/roofsim -run Docs -update after checking the change):\n%s",
					file, b.line, b.spec, lineDiff(want, got))
			}
		}
		rewritten.WriteString(text[done:])
		if *update && rewritten.String() != text {
			if err := os.WriteFile(file, []byte(rewritten.String()), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	if total == 0 {
		t.Fatal("no roofsim blocks found in README.md and docs/*.md")
	}
}

// lineDiff shows the lines only in want (-) and only in got (+), by a longest common subsequence of lines.
func lineDiff(want, got string) string {
	a, b := strings.Split(want, "\n"), strings.Split(got, "\n")
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out strings.Builder
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			i, j = i+1, j+1
		case i < len(a) && (j == len(b) || lcs[i+1][j] >= lcs[i][j+1]):
			fmt.Fprintf(&out, "- %s\n", a[i])
			i++
		default:
			fmt.Fprintf(&out, "+ %s\n", b[j])
			j++
		}
	}
	return out.String()
}

func TestDocsParse(t *testing.T) {
	cases := []struct {
		name, text string
		blocks     int
		err        string
	}{
		{"none", "# title\n", 0, ""},
		{"one", "a\n<!-- roofsim: hw --format md -->\nold\n<!-- /roofsim -->\nb\n", 1, ""},
		{"chain and filters", "<!-- roofsim slow: sweep -o $TMP/s.csv && report $TMP/s.csv | grep -E '^\\| (a|b)' | head -n 3 -->\n<!-- /roofsim -->\n", 1, ""},
		{"unclosed", "<!-- roofsim: hw -->\nx\n", 0, "not closed"},
		{"nested", "<!-- roofsim: hw -->\n<!-- roofsim: params -->\n<!-- /roofsim -->\n", 0, "opened inside"},
		{"stray close", "<!-- /roofsim -->\n", 0, "without an opening"},
		{"marker on two lines", "<!-- roofsim: hw\n-->\n<!-- /roofsim -->\n", 0, "same line"},
		{"unknown filter", "<!-- roofsim: hw | tail -n 3 -->\n<!-- /roofsim -->\n", 0, "unknown filter"},
		{"bad head", "<!-- roofsim: hw | head -n x -->\n<!-- /roofsim -->\n", 0, "head -n"},
		{"empty command", "<!-- roofsim: hw && | head -n 2 -->\n<!-- /roofsim -->\n", 0, "empty command"},
		{"unclosed quote", "<!-- roofsim: hw | grep -E 'a -->\n<!-- /roofsim -->\n", 0, "unclosed quote"},
		{"exit code", "<!-- roofsim exit 2: hw --design x -->\n<!-- /roofsim -->\n", 1, ""},
		{"bad exit code", "<!-- roofsim exit two: hw -->\n<!-- /roofsim -->\n", 0, "exit wants"},
		{"unknown option", "<!-- roofsim fast: hw -->\n<!-- /roofsim -->\n", 0, "unknown marker option"},
		{"no colon", "<!-- roofsim hw -->\n<!-- /roofsim -->\n", 0, "needs a colon"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			blocks, err := parseDocBlocks(c.text)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error %v, want one containing %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(blocks) != c.blocks {
				t.Fatalf("%d blocks, want %d", len(blocks), c.blocks)
			}
		})
	}
	blocks, err := parseDocBlocks("<!-- roofsim slow: sweep -o $TMP/s.csv && report $TMP/s.csv | grep -E '^\\| (a|b)' | head -n 3 -->\nold\n<!-- /roofsim -->\n")
	if err != nil {
		t.Fatal(err)
	}
	b := blocks[0]
	if !b.slow || len(b.cmds) != 2 || strings.Join(b.cmds[1], " ") != "report $TMP/s.csv" ||
		len(b.filters) != 2 || b.filters[0][2] != `^\| (a|b)` {
		t.Errorf("parsed %+v", b)
	}
	if blocks, err = parseDocBlocks("<!-- roofsim slow exit 1: run | head -n 2 -->\n<!-- /roofsim -->\n"); err != nil ||
		!blocks[0].slow || blocks[0].exit != 1 || blocks[0].spec != "run | head -n 2" {
		t.Errorf("slow exit 1: %+v, %v", blocks, err)
	}
	filtered, err := docFilter(b.filters[0], "| a 1\n| c 2\n| b 3\n")
	if err != nil || filtered != "| a 1\n| b 3\n" {
		t.Errorf("grep gave %q, %v", filtered, err)
	}
	if filtered, _ = docFilter([]string{"head", "-n", "1"}, "x\ny\n"); filtered != "x\n" {
		t.Errorf("head gave %q", filtered)
	}
	if d := lineDiff("a\nb\nc", "a\nB\nc"); d != "- b\n+ B\n" {
		t.Errorf("lineDiff gave %q", d)
	}
}

// README.md stays one page (issue 9: at most 12 KiB).
func TestDocsREADMESize(t *testing.T) {
	const maxBytes = 12288
	info, err := os.Stat(filepath.Join(docsRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if info.Size() > maxBytes {
		t.Errorf("README.md has %d bytes, at most %d: move detail to docs/", info.Size(), maxBytes)
	}
}

// docLink matches a Markdown link or image target: ](path) or ](path#anchor).
var docLink = regexp.MustCompile(`\]\(([^)\s]*)\)`)

// docHeading matches a Markdown heading line.
var docHeading = regexp.MustCompile(`(?m)^#{1,6} +(.+?) *$`)

// docAnchor is GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens.
func docAnchor(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || ('a' <= r && r <= 'z') || ('0' <= r && r <= '9'):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// docAnchors lists the anchors of a Markdown file's headings (outside code fences).
func docAnchors(text string) map[string]bool {
	anchors := map[string]bool{}
	fenced := false
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "```") {
			fenced = !fenced
			continue
		}
		if m := docHeading.FindStringSubmatch(line); m != nil && !fenced {
			anchors[docAnchor(m[1])] = true
		}
	}
	return anchors
}

// Every relative link of README.md and docs/*.md reaches a file of the checkout, and its #anchor a heading there.
func TestDocsLinks(t *testing.T) {
	t.Chdir(docsRoot)
	for _, file := range docFiles(t) {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range docLink.FindAllStringSubmatch(string(data), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			path, anchor, _ := strings.Cut(target, "#")
			if path == "" {
				path = file
			} else {
				path = filepath.Join(filepath.Dir(file), path)
			}
			linked, err := os.ReadFile(path)
			if err != nil {
				t.Errorf("%s: link %q: %v", file, target, err)
				continue
			}
			if anchor != "" && !docAnchors(string(linked))[anchor] {
				t.Errorf("%s: link %q: %s has no heading with anchor #%s", file, target, path, anchor)
			}
		}
	}
}
