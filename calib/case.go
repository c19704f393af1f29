package calib

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sim/hbm"
)

//go:embed cases/*.json
var caseFiles embed.FS

// The kinds of a case.
const (
	// KindMeasured is a figure measured on a real board: it counts in the
	// error figures.
	KindMeasured = "measured"
	// KindEstimate is an HLS or analytical estimate: simulated and shown,
	// never counted in the error figures.
	KindEstimate = "estimate"
)

// Case is one published result and how roofsim maps it.
type Case struct {
	// Name identifies the case (--case).
	Name string `json:"name"`
	// Source names the independent source the figure comes from (one team
	// or vendor document), e.g. "vitis-accel-examples".
	Source string `json:"source"`
	// Citation is the paper and its table or figure, or the repository and
	// file, with the figure as printed there.
	Citation string `json:"citation"`
	// Board is the built-in board (hw.PlatformNames) the figure was
	// measured on.
	Board string `json:"board"`
	// Workload says what ran.
	Workload string `json:"workload"`
	// Kind is KindMeasured or KindEstimate.
	Kind string `json:"kind"`
	// Measured is the published figure, in Unit.
	Measured float64 `json:"measured"`
	// Unit is the figure's unit: UnitGBps for a Kernel case, UnitCycles
	// for a GEMM case, UnitMs or UnitTokensPerSec for a Model case (as its
	// metric has it).
	Unit string `json:"unit"`
	// Kernel is the design of an HBM micro-benchmark: the HLS kernel's
	// AXI ports on the HBM. A case that is not pending has one of Kernel,
	// GEMM and Model.
	Kernel *Kernel `json:"kernel,omitempty"`
	// GEMM is the design of a measured matmul: a roofsim design and the
	// matmul it runs.
	GEMM *GEMM `json:"gemm,omitempty"`
	// Model is the design of a measured model or layer stack: a scenario,
	// a roofsim design and the figure of roofsim's run compared.
	Model *Model `json:"model,omitempty"`
	// Pending, when set, is why roofsim cannot simulate the case yet; a
	// pending case is listed, not run, and not counted.
	Pending string `json:"pending,omitempty"`
	// Approximates says what the mapping leaves out or assumes.
	Approximates string `json:"approximates"`
	// Mapping is a paragraph on how the published setup became the case.
	Mapping string `json:"mapping"`
}

// Kernel is an HLS kernel's memory side as the HBM benchmark runs it:
// groups of identical AXI ports, each port driving its own PC (or range
// of PCs) so that ports do not share a PC or a lateral link.
type Kernel struct {
	// KernelMHz is the kernel clock of the AXI ports in MHz.
	KernelMHz float64 `json:"kernel_mhz"`
	// PortBits is the width of the kernel's AXI ports: 256 or 512.
	PortBits int `json:"port_bits"`
	// Lockstep reports that one pipelined loop drives every port, so that
	// each port moves the same bytes and the slowest sets the pace; false
	// lets each port run at its own rate.
	Lockstep bool `json:"lockstep"`
	// CountedPorts is how many ports' bytes the published figure counts
	// when Lockstep is set (0: every port's). A host that divides one
	// buffer's bytes by the run time while the loop also moves the other
	// buffers counts 1.
	CountedPorts int `json:"counted_ports,omitempty"`
	// Ports are the kernel's port groups.
	Ports []PortGroup `json:"ports"`
}

// PortGroup is Count identical AXI ports.
type PortGroup struct {
	// Count is the number of ports in the group.
	Count int `json:"count"`
	// Op is read or write (hbm.Op).
	Op string `json:"op"`
	// Pattern is seq or random (hbm.Pattern).
	Pattern string `json:"pattern"`
	// SizeBytes is the bytes of one request (one AXI burst).
	SizeBytes int `json:"size_bytes"`
	// SpanPCs is the number of PCs one port's buffer spans (1: its own).
	SpanPCs int `json:"span_pcs,omitempty"`
	// SingleID makes the port one AXI ID (an HLS m_axi port without RAMA).
	SingleID bool `json:"single_id,omitempty"`
	// AXIIDs, above 0, makes the port number its requests with this many
	// AXI IDs in turn, each ID under the single-ID rule (hbm.BenchConfig.IDs).
	AXIIDs int `json:"axi_ids,omitempty"`
	// Outstanding is the most requests the port keeps in flight.
	Outstanding int `json:"outstanding"`
	// II is the port's issue interval in kernel cycles (1: every cycle).
	II int `json:"ii,omitempty"`
	// BytesPerPort is the data each port moves in the simulation, in
	// bytes: enough for the steady state.
	BytesPerPort int64 `json:"bytes_per_port"`
}

// Suite returns every case of the suite, in file and then list order.
func Suite() ([]Case, error) {
	var all []Case
	err := fs.WalkDir(caseFiles, "cases", func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := caseFiles.ReadFile(path)
		if err != nil {
			return err
		}
		cs, err := parseCases(b)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		all = append(all, cs...)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("calib: %w", err)
	}
	seen := map[string]bool{}
	for _, c := range all {
		if seen[c.Name] {
			return nil, fmt.Errorf("calib: case %q appears twice", c.Name)
		}
		seen[c.Name] = true
	}
	return all, nil
}

// parseCases reads a JSON list of cases strictly and checks each.
func parseCases(b []byte) ([]Case, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var cs []Case
	if err := dec.Decode(&cs); err != nil {
		return nil, err
	}
	for _, c := range cs {
		if err := c.Validate(); err != nil {
			return nil, err
		}
	}
	return cs, nil
}

// designs counts the designs the case holds (kernel, gemm, model).
func (c Case) designs() int {
	n := 0
	for _, set := range []bool{c.Kernel != nil, c.GEMM != nil, c.Model != nil} {
		if set {
			n++
		}
	}
	return n
}

// Validate reports the first unusable field of the case.
func (c Case) Validate() error {
	switch {
	case c.Name == "" || strings.ContainsAny(c.Name, " ,\n"):
		return fmt.Errorf("case %q: name must be one word", c.Name)
	case c.Source == "" || c.Citation == "" || c.Workload == "" || c.Mapping == "" || c.Approximates == "":
		return fmt.Errorf("case %s: source, citation, workload, approximates and mapping are required", c.Name)
	case c.Kind != KindMeasured && c.Kind != KindEstimate:
		return fmt.Errorf("case %s: kind %q is not known (accepted: %s|%s)", c.Name, c.Kind, KindMeasured, KindEstimate)
	case !slices.Contains([]string{UnitGBps, UnitCycles, UnitMs, UnitTokensPerSec}, c.Unit):
		return fmt.Errorf("case %s: unit %q is not known (accepted: %s|%s|%s|%s)", c.Name, c.Unit, UnitGBps, UnitCycles, UnitMs, UnitTokensPerSec)
	case !(c.Measured > 0):
		return fmt.Errorf("case %s: measured must be > 0, got %g", c.Name, c.Measured)
	case c.designs() > 1:
		return fmt.Errorf("case %s: a case has a kernel, a gemm or a model, only one of them", c.Name)
	case c.GEMM != nil && c.Unit != UnitCycles, c.Kernel != nil && c.Unit != UnitGBps,
		c.Model != nil && c.Unit != UnitMs && c.Unit != UnitTokensPerSec:
		return fmt.Errorf("case %s: unit %q does not go with its design (accepted: %s for a kernel, %s for a gemm, %s or %s for a model)",
			c.Name, c.Unit, UnitGBps, UnitCycles, UnitMs, UnitTokensPerSec)
	}
	p, err := hw.PlatformByName(c.Board)
	if err != nil {
		return fmt.Errorf("case %s: board: %w", c.Name, err)
	}
	if c.Pending != "" {
		return nil
	}
	if c.GEMM != nil {
		return c.GEMM.validate(c.Name, p)
	}
	if c.Model != nil {
		return c.Model.validate(c.Name, c.Unit, p)
	}
	if c.Kernel == nil || len(c.Kernel.Ports) == 0 {
		return fmt.Errorf("case %s: a case that is not pending needs a kernel with ports, a gemm or a model", c.Name)
	}
	k := c.Kernel
	if k.PortBits != 256 && k.PortBits != 512 {
		return fmt.Errorf("case %s: kernel port_bits must be 256 or 512, got %d", c.Name, k.PortBits)
	}
	if !(k.KernelMHz > 0 && k.KernelMHz <= 450) {
		return fmt.Errorf("case %s: kernel_mhz must be in (0, 450], got %g", c.Name, k.KernelMHz)
	}
	ports := 0
	for _, g := range k.Ports {
		ports += g.Count
	}
	if k.CountedPorts < 0 || k.CountedPorts > ports || (k.CountedPorts > 0 && !k.Lockstep) {
		return fmt.Errorf("case %s: kernel counted_ports must be 0 (all) or 1..%d on a lockstep kernel, got %d", c.Name, ports, k.CountedPorts)
	}
	for i, g := range k.Ports {
		if _, err := hbm.ParseOp(g.Op); err != nil || g.Op == string(hbm.OpMixed) {
			return fmt.Errorf("case %s: port group %d: op %q is not known (accepted: read|write)", c.Name, i, g.Op)
		}
		if !slices.Contains([]string{string(hbm.PatternSeq), string(hbm.PatternRandom)}, g.Pattern) {
			return fmt.Errorf("case %s: port group %d: pattern %q is not known (accepted: seq|random)", c.Name, i, g.Pattern)
		}
		if g.Count < 1 || g.Outstanding < 1 || g.BytesPerPort < int64(g.SizeBytes) || g.II < 0 || g.SpanPCs < 0 {
			return fmt.Errorf("case %s: port group %d: count, outstanding and bytes_per_port must be > 0 (bytes at least one request)", c.Name, i)
		}
	}
	return nil
}
