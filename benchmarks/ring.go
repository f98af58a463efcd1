package main

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// ringSize is the ring's capacity: the runtime's default mailbox capacity.
const ringSize = 1024

const ringMask = ringSize - 1

// The run states of a ring's consumer.
const (
	// ringIdle: no consumer runs. Leaves for ringScheduled by the CAS of
	// the one producer that starts a consumer (invariant 3), or by the CAS
	// of the consumer that finds a message on its re-check (invariant 4).
	ringIdle uint32 = iota
	// ringScheduled: one consumer runs or is about to. Leaves for ringIdle
	// only by that consumer's store, when it finds the ring drained.
	ringScheduled
)

// ring is the ideal-queue baseline: a bounded lock-free multi-producer,
// single-consumer queue of ringSize slots in Dmitry Vyukov's style, whose
// consumer goroutine starts when the ring goes from idle to busy and exits
// when it has drained it, as an actor's mailbox with no goroutine of its own
// is served. It does the least such a mailbox must do per message: one CAS
// to claim a slot, one store to publish it, one load of the run state. It
// has no envelope, no registry, no control lane, no turn limit and no dead
// letters.
//
// push is safe for concurrent use; handle runs on the consumer alone, one
// message at a time, in the order the messages were claimed. No message is
// lost and none is dropped; the argument, which the code points to:
//
//  1. Each slot carries a sequence number. Slot i%ringSize is free for the
//     producer of position i when its sequence is i, and holds position i's
//     message, ready to read, when it is i+1. A producer claims position i
//     by CAS of the tail from i to i+1, so exactly one producer writes a
//     slot for each position; it writes the message, then stores i+1. The
//     consumer reads the message only after loading i+1, and hands the slot
//     to the next lap by storing i+ringSize after it cleared it, so a slot
//     is never read before it is written nor written before it is read.
//  2. A producer that finds the slot of the tail a lap behind (its sequence
//     below the tail) finds the ring full: it yields and tries again, so
//     push waits for room rather than drop. The consumer that frees the room
//     exists, by 3 and 4: the full ring's oldest message is ready or about
//     to be, and its producer saw to a consumer after publishing it.
//  3. Every producer loads the run state after it published its message
//     (sync/atomic operations are sequentially consistent). If it finds
//     ringIdle it tries the CAS to ringScheduled; exactly one CAS wins, and
//     its winner starts the consumer. A producer that finds ringScheduled,
//     or loses the CAS, leaves its message to a consumer that stores
//     ringIdle after that load, and so re-checks, by 4, after the publish.
//  4. The consumer stores ringIdle only once it finds the slot at its head
//     not ready, and then looks at that slot again, by the position it read
//     before the store (a new consumer may own the head after it): if the
//     message is there it takes the state back by CAS and drains on from
//     the head as it now is (or a producer won the CAS, by 3, and started a
//     new consumer). So a consumer exits only when the head slot's message
//     is not published yet, and that message's producer, by 3, loads the
//     state after its publish and after this ringIdle: it starts a
//     consumer, or one started after the publish will see it.
//  5. One consumer at a time: a consumer owns the head and reads messages
//     from its winning CAS to ringScheduled to its store of ringIdle, and
//     only it stores ringIdle; after that store it reads one sequence number
//     and owns nothing until a CAS of its own wins again. The next owner's
//     CAS follows that store in the atomic order, so the head it reads is
//     the one the previous owner left.
type ring struct {
	tail atomic.Uint64 // next position to claim; producers CAS it (1)
	_    [56]byte      // the tail, the run state and the consumer's head each on a cache line of their own
	run  atomic.Uint32 // ringIdle or ringScheduled (3, 4)
	_    [60]byte
	head uint64 // next position to read; the consumer's alone (5)
	_    [56]byte

	slots     [ringSize]ringSlot
	handle    func(msg any)
	consumer  func() // r.drain then consumers.Done, made once so a start allocates nothing
	consumers sync.WaitGroup
}

type ringSlot struct {
	seq atomic.Uint64
	msg any
}

// newRing returns an empty, idle ring whose consumer calls handle.
func newRing(handle func(msg any)) *ring {
	r := &ring{handle: handle}
	r.consumer = func() {
		defer r.consumers.Done()
		r.drain()
	}
	for i := range r.slots {
		r.slots[i].seq.Store(uint64(i))
	}
	return r
}

// push enqueues msg, waiting for room while the ring is full, and starts
// the consumer if the ring was idle. It is safe for concurrent use.
func (r *ring) push(msg any) {
	for !r.tryPush(msg) {
		runtime.Gosched() // full: wait for the consumer (2)
	}
	// See invariant 3. The load first keeps the CAS off the hot path of a
	// busy ring.
	if r.run.Load() == ringIdle && r.run.CompareAndSwap(ringIdle, ringScheduled) {
		r.consumers.Add(1)
		go r.consumer()
	}
}

// tryPush claims a slot and publishes msg in it, or reports that the ring
// is full (invariants 1 and 2).
func (r *ring) tryPush(msg any) bool {
	pos := r.tail.Load()
	for {
		s := &r.slots[pos&ringMask]
		switch seq := s.seq.Load(); {
		case seq == pos:
			if r.tail.CompareAndSwap(pos, pos+1) {
				s.msg = msg
				s.seq.Store(pos + 1)
				return true
			}
			pos = r.tail.Load()
		case int64(seq-pos) < 0:
			return false // the slot still holds the message of a lap ago
		default:
			pos = r.tail.Load() // another producer claimed pos
		}
	}
}

// ready reports whether the head slot holds a published message.
func (r *ring) ready() bool {
	return r.slots[r.head&ringMask].seq.Load() == r.head+1
}

// drain is the consumer: it hands every ready message to handle, then
// marks the ring idle and exits, unless a message arrived meanwhile
// (invariant 4).
func (r *ring) drain() {
	for {
		for r.ready() {
			s := &r.slots[r.head&ringMask]
			msg := s.msg
			s.msg = nil
			s.seq.Store(r.head + ringSize) // the slot is free for the next lap (1)
			r.head++
			r.handle(msg)
		}
		// See invariant 4. Once ringIdle is stored, a new consumer may own
		// the head: look again at the slot by the position read before.
		head := r.head
		r.run.Store(ringIdle)
		if r.slots[head&ringMask].seq.Load() != head+1 || !r.run.CompareAndSwap(ringIdle, ringScheduled) {
			return
		}
	}
}

// wait returns when no consumer runs. Call it once no producer pushes.
func (r *ring) wait() { r.consumers.Wait() }
