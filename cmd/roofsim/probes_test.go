package main

// The reliability probes (issue 10): every class of bad input a new user can type is tried, each probe run
// in-process through run with a 10 s budget, and the outcome counted. A probe passes when it exits 2 with one
// line naming what is wrong (or, where the value is valid, runs: exit 0 or 1), and never crashes (exit 3, a
// panic or "fatal error" on stderr). The counts are the table of docs/reliability.md between the markers
// below; `go test ./cmd/roofsim -run Probes -update` rewrites it.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/roofsim/roofsim/hw"
	"github.com/spf13/pflag"
)

const (
	probesDoc      = "docs/reliability.md"
	probesOpen     = "<!-- probes: go test ./cmd/roofsim -run Probes -update -->"
	probesClose    = "<!-- /probes -->"
	probeTimeLimit = 10 * time.Second
)

// probe is one bad (or edge) input: the arguments, and what stderr must
// name when it is refused.
type probe struct {
	args  []string
	names string
}

// probeClass is a class of inputs and its probes.
type probeClass struct {
	class  string
	probes []probe
}

// probeResult is how a probe ended.
type probeResult struct {
	code    int
	stderr  string
	elapsed time.Duration
}

func runProbe(p probe) probeResult {
	var out, errb bytes.Buffer
	start := time.Now()
	code := run(p.args, &out, &errb)
	return probeResult{code, errb.String(), time.Since(start)}
}

// jsonPaths lists the JSON paths of the numeric fields of type t ("hbm.timing.cl_ns").
func jsonPaths(t reflect.Type, prefix string, into map[string]bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		switch f.Type.Kind() {
		case reflect.Struct:
			jsonPaths(f.Type, prefix+name+".", into)
		case reflect.Int, reflect.Int64, reflect.Uint64, reflect.Float64:
			into[prefix+name] = true
		}
	}
}

// nested builds {"a":{"b":v}} for the path "a.b".
func nested(path string, v any, into map[string]any) {
	head, rest, ok := strings.Cut(path, ".")
	if !ok {
		into[head] = v
		return
	}
	sub, _ := into[head].(map[string]any)
	if sub == nil {
		sub = map[string]any{}
		into[head] = sub
	}
	nested(rest, v, sub)
}

// badValues are the values tried for a field of range r: just outside both
// ends, negative, huge, and not a number.
func badValues(r hw.Range) []any {
	vs := []any{-1.0, 1e300, "abc"}
	if r.Min > 0 && !(r.ZeroOK && r.Min <= 1) {
		vs = append(vs, r.Min/2)
	}
	return append(vs, r.Max*2+1)
}

// fileProbes builds one probe per bad value of every field of hw.Ranges that
// a file of the given kind ("platform" or "design") holds.
func fileProbes(t *testing.T, dir, kind string, fields map[string]bool, base map[string]any) []probe {
	var ps []probe
	for _, r := range hw.Ranges() {
		if !fields[r.Field] {
			continue
		}
		for i, v := range badValues(r) {
			doc := map[string]any{}
			b, _ := json.Marshal(base)
			_ = json.Unmarshal(b, &doc)
			nested(r.Field, v, doc)
			data, _ := json.Marshal(doc)
			f := filepath.Join(dir, fmt.Sprintf("%s-%s-%d.json", kind, r.Field, i))
			if err := os.WriteFile(f, data, 0o644); err != nil {
				t.Fatal(err)
			}
			last := r.Field[strings.LastIndex(r.Field, ".")+1:]
			ps = append(ps, probe{[]string{"hw", "--" + kind, f}, last})
		}
	}
	return ps
}

// flagProbes tries malformed and out-of-range values on every numeric flag
// of a command; base makes a valid run of the command small.
func flagProbes(t *testing.T, command string, base []string) []probe {
	root := newRootCmd()
	cmd, _, err := root.Find([]string{command})
	if err != nil {
		t.Fatal(err)
	}
	var ps []probe
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		var values []string
		switch f.Value.Type() {
		case "int", "int64", "uint64":
			values = []string{"abc", "1e400", "99999999999999999999", "-1"}
		case "float64":
			values = []string{"abc", "NaN", "Inf", "-1", "1e400"}
		default:
			return
		}
		name := "--" + f.Name
		if f.Shorthand != "" {
			name = "-" + f.Shorthand // the messages use the short form (-j), which --jobs contains
		}
		for _, v := range values {
			args := append(append([]string{command}, base...), "--"+f.Name, v) // the probed value comes last and wins
			ps = append(ps, probe{args, name})
		}
	})
	return ps
}

// probeClasses lists every input class tried.
func probeClasses(t *testing.T, dir string) []probeClass {
	platformFields, designFields := map[string]bool{}, map[string]bool{}
	jsonPaths(reflect.TypeOf(hw.Platform{}), "", platformFields)
	jsonPaths(reflect.TypeOf(hw.Design{}), "", designFields)
	var design map[string]any
	b, err := os.ReadFile("examples/design-int8-wide.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &design); err != nil {
		t.Fatal(err)
	}
	var classes []probeClass
	classes = append(classes,
		probeClass{"platform file: every numeric field of hw.Ranges, below, above, -1, 1e300 and a string", fileProbes(t, dir, "platform", platformFields, map[string]any{"name": "p"})},
		probeClass{"design file: every numeric field of hw.Ranges, below, above, -1, 1e300 and a string", fileProbes(t, dir, "design", designFields, design)},
	)
	small := map[string][]string{
		"run":   {"--scenario", "seed", "--memory", "ideal"},
		"gemm":  {"--m", "64", "--k", "64", "--n", "64"},
		"hbm":   {"--bytes", "64KiB", "--no-wall-clock"},
		"sweep": {"--precision", "int8", "--scenario", "seed", "--memory", "ideal", "--list"},
		"optimize": {"--scenario", "seed", "--space", "cmd/roofsim/testdata/optimize_space.json", "--budget", "1", "-j", "1",
			"--dir", filepath.Join(dir, "opt")},
	}
	for _, c := range []string{"run", "gemm", "hbm", "sweep", "optimize"} {
		classes = append(classes, probeClass{"`" + c + "` numeric flags: abc, NaN, Inf, -1, 1e400, 2^66", flagProbes(t, c, small[c])})
	}
	// Sweep files with a bad cell in every numeric column.
	good, err := os.ReadFile("cmd/roofsim/testdata/sweep_small.csv")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(good), "\n")
	var cells []probe
	for i, col := range strings.Split(lines[0], ",") {
		switch col {
		case "index", "key", "status", "ideas", "platform", "design", "precision", "array", "dataflow", "memory", "layout", "scenario", "bound", "validation", "reason":
			continue
		}
		for j, v := range []string{"abc", "NaN", "-5", "Inf"} {
			ls := append([]string(nil), lines...)
			row := strings.Split(ls[1], ",")
			row[i] = v
			ls[1] = strings.Join(row, ",")
			f := filepath.Join(dir, fmt.Sprintf("cell-%s-%d.csv", col, j))
			if err := os.WriteFile(f, []byte(strings.Join(ls, "\n")), 0o644); err != nil {
				t.Fatal(err)
			}
			cells = append(cells, probe{[]string{"report", f}, col}, probe{[]string{"merge", f}, col})
		}
	}
	classes = append(classes, probeClass{"sweep files (`report`, `merge`): abc, NaN, -5, Inf in every numeric column", cells})
	var paths []probe
	isDir := filepath.Join(dir, "isdir")
	for _, ext := range []string{".txt", ".png", ".csv", ".svg"} {
		if err := os.Mkdir(isDir+ext, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, target := range []string{"/proc/none/x", isDir, filepath.Join(dir, "no-such-dir", "x")} {
		for _, a := range [][]string{
			{"run", "-o", target + ".txt"}, {"run", "--plot", target + ".png"}, {"run", "--trace", target + ".csv"},
			{"hbm", "--plot", target + ".png"}, {"gemm", "--m", "8", "--k", "8", "--n", "8", "-o", target + ".txt"},
			{"report", "cmd/roofsim/testdata/sweep_small.csv", "--plot-front", target + ".svg"},
			{"sweep", "--precision", "int8", "-o", target + ".csv"},
		} {
			paths = append(paths, probe{a, a[len(a)-2]})
		}
	}
	for _, a := range [][]string{{"run", "--plot", "x.gif"}, {"run", "--trace", "x.json"}, {"hbm", "--plot", "x.jpg"}, {"report", "cmd/roofsim/testdata/sweep_small.csv", "--plot-precision", "x"}} {
		paths = append(paths, probe{a, a[len(a)-2]})
	}
	classes = append(classes, probeClass{"output paths: an unwritable directory, a directory, a missing directory, a wrong extension", paths})
	var lists []probe
	for _, a := range [][]string{
		{"compare", "--designs", "int8,fp7"}, {"compare", "--designs", "int8,,int4"}, {"compare", "--designs", ""},
		{"hbm", "--plot-bytes", "0", "--plot", filepath.Join(dir, "x.png")}, {"hbm", "--plot-bytes", "-1", "--plot", filepath.Join(dir, "x.png")},
		{"run", "--kernels", "0"}, {"run", "--kernels", "some"}, {"run", "--format", "xml"}, {"sweep", "--array", "64"},
		{"run", "--max-memory", "0"}, {"run", "--max-events", "0"}, {"help", "frobnicate"}, {"frobnicate"},
	} {
		name := "frobnicate"
		if len(a) > 1 && a[0] != "help" {
			name = a[1]
		}
		lists = append(lists, probe{a, name})
	}
	var opt []probe
	for i, sp := range []struct{ json, names string }{
		{`{"params": {"arrays": {"min": 4, "max": 2}}}`, "params.arrays"},
		{`{"params": {"array_rows": [0]}}`, "params.array_rows"},
		{`{"params": {"vector_lanes": {"min": 3, "max": 64, "pow2": true}}}`, "params.vector_lanes"},
		{`{"params": {"rows": [1]}}`, "params.rows"},
		{`{"ideas": ["warp"]}`, "warp"},
		{`{"params": {"arrays": [1]}, "extra": 1}`, "extra"},
		{`{"params": {"arrays": [1]}`, "malformed JSON"},
	} {
		f := filepath.Join(dir, fmt.Sprintf("space-%d.json", i))
		if err := os.WriteFile(f, []byte(sp.json), 0o644); err != nil {
			t.Fatal(err)
		}
		opt = append(opt, probe{[]string{"optimize", "--space", f, "--dir", filepath.Join(dir, "opt")}, sp.names})
	}
	for _, a := range [][]string{
		{"--objective", "speed"}, {"--sampler", "bayes"}, {"--storage", "postgres://db"}, {"--resume"},
		{"--space", filepath.Join(dir, "none.json")}, {"--time", "-1s"}, {"--dir", filepath.Join(dir, "space-0.json")},
	} {
		opt = append(opt, probe{append(append([]string{"optimize"}, small["optimize"]...), a...), a[0]})
	}
	classes = append(classes, probeClass{"`optimize` space files and flags: bad ranges, fields, ideas, JSON, objective, sampler, storage", opt})
	classes = append(classes, probeClass{"lists, plot settings, other flags and commands (`--designs`, `--plot-bytes`, `--kernels`, help topics)", lists})
	classes = append(classes, probeClass{"Hugging Face config.json (`params`, `run`): a missing field, zero heads, heads not dividing hidden, KV heads not dividing heads, an unknown model_type, flags a model does not take", hfProbes(t, dir)})
	return classes
}

// hfProbes breaks TinyLlama's config.json one field at a time, and gives
// flags a scenario does not take.
func hfProbes(t *testing.T, dir string) []probe {
	good, err := os.ReadFile("workload/testdata/hf/tinyllama-1.1b-chat-v1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	var ps []probe
	for i, c := range []struct {
		field string
		value any // nil deletes the field
		names string
	}{
		{"hidden_size", nil, "hidden_size is missing"},
		{"num_hidden_layers", nil, "num_hidden_layers"},
		{"num_attention_heads", 0, "num_attention_heads"},
		{"num_attention_heads", 30, "num_attention_heads 30 must divide hidden_size 2048"},
		{"num_key_value_heads", 0, "num_key_value_heads"},
		{"num_key_value_heads", 5, "num_key_value_heads 5 must divide num_attention_heads 32"},
		{"model_type", "mamba", "llama|mistral|qwen2"},
		{"model_type", nil, "model_type is missing"},
		{"vocab_size", "many", "vocab_size must be a JSON integer"},
		{"intermediate_size", -4, "intermediate_size"},
	} {
		var doc map[string]any
		if err := json.Unmarshal(good, &doc); err != nil {
			t.Fatal(err)
		}
		if c.value == nil {
			delete(doc, c.field)
		} else {
			doc[c.field] = c.value
		}
		data, _ := json.Marshal(doc)
		f := filepath.Join(dir, fmt.Sprintf("hf-%d.json", i))
		if err := os.WriteFile(f, data, 0o644); err != nil {
			t.Fatal(err)
		}
		ps = append(ps, probe{[]string{"params", "--scenario", f}, c.names}, probe{[]string{"run", "--scenario", f}, c.names})
	}
	llama := "workload/testdata/hf/tinyllama-1.1b-chat-v1.0.json"
	for _, a := range [][]string{
		{"--scenario", llama, "--seq", "4096"}, {"--scenario", llama, "--seq", "2000", "--generate", "100"},
		{"--scenario", llama, "--cameras", "2"}, {"--scenario", "workload/testdata/hf/bert-base-uncased.json", "--generate", "4"},
		{"--scenario", "seed", "--seq", "64"}, {"--scenario", "workload/testdata/hf/vit-base-patch16-224.json", "--image-size", "448"},
		{"--scenario", "workload/testdata/hf/vit-base-patch16-224.json", "--seq", "64"}, {"--scenario", llama, "--image-size", "224"},
	} {
		name := a[len(a)-2]
		switch name {
		case "--seq":
			name = "seq"
		case "--generate":
			name = "generate"
		case "--cameras":
			name = "cameras"
		case "--image-size":
			name = "image_size"
		}
		ps = append(ps, probe{append([]string{"params"}, a...), name})
	}
	return ps
}

// outcome checks a result and returns its label, or an error when the probe crashed or gave a bad message.
func outcome(p probe, r probeResult) (string, error) {
	for _, bad := range []string{"panic", "goroutine ", "fatal error", "runtime error"} {
		if strings.Contains(r.stderr, bad) {
			return "", fmt.Errorf("stderr shows %q", bad)
		}
	}
	if r.elapsed > probeTimeLimit {
		return "", fmt.Errorf("took %v, more than %v", r.elapsed, probeTimeLimit)
	}
	switch r.code {
	case exitBadInput:
		if strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, p.names) {
			return "", fmt.Errorf("stderr is not one line naming %s: %q", p.names, r.stderr)
		}
		if strings.Contains(r.stderr, ".tmp") {
			return "", fmt.Errorf("stderr shows a temporary file: %q", r.stderr)
		}
		return "refused (exit 2, one line naming it)", nil
	case exitOK, exitCheckFailed:
		return "accepted, ran (a valid value)", nil
	}
	return "", fmt.Errorf("exit %d", r.code)
}

func TestProbes(t *testing.T) {
	if testing.Short() {
		t.Skip("the probes run the CLI a few hundred times")
	}
	t.Chdir(docsRoot)
	dir := t.TempDir()
	var table strings.Builder
	table.WriteString("| input class | probes | outcome |\n|---|---:|---|\n")
	total := 0
	for _, c := range probeClasses(t, dir) {
		counts := map[string]int{}
		for _, p := range c.probes {
			label, err := outcome(p, runProbe(p))
			if err != nil {
				t.Errorf("roofsim %s: %v", strings.Join(p.args, " "), err)
				continue
			}
			if !strings.HasPrefix(label, "refused") {
				t.Logf("accepted: roofsim %s", strings.Join(p.args, " "))
			}
			counts[label]++
		}
		var parts []string
		for label, n := range counts {
			parts = append(parts, fmt.Sprintf("%d %s", n, label))
		}
		sort.Sort(sort.Reverse(sort.StringSlice(parts)))
		fmt.Fprintf(&table, "| %s | %d | %s |\n", c.class, len(c.probes), strings.Join(parts, "; "))
		total += len(c.probes)
	}
	fmt.Fprintf(&table, "| **all** | %d | none crashed, hung or exited 3 |\n", total)
	data, err := os.ReadFile(probesDoc)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	from := strings.Index(text, probesOpen)
	to := strings.Index(text, probesClose)
	if from < 0 || to < from {
		t.Fatalf("%s lacks the block %s ... %s", probesDoc, probesOpen, probesClose)
	}
	from += len(probesOpen) + 1
	want := "\n" + table.String() + "\n"
	if text[from:to] == want {
		return
	}
	if !*update {
		t.Errorf("%s: the probe table differs from the probes' counts (run go test ./cmd/roofsim -run Probes -update):\n%s", probesDoc, want)
		return
	}
	if err := os.WriteFile(probesDoc, []byte(text[:from]+want+text[to:]), 0o644); err != nil {
		t.Fatal(err)
	}
}
