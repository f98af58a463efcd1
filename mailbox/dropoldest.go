package mailbox

import "runtime"

// pushDropOldest is Push under DropOldest: with the queue full, it removes
// the oldest unpinned message under the lock and queues v in its room.
func (q *Queue[T]) pushDropOldest(v T) (dropped T, didDrop bool, err error) {
	for {
		id, i, err := q.claim(true)
		if err == nil {
			return dropped, false, q.fill(id, i, v)
		}
		if err == ErrClosed {
			return dropped, false, err
		}
		q.lock()
		if q.closed.Load() {
			// Drain owns what is left.
			q.unlock()
			return dropped, false, ErrClosed
		}
		old, ok, onlyPinned := q.evict()
		if ok || onlyPinned {
			// The evicted message's room is ours; pinned messages never
			// cost a user message its place, so with only those queued
			// the message goes past the bound. The room is given back
			// after the claim, so that no other producer takes it first.
			id, i, err := q.claim(false)
			if err == nil {
				err = q.fill(id, i, v)
			}
			if ok {
				q.release()
			}
			q.unlock()
			return old, ok, err
		}
		q.unlock()
		// Every claimed slot is still being written: let the writers
		// finish, then try again.
		runtime.Gosched()
	}
}

// popDropOldest is Pop under DropOldest: the pinned messages set aside by
// evict come first, and the lock keeps a producer's eviction out meanwhile.
func (q *Queue[T]) popDropOldest() (v T, ok bool) {
	q.lock()
	if sp := q.slow.Load(); sp != nil && len(sp.front) > 0 {
		v, ok = sp.front[0], true
		var zero T
		sp.front[0] = zero
		sp.front = sp.front[1:]
	} else {
		v, ok = q.take()
	}
	if ok {
		q.release()
	}
	q.unlock()
	return v, ok
}

// evict removes the oldest unpinned message on behalf of a DropOldest
// producer, which holds the lock. Pinned messages met on the way are set
// aside, in order, to be popped first. onlyPinned reports that every queued
// message is pinned.
func (q *Queue[T]) evict() (v T, ok, onlyPinned bool) {
	for {
		v, ok = q.take()
		if !ok {
			// Empty but full: either writers are still filling claimed
			// slots (retry), or every queued message is pinned.
			sp := q.slow.Load()
			c := q.length()
			return v, false, sp != nil && c >= q.capacity && c <= int64(len(sp.front))
		}
		if q.pinned == nil || !q.pinned(v) {
			return v, true, false
		}
		sp := q.slowPath()
		sp.front = append(sp.front, v)
	}
}

// lock takes the DropOldest lock (see consumer.lock).
func (q *Queue[T]) lock() { q.cons.lock.Lock() }

func (q *Queue[T]) unlock() { q.cons.lock.Unlock() }
