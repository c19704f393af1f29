package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/roofsim/roofsim/hw"
	"github.com/roofsim/roofsim/sim/accel"
	"github.com/roofsim/roofsim/validation"
	"github.com/roofsim/roofsim/workload"
)

func TestRunReports(t *testing.T) {
	fc1 := workload.NewGEMM("vision.cam0.l0.fc1", workload.StageVision, 0, 0, 1024, 768, 3072)
	allHBM := accel.Placement{Inputs: accel.InHBM, Weights: accel.InHBM, Outputs: accel.InHBM}
	kr := accel.KernelResult{Kernel: fc1, Placement: allHBM, Engine: "array", Cycles: 230098, EndCycle: 230098, ComputeCycles: 228928,
		FillDrainCycles: 32320, MACs: fc1.MACs(), PECycles: fc1.MACs(), PEs: 12288, BytesRead: 3145728, BytesWritten: 3145728,
		BytesReadPerPC: make([]int64, 32), BytesWrittenPerPC: make([]int64, 32)}
	d, _ := hw.DesignByName("int8")
	c := validation.Compare(&accel.Result{Design: d, Platform: hw.U280(), FreqHz: 300e6, Memory: "hbm",
		Kernels: []accel.KernelResult{kr}, TotalCycles: kr.Cycles})
	var b bytes.Buffer
	if err := WriteRunJSON(&b, "smolvla", c, AllKernels); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"latency_ms", "fps", "validation", "kernels"} {
		if _, ok := doc[key]; !ok {
			t.Errorf("run JSON lacks %q", key)
		}
	}
	ks := doc["kernels"].([]any)
	k0 := ks[0].(map[string]any)
	for _, key := range []string{"name", "stage", "sim_cycles", "bound_cycles", "efficiency", "bound", "bytes_read", "bytes_written"} {
		if _, ok := k0[key]; !ok {
			t.Errorf("kernel JSON lacks %q", key)
		}
	}
	if doc["validation"] != "pass" {
		t.Errorf("validation %v", doc["validation"])
	}
	tables := RunTables("smolvla", c, AllKernels)
	if len(tables) != 3 || len(tables[2].Rows) != 1 {
		t.Fatalf("run tables: %d", len(tables))
	}
	img, err := RunFigure("svg", c)
	if err != nil || !bytes.Contains(img, []byte("<svg")) {
		t.Errorf("run figure: %v", err)
	}
	ct := CompareTable([]CompareRow{{"smolvla", c}, {"smolvla", c}})
	if len(ct.Rows) != 2 {
		t.Errorf("compare rows %d", len(ct.Rows))
	}
}

// The short kernel table lists the kernels that lose the most time against
// their bound, largest loss first, ties in kernel order.
func TestTopLosses(t *testing.T) {
	mk := func(name string, cycles, bound int64) validation.KernelCheck {
		return validation.KernelCheck{KernelResult: accel.KernelResult{Kernel: workload.Kernel{Name: name}, Cycles: cycles}, BoundCycles: bound}
	}
	ks := []validation.KernelCheck{mk("a", 100, 90), mk("b", 500, 100), mk("c", 300, 290), mk("d", 410, 10)}
	cases := []struct {
		n    int
		want string
	}{
		{AllKernels, "a b c d"}, {2, "b d"}, {3, "b d a"}, {4, "a b c d"}, {9, "a b c d"},
	}
	for _, c := range cases {
		var names []string
		for _, k := range topLosses(ks, c.n) {
			names = append(names, k.Kernel.Name)
		}
		if got := strings.Join(names, " "); got != c.want {
			t.Errorf("topLosses(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}
