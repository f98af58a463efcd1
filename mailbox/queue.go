package mailbox

import (
	"context"
	"math"
	"reflect"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/airssys/rt/internal/atomicx"
)

// segSize is the number of slots in one segment. Segments are linked as
// messages arrive; one the consumer has passed is kept as a spare for the
// next, so a queue in steady use allocates nothing.
const segSize = 32

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

type slot[T any] struct {
	// ready is the slot's state: loaded with sync/atomic, stored with
	// atomicx.StoreRelease (a fill publishes val with it), zeroed by reset.
	ready uint32
	val   T
}

type segment[T any] struct {
	// id numbers the segments of a queue in link order; a recycled segment
	// gets a new one.
	id    uint64
	next  atomic.Pointer[segment[T]]
	prev  atomic.Pointer[segment[T]] // cleared once the consumer passes prev
	slots [segSize]slot[T]
}

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

// pools holds one *sync.Pool of segments per element type: a segment passed
// by one queue's consumer may be linked by another queue, and the garbage
// collector empties the pools of segments nobody needed.
var pools sync.Map // reflect.Type → *sync.Pool

func poolFor[T any]() *sync.Pool {
	key := reflect.TypeFor[T]()
	if p, ok := pools.Load(key); ok {
		return p.(*sync.Pool)
	}
	p, _ := pools.LoadOrStore(key, new(sync.Pool))
	return p.(*sync.Pool)
}

type consumer[T any] struct {
	head *segment[T]
	idx  uint32
	// cleared is how far slots of head have been zeroed for the garbage
	// collector. Zeroing waits until the queue runs dry or the segment is
	// passed, so that the consumer does not write to the cache lines
	// producers are filling.
	cleared uint32
	// released counts slots given back by the consumer.
	released atomic.Int64
	// waiters counts Backpressure producers asleep in Queue.slow; written
	// by producers only when they go to sleep.
	waiters atomic.Int32
	// lock serialises consumers under DropOldest, where a producer may
	// remove the oldest message itself. Unused under other policies.
	lock atomic.Int32
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
		q.acquire()
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
	if q.policy == DropOldest {
		return q.pushDropOldest(v)
	}
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

// fullSpins is how many times a Backpressure producer finding the queue full
// yields before it parks.
const fullSpins = 4

func (q *Queue[T]) pushDropOldest(v T) (dropped T, didDrop bool, err error) {
	for {
		id, i, err := q.claim(true)
		if err == nil {
			return dropped, false, q.fill(id, i, v)
		}
		if err == ErrClosed {
			return dropped, false, err
		}
		q.acquire()
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
// claimed slot is filled) either sees this claim or this sees closed.
func (q *Queue[T]) fill(id, i uint64, v T) error {
	// The tail is segment id or a later one; every segment from id on is
	// still linked, because the consumer cannot pass this unfilled slot.
	seg := q.prod.tail.Load()
	for seg.id != id {
		seg = seg.prev.Load()
	}
	s := &seg.slots[i]
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
	// Notify after it, which is why Mailbox.Release counts claims.
	atomicx.StoreRelease(&s.ready, slotFull)
	return nil
}

// release gives back the slot of a popped message, or of a claim that
// found the queue closed.
func (q *Queue[T]) release() {
	q.cons.released.Add(1)
	if q.cons.waiters.Load() > 0 {
		q.wakeOne()
	}
}

// Pop removes and returns the oldest ready message. It returns false when
// there is none; a message still being written by its producer counts as
// none, and its claim still counts, so a consumer that ends its turn through
// Mailbox.Release does not end it before the message is taken. Pop must
// only be called by the consumer that owns the turn.
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
		if ok {
			q.release()
		}
		q.unlock()
		return v, ok
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
		s := &seg.slots[c.idx]
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
		q.acquire()
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
			if s := &seg.slots[idx]; atomic.LoadUint32(&s.ready) == slotFull {
				f(&s.val)
			}
		}
	}
}

// retire recycles seg, which the consumer has passed: every slot is filled
// and read, and no producer refers to it any more (producers reach a segment
// from the tail through prev, never below the slot they claimed).
func (q *Queue[T]) retire(seg, next *segment[T]) {
	next.prev.Store(nil)
	reset(seg)
	if !q.prod.spare.CompareAndSwap(nil, seg) {
		q.prod.pool.Put(seg)
	}
}

// reset empties a segment no producer or consumer refers to any more.
func reset[T any](seg *segment[T]) {
	clear(seg.slots[:])
	seg.next.Store(nil)
	seg.prev.Store(nil)
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

func (q *Queue[T]) slowPath() *slowPath[T] {
	sp := q.slow.Load()
	if sp == nil {
		q.slow.CompareAndSwap(nil, new(slowPath[T]))
		sp = q.slow.Load()
	}
	return sp
}

func (q *Queue[T]) acquire() {
	for !q.cons.lock.CompareAndSwap(0, 1) {
		runtime.Gosched()
	}
}

func (q *Queue[T]) unlock() { q.cons.lock.Store(0) }

// Close makes every later Push and PushForce fail with ErrClosed and wakes
// every waiting producer. Messages already queued stay until Drain. Close is
// idempotent and safe for concurrent use.
func (q *Queue[T]) Close() {
	if q.closed.Swap(true) {
		return
	}
	// After the flag: a claim made before the bit finds the flag in fill.
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
		// so a claimed slot still being filled is never missed. An index
		// past segSize is a link in progress.
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

// recycle gives every segment of a closed, drained queue to the pool. No
// claim can succeed and none is in progress, and no link either.
func (q *Queue[T]) recycle() {
	if q.policy == DropOldest {
		q.acquire()
		defer q.unlock()
	}
	c, p := q.cons, q.prod
	seg := c.head
	if seg == nil {
		seg = p.first.Swap(nil)
	}
	for seg != nil {
		next := seg.next.Load()
		reset(seg)
		p.pool.Put(seg)
		seg = next
	}
	c.head, c.idx, c.cleared = nil, 0, 0
	p.tail.Store(nil)
	if s := p.spare.Swap(nil); s != nil {
		p.pool.Put(s)
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
