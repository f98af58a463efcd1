package mailbox

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/airssys/rt/internal/atomicx"
)

// A producer claims a slot through prod.word, which packs the id of the
// tail segment above idxBits and the index of its next free slot below.
// Close sets closedBit in the word, after which no claim succeeds, so that
// once Drain has seen every earlier claim filled no producer can touch the
// queue's segments again and they can be recycled.
const (
	idxBits   = 6
	idxMask   = 1<<idxBits - 1
	closedBit = 1 << 63
)

// Slot states.
const (
	slotEmpty uint32 = iota
	slotFull
	slotSkip // claimed by a producer that then found the queue closed; already released
)

// Queue is the bounded multi-producer, single-consumer user lane. The zero
// value is not ready for use: call Init first. A Queue must not be copied
// after Init.
//
// Its fields are read-mostly; what producers write on every push lives in
// prod and what the consumer writes in cons, each in its own allocation, so
// that neither side's writes evict the other's cache lines.
type Queue[T any] struct {
	capacity int64
	policy   Policy
	closed   atomic.Bool

	// pinned, if set, marks messages DropOldest must never evict.
	pinned func(T) bool

	prod *producer[T]
	cons *consumer[T]
	slow atomic.Pointer[slowPath[T]]
}

// producer is the producers' side of a Queue: one cache line.
type producer[T any] struct {
	// word is (tail id << idxBits | next index). A push claims slot i of
	// segment id with one CAS from (id, i) to (id, i+1); the position it
	// took, id*segSize+i less one segment, counts every slot ever claimed,
	// so the queue's length is that less the consumer's released count.
	// Index segSize means the tail is full: the producer that moves it to
	// segSize+1 links the next segment and publishes (id+1, 0).
	word atomic.Uint64
	// relSeen is a snapshot of consumer.released, refreshed only when the
	// queue looks full, so that a push reads nothing the consumer writes.
	relSeen atomic.Int64
	tail    atomic.Pointer[segment[T]] // the segment word names
	spare   atomic.Pointer[segment[T]] // a passed segment, for the next link
	first   atomic.Pointer[segment[T]] // the first segment, until the consumer takes it
	pool    *sync.Pool                 // passed segments beyond the spare, shared by every Queue[T]
	_       [16]byte
}

// consumer is the consumer's side of a Queue. idx and cleared count slots of
// one segment (at most segSize), so a byte each is enough: with them small
// the whole struct stays in the 32-byte size class beside the mutex.
type consumer[T any] struct {
	head *segment[T]
	idx  uint8
	// cleared is how far slots of head have been zeroed for the garbage
	// collector. Zeroing waits until the queue runs dry or the segment is
	// passed, so that the consumer does not write to the cache lines
	// producers are filling.
	cleared uint8
	// waiters counts Backpressure producers asleep in Queue.slow; written
	// by producers only when they go to sleep.
	waiters atomic.Int32
	// released counts slots given back by the consumer.
	released atomic.Int64
	// lock serialises the consumer and DropOldest producers, which may
	// remove the oldest message themselves. Unused under other policies.
	//
	// It is a sync.Mutex, not the runtime.Gosched spin lock it replaced,
	// because the mutex was faster where the lock is contended. Measured
	// 2026-12-04 on 2 vCPU AMD EPYC, go1.26.8, BenchmarkDropOldestFull (8
	// producers and a consumer on a full queue, every push evicting): each
	// variant built with "go test -c ./mailbox/", then run in turn, 5 times
	// each, interleaved, with
	//   <binary> -test.run '^$' -test.bench '^BenchmarkDropOldestFull$' -test.benchtime 500ms
	// Medians: spin lock 162.9 ns/op, sync.Mutex 89.31 ns/op.
	lock sync.Mutex
}

// slowPath holds what only full queues need, so that an idle queue stays
// small: the Backpressure waiters, and under DropOldest the pinned messages
// taken off the head while looking for one to evict (they are older than
// anything queued, so they are popped first).
type slowPath[T any] struct {
	mu    sync.Mutex
	list  []chan struct{}
	front []T // guarded by consumer.lock
}

// Init prepares q for use with the given capacity and overflow policy.
// Nothing is allocated for messages until the first push.
func (q *Queue[T]) Init(capacity int, policy Policy) error {
	if capacity < 1 {
		return ErrInvalidCapacity
	}
	if !policy.Valid() {
		return ErrInvalidPolicy
	}
	q.capacity = int64(capacity)
	q.policy = policy
	q.prod = &producer[T]{pool: poolFor[T]()}
	// No segment yet: the tail is "full", so the first push links one.
	q.prod.word.Store(segSize)
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
func (q *Queue[T]) Len() int {
	if q.policy == DropOldest {
		// A producer evicting a message queues its own before giving the
		// evicted one's room back; the lock hides that moment.
		q.lock()
		defer q.unlock()
	}
	return int(q.length())
}

// length is claimed slots less released ones. The claims are read first, so
// that concurrent pushes and pops can only make it smaller than the truth,
// never larger than the bound.
func (q *Queue[T]) length() int64 {
	n := position(q.prod.word.Load()) - q.cons.released.Load()
	return max(n, 0)
}

// position returns how many slots were claimed before the tail word w.
func position(w uint64) int64 {
	w &^= closedBit
	i := min(w&idxMask, segSize)
	return int64((w>>idxBits)*segSize+i) - segSize
}

// Push appends v, applying the overflow policy when the queue is full.
//
// It returns nil when v was queued. Under DropOldest, dropped is the message
// removed to make room and didDrop is true; the caller owns it from then on
// (the runtime hands it to the dead letters). Errors: ErrFull (DropNewest,
// queue full), ErrClosed (after Close; a message removed under DropOldest is
// still returned as dropped), ctx.Err() when a Backpressure wait ends with
// its context, or ErrNilContext when ctx is nil (checked first, so that
// nothing is queued or dropped). On error, v was not queued. ctx bounds only
// a Backpressure wait; pass context.Background() for no deadline.
//
// Push never blocks under DropNewest and DropOldest. It is safe for
// concurrent use; messages pushed by one goroutine are popped in order.
func (q *Queue[T]) Push(ctx context.Context, v T) (dropped T, didDrop bool, err error) {
	if ctx == nil {
		return dropped, false, ErrNilContext
	}
	if q.policy == DropOldest {
		return q.pushDropOldest(v)
	}
	// DropNewest and Backpressure share this loop, in Push itself: with
	// Backpressure's wait in a function of its own, called from here,
	// BenchmarkTell measures about 1.6 times the time per message, with
	// the same instructions on the path that finds room.
	for spins := 0; ; {
		id, i, err := q.claim(true)
		if err == nil {
			return dropped, false, q.fill(id, i, v)
		}
		if err == ErrClosed || q.policy == DropNewest {
			return dropped, false, err
		}
		if spins < fullSpins {
			// The consumer is most likely running and about to make room:
			// a yield costs less than parking and being woken.
			spins++
			runtime.Gosched()
			continue
		}
		if err := q.wait(ctx); err != nil {
			return dropped, false, err
		}
	}
}

// PushForce appends v whatever the queue's length: it is for signals that
// became messages, which the bound never refuses. It returns ErrClosed after
// Close. It never blocks and is safe for concurrent use.
func (q *Queue[T]) PushForce(v T) error {
	id, i, err := q.claim(false)
	if err != nil {
		return err
	}
	return q.fill(id, i, v)
}

// Taken returns how many messages the consumer has taken from the queue
// so far: popped, drained, or evicted as the oldest under DropOldest. It
// never blocks; it is one atomic load of a counter the consumer keeps
// anyway, so reading it costs the queue nothing.
func (q *Queue[T]) Taken() uint64 { return uint64(q.cons.released.Load()) }

// TryPush appends v if there is room and returns ErrFull otherwise, whatever
// the policy. It never blocks and never drops.
func (q *Queue[T]) TryPush(v T) error {
	id, i, err := q.claim(true)
	if err != nil {
		return err
	}
	return q.fill(id, i, v)
}

// claim takes the next slot: index i of segment id. It fails, taking
// nothing, with ErrClosed once Close has marked the word, and with ErrFull
// when bounded is set and the queue holds capacity messages.
func (q *Queue[T]) claim(bounded bool) (id, i uint64, err error) {
	p := q.prod
	for {
		w := p.word.Load()
		if w&closedBit != 0 {
			return 0, 0, ErrClosed
		}
		id, i = w>>idxBits, w&idxMask
		if i >= segSize {
			if i == segSize && p.word.CompareAndSwap(w, w+1) {
				q.link(id)
			} else {
				runtime.Gosched() // another producer is linking the next segment
			}
			continue
		}
		if bounded {
			n := position(w)
			if n-p.relSeen.Load() >= q.capacity {
				rel := q.cons.released.Load()
				p.relSeen.Store(rel)
				if n-rel >= q.capacity {
					return 0, 0, ErrFull
				}
			}
		}
		// See doc.go, invariant 1: this CAS is what the consumer's end of
		// turn counts, and it comes before the producer's Notify.
		if p.word.CompareAndSwap(w, w+1) {
			return id, i, nil
		}
	}
}

// link appends segment id+1 after the full tail id and makes it the tail.
// Only the producer that moved the tail's index to segSize+1 calls it.
func (q *Queue[T]) link(id uint64) {
	p := q.prod
	n := p.spare.Swap(nil)
	if n == nil {
		if v := p.pool.Get(); v != nil {
			n = v.(*segment[T])
		} else {
			n = new(segment[T])
		}
	}
	n.id = id + 1
	if old := p.tail.Load(); old == nil {
		p.first.Store(n)
	} else {
		n.prev.Store(old)
		old.next.Store(n)
	}
	p.tail.Store(n)
	// Keep closedBit if Close set it meanwhile.
	for w := p.word.Load(); !p.word.CompareAndSwap(w, (id+1)<<idxBits|w&closedBit); w = p.word.Load() {
	}
}

// fill writes v into the claimed slot i of segment id, or marks the slot
// skipped and returns ErrClosed if the queue was closed meanwhile. Checked
// after claiming, so that Close (which sets closed, then drains until every
// claimed slot is filled) either sees this claim or this sees closed (see
// doc.go, invariant 5).
func (q *Queue[T]) fill(id, i uint64, v T) error {
	// The tail is segment id or a later one; every segment from id on is
	// still linked, because the consumer cannot pass this unfilled slot.
	seg := q.prod.tail.Load()
	for seg.id != id {
		seg = seg.prev.Load()
	}
	s := seg.slot(i)
	if q.closed.Load() {
		// The slot holds nothing and its room is free again at once.
		atomicx.StoreRelease(&s.ready, slotSkip)
		q.release()
		return ErrClosed
	}
	s.val = v
	// A release store is enough to publish val: the consumer loads ready
	// with sync/atomic before it reads val. sync/atomic's own store would
	// cost a locked instruction on amd64, as much again as the rest of a
	// push (docs/architecture.md). It does not order the producer's
	// Notify after it, which is why Mailbox.EndTurn counts claims (see
	// doc.go, invariant 3).
	atomicx.StoreRelease(&s.ready, slotFull)
	return nil
}

// release gives back the slot of a popped message, or of a claim that
// found the queue closed.
func (q *Queue[T]) release() {
	q.cons.released.Add(1)
	// See doc.go, invariant 6: the room is given back before waiters is read.
	if q.cons.waiters.Load() > 0 {
		q.wakeOne()
	}
}

// Pop removes and returns the oldest ready message. It returns false when
// there is none; a message still being written by its producer counts as
// none, and its claim still counts, so a consumer that ends its turn through
// Mailbox.EndTurn does not end it before the message is taken. Pop must
// only be called by the consumer that owns the turn.
func (q *Queue[T]) Pop() (v T, ok bool) {
	if q.policy == DropOldest {
		return q.popDropOldest()
	}
	if v, ok = q.take(); ok {
		q.release()
	}
	return v, ok
}

// take removes the oldest ready message without releasing its slot.
func (q *Queue[T]) take() (v T, ok bool) {
	c := q.cons
	seg := c.head
	if seg == nil {
		if seg = q.prod.first.Load(); seg == nil {
			return v, false
		}
		c.head = seg
		q.prod.first.Store(nil)
	}
	for {
		if c.idx == segSize {
			next := seg.next.Load()
			if next == nil {
				c.clear()
				return v, false
			}
			q.retire(seg, next)
			seg, c.head, c.idx, c.cleared = next, next, 0, 0
			continue
		}
		s := seg.slot(uint64(c.idx))
		switch atomic.LoadUint32(&s.ready) {
		case slotEmpty:
			c.clear()
			return v, false
		case slotSkip:
			c.idx++ // its producer already released it
			continue
		}
		v = s.val
		c.idx++
		return v, true
	}
}

// Update calls f with a pointer to each message queued, oldest first, so
// that the consumer can rewrite them in place (the runtime marks Exit
// messages from a process it has just unlinked as void). Slots still being
// written by their producers are passed over; every message the consumer
// pushed itself is visited. Consumer only.
func (q *Queue[T]) Update(f func(*T)) {
	if q.policy == DropOldest {
		q.lock()
		defer q.unlock()
		if sp := q.slow.Load(); sp != nil {
			for i := range sp.front {
				f(&sp.front[i])
			}
		}
	}
	seg, idx := q.cons.head, q.cons.idx
	if seg == nil {
		seg, idx = q.prod.first.Load(), 0
	}
	for ; seg != nil; seg, idx = seg.next.Load(), 0 {
		for ; idx < segSize; idx++ {
			if s := seg.slot(uint64(idx)); atomic.LoadUint32(&s.ready) == slotFull {
				f(&s.val)
			}
		}
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
