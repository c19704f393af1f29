package report

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/roofsim/roofsim/validation"
)

// AllKernels asks RunTables and WriteRunJSON for every kernel, in kernel
// order (the per-kernel table then has every column).
const AllKernels = 0

// lostCycles is the time a kernel loses against its bound (cycles).
func lostCycles(k validation.KernelCheck) int64 { return k.Cycles - k.BoundCycles }

// topLosses returns the n kernels that lose the most time against their
// bound, largest first (ties in kernel order); n <= AllKernels or n at
// least the kernel count returns every kernel in kernel order.
func topLosses(ks []validation.KernelCheck, n int) []validation.KernelCheck {
	if n <= AllKernels || n >= len(ks) {
		return ks
	}
	top := slices.Clone(ks)
	slices.SortStableFunc(top, func(a, b validation.KernelCheck) int { return cmp.Compare(lostCycles(b), lostCycles(a)) })
	return top[:n]
}

// KernelShape is a kernel's M x K x N, with its batch when above one.
func KernelShape(k validation.KernelCheck) string {
	s := fmt.Sprintf("%dx%dx%d", k.Kernel.M, k.Kernel.K, k.Kernel.N)
	if k.Kernel.Batch > 1 {
		s += fmt.Sprintf(" (x%d)", k.Kernel.Batch)
	}
	return s
}

// kernelCheckText is "ok" or the kernel's failed checks.
func kernelCheckText(k validation.KernelCheck, short bool) string {
	switch {
	case len(k.Failures) == 0:
		return "ok"
	case short:
		return "FAIL"
	}
	s := "FAIL: " + k.Failures[0]
	for _, f := range k.Failures[1:] {
		s += "; " + f
	}
	return s
}

// shortKernelTable lists the n kernels of c that lose the most time
// against their bound, with the columns that fit one screen: what the
// kernel is, its simulated and bound times (ms), the time lost, its
// efficiency and the largest reason for the loss.
func shortKernelTable(c validation.Comparison, n int) *Table {
	f := c.Result.FreqHz
	top := topLosses(c.Kernels, n)
	t := &Table{Name: "kernels",
		Title:   fmt.Sprintf("The %d of %d kernels that lose the most time against their bound", len(top), len(c.Kernels)),
		Columns: Cols("name", "kind", "shape", "sim_ms:%.3f", "bound_ms:%.3f", "lost_ms:%.3f", "efficiency:%.3f", "loss", "check")}
	for _, k := range top {
		t.Add(k.Kernel.Name, string(k.Kernel.Kind), KernelShape(k), ms(k.Cycles, f), ms(k.BoundCycles, f), ms(lostCycles(k), f),
			k.Efficiency, string(k.Loss), kernelCheckText(k, true))
	}
	t.Notes = []string{
		"shape: M x K x N (x batch); lost_ms: sim_ms - bound_ms; loss: the largest reason the kernel is slower than its bound",
		"every kernel with its stalls, bytes and placement: --kernels all (csv and json list every kernel by default)",
	}
	return t
}

// wideKernelTable lists every kernel of c with every column.
func wideKernelTable(c validation.Comparison) *Table {
	kt := &Table{Name: "kernels", Title: "Per kernel",
		Columns: Cols("name", "stage", "kind", "m", "k", "n", "batch", "start_cycle", "sim_cycles", "bound_cycles", "efficiency:%.3f", "bound",
			"compute_cycles", "fill_drain_cycles", "stall_hbm_cycles", "stall_onchip_cycles", "stall_buffer_cycles", "stall_vector_cycles",
			"bytes_read", "bytes_written", "onchip_bytes", "row_hit_rate:%.3f", "placement", "loss", "loss_cycles", "check")}
	for _, k := range c.Kernels {
		kt.Add(k.Kernel.Name, string(k.Kernel.Stage), string(k.Kernel.Kind), k.Kernel.M, k.Kernel.K, k.Kernel.N, k.Kernel.Batch,
			k.StartCycle, k.Cycles, k.BoundCycles, k.Efficiency, string(k.Bound),
			k.ComputeCycles, k.FillDrainCycles, k.StallHBMCycles, k.StallOnChipCycles, k.StallBufferCycles, k.StallVectorCycles,
			k.BytesRead, k.BytesWritten, k.OnChipBytesRead+k.OnChipBytesWritten, rowHitRate(k.KernelResult), validation.PlacementText(k.Placement),
			string(k.Loss), k.LossCycles, kernelCheckText(k, false))
	}
	kt.Notes = []string{"placement: inputs/weights/outputs, each in hbm or on chip; loss: the largest reason the kernel is slower than its bound"}
	return kt
}
