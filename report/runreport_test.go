package report

import (
	"bytes"
	"encoding/json"
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
	if err := WriteRunJSON(&b, "smolvla", c); err != nil {
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
	tables := RunTables("smolvla", c)
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
