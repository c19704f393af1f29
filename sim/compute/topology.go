package compute

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/roofsim/roofsim/workload"
)

// Bounds on a topology file, so that every product stays inside int64.
const (
	// MaxTopologyDim is the largest M, K, N or batch accepted.
	MaxTopologyDim = 1 << 24
	// maxTopologyMACs bounds M x K x N x batch of one GEMM.
	maxTopologyMACs = 1 << 60
	// MaxTopologyRows is the largest number of GEMMs in one file.
	MaxTopologyRows = 100000
)

// NewBatchedGEMM returns batch independent products of (M x K) by (K x N),
// each with its own weights (batch 1 is workload.NewGEMM's kernel).
func NewBatchedGEMM(name string, m, k, n, batch int64) workload.Kernel {
	kn := workload.NewGEMM(name, "", -1, -1, m, k, n)
	kn.Batch = batch
	kn.WeightElems *= batch
	kn.InputElems *= batch
	kn.OutputElems *= batch
	kn.Ops *= batch
	return kn
}

// CheckGEMM reports the first dimension of a GEMM that is out of range,
// naming it as the flag or column name[i] does.
func CheckGEMM(names [4]string, m, k, n, batch int64) error {
	for i, v := range []int64{m, k, n, batch} {
		if v <= 0 {
			return fmt.Errorf("%s must be > 0, got %d", names[i], v)
		}
		if v > MaxTopologyDim {
			return fmt.Errorf("%s must be at most %d, got %d", names[i], MaxTopologyDim, v)
		}
	}
	if float64(m)*float64(k)*float64(n)*float64(batch) > maxTopologyMACs {
		return fmt.Errorf("%s x %s x %s x %s = %.3g MACs is more than the %.3g accepted", names[0], names[1], names[2], names[3],
			float64(m)*float64(k)*float64(n)*float64(batch), float64(maxTopologyMACs))
	}
	return nil
}

// checkTopologyHeader reports a first row that is not SCALE-Sim's header
// (its second to fourth columns named M, N and K, in any case): a file
// without one would otherwise lose its first GEMM.
func checkTopologyHeader(fields []string) error {
	ok := len(fields) >= 4
	for i, col := range []string{"M", "N", "K"} {
		ok = ok && strings.EqualFold(fields[1+i], col)
	}
	if !ok {
		return fmt.Errorf("the first row must be the header \"Layer, M, N, K,\" (columns 2-4 named M, N, K), got %q; add the header line",
			strings.Join(fields, ","))
	}
	return nil
}

// ParseTopology reads a SCALE-Sim GEMM topology: a header row (its columns
// 2-4 named M, N, K; a file without it is an error, see
// docs/reliability.md), then one row per GEMM, "Layer, M, N, K," (the trailing comma SCALE-Sim writes is
// optional; columns after K, such as SCALE-Sim v3's sparsity, are ignored).
// Each GEMM multiplies (M x K) by (K x N) and runs batch times. Blank lines
// are skipped. file names the input in errors.
func ParseTopology(r io.Reader, file string, batch int64) ([]workload.Kernel, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true
	var ks []workload.Kernel
	header := false
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("topology %s line %d: malformed CSV: %v", file, pe.Line, pe.Err)
			}
			return nil, fmt.Errorf("topology %s: %w", file, err)
		}
		line, _ := cr.FieldPos(0)
		fields := make([]string, 0, len(rec))
		for _, f := range rec {
			fields = append(fields, strings.TrimSpace(f))
		}
		if n := len(fields); n > 0 && fields[n-1] == "" {
			fields = fields[:n-1]
		}
		if len(fields) == 0 || (len(fields) == 1 && fields[0] == "") {
			continue
		}
		if !header {
			if err := checkTopologyHeader(fields); err != nil {
				return nil, fmt.Errorf("topology %s line %d: %w", file, line, err)
			}
			header = true
			continue
		}
		if len(fields) < 4 {
			return nil, fmt.Errorf("topology %s line %d: row has %d columns, want 4 (Layer, M, N, K)", file, line, len(fields))
		}
		name := fields[0]
		if name == "" {
			return nil, fmt.Errorf("topology %s line %d: the Layer column is empty", file, line)
		}
		var dims [3]int64
		for i, col := range []string{"M", "N", "K"} {
			v, err := strconv.ParseInt(fields[1+i], 10, 64)
			if err != nil {
				return nil, fmt.Errorf("topology %s line %d: %s %q is not an integer", file, line, col, fields[1+i])
			}
			dims[i] = v
		}
		m, n, k := dims[0], dims[1], dims[2]
		if err := CheckGEMM([4]string{"M", "K", "N", "batch"}, m, k, n, batch); err != nil {
			return nil, fmt.Errorf("topology %s line %d: %w", file, line, err)
		}
		if len(ks) >= MaxTopologyRows {
			return nil, fmt.Errorf("topology %s: more than %d GEMMs", file, MaxTopologyRows)
		}
		ks = append(ks, NewBatchedGEMM(name, m, k, n, batch))
	}
	if !header {
		return nil, fmt.Errorf("topology %s: empty: want a header row and rows of Layer, M, N, K", file)
	}
	if len(ks) == 0 {
		return nil, fmt.Errorf("topology %s: no GEMM rows after the header", file)
	}
	return ks, nil
}
