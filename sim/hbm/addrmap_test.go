package hbm

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/roofsim/roofsim/hw"
)

func TestParseAddressOrder(t *testing.T) {
	cases := []struct {
		in   string
		want [numFields]Field // least significant first
		err  string
	}{
		{"row-ba-bg-col", [numFields]Field{FieldColumn, FieldBankGroup, FieldBank, FieldRow}, ""},
		{"ROW:BANK:BG:COL", [numFields]Field{FieldColumn, FieldBankGroup, FieldBank, FieldRow}, ""},
		{"row,col,ba,bg", [numFields]Field{FieldBankGroup, FieldBank, FieldColumn, FieldRow}, ""},
		{"bg-ba-row-col", [numFields]Field{FieldColumn, FieldRow, FieldBank, FieldBankGroup}, ""},
		{"row-ba-bg", [numFields]Field{}, "must name row, ba, bg and col once each"},
		{"row-ba-bg-col-col", [numFields]Field{}, "must name row, ba, bg and col once each"},
		{"row-ba-ba-col", [numFields]Field{}, "names ba twice"},
		{"row-ba-xx-col", [numFields]Field{}, `field "xx" is not known`},
		{"", [numFields]Field{}, "must name"},
	}
	for _, c := range cases {
		got, err := ParseAddressOrder(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: error %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%q = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
}

func FuzzParseAddressOrder(f *testing.F) {
	for _, s := range []string{"row-ba-bg-col", "bg:ba:row:col", "row-ba-bg", "x", ""} {
		f.Add(s)
	}
	h := hw.U280HBM()
	f.Fuzz(func(t *testing.T, s string) {
		ord, err := ParseAddressOrder(s)
		if err != nil {
			return
		}
		var seen [numFields]bool
		for _, f := range ord {
			if f < 0 || f >= numFields || seen[f] {
				t.Fatalf("%q: bad order %v", s, ord)
			}
			seen[f] = true
		}
		m, err := NewAddressMap(h, 0, s)
		if err != nil {
			t.Fatalf("%q parses but does not build: %v", s, err)
		}
		for _, local := range []uint64{0, 32, 1 << 10, 12345 * 32, uint64(h.PCBytes) - 32} {
			if got := m.Encode(m.Decode(local)); got != local {
				t.Fatalf("%q: Encode(Decode(%#x)) = %#x", s, local, got)
			}
		}
	})
}

func TestAddressMapDefault(t *testing.T) {
	h := hw.U280HBM()
	m, err := NewAddressMap(h, 0, "")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		addr uint64
		pc   int
		loc  Location
	}{
		{0, 0, Location{}},
		{32, 0, Location{Column: 1}},
		{1024, 0, Location{BankGroup: 1, Bank: 4}}, // next page: next bank group
		{4096, 0, Location{BankGroup: 0, Bank: 1}}, // after 4 groups: next bank
		{16 << 10, 0, Location{Row: 1}},            // after 16 banks: next row
		{256<<20 + 1024 + 64, 1, Location{BankGroup: 1, Bank: 4, Column: 2}},
		{8<<30 - 32, 31, Location{BankGroup: 3, Bank: 15, Row: 16383, Column: 31}},
	}
	for _, c := range cases {
		pc, local := m.Split(c.addr)
		if pc != c.pc || m.Decode(local) != c.loc {
			t.Errorf("%#x: PC %d %+v, want PC %d %+v", c.addr, pc, m.Decode(local), c.pc, c.loc)
		}
		if g := m.Global(pc, local); g != c.addr {
			t.Errorf("%#x: Global(Split) = %#x", c.addr, g)
		}
	}
	if n := m.sameRowBytes(1024 + 96); n != 1024-96 {
		t.Errorf("sameRowBytes = %d, want %d", n, 1024-96)
	}
}

func TestAddressMapInterleave(t *testing.T) {
	h := hw.U280HBM()
	m, err := NewAddressMap(h, 4096, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []uint64{0, 4095, 4096, 31 * 4096, 32 * 4096, 32*4096 + 100*32, 8<<30 - 32} {
		pc, local := m.Split(a)
		if g := m.Global(pc, local); g != a {
			t.Errorf("%#x: Split = (%d, %#x), Global = %#x", a, pc, local, g)
		}
	}
	if pc, local := m.Split(32*4096 + 64); pc != 0 || local != 4096+64 {
		t.Errorf("second round: PC %d local %#x", pc, local)
	}
	if n := m.ContiguousBytes(4096 + 1000); n != 4096-1000 {
		t.Errorf("ContiguousBytes = %d", n)
	}
	for _, bad := range []int64{16, 3000, 512 << 20} {
		if _, err := NewAddressMap(h, bad, ""); err == nil {
			t.Errorf("interleave %d accepted", bad)
		}
	}
}

func TestAddressMapBankLowOrder(t *testing.T) {
	// Bank groups under the column: a 64 B access spans two bank groups.
	m, err := NewAddressMap(hw.U280HBM(), 0, "row-ba-col-bg")
	if err != nil {
		t.Fatal(err)
	}
	if l := m.Decode(32); l.BankGroup != 1 || l.Column != 0 {
		t.Errorf("Decode(32) = %+v", l)
	}
	if n := m.sameRowBytes(0); n != 32 {
		t.Errorf("sameRowBytes = %d, want 32", n)
	}
}

// TestAddressMapSplitMatchesDivision checks Split and ContiguousBytes
// (shifts and masks) against the division they replace, for a power-of-two
// and another PC count, with and without interleaving.
func TestAddressMapSplitMatchesDivision(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 9))
	for _, pcs := range []int{32, 24} {
		for _, il := range []int64{0, 256, 4096} {
			h := hw.U280HBM()
			h.PseudoChannels = pcs
			m, err := NewAddressMap(h, il, "")
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 2000; i++ {
				a := rng.Uint64N(m.TotalBytes())
				pc, local := m.Split(a)
				g := uint64(il)
				wantPC, wantLocal := int(a/m.pcBytes), a%m.pcBytes
				if il == 0 {
					g = m.pcBytes
				} else {
					chunk := a / g
					wantPC, wantLocal = int(chunk%uint64(pcs)), chunk/uint64(pcs)*g+a%g
				}
				if pc != wantPC || local != wantLocal {
					t.Fatalf("%d PCs, interleave %d: Split(%#x) = (%d, %#x), want (%d, %#x)", pcs, il, a, pc, local, wantPC, wantLocal)
				}
				if n := m.ContiguousBytes(a); n != g-a%g {
					t.Fatalf("%d PCs, interleave %d: ContiguousBytes(%#x) = %d, want %d", pcs, il, a, n, g-a%g)
				}
			}
		}
	}
}
