package mailbox

import "runtime"

// Close makes every later Push and PushForce fail with ErrClosed and wakes
// every waiting producer. Messages already queued stay until Drain. Close is
// idempotent and safe for concurrent use.
func (q *Queue[T]) Close() {
	if q.closed.Swap(true) {
		return
	}
	// After the flag: a claim made before the bit finds the flag in fill
	// (see doc.go, invariant 5).
	q.prod.word.Or(closedBit)
	if w := q.slow.Load(); w != nil {
		w.mu.Lock()
		for _, ch := range w.list {
			close(ch)
		}
		q.cons.waiters.Add(-int32(len(w.list)))
		w.list = nil
		w.mu.Unlock()
	}
}

// Drain, called by the consumer after Close, pops every message still queued,
// including those whose producers claimed a slot before Close and are still
// writing, and hands each to f in order. It returns the number drained.
// After Close no producer can reach the segments any more, so Drain hands
// them to the pool for other queues of the same type.
func (q *Queue[T]) Drain(f func(T)) int {
	n := 0
	for {
		if v, ok := q.Pop(); ok {
			n++
			if f != nil {
				f(v)
			}
			continue
		}
		// Released is read before the claims, unlike in length: a producer
		// that claims a slot, finds the queue closed and releases it
		// between the two reads can then only make the difference larger,
		// so a claimed slot still being filled is never missed (see doc.go,
		// invariant 5). An index past segSize is a link in progress.
		rel := q.cons.released.Load()
		w := q.prod.word.Load()
		if position(w) == rel && w&idxMask <= segSize {
			if w&closedBit != 0 {
				q.recycle()
			}
			return n
		}
		// A producer holds a reservation: it will either write its slot or
		// see closed and give the reservation back. Either takes moments.
		runtime.Gosched()
	}
}
