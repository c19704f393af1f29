package link

import (
	"strconv"
	"strings"
)

// Slots keeps a requester's requests in flight by slot number, so that a
// response finds its request without a lookup by string. Slot k's ID is
// "<prefix>#<k>" for good: a request sent from slot k carries that ID, and
// the response's RespondTo names the slot again (a short parse and one
// string comparison that the shared bytes make cheap). Only one request
// of a slot is in flight at a time, so the IDs of the messages in flight
// stay unique as long as the prefix (the requester's name) is; akita's
// generated IDs hold no '#'.
type Slots[T any] struct {
	prefix string
	slots  []slot[T]
	free   []int
	open   int
}

type slot[T any] struct {
	id   string
	open bool
	v    T
}

// NewSlots returns an empty set of slots whose IDs start with prefix.
func NewSlots[T any](prefix string) *Slots[T] {
	return &Slots[T]{prefix: prefix + "#"}
}

// Get reserves a free slot (making one when none is free) and returns its
// number and ID; Open or Release it next.
func (s *Slots[T]) Get() (int, string) {
	if n := len(s.free); n > 0 {
		k := s.free[n-1]
		s.free = s.free[:n-1]
		return k, s.slots[k].id
	}
	k := len(s.slots)
	s.slots = append(s.slots, slot[T]{id: s.prefix + strconv.Itoa(k)})
	return k, s.slots[k].id
}

// Open records v as reserved slot k's request in flight.
func (s *Slots[T]) Open(k int, v T) {
	s.slots[k].open, s.slots[k].v = true, v
	s.open++
}

// Release frees reserved slot k whose request was not sent.
func (s *Slots[T]) Release(k int) { s.free = append(s.free, k) }

// Take closes and frees the open slot whose ID is id and returns its
// value; it reports false (and changes nothing) when no open slot has
// that ID.
func (s *Slots[T]) Take(id string) (T, bool) {
	var zero T
	i := strings.LastIndexByte(id, '#')
	if i < 0 {
		return zero, false
	}
	k, err := strconv.Atoi(id[i+1:])
	if err != nil || k < 0 || k >= len(s.slots) || !s.slots[k].open || s.slots[k].id != id {
		return zero, false
	}
	sl := &s.slots[k]
	v := sl.v
	sl.open, sl.v = false, zero
	s.free = append(s.free, k)
	s.open--
	return v, true
}

// Len is the number of open slots.
func (s *Slots[T]) Len() int { return s.open }
