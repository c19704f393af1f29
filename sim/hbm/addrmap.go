package hbm

import (
	"fmt"
	"math/bits"
	"strings"

	"github.com/roofsim/roofsim/hw"
)

// DefaultAddressOrder is the default order of a PC-local address's fields
// from the most to the least significant bits: row, bank, bank group,
// column. Below the column sit the bits of a byte inside a 32 B burst.
const DefaultAddressOrder = "row-ba-bg-col"

// Field is one field of a PC-local address.
type Field int

// The fields of a PC-local address.
const (
	FieldColumn Field = iota
	FieldBankGroup
	FieldBank
	FieldRow
	numFields
)

var fieldNames = [numFields]string{"col", "bg", "ba", "row"}

// String is the field's short name in an address order.
func (f Field) String() string {
	if f >= 0 && f < numFields {
		return fieldNames[f]
	}
	return fmt.Sprintf("Field(%d)", int(f))
}

// ParseAddressOrder parses an address order: the four fields row, ba
// (bank), bg (bank group) and col (column), each exactly once, separated by
// '-', ':' or ',', from the most to the least significant bits. It returns
// the fields from the least significant up.
func ParseAddressOrder(s string) ([numFields]Field, error) {
	var out [numFields]Field
	parts := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return r == '-' || r == ':' || r == ',' })
	if len(parts) != int(numFields) {
		return out, fmt.Errorf("hbm: address order %q must name row, ba, bg and col once each (e.g. %s)", s, DefaultAddressOrder)
	}
	var seen [numFields]bool
	for i, p := range parts {
		f := Field(-1)
		switch strings.TrimSpace(p) {
		case "row", "r":
			f = FieldRow
		case "ba", "bank", "b":
			f = FieldBank
		case "bg", "bankgroup", "g":
			f = FieldBankGroup
		case "col", "column", "c":
			f = FieldColumn
		}
		if f < 0 {
			return out, fmt.Errorf("hbm: address order %q: field %q is not known (accepted: row|ba|bg|col)", s, p)
		}
		if seen[f] {
			return out, fmt.Errorf("hbm: address order %q names %s twice", s, f)
		}
		seen[f] = true
		out[int(numFields)-1-i] = f
	}
	return out, nil
}

// AddressMap turns a global byte address into a pseudo-channel and a
// PC-local address, and a PC-local address into bank group, bank, row and
// column.
type AddressMap struct {
	pcs        int
	pcBytes    uint64
	interleave uint64
	burstBytes uint64
	burstShift uint
	order      [numFields]Field
	shift      [numFields]uint
	mask       [numFields]uint64
	banksPerBG int
	// pcShift and ilShift are log2 of pcBytes and interleave (both powers
	// of two), and pcsShift of pcs when pcsPow2: the per-burst decoding
	// shifts and masks instead of dividing (64-bit divisions take tens of
	// cycles each).
	pcShift, ilShift, pcsShift uint
	pcsPow2                    bool
	// rowRun is the span in bytes (a power of two) inside which the
	// bank group, bank and row of an address stay the same (see
	// sameRowBytes).
	rowRun uint64
}

// NewAddressMap builds the address map of h with the PC interleaving
// granularity interleaveBytes (0: one contiguous range per PC) and the
// field order (see ParseAddressOrder; "" means DefaultAddressOrder).
func NewAddressMap(h hw.HBM, interleaveBytes int64, order string) (AddressMap, error) {
	if order == "" {
		order = DefaultAddressOrder
	}
	ord, err := ParseAddressOrder(order)
	if err != nil {
		return AddressMap{}, err
	}
	pow2 := func(name string, v int64) (uint, error) {
		if v <= 0 || v&(v-1) != 0 {
			return 0, fmt.Errorf("hbm: address map: %s must be a power of two, got %d", name, v)
		}
		return uint(bits.TrailingZeros64(uint64(v))), nil
	}
	if h.BankGroups <= 0 || h.BanksPerPC%h.BankGroups != 0 {
		return AddressMap{}, fmt.Errorf("hbm: address map: bank_groups (%d) must divide banks_per_pc (%d)", h.BankGroups, h.BanksPerPC)
	}
	if h.BurstBytes <= 0 || h.PageBytes%h.BurstBytes != 0 {
		return AddressMap{}, fmt.Errorf("hbm: address map: burst_bytes (%d) must divide page_bytes (%d)", h.BurstBytes, h.PageBytes)
	}
	widths := [numFields]int64{
		FieldColumn:    int64(h.PageBytes / h.BurstBytes),
		FieldBankGroup: int64(h.BankGroups),
		FieldBank:      int64(h.BanksPerPC / h.BankGroups),
		FieldRow:       int64(h.RowsPerBank),
	}
	m := AddressMap{
		pcs:        h.PseudoChannels,
		pcBytes:    uint64(h.PCBytes),
		burstBytes: uint64(h.BurstBytes),
		order:      ord,
		banksPerBG: h.BanksPerPC / h.BankGroups,
	}
	if m.burstShift, err = pow2("burst_bytes", int64(h.BurstBytes)); err != nil {
		return AddressMap{}, err
	}
	pos := m.burstShift
	for _, f := range ord {
		w, err := pow2(f.String()+" count", widths[f])
		if err != nil {
			return AddressMap{}, err
		}
		m.shift[f] = pos
		m.mask[f] = uint64(widths[f]) - 1
		pos += w
	}
	if uint64(1)<<pos != m.pcBytes {
		return AddressMap{}, fmt.Errorf("hbm: address map: burst x columns x banks x rows is %d B, but pc_bytes is %d", uint64(1)<<pos, m.pcBytes)
	}
	m.pcShift = pos
	m.rowRun = uint64(1) << min(m.shift[FieldBankGroup], m.shift[FieldBank], m.shift[FieldRow])
	if p := m.pcs; p > 0 && p&(p-1) == 0 {
		m.pcsPow2, m.pcsShift = true, uint(bits.TrailingZeros64(uint64(p)))
	}
	if interleaveBytes != 0 {
		if m.ilShift, err = pow2("interleave_bytes", interleaveBytes); err != nil {
			return AddressMap{}, err
		}
		if interleaveBytes < int64(h.BurstBytes) || interleaveBytes > h.PCBytes {
			return AddressMap{}, fmt.Errorf("hbm: interleave_bytes must be 0 or a power of two from %d to %d, got %d", h.BurstBytes, h.PCBytes, interleaveBytes)
		}
		m.interleave = uint64(interleaveBytes)
	}
	return m, nil
}

// TotalBytes is the size of the global address space in bytes.
func (m AddressMap) TotalBytes() uint64 { return uint64(m.pcs) * m.pcBytes }

// Interleave is the PC interleaving granularity in bytes (0: none).
func (m AddressMap) Interleave() uint64 { return m.interleave }

// Split returns the pseudo-channel of a global address and its PC-local
// address.
func (m AddressMap) Split(addr uint64) (pc int, local uint64) { return m.split(addr) }

// split is Split on a pointer: the hot paths call it on a component's
// map, which a value receiver (about 30 words) would copy per call.
func (m *AddressMap) split(addr uint64) (pc int, local uint64) {
	if m.interleave == 0 {
		return int(addr >> m.pcShift), addr & (m.pcBytes - 1)
	}
	chunk := addr >> m.ilShift
	var row uint64 // the chunk's number in its PC
	if m.pcsPow2 {
		pc, row = int(chunk&(uint64(m.pcs)-1)), chunk>>m.pcsShift
	} else {
		pc, row = int(chunk%uint64(m.pcs)), chunk/uint64(m.pcs)
	}
	return pc, row<<m.ilShift | addr&(m.interleave-1)
}

// Global is the global address of PC-local address local of pc.
func (m AddressMap) Global(pc int, local uint64) uint64 {
	if m.interleave == 0 {
		return uint64(pc)*m.pcBytes + local
	}
	chunk := local / m.interleave
	return (chunk*uint64(m.pcs)+uint64(pc))*m.interleave + local%m.interleave
}

// ContiguousBytes is how many bytes from global address addr stay in the
// same PC before the map moves to another one.
func (m AddressMap) ContiguousBytes(addr uint64) uint64 { return m.contiguousBytes(addr) }

// contiguousBytes is ContiguousBytes on a pointer (see split).
func (m *AddressMap) contiguousBytes(addr uint64) uint64 {
	g := m.pcBytes
	if m.interleave != 0 {
		g = m.interleave
	}
	return g - addr&(g-1) // g is a power of two
}

// Location is a decoded PC-local address.
type Location struct {
	// BankGroup is the bank group, 0..BankGroups-1.
	BankGroup int
	// Bank is the bank index inside the PC, 0..BanksPerPC-1 (bank group
	// major: bank = BankGroup x banks per group + bank in group).
	Bank int
	// Row is the row inside the bank.
	Row int
	// Column is the 32 B column (burst) inside the row.
	Column int
}

// Decode splits a PC-local address into bank group, bank, row and column.
func (m AddressMap) Decode(local uint64) Location { return m.decode(local) }

// decode is Decode on a pointer (see split).
func (m *AddressMap) decode(local uint64) Location {
	bg := int(local >> m.shift[FieldBankGroup] & m.mask[FieldBankGroup])
	ba := int(local >> m.shift[FieldBank] & m.mask[FieldBank])
	return Location{
		BankGroup: bg,
		Bank:      bg*m.banksPerBG + ba,
		Row:       int(local >> m.shift[FieldRow] & m.mask[FieldRow]),
		Column:    int(local >> m.shift[FieldColumn] & m.mask[FieldColumn]),
	}
}

// Encode is the PC-local address of a location (the inverse of Decode).
func (m AddressMap) Encode(l Location) uint64 {
	ba := l.Bank % m.banksPerBG
	return uint64(l.BankGroup)&m.mask[FieldBankGroup]<<m.shift[FieldBankGroup] |
		uint64(ba)&m.mask[FieldBank]<<m.shift[FieldBank] |
		uint64(l.Row)&m.mask[FieldRow]<<m.shift[FieldRow] |
		uint64(l.Column)&m.mask[FieldColumn]<<m.shift[FieldColumn]
}

// sameRowBytes is how many bytes from PC-local address local stay in the
// same bank and row: up to the next boundary of the lowest bit that belongs
// to the bank group, bank or row fields (only column and byte bits lie
// below it).
func (m *AddressMap) sameRowBytes(local uint64) uint64 {
	return m.rowRun - local&(m.rowRun-1)
}
