package client

// ring is a bounded FIFO of marshalled events; the Client's mutex guards it.
type ring struct {
	items       [][]byte
	head, count int
}

func newRing(size int) *ring { return &ring{items: make([][]byte, size)} }

func (r *ring) len() int   { return r.count }
func (r *ring) full() bool { return r.count == len(r.items) }

func (r *ring) push(e []byte) {
	r.items[(r.head+r.count)%len(r.items)] = e
	r.count++
}

// dropOldest removes the head to make room.
func (r *ring) dropOldest() {
	r.items[r.head] = nil
	r.head = (r.head + 1) % len(r.items)
	r.count--
}

// take removes up to n events from the head.
func (r *ring) take(n int) [][]byte {
	n = min(n, r.count)
	out := make([][]byte, n)
	for i := range out {
		out[i] = r.items[r.head]
		r.items[r.head] = nil
		r.head = (r.head + 1) % len(r.items)
	}
	r.count -= n
	return out
}
