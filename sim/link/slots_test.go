package link

import "testing"

func TestSlots(t *testing.T) {
	s := NewSlots[int]("gen")
	k0, id0 := s.Get()
	k1, id1 := s.Get()
	if k0 == k1 || id0 == id1 || id0 != "gen#0" || id1 != "gen#1" {
		t.Fatalf("slots %d %q and %d %q: want distinct gen#0 and gen#1", k0, id0, k1, id1)
	}
	s.Open(k0, 10)
	s.Open(k1, 11)
	if s.Len() != 2 {
		t.Fatalf("Len = %d, want 2", s.Len())
	}
	for _, tc := range []struct {
		id string
		ok bool
		v  int
	}{
		{"gen#7", false, 0}, // never made
		{"gen#x", false, 0},
		{"gen1", false, 0},
		{"other#1", false, 0}, // same slot number, another requester
		{"gen#-1", false, 0},
		{"gen#1", true, 11},
		{"gen#1", false, 0}, // answered twice
	} {
		v, ok := s.Take(tc.id)
		if ok != tc.ok || v != tc.v {
			t.Errorf("Take(%q) = %d, %v; want %d, %v", tc.id, v, ok, tc.v, tc.ok)
		}
	}
	if s.Len() != 1 {
		t.Fatalf("Len = %d after one answer, want 1", s.Len())
	}
	// The freed slot is reused, with its ID; a released one too.
	if k, id := s.Get(); k != k1 || id != "gen#1" {
		t.Fatalf("Get = %d %q, want the freed slot %d gen#1", k, id, k1)
	}
	s.Release(k1)
	if k, _ := s.Get(); k != k1 {
		t.Fatalf("Get = %d, want the released slot %d", k, k1)
	}
	if v, ok := s.Take(id0); !ok || v != 10 || s.Len() != 0 {
		t.Fatalf("Take(%q) = %d, %v (Len %d); want 10, true (Len 0)", id0, v, ok, s.Len())
	}
}
