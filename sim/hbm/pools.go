package hbm

// burstFIFO is a queue of bursts waiting for an outstanding slot.
type burstFIFO struct {
	items []*burst
	head  int
}

func (f *burstFIFO) push(b *burst) { f.items = append(f.items, b) }
func (f *burstFIFO) len() int      { return len(f.items) - f.head }
func (f *burstFIFO) pop() *burst {
	b := f.items[f.head]
	f.items[f.head] = nil
	f.head++
	switch {
	case f.head == len(f.items):
		f.items, f.head = f.items[:0], 0
	case f.head >= 64 && 2*f.head >= len(f.items):
		// Reuse the front of a queue that never empties.
		n := copy(f.items, f.items[f.head:])
		clear(f.items[n:])
		f.items, f.head = f.items[:n], 0
	}
	return b
}

// freeList recycles values of one type so that the port's hot path does
// not allocate a burst or a transaction per request.
type freeList[T any] struct{ free []*T }

// get returns a zeroed value, recycled when one is free.
func (l *freeList[T]) get() *T {
	if n := len(l.free); n > 0 {
		v := l.free[n-1]
		l.free = l.free[:n-1]
		return v
	}
	return new(T)
}

// put zeroes v and keeps it for a later get.
func (l *freeList[T]) put(v *T) {
	var zero T
	*v = zero
	l.free = append(l.free, v)
}
