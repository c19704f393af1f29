package compute_test

import (
	"strings"
	"testing"

	"github.com/roofsim/roofsim/sim/compute"
)

func TestParseTopology(t *testing.T) {
	cases := []struct {
		name  string
		in    string
		batch int64
		want  [][3]int64 // M, K, N per row
		names []string
		err   string
	}{
		{name: "scale-sim with trailing commas", in: "Layer, M, N, K,\nQKT, 1024, 1024, 64,\nQKTV, 1024, 64, 1024,\n", batch: 1,
			want: [][3]int64{{1024, 64, 1024}, {1024, 1024, 64}}, names: []string{"QKT", "QKTV"}},
		{name: "no trailing comma, blank lines, CRLF", in: "Layer,M,N,K\r\n\r\nfc1,1024,3072,768\r\n\r\n", batch: 1,
			want: [][3]int64{{1024, 768, 3072}}, names: []string{"fc1"}},
		{name: "v3 sparsity column ignored", in: "Layer, M, N, K, Sparsity,\nl0, 4, 5, 6, 2:4,\n", batch: 3,
			want: [][3]int64{{4, 6, 5}}, names: []string{"l0"}},
		{name: "missing column", in: "Layer, M, N, K,\nfc1, 1024, 3072,\n", err: "line 2: row has 3 columns, want 4 (Layer, M, N, K)"},
		{name: "not an integer", in: "Layer, M, N, K,\nfc1, 1024, 3072, 7.5,\n", err: `line 2: K "7.5" is not an integer`},
		{name: "zero", in: "Layer, M, N, K,\nfc1, 0, 3072, 768,\n", err: "line 2: M must be > 0, got 0"},
		{name: "too large", in: "Layer, M, N, K,\nfc1, 99999999, 1, 1,\n", err: "line 2: M must be at most"},
		{name: "empty layer", in: "Layer, M, N, K,\n, 1, 1, 1,\n", err: "line 2: the Layer column is empty"},
		{name: "empty file", in: "", err: "empty"},
		{name: "header only", in: "Layer, M, N, K,\n", err: "no GEMM rows"},
		{name: "repro 8: no header row", in: "fc1,256,256,256,\nfc2,128,128,128,\n", err: `line 1: the first row must be the header "Layer, M, N, K,"`},
		{name: "header in lower case", in: "layer,m,n,k\nfc1,1,2,3\n", batch: 1, want: [][3]int64{{1, 3, 2}}, names: []string{"fc1"}},
		{name: "header with other columns", in: "Layer, N, M, K,\nfc1, 1, 2, 3,\n", err: "columns 2-4 named M, N, K"},
		{name: "bad quote", in: "Layer, M, N, K,\n\"fc1, 1, 1, 1,\n", err: "malformed CSV"},
	}
	for _, c := range cases {
		ks, err := compute.ParseTopology(strings.NewReader(c.in), "t.csv", max(c.batch, 1))
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) || !strings.Contains(err.Error(), "t.csv") {
				t.Errorf("%s: error %v, want one naming t.csv and containing %q", c.name, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if len(ks) != len(c.want) {
			t.Fatalf("%s: %d kernels, want %d", c.name, len(ks), len(c.want))
		}
		for i, k := range ks {
			if k.M != c.want[i][0] || k.K != c.want[i][1] || k.N != c.want[i][2] || k.Name != c.names[i] || k.Batch != c.batch {
				t.Errorf("%s: row %d = %s m=%d k=%d n=%d batch=%d, want %s %v batch %d", c.name, i, k.Name, k.M, k.K, k.N, k.Batch, c.names[i], c.want[i], c.batch)
			}
			if err := k.Validate(); err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			if k.MACs() != k.M*k.K*k.N*k.Batch {
				t.Errorf("%s: MACs %d", c.name, k.MACs())
			}
		}
	}
}

func FuzzParseTopology(f *testing.F) {
	for _, s := range []string{
		"Layer, M, N, K,\nQKT, 1024, 1024, 64,\n",
		"Layer,M,N,K\nfc1,1,2,3\n",
		"Layer, M, N, K,\nfc1, 1024, 3072,\n",
		"\"a\nb\", 1",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ks, err := compute.ParseTopology(strings.NewReader(s), "fuzz.csv", 1)
		if err != nil {
			if strings.Contains(err.Error(), "\n") && !strings.Contains(err.Error(), "malformed") {
				t.Errorf("multi-line error %q", err)
			}
			return
		}
		for _, k := range ks {
			if err := k.Validate(); err != nil {
				t.Errorf("accepted an invalid kernel: %v", err)
			}
		}
	})
}
