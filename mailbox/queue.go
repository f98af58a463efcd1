package mailbox

import (
	"context"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
)

// segSize is the number of slots in one segment. A segment is allocated when
// the previous one is full and is garbage once the consumer has passed it.
const segSize = 32

type slot[T any] struct {
	ready atomic.Uint32
	val   T
}

type segment[T any] struct {
	// claims counts the producers that took a slot index here; an index at
	// or beyond segSize means the segment is full and the producer moves on.
	claims atomic.Uint32
	next   atomic.Pointer[segment[T]]
	slots  [segSize]slot[T]
}

// Queue is the bounded multi-producer, single-consumer user lane. The zero
// value is not ready for use: call Init first. A Queue must not be copied
// after Init.
type Queue[T any] struct {
	// Producer side.
	tail  atomic.Pointer[segment[T]]
	first atomic.Pointer[segment[T]] // the first segment, until the consumer has found it
	// reserved counts the slots ever reserved (less those given back by
	// producers that could not use them); the consumer counts the slots it
	// released. Their difference is the queue's length. Producers compare
	// against relSeen, a snapshot of released they refresh only when the
	// queue looks full, so that in the common case a push reads nothing the
	// consumer writes.
	reserved atomic.Int64
	relSeen  atomic.Int64

	capacity int64
	policy   Policy
	closed   atomic.Bool

	slow atomic.Pointer[slowPath[T]]

	// pinned, if set, marks messages DropOldest must never evict.
	pinned func(T) bool

	// lock serialises consumers under DropOldest, where a producer may
	// remove the oldest message itself. Unused under other policies.
	lock atomic.Int32

	// Consumer side, owned by whoever holds the turn (or lock). Kept in its
	// own allocation so that the consumer's writes do not share a cache
	// line with the fields every producer writes.
	cons *consumer[T]
}

type consumer[T any] struct {
	head *segment[T]
	idx  uint32
	// cleared is how far slots of head have been zeroed for the garbage
	// collector. Zeroing waits until the queue runs dry, so that the
	// consumer does not write to the cache lines producers are filling.
	cleared uint32
	// released counts slots given back by the consumer.
	released atomic.Int64
	// waiters counts Backpressure producers asleep in Queue.slow; written
	// by producers only when they go to sleep.
	waiters atomic.Int32
}

// slowPath holds what only full queues need, so that an idle queue stays
// small: the Backpressure waiters, and under DropOldest the pinned messages
// taken off the head while looking for one to evict (they are older than
// anything queued, so they are popped first).
type slowPath[T any] struct {
	mu    sync.Mutex
	list  []chan struct{}
	front []T // guarded by Queue.lock
}

// Init prepares q for use with the given capacity and overflow policy.
func (q *Queue[T]) Init(capacity int, policy Policy) error {
	if capacity < 1 {
		return ErrInvalidCapacity
	}
	if !policy.Valid() {
		return ErrInvalidPolicy
	}
	q.capacity = int64(capacity)
	q.policy = policy
	q.cons = new(consumer[T])
	return nil
}

// Pin marks the messages for which pinned returns true as never to be
// evicted under DropOldest: the runtime pins signals that became messages.
// When only pinned messages are queued, a DropOldest Push queues its message
// past the bound, so pinned messages never cost an unpinned one its place.
// Call Pin after Init and before any Push.
func (q *Queue[T]) Pin(pinned func(T) bool) { q.pinned = pinned }

// Cap returns the capacity given to Init.
func (q *Queue[T]) Cap() int { return int(q.capacity) }

// Policy returns the overflow policy given to Init.
func (q *Queue[T]) Policy() Policy { return q.policy }

// Len returns the number of messages queued or being written. It is a
// snapshot: concurrent pushes and pops change it at once.
func (q *Queue[T]) Len() int { return int(q.length()) }

func (q *Queue[T]) length() int64 { return q.reserved.Load() - q.cons.released.Load() }

// Closed reports whether Close has been called.
func (q *Queue[T]) Closed() bool { return q.closed.Load() }

// Push appends v, applying the overflow policy when the queue is full.
//
// It returns nil when v was queued. Under DropOldest, dropped is the message
// removed to make room and didDrop is true; the caller owns it from then on
// (the runtime hands it to the dead letters). Errors: ErrFull (DropNewest,
// queue full), ErrClosed (after Close; a message removed under DropOldest is
// still returned as dropped), or ctx.Err() when a Backpressure wait ends with
// its context. A nil ctx means no deadline. On error, v was not queued.
//
// Push never blocks under DropNewest and DropOldest. It is safe for
// concurrent use; messages pushed by one goroutine are popped in order.
func (q *Queue[T]) Push(ctx context.Context, v T) (dropped T, didDrop bool, err error) {
	for {
		if q.reserve() {
			break
		}
		switch q.policy {
		case DropNewest:
			if q.closed.Load() {
				return dropped, false, ErrClosed
			}
			return dropped, false, ErrFull
		case DropOldest:
			old, ok, onlyPinned := q.evict()
			if ok {
				// The evicted message's reservation is now ours.
				dropped, didDrop = old, true
				goto reserved
			}
			if q.closed.Load() {
				return dropped, false, ErrClosed
			}
			if onlyPinned {
				// Pinned messages never cost a user message its place:
				// the bound holds for unpinned ones.
				q.reserved.Add(1)
				goto reserved
			}
			// Every reserved slot is still being written: let the writers
			// finish, then try again.
			runtime.Gosched()
		default:
			if err := q.wait(ctx); err != nil {
				return dropped, false, err
			}
		}
	}
reserved:
	// Checked after reserving, so that Close (which sets closed, then waits
	// for the count to drain) either sees this reservation or we see closed.
	if q.closed.Load() {
		q.unreserve()
		return dropped, didDrop, ErrClosed
	}
	q.put(v)
	return dropped, didDrop, nil
}

// PushForce appends v whatever the queue's length: it is for signals that
// became messages, which the bound never refuses. It returns ErrClosed after
// Close. It never blocks and is safe for concurrent use.
func (q *Queue[T]) PushForce(v T) error {
	q.reserved.Add(1)
	if q.closed.Load() {
		q.unreserve()
		return ErrClosed
	}
	q.put(v)
	return nil
}

// TryPush appends v if there is room and returns ErrFull otherwise, whatever
// the policy. It never blocks and never drops.
func (q *Queue[T]) TryPush(v T) error {
	if !q.reserve() {
		if q.closed.Load() {
			return ErrClosed
		}
		return ErrFull
	}
	if q.closed.Load() {
		q.unreserve()
		return ErrClosed
	}
	q.put(v)
	return nil
}

func (q *Queue[T]) reserve() bool {
	for {
		r := q.reserved.Load()
		if r-q.relSeen.Load() >= q.capacity {
			rel := q.cons.released.Load()
			q.relSeen.Store(rel)
			if r-rel >= q.capacity {
				return false
			}
		}
		if q.reserved.CompareAndSwap(r, r+1) {
			return true
		}
	}
}

// unreserve gives back a reservation its producer could not use.
func (q *Queue[T]) unreserve() {
	q.reserved.Add(-1)
	if q.cons.waiters.Load() > 0 {
		q.wakeOne()
	}
}

// release gives back the slot of a popped message. Consumer only.
func (q *Queue[T]) release() {
	q.cons.released.Add(1)
	if q.cons.waiters.Load() > 0 {
		q.wakeOne()
	}
}

// put writes v into the next free slot. The caller holds a reservation.
func (q *Queue[T]) put(v T) {
	for {
		seg := q.tail.Load()
		if seg == nil {
			f := q.first.Load()
			if f == nil {
				n := new(segment[T])
				if !q.first.CompareAndSwap(nil, n) {
					n = q.first.Load()
				}
				f = n
			}
			// tail only ever goes from nil to the first segment.
			if f != nil {
				q.tail.CompareAndSwap(nil, f)
			}
			continue
		}
		i := seg.claims.Add(1) - 1
		if i < segSize {
			s := &seg.slots[i]
			s.val = v
			s.ready.Store(1)
			return
		}
		next := seg.next.Load()
		if next == nil {
			n := new(segment[T])
			if seg.next.CompareAndSwap(nil, n) {
				next = n
			} else {
				next = seg.next.Load()
			}
		}
		q.tail.CompareAndSwap(seg, next)
	}
}

// Pop removes and returns the oldest ready message. It returns false when
// there is none; a message still being written by its producer counts as
// none, and that producer's Notify will start another turn. Pop must only be
// called by the consumer that owns the turn.
func (q *Queue[T]) Pop() (v T, ok bool) {
	if q.policy == DropOldest {
		q.acquire()
		if sp := q.slow.Load(); sp != nil && len(sp.front) > 0 {
			v, ok = sp.front[0], true
			var zero T
			sp.front[0] = zero
			sp.front = sp.front[1:]
		} else {
			v, ok = q.take()
		}
		q.lock.Store(0)
	} else {
		v, ok = q.take()
	}
	if ok {
		q.release()
	}
	return v, ok
}

// take removes the oldest ready message without releasing its reservation.
func (q *Queue[T]) take() (v T, ok bool) {
	c := q.cons
	seg := c.head
	if seg == nil {
		seg = q.first.Load()
		if seg == nil {
			return v, false
		}
		c.head = seg
	}
	for {
		if c.idx == segSize {
			next := seg.next.Load()
			if next == nil {
				c.clear()
				return v, false
			}
			// The passed segment is garbage now; nothing to zero.
			seg, c.head, c.idx, c.cleared = next, next, 0, 0
			// Once the tail has moved off nil, producers no longer need
			// first; dropping it lets consumed segments be collected.
			if q.first.Load() != nil && q.tail.Load() != nil {
				q.first.Store(nil)
			}
			continue
		}
		s := &seg.slots[c.idx]
		if s.ready.Load() == 0 {
			c.clear()
			return v, false
		}
		v = s.val
		c.idx++
		return v, true
	}
}

// clear zeroes the consumed slots of the head segment, so that a segment
// kept while the queue is idle does not keep old messages alive.
func (c *consumer[T]) clear() {
	var zero T
	for ; c.cleared < c.idx; c.cleared++ {
		c.head.slots[c.cleared].val = zero
	}
}

// evict removes the oldest unpinned message on behalf of a DropOldest
// producer. Pinned messages met on the way are set aside, in order, to be
// popped first. onlyPinned reports that every queued message is pinned.
func (q *Queue[T]) evict() (v T, ok, onlyPinned bool) {
	q.acquire()
	defer q.lock.Store(0)
	for {
		v, ok = q.take()
		if !ok {
			// Empty but full: either writers are still filling reserved
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

func (q *Queue[T]) slowPath() *slowPath[T] {
	sp := q.slow.Load()
	if sp == nil {
		q.slow.CompareAndSwap(nil, new(slowPath[T]))
		sp = q.slow.Load()
	}
	return sp
}

func (q *Queue[T]) acquire() {
	for !q.lock.CompareAndSwap(0, 1) {
		runtime.Gosched()
	}
}

// Close makes every later Push and PushForce fail with ErrClosed and wakes
// every waiting producer. Messages already queued stay until Drain. Close is
// idempotent and safe for concurrent use.
func (q *Queue[T]) Close() {
	if q.closed.Swap(true) {
		return
	}
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
// including those whose producers reserved a slot before Close and are still
// writing, and hands each to f in order. It returns the number drained.
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
		if q.length() == 0 {
			return n
		}
		// A producer holds a reservation: it will either write its slot or
		// see closed and give the reservation back. Either takes moments.
		runtime.Gosched()
	}
}

// wait blocks a Backpressure producer until there may be room.
func (q *Queue[T]) wait(ctx context.Context) error {
	if q.closed.Load() {
		return ErrClosed
	}
	var done <-chan struct{}
	if ctx != nil {
		if err := ctx.Err(); err != nil {
			return err
		}
		done = ctx.Done()
	}
	w := q.slowPath()
	ch := make(chan struct{}, 1)
	w.mu.Lock()
	w.list = append(w.list, ch)
	q.cons.waiters.Add(1)
	w.mu.Unlock()
	// Registered first, then checked: a consumer that frees a slot after
	// this point sees waiters > 0 and wakes someone.
	if q.length() < q.capacity || q.closed.Load() {
		q.cancelWait(w, ch)
		return nil
	}
	select {
	case <-ch:
		return nil
	case <-done:
		q.cancelWait(w, ch)
		return ctx.Err()
	}
}

// cancelWait removes ch from the wait list. If a consumer already woke ch,
// the wake-up is passed on so that no other waiter sleeps beside free room.
func (q *Queue[T]) cancelWait(w *slowPath[T], ch chan struct{}) {
	w.mu.Lock()
	for i, c := range w.list {
		if c == ch {
			w.list = append(w.list[:i], w.list[i+1:]...)
			q.cons.waiters.Add(-1)
			w.mu.Unlock()
			return
		}
	}
	w.mu.Unlock()
	if q.cons.waiters.Load() > 0 {
		q.wakeOne()
	}
}

func (q *Queue[T]) wakeOne() {
	w := q.slow.Load()
	if w == nil {
		return
	}
	w.mu.Lock()
	if len(w.list) > 0 {
		ch := w.list[0]
		w.list[0] = nil
		w.list = w.list[1:]
		q.cons.waiters.Add(-1)
		ch <- struct{}{}
	}
	w.mu.Unlock()
}

// Unbounded is a capacity large enough to mean "no bound" in practice.
const Unbounded = math.MaxInt32
