package compute

import "testing"

// TestFIFOSlots checks a stream FIFO's accounting: tiles take slots while
// their bytes fit its capacity, a released tile's space is free again, and
// a tile held twice is found foundt first.
func TestFIFOSlots(t *testing.T) {
	var b buffers
	b.reset(false, true, streamCapacity(100, 100, 100))
	key := func(k int64) tileKey { return tileKey{valid: true, j: k} }
	steps := []struct {
		take  int64 // bytes of the tile to take (0: release key k)
		k     int64
		want  bool // a slot was free
		used  int64
		found int // slot find returns for key k afterwards (-1 none)
	}{
		{take: 30, k: 1, want: true, used: 30, found: 0},
		{take: 30, k: 2, want: true, used: 60, found: 1},
		{take: 30, k: 1, want: true, used: 90, found: 0}, // k 1 again: the older copy is found
		{take: 30, k: 3, want: false, used: 90, found: -1},
		{take: 0, k: 1, used: 60, found: 2}, // the older k 1 leaves; the newer remains
		{take: 30, k: 3, want: true, used: 90, found: 0},
		{take: 0, k: 2, used: 60, found: -1},
		{take: 40, k: 4, want: true, used: 100, found: 1},
		{take: 1, k: 5, want: false, used: 100, found: -1},
	}
	for i, s := range steps {
		if s.take == 0 {
			b.release(Weights, key(s.k))
		} else {
			h := b.freeSlot(Weights, s.take)
			if (h >= 0) != s.want {
				t.Fatalf("step %d: take %d B of key %d: slot %d, want free=%v", i, s.take, s.k, h, s.want)
			}
			if h >= 0 {
				b.put(Weights, h, slot{state: slotLoading, key: key(s.k), bytes: s.take})
			}
		}
		if got := b.fifoUsed(Weights); got != s.used || got > b.capacity[Weights] {
			t.Errorf("step %d: %d B used, want %d (capacity %d)", i, got, s.used, b.capacity[Weights])
		}
		if got := b.find(Weights, key(s.k)); got != s.found {
			t.Errorf("step %d: key %d found in slot %d, want %d", i, s.k, got, s.found)
		}
	}
}
